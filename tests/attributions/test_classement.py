"""The candidates' order (`Classement`): one row per active demande and wished commune, kept
by the cotation services when a demande is registered, changed, struck off or reactivated, and
every night; the candidates' list reads it in order but never trusts it alone."""

from importlib import import_module

import pytest
from django.db import connection

from sne.attributions import services, services_cotation, tasks
from sne.attributions.models import Classement, Cotation
from sne.demandes import services as demandes
from sne.demandes.models import Demande
from tests.factories import GuichetFactory, agent, gestionnaire

from .fixtures import AUJOURD_HUI, nouvelle_demande

pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(AUJOURD_HUI)]

migration = import_module("sne.attributions.migrations.0003_classement_des_candidats")
SOUHAITS = {"communes": ["75113", "75120"]}


def lignes(demande):
    return sorted(
        Classement.objects.filter(demande=demande).values_list(
            "commune_id", "cotee", "points", "nombre_personnes"
        )
    )


@pytest.fixture
def grille(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services_cotation.publier_grille(
            "75", [{"critere": "anciennete", "points": 2}], par=gestionnaire("75")
        )


def test_la_demande_suit_sa_vie_dans_le_classement(
    grille, guichet, agent_bailleur, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        demande = nouvelle_demande(
            guichet, agent_bailleur, 0, date_depot="2026-04-02", souhaits=SOUHAITS
        )
    # 11 months × 2 points, in each commune wished, with the household's size.
    assert lignes(demande) == [("75113", True, 22, 1), ("75120", True, 22, 1)]

    with django_capture_on_commit_callbacks(execute=True):
        demandes.modifier_demande(demande, agent_bailleur, guichet, communes=["75113"])
    assert lignes(demande) == [("75113", True, 22, 1)]

    with django_capture_on_commit_callbacks(execute=True):
        demandes.radier(demande, "renonciation", par=agent_bailleur, guichet=guichet)
    assert lignes(demande) == []
    assert not Cotation.objects.filter(demande=demande).exists()

    with django_capture_on_commit_callbacks(execute=True):
        demandes.reactiver(Demande.objects.get(pk=demande.pk), agent_bailleur, guichet)
    assert lignes(demande) == [("75113", True, 22, 1)]
    assert Cotation.objects.get(demande=demande).points == 22


def test_sans_grille_la_demande_est_classee_apres_les_demandes_cotees(
    grille, guichet, agent_bailleur, django_capture_on_commit_callbacks
):
    """A demande of Seine-Saint-Denis (no grid) wishing Paris 13e comes after those of Paris,
    whatever its seniority; between scored demandes, the points then the date de dépôt."""
    guichet_93 = GuichetFactory(
        code="93BA1", organisation=guichet.organisation, departements=["93"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        ancienne_93 = nouvelle_demande(
            guichet_93,
            agent(guichet_93),
            0,
            departement="93",
            date_depot="2026-03-20",
            souhaits={"communes": ["75113"]},
        )
        recente = nouvelle_demande(
            guichet, agent_bailleur, 1, date_depot="2026-06-02", souhaits={"communes": ["75113"]}
        )
        meme_mois_1 = nouvelle_demande(
            guichet, agent_bailleur, 2, date_depot="2026-04-20", souhaits={"communes": ["75113"]}
        )
        meme_mois_2 = nouvelle_demande(
            guichet, agent_bailleur, 3, date_depot="2026-04-02", souhaits={"communes": ["75113"]}
        )
    assert lignes(ancienne_93) == [("75113", False, 0, 1)]
    logement = services.enregistrer_logement(
        {
            "reference": "ST-2",
            "adresse": "1 rue X",
            "commune": "75113",
            "typologie": "T1",
            "loyer": "400",
        },
        par=agent_bailleur,
        guichet=guichet,
    )

    ordre = services.candidats_pour(logement, par=agent_bailleur)

    # 75: 22 points (2 April and 20 April: 11 months), 18 points (June: 9 months); 93: none.
    assert ordre == [meme_mois_2, meme_mois_1, recente, ancienne_93]


def test_une_ligne_en_retard_ne_montre_jamais_un_candidat_qui_ne_doit_pas_y_etre(
    grille, guichet, agent_bailleur, django_capture_on_commit_callbacks
):
    """The row is a copy: struck off or grown too large without its task having run yet, the
    demande is still left out by the list, which reads the demande itself."""
    with django_capture_on_commit_callbacks(execute=True):
        radiee, agrandie, restee = (
            nouvelle_demande(guichet, agent_bailleur, i, souhaits={"communes": ["75113"]})
            for i in range(3)
        )
    # Outside `django_capture_on_commit_callbacks`: their signals are never sent.
    demandes.radier(radiee, "renonciation", par=agent_bailleur, guichet=guichet)
    Demande.objects.filter(pk=agrandie.pk).update(nombre_personnes=6)
    logement = services.enregistrer_logement(
        {
            "reference": "ST-3",
            "adresse": "1 rue X",
            "commune": "75113",
            "typologie": "T1",
            "loyer": "400",
        },
        par=agent_bailleur,
        guichet=guichet,
    )

    assert services.candidats_pour(logement, par=agent_bailleur) == [restee]


def test_la_nuit_remet_chaque_departement_en_ordre(grille, guichet, agent_bailleur):
    """Rows lost or stale (a task that never ran) are rewritten by the nightly recomputation,
    for the départements without a grid too; a demande struck off leaves."""
    avec_grille = nouvelle_demande(guichet, agent_bailleur, 0, souhaits=SOUHAITS)
    guichet_93 = GuichetFactory(
        code="93BA1", organisation=guichet.organisation, departements=["93"]
    )
    sans_grille = nouvelle_demande(guichet_93, agent(guichet_93), 1, departement="93")
    radiee = nouvelle_demande(guichet, agent_bailleur, 2)
    Classement.objects.create(
        demande=radiee, commune_id="75120", cotee=False, nombre_personnes=1, date_depot=AUJOURD_HUI
    )
    demandes.radier(radiee, "renonciation", par=agent_bailleur, guichet=guichet)

    tasks.recalculer_toutes_les_cotations.call_local()

    assert lignes(avec_grille) == [("75113", True, 0, 1), ("75120", True, 0, 1)]
    assert lignes(sans_grille) == [("75120", False, 0, 1)]
    assert lignes(radiee) == []


def test_la_migration_classe_les_demandes_deja_actives(grille, guichet, agent_bailleur):
    demande = nouvelle_demande(guichet, agent_bailleur, 0, souhaits=SOUHAITS)
    services_cotation.coter(demande)
    attendu = lignes(demande)
    Classement.objects.all().delete()

    with connection.cursor() as curseur:
        curseur.execute(migration.REMPLIR)

    assert lignes(demande) == attendu == [("75113", True, 0, 1), ("75120", True, 0, 1)]
