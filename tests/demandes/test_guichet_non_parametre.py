"""A desk registers nothing before its set-up is finalised (FAQ « Comment faire pour accéder à
l'application nationale ? »: convention → fiche collecte → paramétrage → e-mail de
confirmation), and says what is missing and whom to contact."""

import pytest
from django.urls import reverse

from sne.comptes.models import Habilitation
from sne.demandes import regles, services
from sne.demandes.models import Demande
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, agent, gestionnaire
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db


@pytest.fixture
def guichet_a_parametrer():
    return GuichetFactory(
        code="75NP1", departements=["75"], a_parametrer=True, organisation__adresse=""
    )


def test_un_guichet_a_parametrer_n_enregistre_pas_et_dit_ce_qui_manque_et_qui_contacter(
    guichet_a_parametrer,
):
    gestionnaire("75", prenom="Paul", nom="Durand", email="paul.durand@drihl.fr")

    with pytest.raises(regles.GuichetNonParametre) as refus:
        services.enregistrer_demande(
            guichet_a_parametrer, agent(guichet_a_parametrer), donnees_minimales()
        )

    erreur = refus.value
    assert erreur.statut_http == 403
    assert erreur.code == "guichet_non_parametre"
    assert erreur.message.startswith(
        "Le guichet 75NP1 ne peut pas encore enregistrer ni modifier de demandes : son "
        "paramétrage n'est pas finalisé. Il manque : la date de signature de la convention ; "
        "la fiche collecte ; l'adresse du guichet"
    )
    assert erreur.message.endswith(
        "Contactez le gestionnaire territorial de votre département : Paul DURAND "
        "(paul.durand@drihl.fr)."
    )
    assert ".." not in erreur.message
    assert erreur.details["manque"][0] == "la date de signature de la convention"
    assert erreur.details["contacts"][0]["email"] == "paul.durand@drihl.fr"
    assert not Demande.objects.exists()


def test_sans_gestionnaire_le_message_renvoie_a_l_assistance_nationale(guichet_a_parametrer):
    with pytest.raises(regles.GuichetNonParametre) as refus:
        regles.exiger_guichet_parametre(guichet_a_parametrer)

    assert "Contactez l'assistance nationale : Assistance nationale du SNE (" in (
        refus.value.message
    )


def test_un_guichet_complet_mais_pas_finalise_attend_son_gestionnaire():
    guichet = GuichetFactory(parametrage_termine_le=None)

    with pytest.raises(regles.GuichetNonParametre) as refus:
        regles.exiger_guichet_parametre(guichet)

    assert "Tout est réuni : il reste au gestionnaire territorial à le finaliser." in (
        refus.value.message
    )


def test_aucun_acte_de_saisie_avant_la_finalisation_pas_seulement_l_enregistrement():
    guichet = GuichetFactory(code="75TS2", departements=["75"])
    saisie = agent(guichet)
    demande = services.enregistrer_demande(guichet, saisie, donnees_minimales())
    guichet.parametrage_termine_le = None
    guichet.save()

    with pytest.raises(regles.GuichetNonParametre):
        services.renouveler(demande, saisie, guichet)
    with pytest.raises(regles.GuichetNonParametre):
        services.radier(demande, "renonciation", par=saisie, guichet=guichet)
    demande.refresh_from_db()
    assert demande.est_active


def test_l_entree_de_la_saisie_montre_le_message_au_lieu_du_formulaire(
    client, guichet_a_parametrer
):
    gestionnaire("75", prenom="Paul", nom="Durand", email="paul.durand@drihl.fr")
    connecter(client, agent(guichet_a_parametrer))

    reponse = client.get(reverse("demandes:nouvelle"))

    assert reponse.status_code == 200
    page = " ".join(texte(reponse).split())
    assert "(75NP1) ne peut pas encore enregistrer de demandes" in page
    assert "la date de signature de la convention" in page
    assert "la fiche collecte" in page
    assert 'href="mailto:paul.durand@drihl.fr"' in reponse.content.decode()
    ecrire_a = reverse("departement:mes_demandes")
    lien = f"{ecrire_a}?objet=autre&amp;guichet={guichet_a_parametrer.pk}"
    assert lien in reponse.content.decode()
    ecrire = client.get(lien.replace("&amp;", "&"))
    assert ecrire.context["form"].initial == {"objet": "autre", "guichet": guichet_a_parametrer.pk}
    assert 'name="guichet"' not in reponse.content.decode()


def test_une_etape_ouverte_directement_montre_aussi_le_message(client, guichet_a_parametrer):
    connecter(client, agent(guichet_a_parametrer))

    reponse = client.get(
        reverse("demandes:assistant", kwargs={"assistant": "abc", "etape": "guichet"})
    )

    assert reponse.status_code == 200
    assert "ne peut pas encore enregistrer de demandes" in texte(reponse)


def test_un_agent_de_deux_guichets_ne_choisit_que_celui_qui_est_parametre(
    client, guichet_a_parametrer
):
    pret = GuichetFactory(code="75OK1", departements=["75"])
    personne = agent(pret)
    Habilitation.objects.create(utilisateur=personne, role="saisie", guichet=guichet_a_parametrer)
    connecter(client, personne)

    etape = client.get(client.get(reverse("demandes:nouvelle")).url)

    page = etape.content.decode()
    assert "75OK1" in page
    assert "75NP1" not in page
