"""The demo's statistics (make run): gestionnaire 93 reads figures that match a count made
independently on the demo data (plain queries on the demandes, not the snapshot's)."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from sne.comptes.models import Utilisateur
from sne.demandes.models import CommuneSouhaitee, Demande
from sne.demo.donnees import (
    DOMAINE,
    creer_attributions_demo,
    creer_demandes_demo,
    creer_donnees_demo,
    creer_grille_demo,
    creer_statistiques_demo,
)
from sne.statistiques.lecture import LIBELLES_TYPOLOGIES
from sne.statistiques.services import LIBELLES_TAILLES
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    creer_donnees_demo()
    creer_demandes_demo()
    creer_grille_demo()
    assert creer_attributions_demo()  # the CAL of Habitat Parisien, keyed in today
    instantane = creer_statistiques_demo()
    assert creer_statistiques_demo() is None  # taken once
    return instantane


def test_le_gestionnaire_93_lit_les_chiffres_de_la_demonstration(client, demo):
    connecter(client, Utilisateur.objects.get(email=f"gestionnaire.93@{DOMAINE}"))
    url = reverse("statistiques:tableau")

    page = texte(client.get(url))

    actives = Demande.objects.filter(departement_id="93", statut="active")
    assert actives.exists()
    nombre = actives.count()
    assert f"{nombre} demande{'s' if nombre > 1 else ''} active" in page
    assert f"instantané du registre du <strong>{timezone.localdate():%d/%m/%Y}</strong>" in page

    taille = load_workbook(
        io.BytesIO(client.get(url + "?territoire=93&export=taille&format=xlsx").content)
    ).active
    lues = {taille.cell(r, 1).value: taille.cell(r, 2).value for r in range(3, 9)}
    compte_a_la_main = {libelle: 0 for libelle in LIBELLES_TAILLES.values()}
    for personnes in actives.values_list("nombre_personnes", flat=True):
        cle = "6_et_plus" if personnes >= 6 else str(personnes)
        compte_a_la_main[LIBELLES_TAILLES[cle]] += 1
    assert lues == compte_a_la_main

    typologies = load_workbook(
        io.BytesIO(client.get(url + "?territoire=93&export=typologie&format=xlsx").content)
    ).active
    lues = {typologies.cell(r, 1).value: typologies.cell(r, 2).value for r in range(3, 11)}
    for code, libelle in LIBELLES_TYPOLOGIES.items():
        if code == "non_precisee":
            attendu = sum(1 for t in actives.values_list("typologies", flat=True) if not t)
        else:
            attendu = sum(1 for t in actives.values_list("typologies", flat=True) if code in t)
        assert lues[libelle] == attendu, libelle

    premieres = CommuneSouhaitee.objects.filter(
        rang=1, demande__statut="active", departement_id="93"
    )
    communes = load_workbook(
        io.BytesIO(client.get(url + "?territoire=93&export=communes&format=xlsx").content)
    ).active
    lues = {communes.cell(r, 2).value: communes.cell(r, 3).value for r in range(3, 200)}
    lues.pop(None, None)
    attendu = {}
    for code in premieres.values_list("commune_id", flat=True):
        attendu[code] = attendu.get(code, 0) + 1
    assert lues == attendu


def test_les_decisions_de_cal_et_les_refus_de_la_demonstration(client, demo):
    """The demo's CAL of Habitat Parisien (keyed in today): its decisions and the refusal,
    read on Paris's page, against the candidatures counted directly."""
    from sne.attributions.models import Candidature
    from sne.statistiques.lecture import LIBELLES_DECISIONS, LIBELLES_REFUS

    connecter(client, Utilisateur.objects.get(email=f"admin@{DOMAINE}"))
    url = reverse("statistiques:tableau") + "?territoire=75&format=xlsx&export="
    du_jour = Candidature.objects.filter(
        demande__departement_id="75", decidee_le__date=timezone.localdate()
    )
    assert du_jour.exists()

    for export, colonne, libelles in (
        ("decisions", "decision", LIBELLES_DECISIONS),
        ("refus", "motif_refus", LIBELLES_REFUS),
    ):
        feuille = load_workbook(io.BytesIO(client.get(url + export).content)).active
        lues = {feuille.cell(r, 1).value: feuille.cell(r, 2).value for r in range(3, 3 + 7)}
        lues.pop(None, None)
        attendu = dict.fromkeys(libelles.values(), 0)
        for code in du_jour.exclude(**{colonne: ""}).values_list(colonne, flat=True):
            attendu[libelles[code]] += 1
        assert lues == attendu, export
    assert sum(lues.values()) >= 1  # the demo's first candidate refused the dwelling
