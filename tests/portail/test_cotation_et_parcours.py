"""On « Ma demande », the applicant reads their own cotation (points, the breakdown the agents
read, the day of the computation, the grid's version and a link to the public grid) and their
journey through the landlords' commissions (issue 15): each session, the dwelling, the decision
in words, their refusal, their lease — never another candidate, nor a member of the CAL, nor
their place among the other applicants."""

import re
from datetime import date
from itertools import pairwise

import pytest
from bs4 import BeautifulSoup

from sne.attributions import services, services_cotation
from sne.attributions.models import GrilleCotation
from sne.demandes import services as demandes
from tests.attributions.fixtures import AUJOURD_HUI, LOGEMENT
from tests.factories import GuichetFactory, gestionnaire
from tests.outils import a_midi, texte
from tests.portail.conftest import ouvrir_session_portail

pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(AUJOURD_HUI)]

GRILLE = [
    {"critere": "dalo", "points": 300},
    {"critere": "anciennete", "points": 2, "plafond": 100},
]


@pytest.fixture
def guichet(bailleur):
    """The landlord's desk of the attributions' fixtures (tests/portail/conftest.py has its own
    `guichet`, a desk of 93 that is not a landlord's)."""
    return GuichetFactory(code="75BA1", organisation=bailleur, departements=["75"])


@pytest.fixture
def grille(candidats, django_capture_on_commit_callbacks):
    """The grid of 75, published on 5 January 2027 (before the session), the three demandes
    scored."""
    with django_capture_on_commit_callbacks(execute=True):
        publiee = services_cotation.publier_grille("75", GRILLE, par=gestionnaire("75"))
    GrilleCotation.objects.filter(pk=publiee.pk).update(publiee_le=a_midi(date(2027, 1, 5)))
    return publiee


@pytest.fixture
def decidees(grille, seance, logement, candidats, guichet, agent_bailleur):
    """The T3 of rue de Tolbiac examined on 10 March 2027: the first candidate ranked first,
    who then refused it; the second ranked second; the third not given it."""
    premiere, deuxieme, troisieme = (
        services.inscrire_candidat(seance, logement, d, par=agent_bailleur, guichet=guichet)
        for d in candidats
    )
    qui = {"par": agent_bailleur, "guichet": guichet}
    services.decider(premiere, "attribution_classement", **qui)
    services.decider(deuxieme, "attribution_classement", **qui)
    services.decider(troisieme, "non_attribution", motif="taux_effort", **qui)
    services.enregistrer_refus(premiere, "loyer", "trop cher pour nous", le=AUJOURD_HUI, **qui)
    return premiere, deuxieme, troisieme


def ma_demande(client, demande) -> str:
    ouvrir_session_portail(client, demande)
    reponse = client.get("/portail/ma-demande/")
    assert reponse.status_code == 200
    assert "no-store" in reponse["Cache-Control"]
    return texte(reponse)


def section(page: str, identifiant: str) -> str:
    """The text of the page's section that starts at the heading `identifiant`, up to the
    next heading of the same level."""
    soupe = BeautifulSoup(page, "html.parser")
    titre = soupe.find(id=identifiant)
    morceaux = [titre.get_text()]
    for suivant in titre.find_next_siblings():
        if suivant.name == titre.name:
            break
        morceaux.append(suivant.get_text(" "))
    return " ".join(" ".join(morceaux).split())


# --- Ma cotation ---------------------------------------------------------------------------------


def test_le_demandeur_lit_ses_points_leur_detail_et_le_lien_vers_la_grille(
    client, grille, candidats
):
    page = ma_demande(client, candidats[1])
    cotation = section(page, "ma-cotation")

    # Filed 2 April 2026, read on 15 March 2027: 11 full months × 2 (as the agents read it).
    assert "Votre demande a 22 points" in cotation
    assert "ancienneté : 11 mois × 2 = 22 points" in cotation
    assert "Calculés le 15/03/2027" in cotation and "version 1" in cotation
    assert "ils ne donnent pas droit à un logement" in cotation
    assert 'href="/cotation/75/"' in page
    assert "La grille de cotation de votre département (Paris)" in page


