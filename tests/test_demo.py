"""The demo data of `make run` is part of the API contract (API-CONTRACT.md « Demo data »)."""

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from sne.comptes.droits import droits_de
from sne.comptes.models import Utilisateur
from sne.demandes.models import Demande
from sne.demandes.regles import PREAVIS_RENOUVELLEMENT_MOIS
from sne.demo.donnees import (
    COMPTES,
    creer_demandes_demo,
    creer_demandeur_portail_demo,
    creer_donnees_demo,
)
from sne.organisations.models import Guichet

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    creer_donnees_demo()
    creer_demandes_demo()


def test_les_guichets_du_contrat_existent_avec_leurs_perimetres(demo):
    bailleur = Guichet.objects.get(code="75BA1")
    mairie = Guichet.objects.get(code="93CO1")

    assert set(bailleur.departements.values_list("code", flat=True)) == {"75", "92"}
    assert set(bailleur.consultation_departements.values_list("code", flat=True)) == {"75", "92"}
    assert set(mairie.departements.values_list("code", flat=True)) == {"93"}
    assert list(mairie.consultation_communes.values_list("code_insee", flat=True)) == ["93066"]
    assert not mairie.consultation_departements.exists()


def test_chaque_role_du_contrat_a_son_compte(demo):
    droits = {c["email"]: droits_de(Utilisateur.objects.get(email=c["email"])) for c in COMPTES}

    assert droits["admin@demo.sne.example.fr"].national
    assert droits["gestionnaire.75@demo.sne.example.fr"].departements_gestion == {"75"}
    assert droits["gestionnaire.93@demo.sne.example.fr"].departements_gestion == {"93"}
    assert droits["agent.75ba1@demo.sne.example.fr"].guichets_saisie == {
        Guichet.objects.get(code="75BA1").pk
    }


def test_le_registre_de_demonstration_est_vivant_et_la_graine_idempotente(demo):
    nombre = Demande.objects.count()
    creer_donnees_demo()
    creer_demandes_demo()

    assert Demande.objects.count() == nombre >= 30
    statuts = set(Demande.objects.values_list("statut", "motif_radiation"))
    assert {("active", ""), ("radiee", "attribution"), ("radiee", "renonciation")} <= statuts


def test_les_gestionnaires_de_demonstration_se_connectent_avec_un_code_de_secours(demo, client):
    client.post(
        "/comptes/connexion/",
        {"username": "gestionnaire.93@demo.sne.example.fr", "password": "demo-sne-2026"},
    )
    assert client.get("/gestion/").url.startswith("/comptes/securite/verifier/")

    client.post("/comptes/securite/verifier/", {"code_secours": "sne-demo-1"})

    assert client.get("/gestion/").status_code == 200


@pytest.mark.django_db
def test_la_civilite_des_demandeurs_de_demonstration_va_avec_leur_prenom():
    from sne.demandes.models import Personne
    from sne.demo.donnees import FEMININS

    creer_donnees_demo()
    creer_demandes_demo()
    for prenom, civilite in Personne.objects.filter(role="demandeur").values_list(
        "prenom", "civilite"
    ):
        assert civilite == ("MME" if prenom in FEMININS else "M"), prenom


def test_la_demonstration_a_une_creation_forcee_a_examiner_dans_le_75(demo):
    from sne.doublons.models import CreationForcee

    [forcage] = CreationForcee.objects.filter(demande__reference_externe="DEMO-DOUBLON-1")
    assert forcage.departement_id == "75"
    assert forcage.paires.get().statut == "a_examiner"


def test_la_demandeuse_du_portail_peut_renouveler_en_ligne_des_make_run(demo):
    infos = creer_demandeur_portail_demo()
    assert creer_demandeur_portail_demo() == infos  # idempotent
    demande = Demande.objects.get(numero_unique=infos["numero_unique"])
    assert demande.est_active and demande.demandeur.email == infos["email"]
    ouverture = demande.date_expiration - relativedelta(months=PREAVIS_RENOUVELLEMENT_MOIS)
    assert ouverture <= timezone.localdate() < demande.date_expiration


def test_la_demonstration_a_une_grille_pour_paris_une_cal_et_des_points(demo):
    """Issue 15's demo: a grid for 75, published; a past CAL session of 75BA1 whose
    candidates keep the score of that day."""
    from sne.attributions.models import Candidature, Cotation
    from sne.attributions.services_cotation import grille_en_vigueur
    from sne.demo.donnees import creer_attributions_demo, creer_grille_demo

    assert creer_grille_demo() == 1
    cal = creer_attributions_demo()

    grille = grille_en_vigueur("75")
    assert grille.criteres.count() == 9
    assert (
        Cotation.objects.filter(grille=grille).count()
        == Demande.objects.filter(departement_id="75", statut="active").count()
    )
    candidatures = Candidature.objects.filter(seance=cal["seance"]).order_by("rang")
    assert [c.decision for c in candidatures] == [
        "attribution_classement",
        "attribution_classement",
        "non_attribution",
    ]
    assert all(c.grille == grille and c.points is not None for c in candidatures)
    assert creer_grille_demo() is None and creer_attributions_demo() is None  # idempotent
