"""A gestionnaire decides on a pair (issue 11): « doublon confirmé » strikes off the one they
choose (the more recent is proposed, to keep the older seniority) for renonciation with the
other's numéro in the commentaire; « personnes différentes » is never proposed again. Nothing
is ever struck off without that decision."""

from datetime import date

import pytest

from sne.demandes import services
from sne.demandes.models import HistoriqueDemande
from sne.doublons.models import CreationForcee, PaireDoublon
from sne.doublons.services import Identite, rechercher
from sne.exceptions import ErreurMetier, NonAutorise
from tests.doublons.conftest import enregistrer
from tests.factories import agent, gestionnaire
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db


@pytest.fixture
def ancienne(guichet_75):
    return enregistrer(guichet_75, date_depot="2025-03-01")


@pytest.fixture
def recente(guichet_75, ancienne):
    return enregistrer(guichet_75, nom="Martn")


@pytest.fixture
def paire(recente):
    return PaireDoublon.objects.get()


def test_rien_n_est_radie_sans_decision(ancienne, recente, paire):
    ancienne.refresh_from_db()
    recente.refresh_from_db()
    assert ancienne.est_active and recente.est_active
    assert paire.statut == "a_examiner"


def test_doublon_confirme_radie_celle_choisie_pour_renonciation(ancienne, recente, paire):
    referent = gestionnaire("75")
    assert services.a_radier_par_defaut(paire) == recente

    services.confirmer_doublon(paire, recente, referent)

    recente.refresh_from_db()
    ancienne.refresh_from_db()
    assert not recente.est_active and ancienne.est_active
    assert recente.motif_radiation == "renonciation"
    assert recente.commentaire_radiation == (
        f"Doublon confirmé de la demande {ancienne.numero_unique} (audit des doublons)"
    )
    radiation = recente.historique.get(action=HistoriqueDemande.Action.RADIATION)
    assert radiation.utilisateur == referent
    paire.refresh_from_db()
    assert paire.statut == "doublon_confirme"
    assert paire.demande_radiee == recente
    assert paire.decidee_par == referent and paire.decidee_le
    assert CreationForcee.objects.get().examinee_le is not None


def test_le_gestionnaire_peut_radier_l_ancienne(ancienne, recente, paire):
    services.confirmer_doublon(paire, ancienne, gestionnaire("75"))

    ancienne.refresh_from_db()
    assert not ancienne.est_active
    assert recente.numero_unique in ancienne.commentaire_radiation


def test_une_demande_deja_radiee_ne_l_est_pas_une_seconde_fois(recente, paire):
    referent = gestionnaire("75")
    services.radier(recente, "renonciation", par=referent)

    with pytest.raises(ErreurMetier, match="est déjà radiée"):
        services.confirmer_doublon(paire, recente, referent)
    paire.refresh_from_db()
    assert paire.statut == "a_examiner"


def test_une_paire_deja_examinee_ne_se_decide_pas_deux_fois(recente, paire):
    referent = gestionnaire("75")
    services.ecarter_doublon(paire, referent)

    with pytest.raises(ErreurMetier, match="déjà été examinée"):
        services.confirmer_doublon(paire, recente, referent)
    recente.refresh_from_db()
    assert recente.est_active


def test_un_gestionnaire_d_un_autre_departement_ne_decide_pas(recente, paire):
    with pytest.raises(NonAutorise):
        services.confirmer_doublon(paire, recente, gestionnaire("93"))
    with pytest.raises(NonAutorise):
        services.ecarter_doublon(paire, gestionnaire("93"))
    recente.refresh_from_db()
    assert recente.est_active


