import csv
import shutil

import pytest
from django.core.management import call_command

from sne.referentiels.chargement import DOSSIER_DONNEES, charger_referentiels
from sne.referentiels.index import invalider_index
from sne.referentiels.models import (
    ChargementReferentiel,
    CodePostal,
    Commune,
    Departement,
    Epci,
)
from sne.referentiels.services import INTROUVABLE, resoudre_commune

pytestmark = pytest.mark.django_db


def test_les_101_departements_de_metropole_et_d_outre_mer_sont_charges():
    assert Departement.objects.count() == 101
    assert set(Departement.objects.filter(zone="drom").values_list("code", flat=True)) == {
        "971",
        "972",
        "973",
        "974",
        "976",
    }
    assert Departement.objects.filter(code__in=["2A", "2B"]).count() == 2


def test_les_communes_actuelles_et_les_arrondissements_municipaux_sont_charges():
    communes = Commune.objects.filter(type=Commune.Type.COMMUNE, date_fermeture=None)
    assert 34_800 <= communes.count() <= 35_000
    arrondissements = Commune.objects.filter(type=Commune.Type.ARRONDISSEMENT)
    assert arrondissements.filter(commune_parente="75056").count() == 20
    assert arrondissements.filter(commune_parente="69123").count() == 9
    assert arrondissements.filter(commune_parente="13055").count() == 16


def test_chaque_commune_a_son_epci_sauf_les_quatre_iles_qui_n_en_ont_pas():
    assert 1_200 <= Epci.objects.count() <= 1_300
    assert Commune.objects.get(code_insee="75120").epci.nom == "Métropole du Grand Paris"
    assert Commune.objects.get(code_insee="69381").epci.type == Epci.Type.MET69
    assert Commune.objects.get(code_insee="93066").epci.nom == "Métropole du Grand Paris"
    sans = Commune.objects.filter(epci=None, date_fermeture=None, type=Commune.Type.COMMUNE)
    assert set(sans.values_list("nom", flat=True)) == {
        "Île-de-Bréhat",
        "Île-de-Sein",
        "Ouessant",
        "L'Île-d'Yeu",
    }


def test_les_codes_postaux_de_la_poste_sont_charges_avec_leur_libelle():
    assert CodePostal.objects.count() > 35_000
    assert CodePostal.objects.filter(code="93210", commune="93066").get().libelle_acheminement == (
        "ST DENIS LA PLAINE"
    )


def test_un_second_chargement_ne_change_rien():
    nombre_chargements = ChargementReferentiel.objects.count()
    assert not any(charger_referentiels().values())
    assert ChargementReferentiel.objects.count() == nombre_chargements


def test_la_commande_dit_qu_il_n_y_a_rien_a_changer(capsys):
    call_command("charger_referentiels")
    assert "aucun changement" in capsys.readouterr().out


@pytest.fixture
def millesime_suivant(tmp_path):
    """A copy of the data where a commune has disappeared (a merger) and one was renamed."""
    dossier = tmp_path / "millesime"
    shutil.copytree(DOSSIER_DONNEES, dossier)

    def reecrire(nom, garder, modifier=lambda ligne: ligne):
        with open(dossier / nom, encoding="utf-8") as f:
            lecteur = csv.DictReader(f)
            champs, lignes = (
                lecteur.fieldnames,
                [modifier(ligne) for ligne in lecteur if garder(ligne)],
            )
        with open(dossier / nom, "w", encoding="utf-8", newline="") as f:
            ecrivain = csv.DictWriter(f, champs, lineterminator="\n")
            ecrivain.writeheader()
            ecrivain.writerows(lignes)

    def renommer(ligne):
        if ligne["code_insee"] == "01002":
            ligne["nom"] = "L'Abergement-de-Varey-Nouveau"
        return ligne

    reecrire("communes.csv", lambda ligne: ligne["code_insee"] != "01001", renommer)
    reecrire("codes_postaux.csv", lambda ligne: ligne["code_insee"] != "01001")
    yield dossier
    invalider_index()


def test_une_commune_disparue_est_fermee_et_jamais_supprimee(millesime_suivant):
    compteurs = charger_referentiels(millesime_suivant)

    assert compteurs["fermetures_communes"] == 1
    assert compteurs["modifications_communes"] == 1
    disparue = Commune.objects.get(code_insee="01001")
    assert disparue.date_fermeture is not None
    assert Commune.objects.get(code_insee="01002").nom == "L'Abergement-de-Varey-Nouveau"


def test_une_commune_fermee_n_est_plus_proposee_par_son_nom(millesime_suivant):
    charger_referentiels(millesime_suivant)
    invalider_index()

    assert resoudre_commune("L'Abergement-Clémenciat").statut == INTROUVABLE


def test_une_commune_qui_reapparait_est_rouverte(millesime_suivant):
    charger_referentiels(millesime_suivant)
    compteurs = charger_referentiels()

    assert compteurs["modifications_communes"] == 2
    assert Commune.objects.get(code_insee="01001").date_fermeture is None
