"""Requests of desks to their gestionnaire territorial (FAQ: « je ne vois pas la demande
suspectée en doublon : élargissez mon périmètre »), answered in the application."""

import pytest
from django.core import mail

from sne.organisations.models import DemandeAuGestionnaire
from sne.referentiels.models import Departement
from tests.factories import GuichetFactory, agent, gestionnaire, habiliter
from tests.outils import connecter

pytestmark = pytest.mark.django_db

URL_LISTE = "/gestion/departements/demandes/"
URL_MES_DEMANDES = "/gestion/departements/demandes/guichet/"


def url_demande(demande):
    return f"/gestion/departements/demandes/{demande.pk}/"


@pytest.fixture
def guichet_93():
    return GuichetFactory(code="93CO1", nom="Mairie de Bobigny", departements=["93"])


def demande_de(guichet, auteur, objet="perimetre", statut="ouverte", message="Une question"):
    return DemandeAuGestionnaire.objects.create(
        guichet=guichet,
        departement=guichet.departements.first(),
        auteur=auteur,
        objet=objet,
        message=message,
        statut=statut,
        reponse="Fait." if statut == "traitee" else "",
    )


def test_une_demande_du_guichet_est_vue_et_traitee_par_le_gestionnaire_de_son_departement(
    client, guichet_93, django_capture_on_commit_callbacks
):
    agent_93 = agent(guichet_93, email="agent@bobigny.fr")
    gestionnaire_93 = gestionnaire("93", email="gestionnaire@ddets93.gouv.fr")

    # The desk agent writes: the gestionnaires of 93 are told by e-mail.
    connecter(client, agent_93)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            URL_MES_DEMANDES,
            {
                "guichet": guichet_93.pk,
                "objet": "doublon",
                "message": "Suspicion de doublon sur une demande que je ne vois pas.",
            },
            follow=True,
        )
    assert "transmise au gestionnaire territorial du 93" in reponse.content.decode()
    demande = DemandeAuGestionnaire.objects.get()
    assert (demande.guichet, demande.departement_id, demande.auteur) == (guichet_93, "93", agent_93)
    assert [m.to for m in mail.outbox] == [["gestionnaire@ddets93.gouv.fr"]]

    # The gestionnaire sees it in the list, open, and answers it.
    connecter(client, gestionnaire_93)
    liste = client.get(URL_LISTE).content.decode()
    assert "Suspicion de doublon hors de mon périmètre" in liste
    assert "1 demande en attente de réponse" in liste
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url_demande(demande), {"reponse": "Votre périmètre couvre désormais le 93."})
    demande.refresh_from_db()
    assert demande.statut == DemandeAuGestionnaire.Statut.TRAITEE
    assert demande.repondu_par == gestionnaire_93

    # The agent gets the answer by e-mail and on their page.
    assert mail.outbox[-1].to == ["agent@bobigny.fr"]
    assert "Votre périmètre couvre désormais le 93." in mail.outbox[-1].body
    connecter(client, agent_93)
    page = client.get(URL_MES_DEMANDES).content.decode()
    assert "Votre périmètre couvre désormais le 93." in page
    assert "Traitée" in page


def test_un_gestionnaire_d_un_autre_departement_ne_voit_pas_la_demande(client, guichet_93):
    demande = demande_de(guichet_93, agent(guichet_93), message="Élargissez mon périmètre")
    connecter(client, gestionnaire("75"))

    assert "Élargissez mon périmètre" not in client.get(URL_LISTE).content.decode()
    assert client.get(url_demande(demande)).status_code == 404
    assert client.post(url_demande(demande), {"reponse": "Non."}).status_code == 404
    demande.refresh_from_db()
    assert demande.statut == DemandeAuGestionnaire.Statut.OUVERTE


def test_les_demandes_en_attente_viennent_en_premier_et_se_filtrent_par_statut(client, guichet_93):
    auteur = agent(guichet_93)
    demande_de(guichet_93, auteur, objet="contacts", statut="ouverte")
    demande_de(guichet_93, auteur, objet="habilitation", statut="traitee")
    connecter(client, gestionnaire("93"))

    tout = client.get(URL_LISTE).content.decode()
    traitees = client.get(URL_LISTE, {"statut": "traitee"}).content.decode()

    assert tout.index("Points de contact") < tout.index("Habilitation d&#x27;un utilisateur")
    assert "Points de contact" not in traitees
    assert "Habilitation d&#x27;un utilisateur" in traitees


def test_une_reponse_vide_est_refusee_avec_un_message(client, guichet_93):
    demande = demande_de(guichet_93, agent(guichet_93))
    connecter(client, gestionnaire("93"))

    reponse = client.post(url_demande(demande), {"reponse": "   "})

    assert reponse.status_code == 200
    assert "fr-input-group--error" in reponse.content.decode()
    demande.refresh_from_db()
    assert demande.statut == DemandeAuGestionnaire.Statut.OUVERTE


def test_l_agent_ne_voit_que_les_demandes_de_ses_guichets(client, guichet_93):
    autre = GuichetFactory(departements=["93"])
    demande_de(guichet_93, agent(guichet_93), message="Question de Bobigny")
    demande_de(autre, agent(autre), message="Question d'un autre guichet")
    connecter(client, agent(guichet_93, role="consultation"))

    page = client.get(URL_MES_DEMANDES).content.decode()

    assert "Question de Bobigny" in page
    assert "autre guichet" not in page


def test_l_agent_ne_peut_ecrire_pour_un_guichet_qui_n_est_pas_le_sien(client, guichet_93):
    autre = GuichetFactory(departements=["93"])
    connecter(client, agent(guichet_93))

    reponse = client.post(
        URL_MES_DEMANDES, {"guichet": autre.pk, "objet": "autre", "message": "Bonjour"}
    )

    assert reponse.status_code == 200
    assert not DemandeAuGestionnaire.objects.exists()