def test_on_ne_radie_pas_une_demande_hors_de_ses_departements(guichet_75, guichet_93):
    de_paris = enregistrer(guichet_75, nom="Garnier", prenom="Zoé", date_naissance="1999-09-09")
    du_93 = enregistrer(guichet_93, nom="Garnier", prenom="Zoé", date_naissance="1999-09-09")
    paire = PaireDoublon.objects.get()
    assert paire.departement_id == "93"

    with pytest.raises(NonAutorise, match="que vous ne gérez pas"):
        services.confirmer_doublon(paire, de_paris, gestionnaire("93"))
    de_paris.refresh_from_db()
    assert de_paris.est_active

    services.confirmer_doublon(paire, du_93, gestionnaire("93"))
    du_93.refresh_from_db()
    assert not du_93.est_active


def test_personnes_differentes_n_est_plus_jamais_proposee(guichet_75, ancienne, recente, paire):
    services.ecarter_doublon(paire, gestionnaire("75"))

    # The search made for one of the two (a modification) no longer proposes the other…
    identite = Identite(nom="Martin", prenom="Élodie", date_naissance=date(1987, 4, 12))
    assert ancienne.numero_unique not in {
        s.numero_unique for s in rechercher(identite, exclure=recente)
    }
    # …but a new registration of the same person still sees both.
    assert {ancienne.numero_unique, recente.numero_unique} <= {
        s.numero_unique for s in rechercher(identite)
    }
    demandeur = recente.personnes.get(role="demandeur")
    services.modifier_demande(
        recente,
        agent(guichet_75),
        guichet_75,
        personnes={demandeur.pk: {"prenom": "Elodie"}},
    )  # no suspicion, so no justification needed
    assert CreationForcee.objects.count() == 1


def test_la_page_de_la_paire_decide_et_revient(client, ancienne, recente, paire):
    connecter(client, gestionnaire("75"))
    page = client.get(f"/gestion/doublons/paires/{paire.pk}/")
    assert page.status_code == 200
    assert page.context["a_radier_defaut"] == recente

    reponse = client.post(
        f"/gestion/doublons/paires/{paire.pk}/decision/",
        {"decision": "doublon_confirme", "a_radier": recente.pk, "retour": "https://ailleurs.fr/"},
    )

    assert reponse.status_code == 302
    assert reponse["Location"] == f"/gestion/doublons/paires/{paire.pk}/"  # never another site
    contenu = texte(client.get(reponse["Location"]))
    assert f"la demande {recente.numero_unique} est radiée" in contenu
    assert "Paire déjà examinée : doublon confirmé" in contenu


def test_la_page_refuse_une_demande_hors_de_la_paire(client, guichet_75, recente, paire):
    autre = enregistrer(guichet_75, nom="Quintana", prenom="Rayan", date_naissance="1971-02-03")
    connecter(client, gestionnaire("75"))

    reponse = client.post(
        f"/gestion/doublons/paires/{paire.pk}/decision/",
        {"decision": "doublon_confirme", "a_radier": autre.pk},
        follow=True,
    )

    assert "Choisissez la demande à radier" in texte(reponse)
    autre.refresh_from_db()
    assert autre.est_active
    paire.refresh_from_db()
    assert paire.statut == "a_examiner"


def test_la_page_personnes_differentes(client, recente, paire):
    connecter(client, gestionnaire("75"))
    forcage = CreationForcee.objects.get()
    retour = f"/gestion/doublons/creations-forcees/{forcage.pk}/"

    reponse = client.post(
        f"/gestion/doublons/paires/{paire.pk}/decision/",
        {"decision": "personnes_differentes", "retour": retour},
        follow=True,
    )

    assert reponse.redirect_chain[-1][0] == retour
    assert "Cette paire ne sera plus proposée" in texte(reponse)
    paire.refresh_from_db()
    assert paire.statut == "personnes_differentes"


@pytest.mark.parametrize(
    "donnees",
    [{}, {"decision": "fusionner"}, {"decision": "doublon_confirme", "a_radier": "x" * 50}],
)
def test_une_decision_mal_formee_ne_change_rien(client, paire, donnees):
    connecter(client, gestionnaire("75"))

    reponse = client.post(f"/gestion/doublons/paires/{paire.pk}/decision/", donnees, follow=True)

    assert reponse.status_code == 200
    paire.refresh_from_db()
    assert paire.statut == "a_examiner"