def test_ses_points_seulement_jamais_ceux_ni_le_rang_des_autres(
    client, grille, candidats, guichet, agent_bailleur, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        demandes.modifier_demande(
            candidats[0], agent_bailleur, guichet, demande_valeurs={"statut_dalo": "actif"}
        )
    cotation = section(ma_demande(client, candidats[1]), "ma-cotation")

    assert "22 points" in cotation
    assert "322" not in cotation and "DALO (" not in cotation  # the other one's score
    assert not re.search(r"\b(rang|classé|position|sur \d+)\b", cotation)


def test_sans_grille_dans_son_departement_la_page_le_dit(client, candidats):
    page = ma_demande(client, candidats[0])

    assert "Votre département n'a pas publié de grille de cotation" in section(page, "ma-cotation")
    assert BeautifulSoup(page, "html.parser").find(id="cotation-points") is None
    assert 'href="/cotation/' not in page


def test_une_grille_publiee_mais_la_demande_pas_encore_cotee(client, candidats):
    services_cotation.publier_grille("75", GRILLE, par=gestionnaire("75"))  # not yet computed
    page = ma_demande(client, candidats[0])

    assert "Votre demande n'est pas encore cotée" in section(page, "ma-cotation")
    assert 'href="/cotation/75/"' in page


# --- Mon parcours --------------------------------------------------------------------------------


def test_sans_passage_en_commission_la_page_dit_ce_qui_viendra(client, candidats):
    parcours = section(ma_demande(client, candidats[0]), "mon-parcours")

    assert "n'est encore passée devant aucune commission d'attribution" in parcours
    assert "vous verrez ici la date de la commission" in parcours


def test_le_parcours_montre_sa_seance_son_logement_et_sa_decision_en_clair(
    client, decidees, candidats
):
    parcours = section(ma_demande(client, candidats[1]), "mon-parcours")

    assert "Commission du 10/03/2027 — Habitat Parisien" in parcours
    assert "T3 à Paris 13e Arrondissement" in parcours
    assert "loyer de 612,40 € par mois hors charges, 85,00 € de charges" in parcours
    assert "Attribution par classement (rang) du logement PE-0412-03" in parcours
    assert "rang 2" in parcours
    assert "le logement vous sera proposé si les candidats classés avant vous le refusent" in (
        parcours
    )
    # Their own cotation on the day of the session (10 March: 11 months since 2 April 2026).
    assert "Votre cotation ce jour-là : 22 points (grille version 1)" in parcours
    # Not theirs yet: the dwelling's address is not shown.
    assert LOGEMENT["adresse"] not in parcours


def test_rien_des_autres_candidats_ni_des_membres_de_la_commission(client, decidees, candidats):
    page = ma_demande(client, candidats[1])

    for autre in (candidats[0], candidats[2]):
        assert autre.numero_unique not in page
        assert autre.demandeur.nom not in page and autre.demandeur.nom.upper() not in page
    # The first candidate's refusal and the third's motif are theirs, not this applicant's.
    assert "trop cher pour nous" not in page and "Loyer ou charges" not in page
    assert "Taux d'effort" not in page
    for organisation in ("CNL Paris", "Préfecture de Paris (DRIHL)", "Ville de Paris"):
        assert organisation not in page
    assert not re.search(r"\b3 candidat", page)


def test_une_non_attribution_dit_son_motif_et_que_la_demande_reste_examinee(
    client, decidees, candidats
):
    parcours = section(ma_demande(client, candidats[2]), "mon-parcours")

    assert "Non-attribution du logement PE-0412-03" in parcours
    assert "motif : taux d'effort ou reste à vivre insuffisant" in parcours
    assert "Votre demande reste examinée pour d'autres logements." in parcours
    assert LOGEMENT["adresse"] not in parcours


def test_son_refus_puis_une_attribution_sous_condition_et_le_bail(
    client, decidees, candidats, seance, guichet, agent_bailleur
):
    qui = {"par": agent_bailleur, "guichet": guichet}
    autre = services.enregistrer_logement(
        dict(LOGEMENT, reference="PE-0412-05", identifiant_rpls="", adresse="3 rue Nationale"),
        **qui,
    )
    candidature = services.inscrire_candidat(seance, autre, candidats[0], **qui)
    services.decider(
        candidature,
        "attribution_sous_condition",
        condition="Avis d'imposition 2026",
        condition_avant=date(2027, 4, 10),
        **qui,
    )
    parcours = section(ma_demande(client, candidats[0]), "mon-parcours")
    assert "Vous avez refusé ce logement le 15/03/2027 : loyer ou charges trop élevés" in (parcours)
    assert "pièce attendue avant le 10/04/2027 : Avis d'imposition 2026" in parcours
    assert "3 rue Nationale" in parcours  # attributed to them: they may go and see it

    services.lever_condition(candidature, le=AUJOURD_HUI, **qui)
    services.signer_bail(candidature, le=AUJOURD_HUI, **qui)
    page = ma_demande(client, candidats[0])

    assert "Bail signé le 15/03/2027 : votre demande est radiée pour attribution." in section(
        page, "mon-parcours"
    )
    assert "Votre demande est radiée : elle n'a plus de points." in section(page, "ma-cotation")


def test_la_page_ne_saute_aucun_niveau_de_titre(client, decidees, candidats):
    contenu = BeautifulSoup(ma_demande(client, candidats[1]), "html.parser").find("main")
    niveaux = [int(h.name[1]) for h in contenu.find_all(re.compile(r"^h[1-6]$"))]

    assert niveaux[0] == 1 and 3 in niveaux
    assert all(suivant <= precedent + 1 for precedent, suivant in pairwise(niveaux))
