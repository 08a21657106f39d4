"""The cotation: a published grid, each active demande's score with its breakdown — checked
against a hand computation —, recomputed when the demande or the grid changes, and kept as it
was on the day of a CAL session."""

from datetime import date
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from sne.attributions import services, services_cotation
from sne.attributions.cotation import RegleDeGrille, calculer, en_clair
from sne.attributions.models import Cotation, GrilleCotation
from sne.demandes import services as demandes
from sne.exceptions import ErreurMetier, NonAutorise
from tests.factories import gestionnaire
from tests.outils import a_midi, connecter, texte

from .fixtures import AUJOURD_HUI, nouvelle_demande

pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(AUJOURD_HUI)]

GRILLE = [
    {"critere": "dalo", "points": 300},
    {"critere": "anciennete", "points": 2, "plafond": 100},
    {"critere": "suroccupation", "points": 40},
    {"critere": "ressources_faibles", "points": 25, "seuil": 6000},
]


def une_demande(**champs):
    valeurs = {
        "date_depot": date(2026, 1, 10),
        "statut_dalo": "non",
        "motifs": [],
        "logement_actuel": "locataire_prive",
        "logement_adapte_handicap": False,
        "nombre_personnes": 5,
        "nombre_pieces_actuel": 2,
        "revenu_fiscal_reference": 42_000,
    }
    return SimpleNamespace(**(valeurs | champs))


def regles():
    return [
        RegleDeGrille(g["critere"], g["points"], g.get("plafond"), g.get("seuil")) for g in GRILLE
    ]


def test_le_detail_correspond_au_calcul_a_la_main():
    """Filed on 10 January 2026, seen on 15 March 2027: 14 full months × 2 = 28 points; five
    people in two rooms: overcrowded, 40 points; 42,000 € for five = 8,400 € a person, above
    the 6,000 € threshold: nothing; not DALO: nothing. 28 + 40 = 68."""
    points, detail = calculer(une_demande(), regles(), date(2027, 3, 15))

    assert points == 68
    assert [ligne["calcul"] for ligne in detail] == [
        "ancienneté : 14 mois × 2 = 28 points",
        "logement suroccupé (5 personnes dans 2 pièces) : 40 points",
    ]
    assert en_clair(detail) == (
        "ancienneté : 14 mois × 2 = 28 points ; "
        "logement suroccupé (5 personnes dans 2 pièces) : 40 points"
    )


def test_le_plafond_le_seuil_et_le_dalo():
    demande = une_demande(
        date_depot=date(2021, 3, 15), statut_dalo="actif", revenu_fiscal_reference=20_000
    )
    points, detail = calculer(demande, regles(), date(2027, 3, 15))

    # 72 months × 2 = 144, capped at 100; DALO 300; 4,000 € a person < 6,000 €: 25.
    assert points == 300 + 100 + 40 + 25
    assert detail[1]["calcul"] == "ancienneté : 72 mois × 2 = 144 points, plafonné à 100 points"
    assert detail[3]["calcul"] == (
        "ressources faibles (4\u202f000 € par personne et par an, sous 6\u202f000 €) : 25 points"
    )
    assert calculer(une_demande(date_depot=date(2027, 3, 1)), [], date(2027, 3, 15)) == (0, [])


def test_seul_un_gestionnaire_du_departement_publie_et_chaque_publication_est_une_version(
    agent_bailleur,
):
    with pytest.raises(NonAutorise):
        services_cotation.publier_grille("75", GRILLE, par=agent_bailleur)
    with pytest.raises(NonAutorise):
        services_cotation.publier_grille("75", GRILLE, par=gestionnaire("93"))

    gestion = gestionnaire("75")
    premiere = services_cotation.publier_grille("75", GRILLE, par=gestion)
    seconde = services_cotation.publier_grille("75", GRILLE[:2], par=gestion)

    assert (premiere.version, seconde.version) == (1, 2)
    assert services_cotation.grille_en_vigueur("75") == seconde
    assert premiere.criteres.count() == 4  # a published version never changes


@pytest.mark.parametrize(
    ("critere", "message"),
    [
        ({"critere": "beaute", "points": 3}, "choisissez-le dans la liste"),
        ({"critere": "dalo", "points": 0}, "entre 1 et 1000"),
        ({"critere": "dalo", "points": "beaucoup"}, "entre 1 et 1000"),
        ({"critere": "ressources_faibles", "points": 3}, "indiquez le seuil"),
    ],
)
def test_une_grille_mal_saisie_est_refusee_en_francais(critere, message):
    with pytest.raises(ErreurMetier, match=message):
        services_cotation.publier_grille("75", [critere], par=gestionnaire("75"))
    assert not GrilleCotation.objects.exists()


