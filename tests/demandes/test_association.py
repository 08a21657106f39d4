"""A demande for an association (CERFA 14069) through the agent's wizard: the association is
picked in the département's table, or typed when the table is empty or does not hold it (FAQ
« bénéficiaire association »); the demandeur is the person who represents it."""

import re
from datetime import date

import pytest
from django.urls import reverse

from sne.demandes import services
from sne.demandes.models import Demande
from sne.demandes.views.entree import localiser_erreur
from sne.organisations.associations import TABLE_VIDE
from sne.organisations.models import Association
from sne.referentiels.models import Departement
from tests.demandes.test_pages import donnees_etapes
from tests.factories import GuichetFactory, agent
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db

ETAPES = ("guichet", "demandeur", "menage", "ressources", "souhaits")
ASSOCIATION_LIBRE = {
    "association_nom": "Toit Solidaire du 13e",
    "association_date_creation": "2004-09-15",
    "association_adresse_ligne1": "8 rue Nationale",
    "association_commune": "Paris 13e Arrondissement (75013)",
    "association_commune_code": "75113",
}


@pytest.fixture
def guichet():
    return GuichetFactory(code="75TA2", nom="Bailleur de test", departements=["75"])


@pytest.fixture
def agent_saisie(client, guichet):
    utilisateur = agent(guichet, email="saisie.association@bailleur-test.fr")
    connecter(client, utilisateur)
    return utilisateur


def association(nom: str, **champs) -> Association:
    return Association.objects.create(
        departement=Departement.objects.get(code="75"), nom=nom, **champs
    )


def etapes_association(guichet, **demandeur):
    """The wizard's steps (`donnees_etapes`) for an association: chosen at the first step, then
    given on the demandeur step with its representative."""
    etapes = donnees_etapes(guichet, demandeur=demandeur)
    etapes["guichet"]["beneficiaire"] = "association"
    return etapes


def jusqu_au_demandeur(client, etapes: dict) -> str:
    url = client.get(reverse("demandes:nouvelle")).url
    reponse = client.post(url, etapes["guichet"])
    assert reponse.status_code == 302, texte(reponse)[:3000]
    assert reponse.url.endswith("/demandeur/")
    return reponse.url


def jusqu_a_l_enregistrement(client, etapes: dict, url: str):
    """From the demandeur step: every step, the duplicate step, the summary, the registration.
    Returns (summary page, response after registration, followed)."""
    for etape in ETAPES[1:]:
        assert url.endswith(f"/{etape}/"), url
        reponse = client.post(url, etapes[etape])
        assert reponse.status_code == 302, texte(reponse)[:3000]
        url = reponse.url
    url = client.post(url, {}).url
    assert url.endswith("/recapitulatif/")
    recapitulatif = texte(client.get(url))
    return recapitulatif, client.post(url, {}, follow=True)


def test_le_beneficiaire_est_un_menage_par_defaut(client, guichet, agent_saisie):
    url = client.get(reverse("demandes:nouvelle")).url

    page = texte(client.get(url))

    assert "Bénéficiaire de la demande" in page
    assert re.search(r'<input type="radio" name="beneficiaire" value="menage"[^>]* checked', page)
    assert 'id="id_beneficiaire-legend"' in page  # a fieldset with its legend
    etapes = donnees_etapes(guichet)
    demandeur = texte(client.get(client.post(url, etapes["guichet"]).url))
    assert "Association bénéficiaire" not in demandeur
    assert "association_nom" not in demandeur


