"""The portal's foundations: its own session, its desk, the applicant as an actor."""

import pytest

from sne.comptes.droits import DemandeurEnLigne, droits_de
from sne.demandes import services as demandes
from sne.demandes.models import HistoriqueDemande
from sne.exceptions import NonAutorise
from sne.portail.commun import guichet_du_portail, le_demandeur
from tests.factories import UtilisateurFactory
from tests.outils import connecter_demandeur

pytestmark = pytest.mark.django_db


def test_le_guichet_du_portail_est_cree_parametre_et_habilite_au_besoin(settings):
    guichet = guichet_du_portail("93")
    assert guichet.code == settings.SNE_GUICHET_PORTAIL
    assert guichet.parametrage_termine_le is not None
    assert guichet_du_portail("75").pk == guichet.pk
    assert set(guichet.departements.values_list("code", flat=True)) == {"93", "75"}


def test_le_demandeur_n_agit_que_sur_sa_propre_demande(demande, guichet, agent_saisie):
    autre = demandes.enregistrer_demande(
        guichet,
        agent_saisie,
        {
            **demande_donnees(),
            "demandeur": {**demande_donnees()["demandeur"], "nom": "Autre", "prenom": "Jean"},
        },
    )
    moi, guichet_portail = le_demandeur(demande)
    assert droits_de(moi).saisit_pour(guichet_portail)
    assert not droits_de(moi).saisit_pour(guichet)
    with pytest.raises(NonAutorise):
        demandes.renouveler(autre, moi, guichet_portail)


@pytest.mark.aujourd_hui(__import__("datetime").date(2026, 11, 30))
def test_ce_que_fait_le_demandeur_est_dans_l_historique_sans_agent(demande):
    moi, guichet_portail = le_demandeur(demande)
    demandes.modifier_demande(
        demande,
        moi,
        guichet_portail,
        personnes={demande.demandeur.pk: {"telephone": "06 98 76 54 32"}},
    )
    entree = HistoriqueDemande.objects.filter(demande=demande).latest("pk")
    assert entree.utilisateur is None
    assert entree.guichet == guichet_portail
    assert isinstance(moi, DemandeurEnLigne)


def test_la_session_du_portail_n_est_pas_celle_des_agents(client, demande):
    agent = UtilisateurFactory()
    client.force_login(agent)
    # A signed-in agent is not signed in on the portal.
    reponse = client.get("/portail/ma-demande/")
    assert reponse.status_code == 302 and "/portail/connexion/" in reponse["Location"]
    # The portal's session lives in its own cookie, under /portail/ only.
    connecter_demandeur(client, demande)
    assert client.get("/portail/ma-demande/").status_code == 200
    client.logout()
    assert client.get("/demandes/").status_code == 302  # the portal opens no agent page


def demande_donnees():
    from tests.portail.conftest import DONNEES

    return __import__("copy").deepcopy(DONNEES)


@pytest.mark.aujourd_hui(__import__("datetime").date(2026, 11, 30))
def test_le_guichet_lit_dans_l_historique_ce_que_le_demandeur_a_fait_en_ligne(
    client, demande, agent_saisie
):
    moi, guichet_portail = le_demandeur(demande)
    demandes.modifier_demande(
        demande,
        moi,
        guichet_portail,
        personnes={demande.demandeur.pk: {"telephone": "06 98 76 54 32"}},
    )
    client.force_login(agent_saisie)
    page = client.get(f"/demandes/{demande.numero_unique}/?onglet=historique").content.decode()
    assert "Le demandeur, en ligne (portail grand public)" in page