def test_publier_recalcule_le_departement_et_une_modification_recalcule_la_demande(
    guichet, agent_bailleur, candidats, django_capture_on_commit_callbacks
):
    radiee = nouvelle_demande(guichet, agent_bailleur, 8, date_depot="2026-04-02")
    demandes.radier(radiee, "renonciation", par=agent_bailleur, guichet=guichet)

    with django_capture_on_commit_callbacks(execute=True):
        services_cotation.publier_grille("75", GRILLE, par=gestionnaire("75"))

    cotations = {c.demande_id: c for c in Cotation.objects.all()}
    assert set(cotations) == {d.pk for d in candidats}  # the struck-off one has none
    # Filed 2 April 2026, on 15 March 2027: 11 full months × 2.
    assert cotations[candidats[0].pk].points == 22

    with django_capture_on_commit_callbacks(execute=True):
        demandes.modifier_demande(
            candidats[0], agent_bailleur, guichet, demande_valeurs={"statut_dalo": "actif"}
        )
    candidats[0].cotation.refresh_from_db()
    assert candidats[0].cotation.points == 322


def test_la_candidature_garde_la_cotation_du_jour_de_la_seance(
    seance, logement, candidats, guichet, agent_bailleur
):
    gestion = gestionnaire("75")
    grille = services_cotation.publier_grille("75", GRILLE, par=gestion)
    GrilleCotation.objects.filter(pk=grille.pk).update(publiee_le=a_midi(date(2027, 1, 5)))

    candidature = services.inscrire_candidat(
        seance, logement, candidats[0], par=agent_bailleur, guichet=guichet
    )
    # Seen on 10 March 2027 (the session): 11 full months since 2 April 2026.
    assert (candidature.grille, candidature.points) == (grille, 22)
    assert candidature.detail_points[0]["calcul"] == "ancienneté : 11 mois × 2 = 22 points"

    services_cotation.publier_grille("75", [{"critere": "anciennete", "points": 9}], par=gestion)
    candidature.refresh_from_db()
    assert (candidature.grille, candidature.points) == (grille, 22)  # reproducible


def test_la_grille_publique_se_lit_en_francais_sans_connexion(client, agent_bailleur, candidats):
    assert "Aucun territoire n'a encore publié" in texte(client.get("/cotation/"))
    services_cotation.publier_grille("75", GRILLE, par=gestionnaire("75"))

    page = texte(client.get("/cotation/75/"))
    assert "Paris (75)" in page and "version 1" in page
    assert "Être reconnu prioritaire par la commission de médiation (DALO) : 300 points." in page
    assert (
        "Chaque mois d'ancienneté de la demande, depuis son dépôt, compte 2 points, jusqu'à "
        "100 points au plus." in page
    )
    assert "moins de 6\u202f000 € par personne et par an : 25 points." in page
    assert "/cotation/75/" in texte(client.get("/cotation/"))
    assert "n'a pas encore publié" in texte(client.get("/cotation/93/"))
    assert client.get("/cotation/XX/").status_code == 404


def test_l_onglet_de_la_demande_montre_ses_points_et_leur_detail(
    client, agent_bailleur, candidats, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services_cotation.publier_grille("75", GRILLE, par=gestionnaire("75"))
    connecter(client, agent_bailleur)
    url = reverse("demandes:demande", args=[candidats[0].numero_unique]) + "?onglet=attributions"

    cotation = BeautifulSoup(client.get(url).content, "html.parser").find(id="cotation")
    assert " ".join(cotation.get_text().split()).startswith(
        "22 points selon la grille du département 75 (version 1), calculés le 15/03/2027 : "
        "ancienneté : 11 mois × 2 = 22 points."
    )


def test_la_page_de_la_seance_montre_la_cotation_de_chaque_candidat_ce_jour_la(
    client, seance, logement, candidats, guichet, agent_bailleur
):
    grille = services_cotation.publier_grille("75", GRILLE, par=gestionnaire("75"))
    GrilleCotation.objects.filter(pk=grille.pk).update(publiee_le=a_midi(date(2027, 1, 5)))
    services.inscrire_candidat(seance, logement, candidats[0], par=agent_bailleur, guichet=guichet)
    connecter(client, agent_bailleur)

    page = texte(client.get(reverse("attributions:seance", args=[seance.pk])))

    assert "Cotation ce jour-là" in page
    assert "ancienneté : 11 mois × 2 = 22 points (grille v1)" in page