def test_une_demande_pour_une_association_choisie_dans_la_table(client, guichet, agent_saisie):
    choisie = association(
        "Emmaüs Solidarité", siren="775671356", date_creation=date(1980, 5, 2), adresse="Paris"
    )
    association("Emmaüs Habitat")
    etapes = etapes_association(
        guichet,
        association_recherche="Emmaüs Solidarité",
        association_recherche_id=str(choisie.pk),  # what picking a suggestion sets
    )
    url = jusqu_au_demandeur(client, etapes)

    page = texte(client.get(url))
    assert "Association bénéficiaire" in page
    assert "Association de la table du département" in page
    assert reverse("departement:recherche_associations") in page
    assert "Identité du représentant de l'association" in page

    recapitulatif, reponse = jusqu_a_l_enregistrement(client, etapes, url)

    assert "Une association" in recapitulatif
    assert "Emmaüs Solidarité (table du département)" in recapitulatif
    demande = Demande.objects.get()
    assert demande.beneficiaire == Demande.Beneficiaire.ASSOCIATION
    assert demande.association == choisie and demande.association_nom == ""
    assert demande.demandeur.nom == "Nguyen"  # the representative
    page = texte(reponse)
    assert f"Demande enregistrée : numéro unique {demande.numero_unique}" in page
    assert "Bénéficiaire : association Emmaüs Solidarité</strong> (créée le 02/05/1980)" in page


def test_sans_javascript_le_nom_tape_designe_l_association_de_la_table(
    client,
    guichet,
    agent_saisie,
):
    association("Emmaüs Solidarité")
    association("Emmaüs Habitat")
    association("Secours Populaire")
    url = jusqu_au_demandeur(client, etapes_association(guichet))
    demandeur = etapes_association(guichet)["demandeur"]

    reponse = client.post(url, {**demandeur, "association_recherche": "emmaus"})
    page = texte(reponse)
    assert reponse.status_code == 200
    assert "Plusieurs associations de la table correspondent à « emmaus »" in page
    assert 'href="#id_association_recherche"' in page

    reponse = client.post(url, {**demandeur, "association_recherche": "EMMAUS SOLIDARITE"})
    assert reponse.status_code == 302

    reponse = client.post(url, {**demandeur, "association_recherche": "Croix Bleue"})
    assert "Aucune association de la table du département 75 ne correspond" in texte(reponse)


def test_une_association_saisie_librement_quand_la_table_est_vide(client, guichet, agent_saisie):
    association("Ancienne association", active=False)  # not offered: the table is empty
    etapes = etapes_association(guichet, **ASSOCIATION_LIBRE)
    url = jusqu_au_demandeur(client, etapes)

    page = texte(client.get(url))
    assert TABLE_VIDE in page  # the FAQ's empty state
    assert "association_recherche" not in page
    assert "Nom de l'association" in page

    recapitulatif, reponse = jusqu_a_l_enregistrement(client, etapes, url)

    assert "Toit Solidaire du 13e (saisie libre)" in recapitulatif
    assert "15/09/2004" in recapitulatif
    assert "8 rue Nationale, 75013 Paris 13e Arrondissement" in recapitulatif
    demande = Demande.objects.get()
    assert demande.beneficiaire == Demande.Beneficiaire.ASSOCIATION
    assert demande.association is None
    assert demande.association_nom == "Toit Solidaire du 13e"
    assert demande.association_date_creation == date(2004, 9, 15)
    assert "Bénéficiaire : association Toit Solidaire du 13e</strong> (créée le 15/09/2004)" in (
        texte(reponse)
    )


def test_une_association_absente_de_la_table_se_saisit_librement(client, guichet, agent_saisie):
    association("Emmaüs Solidarité")
    etapes = etapes_association(
        guichet, association_recherche="Toit Solidaire", **ASSOCIATION_LIBRE
    )
    url = jusqu_au_demandeur(client, etapes)

    jusqu_a_l_enregistrement(client, etapes, url)

    demande = Demande.objects.get()
    assert demande.association is None and demande.association_nom == "Toit Solidaire du 13e"


def test_choisir_dans_la_table_et_saisir_librement_est_refuse(client, guichet, agent_saisie):
    choisie = association("Emmaüs Solidarité")
    etapes = etapes_association(
        guichet,
        association_recherche="Emmaüs Solidarité",
        association_recherche_id=str(choisie.pk),
        **ASSOCIATION_LIBRE,
    )
    url = jusqu_au_demandeur(client, etapes)

    reponse = client.post(url, etapes["demandeur"])

    assert reponse.status_code == 200
    assert "L'association « Emmaüs Solidarité » de la table est déjà choisie" in texte(reponse)