def test_un_guichet_sur_deux_departements_choisit_le_gestionnaire(
    client, django_capture_on_commit_callbacks
):
    guichet = GuichetFactory(departements=["93", "94"])
    gestionnaire("94", email="gestionnaire@ddets94.gouv.fr")
    connecter(client, agent(guichet))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            URL_MES_DEMANDES,
            {"guichet": guichet.pk, "departement": "94", "objet": "autre", "message": "Bonjour"},
        )

    assert DemandeAuGestionnaire.objects.get().departement == Departement.objects.get(code="94")
    assert [m.to for m in mail.outbox] == [["gestionnaire@ddets94.gouv.fr"]]


def test_un_departement_hors_du_guichet_est_refuse_avec_un_message(client, guichet_93):
    """The form offers the départements of all the agent's desks: 94 is one, not Bobigny's."""
    utilisateur = agent(guichet_93)
    habiliter(utilisateur, "saisie", guichet=GuichetFactory(departements=["94"]))
    connecter(client, utilisateur)

    reponse = client.post(
        URL_MES_DEMANDES,
        {"guichet": guichet_93.pk, "departement": "94", "objet": "autre", "message": "Bonjour"},
    )

    assert reponse.status_code == 200
    assert "n&#x27;est pas habilité sur le département 94" in reponse.content.decode()
    assert not DemandeAuGestionnaire.objects.exists()


def test_un_agent_arrivant_sur_la_liste_des_gestionnaires_va_a_ses_demandes(client, guichet_93):
    connecter(client, agent(guichet_93))

    reponse = client.get(URL_LISTE)

    assert reponse.status_code == 302
    assert reponse["Location"] == URL_MES_DEMANDES


def test_les_pages_vides_disent_quoi_faire(client, guichet_93):
    connecter(client, gestionnaire("93"))
    assert "Aucun guichet de vos départements" in client.get(URL_LISTE).content.decode()

    connecter(client, agent(guichet_93))
    assert "aucune demande à votre gestionnaire" in client.get(URL_MES_DEMANDES).content.decode()


# --- Prefilled from the registration wizard, and the way back --------------------------------

NUMERO = "075261100000175TA1"


def test_la_demande_est_preremplie_par_l_adresse_et_les_valeurs_non_conformes_ignorees(
    client, guichet_93
):
    autre = GuichetFactory(code="75ZZ9", departements=["75"])
    connecter(client, agent(guichet_93))

    page = client.get(
        URL_MES_DEMANDES,
        {
            "objet": "doublon",
            "guichet": str(autre.pk),  # not one of the agent's desks: ignored
            "numero": [NUMERO.lower(), "pas-un-numero", "<script>alert(1)</script>"],
            "nom": ["Thi Mai NGUYEN", "Ligne\nforgée"],
        },
    ).content.decode()

    assert "Suspicion de doublon lors d&#x27;un enregistrement." in page
    assert f"Numéro unique suspecté : {NUMERO}." in page
    assert "Personne saisie : Thi Mai NGUYEN." in page
    assert "pas-un-numero" not in page and "<script>alert(1)" not in page
    assert "forgée" not in page
    assert f'value="{autre.pk}" selected' not in page
    assert "Revenir à la saisie" not in page  # no `retour`


@pytest.mark.parametrize(
    "retour",
    [
        "https://pirate.example/demandes/",
        "//pirate.example/demandes/",
        "/\\pirate.example",
        "javascript:alert(1)",
        "http://testserver.pirate.example/",
        "demandes/relatif/",
    ],
)
def test_le_retour_ne_mene_jamais_hors_du_site(client, guichet_93, retour):
    connecter(client, agent(guichet_93))

    page = client.get(URL_MES_DEMANDES, {"objet": "doublon", "retour": retour}).content.decode()
    assert "Revenir à la saisie" not in page and "pirate" not in page

    reponse = client.post(
        URL_MES_DEMANDES,
        {"guichet": guichet_93.pk, "objet": "doublon", "message": "Doublon ?", "retour": retour},
    )
    assert reponse.status_code == 302
    assert reponse.url == URL_MES_DEMANDES


def test_apres_l_envoi_le_retour_mene_a_la_page_du_site_indiquee(client, guichet_93):
    connecter(client, agent(guichet_93))
    retour = "/demandes/nouvelle/abc/doublons/"

    page = client.get(URL_MES_DEMANDES, {"retour": retour}).content.decode()
    assert f'href="{retour}">Revenir à la saisie</a>' in page

    reponse = client.post(
        URL_MES_DEMANDES,
        {"guichet": guichet_93.pk, "objet": "doublon", "message": "Doublon ?", "retour": retour},
    )
    assert reponse.url == retour

    # A refused request keeps the way back (and what was typed).
    page = client.post(
        URL_MES_DEMANDES,
        {"guichet": guichet_93.pk, "objet": "doublon", "message": " ", "retour": retour},
    ).content.decode()
    assert f'name="retour" value="{retour}"' in page


@pytest.mark.parametrize(
    "parametre", ["objet", "guichet", "departement", "numero", "nom", "retour"]
)
@pytest.mark.parametrize(
    "hostile", ["", "x" * 10_000, "🏠🇫🇷👨‍👩‍👧", "999999999999999999999", "3000000000", "0001-01-01"]
)
def test_aucune_valeur_hostile_du_preremplissage_ne_fait_d_erreur(
    client, guichet_93, parametre, hostile
):
    connecter(client, agent(guichet_93))

    reponse = client.get(URL_MES_DEMANDES, {"objet": "doublon", parametre: hostile})

    assert reponse.status_code == 200
