"""The daily snapshot: every figure against a count made by hand on a small register, the
national figures the sum of the départements', and a snapshot that never changes."""

from datetime import date

import pytest
from django.db import DatabaseError, transaction

from sne.attributions import services as attributions
from sne.statistiques import services, tasks
from sne.statistiques.models import DETAIL_DES_COMMUNES, Indicateur, Instantane, Mesure

from .conftest import VEILLE

pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(date(2027, 2, 1))]


def mesures(departement="", commune="", jour=VEILLE) -> dict:
    return {
        (m.indicateur, m.modalite): m.valeur
        for m in Mesure.objects.filter(jour=jour, departement=departement, commune=commune)
    }


def test_chaque_chiffre_est_celui_du_comptage_a_la_main(registre):
    instantane = services.prendre_instantane()

    assert instantane.jour == VEILLE
    paris = mesures("75")
    # Active: a, b, d.
    assert paris[(Indicateur.ACTIVES, "")] == 3
    # a wished T3 and T4, b T5, d nothing.
    assert paris[(Indicateur.ACTIVES_TYPOLOGIE, "T3")] == 1
    assert paris[(Indicateur.ACTIVES_TYPOLOGIE, "T4")] == 1
    assert paris[(Indicateur.ACTIVES_TYPOLOGIE, "T5")] == 1
    assert paris[(Indicateur.ACTIVES_TYPOLOGIE, "T1")] == 0
    assert paris[(Indicateur.ACTIVES_TYPOLOGIE, "non_precisee")] == 1
    # a: 4 people, b: 7, d: 1.
    assert paris[(Indicateur.ACTIVES_TAILLE, "1")] == 1
    assert paris[(Indicateur.ACTIVES_TAILLE, "4")] == 1
    assert paris[(Indicateur.ACTIVES_TAILLE, "6_et_plus")] == 1
    assert paris[(Indicateur.ACTIVES_TAILLE, "2")] == 0
    # On 14 March 2027: a filed 1 Dec 2024 (27 months), b 1 Sep 2026 (6 months), d that day.
    assert paris[(Indicateur.ACTIVES_ANCIENNETE, "2_3_ans")] == 1
    assert paris[(Indicateur.ACTIVES_ANCIENNETE, "6_12_mois")] == 1
    assert paris[(Indicateur.ACTIVES_ANCIENNETE, "moins_6_mois")] == 1
    # Paris's délai is 24 months: a only.
    assert paris[(Indicateur.ACTIVES_DELAI_ANORMAL, "")] == 1
    # Keyed on the 14th: d (a and b on 1 February).
    assert paris[(Indicateur.ENREGISTREMENTS, "")] == 1
    assert paris[(Indicateur.RADIATIONS, "renonciation")] == 0

    seine_saint_denis = mesures("93")
    # c (reactivated the same day), e struck off.
    assert seine_saint_denis[(Indicateur.ACTIVES, "")] == 1
    # c filed 5 January 2023: 50 months, beyond the national 36.
    assert seine_saint_denis[(Indicateur.ACTIVES_ANCIENNETE, "3_5_ans")] == 1
    assert seine_saint_denis[(Indicateur.ACTIVES_DELAI_ANORMAL, "")] == 1
    assert seine_saint_denis[(Indicateur.ENREGISTREMENTS, "")] == 1  # e
    # e remains struck off; c's radiation was undone the same day.
    assert seine_saint_denis[(Indicateur.RADIATIONS, "renonciation")] == 1
    assert seine_saint_denis[(Indicateur.REACTIVATIONS, "")] == 1
    assert paris[(Indicateur.DOUBLONS_CONFIRMES, "")] == 1
    assert seine_saint_denis[(Indicateur.DOUBLONS_CONFIRMES, "")] == 0
    assert seine_saint_denis[(Indicateur.PREAVIS, "")] == 1
    assert seine_saint_denis[(Indicateur.AVIS_NON_DISTRIBUES, "")] == 1  # bounced twice
    assert paris[(Indicateur.PREAVIS, "")] == 0

    # The commune first wished: a and d Paris 20e, b Paris 13e, c Saint-Denis (e struck off).
    assert mesures("75", "75120")[(Indicateur.ACTIVES_COMMUNE, "")] == 2
    assert mesures("75", "75113")[(Indicateur.ACTIVES_COMMUNE, "")] == 1
    assert mesures("93", "93066")[(Indicateur.ACTIVES_COMMUNE, "")] == 1
    assert Mesure.objects.filter(commune__gt="", indicateur="actives_commune").count() == 3
    # Their detail: a (4 people, 27 months, T3 and T4: the smallest) and d (1, new, none).
    vingtieme = mesures("75", "75120")
    assert vingtieme[(Indicateur.ACTIVES_COMMUNE_TAILLE, "4")] == 1
    assert vingtieme[(Indicateur.ACTIVES_COMMUNE_TAILLE, "1")] == 1
    assert (Indicateur.ACTIVES_COMMUNE_TAILLE, "2") not in vingtieme  # a zero: not written
    assert vingtieme[(Indicateur.ACTIVES_COMMUNE_ANCIENNETE, "2_3_ans")] == 1
    assert vingtieme[(Indicateur.ACTIVES_COMMUNE_ANCIENNETE, "moins_6_mois")] == 1
    assert vingtieme[(Indicateur.ACTIVES_COMMUNE_TYPOLOGIE, "T3")] == 1
    assert vingtieme[(Indicateur.ACTIVES_COMMUNE_TYPOLOGIE, "non_precisee")] == 1
    assert (Indicateur.ACTIVES_COMMUNE_TYPOLOGIE, "T4") not in vingtieme

    # Their EPCI: all three communes are in the Métropole du Grand Paris.
    assert mesures("75")[(Indicateur.ACTIVES_EPCI, "200054781")] == 3
    assert mesures("93")[(Indicateur.ACTIVES_EPCI, "200054781")] == 1
    assert Mesure.objects.filter(indicateur=Indicateur.ACTIVES_EPCI, departement="75").count() == 1

    france = mesures()
    assert france[(Indicateur.ACTIVES_EPCI, "200054781")] == 4
    assert france[(Indicateur.ACTIVES, "")] == 4 == instantane.demandes_actives
    assert france[(Indicateur.ENREGISTREMENTS, "")] == 2
    assert france[(Indicateur.ACTIVES_DELAI_ANORMAL, "")] == 2
    # Every département has its rows, zeros included.
    assert mesures("2A")[(Indicateur.ACTIVES, "")] == 0