def test_sans_date_de_creation_l_erreur_est_claire_a_l_etape_du_demandeur(
    client,
    guichet,
    agent_saisie,
):
    etapes = etapes_association(guichet, **{**ASSOCIATION_LIBRE, "association_date_creation": ""})
    url = jusqu_au_demandeur(client, etapes)

    reponse = client.post(url, etapes["demandeur"])

    page = texte(reponse)
    assert reponse.status_code == 200
    assert "Étape 2 sur 7" in page
    assert (
        'href="#id_association_date_creation">Date de création de l\'association : '
        "La date de création de l'association est obligatoire." in page
    )
    assert "fr-input-group--error" in page
    assert not Demande.objects.exists()


def test_la_table_pas_encore_renseignee_exige_nom_date_et_adresse(client, guichet, agent_saisie):
    etapes = etapes_association(guichet)
    url = jusqu_au_demandeur(client, etapes)

    page = texte(client.post(url, etapes["demandeur"]))

    for message in (
        "Le nom de l'association est obligatoire.",
        "La date de création de l'association est obligatoire.",
        "L'adresse de l'association est obligatoire.",
        "La commune de l'association est obligatoire.",
    ):
        assert message in page


def test_les_erreurs_du_service_sur_l_association_reviennent_a_l_etape_du_demandeur(
    client,
    guichet,
    agent_saisie,
    monkeypatch,
):
    propres = {}
    assert localiser_erreur("association.date_creation", propres) == (
        "demandeur",
        "association_date_creation",
    )
    assert localiser_erreur("association.nom", propres) == ("demandeur", "association_nom")
    assert localiser_erreur("association.adresse", propres) == (
        "demandeur",
        "association_adresse_ligne1",
    )
    assert localiser_erreur("association.adresse.commune", propres) == (
        "demandeur",
        "association_commune",
    )
    assert localiser_erreur("association.id", propres) == ("demandeur", "association_recherche")
    assert localiser_erreur("beneficiaire", propres) == ("guichet", "beneficiaire")

    etapes = etapes_association(guichet, **ASSOCIATION_LIBRE)
    url = jusqu_au_demandeur(client, etapes)
    for etape in ETAPES[1:]:
        url = client.post(url, etapes[etape]).url
    url = client.post(url, {}).url
    envoye = {}

    def refuser(guichet, agent, entree, **kwargs):
        envoye.update(entree.model_dump(mode="json"))
        raise services.DonneesInvalides(
            "La demande ne peut pas être enregistrée : date de création manquante.",
            details={
                "erreurs": [
                    {
                        "champ": "association.date_creation",
                        "code": "obligatoire",
                        "message": "La date de création de l'association est obligatoire.",
                    }
                ]
            },
        )

    monkeypatch.setattr(services, "enregistrer_demande", refuser)
    reponse = client.post(url, {}, follow=True)

    assert envoye["beneficiaire"] == "association"
    assert envoye["association"] == {
        "id": None,
        "nom": "Toit Solidaire du 13e",
        "date_creation": "2004-09-15",
        "adresse": {
            "ligne1": "8 rue Nationale",
            "ligne2": "",
            "code_postal": "75013",
            "commune": "Paris 13e Arrondissement",
        },
    }
    page = texte(reponse)
    assert reponse.redirect_chain[-1][0].endswith("/demandeur/")
    assert (
        'href="#id_association_date_creation">Date de création de l\'association : '
        "La date de création de l'association est obligatoire." in page
    )


def test_la_recherche_htmx_du_formulaire_lit_le_champ_nomme(client, guichet, agent_saisie):
    association("Emmaüs Solidarité")
    association("Secours Populaire")

    reponse = client.get(
        reverse("departement:recherche_associations"),
        {"departement": "75", "champ": "association_recherche", "association_recherche": "emm"},
        headers={"HX-Request": "true"},
    )

    contenu = texte(reponse)
    assert 'data-libelle="Emmaüs Solidarité"' in contenu
    assert "Secours Populaire" not in contenu