def test_un_instantane_ne_se_prend_qu_une_fois_et_ne_change_plus(registre):
    premier = tasks.prendre_instantane_de_la_veille.call_local()
    nombre = Mesure.objects.count()

    assert services.prendre_instantane(VEILLE).pk == premier
    assert Mesure.objects.count() == nombre
    with pytest.raises(DatabaseError, match="ne se modifie pas"), transaction.atomic():
        Mesure.objects.filter(jour=VEILLE).update(valeur=0)
    with pytest.raises(DatabaseError, match="ne se modifie pas"), transaction.atomic():
        Instantane.objects.filter(jour=VEILLE).update(demandes_actives=0)


def test_les_communes_ne_sont_gardees_que_pour_le_dernier_jour_du_mois(registre):
    detail = Mesure.objects.filter(indicateur__in=DETAIL_DES_COMMUNES)
    communes = Mesure.objects.filter(commune__gt="")
    services.prendre_instantane(date(2027, 2, 28))
    services.prendre_instantane(date(2027, 3, 13))
    assert detail.filter(jour=date(2027, 3, 13)).exists()

    services.prendre_instantane(VEILLE)
    assert not communes.filter(jour=date(2027, 3, 13)).exists()  # totals and detail
    assert detail.filter(jour=VEILLE).exists()
    assert communes.filter(jour=VEILLE, indicateur="actives_commune").count() == 3
    # The départements' and France's rows stay every day; February's communes stay.
    assert Mesure.objects.filter(jour=date(2027, 3, 13), departement="93", commune="").exists()
    assert communes.filter(jour=date(2027, 2, 28), indicateur="actives_commune").count() == 3

    # A day taken late, before the month's latest: no commune.
    services.prendre_instantane(date(2027, 3, 12))
    assert not communes.filter(jour=date(2027, 3, 12)).exists()
    assert detail.filter(jour=VEILLE).exists()


@pytest.mark.aujourd_hui(date(2027, 3, 15))
def test_les_decisions_de_cal_les_refus_et_les_baux_comptent_le_jour_de_leur_saisie(
    seance, logement, candidats, guichet, agent_bailleur
):
    """The attributions fixtures: three demandes filed on 2 April 2026, a CAL on 10 March
    2027. Everything is keyed in on the 15th, the refusal and the lease dated the 14th by the
    desk: the snapshot of the 14th (taken in the night) could not see them; they count on the
    15th, the lease with the demande's seniority that day (11 months: 6 months to 1 year)."""
    premier, deuxieme, troisieme = (
        attributions.inscrire_candidat(seance, logement, d, par=agent_bailleur, guichet=guichet)
        for d in candidats
    )
    attributions.decider(premier, "attribution", par=agent_bailleur, guichet=guichet)
    attributions.decider(deuxieme, "attribution_classement", par=agent_bailleur, guichet=guichet)
    attributions.decider(
        troisieme, "non_attribution", motif="autre_candidat", par=agent_bailleur, guichet=guichet
    )
    attributions.enregistrer_refus(premier, "loyer", le=VEILLE, par=agent_bailleur, guichet=guichet)
    attributions.signer_bail(deuxieme, le=VEILLE, par=agent_bailleur, guichet=guichet)

    services.prendre_instantane(VEILLE)
    services.prendre_instantane(date(2027, 3, 15))

    veille = mesures("75")
    flux_de_la_cal = (Indicateur.ATTRIBUTIONS, Indicateur.DECISIONS_CAL, Indicateur.REFUS_DEMANDEUR)
    assert sum(v for (i, _), v in veille.items() if i in flux_de_la_cal) == 0
    le_15 = mesures("75", jour=date(2027, 3, 15))
    assert le_15[(Indicateur.DECISIONS_CAL, "attribution")] == 1
    assert le_15[(Indicateur.DECISIONS_CAL, "attribution_classement")] == 1
    assert le_15[(Indicateur.DECISIONS_CAL, "non_attribution")] == 1
    assert le_15[(Indicateur.DECISIONS_CAL, "irrecevabilite")] == 0
    assert le_15[(Indicateur.REFUS_DEMANDEUR, "loyer")] == 1
    assert le_15[(Indicateur.REFUS_DEMANDEUR, "localisation")] == 0
    assert le_15[(Indicateur.ATTRIBUTIONS, "6_12_mois")] == 1
    assert sum(v for (i, _), v in le_15.items() if i == Indicateur.ATTRIBUTIONS) == 1
    assert le_15[(Indicateur.RADIATIONS, "attribution")] == 1
    assert le_15[(Indicateur.ACTIVES, "")] == 2
    assert mesures(jour=date(2027, 3, 15))[(Indicateur.DECISIONS_CAL, "attribution")] == 1
