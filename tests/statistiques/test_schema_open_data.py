"""The schema of the open-data file (sne/statistiques/donnees/schema-demandes-actives.json, served
at /donnees-ouvertes/schema-demandes-actives.json) says what the
code does: the threshold, a masked value as an empty cell, the register's typologies; and the
example of docs/open-data.md follows it."""

import csv
import io
import json
import re
from pathlib import Path

from sne.demandes.nomenclatures import Typologie
from sne.statistiques.secret import SEUIL
from sne.statistiques.vues_ouvertes import SCHEMA as FICHIER_DU_SCHEMA

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCHEMA = json.loads(FICHIER_DU_SCHEMA.read_text("utf-8"))
CHAMPS = {champ["name"]: champ for champ in SCHEMA["fields"]}


def test_le_schema_decrit_les_colonnes_du_fichier_dans_l_ordre():
    assert list(CHAMPS) == [
        "mois",
        "departement",
        "niveau",
        "commune",
        "nom",
        "indicateur",
        "modalite",
        "valeur",
    ]


def test_une_valeur_publiee_atteint_le_seuil_et_une_valeur_masquee_est_vide():
    assert CHAMPS["valeur"]["type"] == "integer"
    assert CHAMPS["valeur"]["constraints"]["minimum"] == SEUIL
    assert SCHEMA["missingValues"] == [""]


def test_chaque_typologie_du_registre_est_une_modalite():
    assert set(Typologie.values) <= set(CHAMPS["modalite"]["constraints"]["enum"])


def test_l_exemple_de_la_documentation_suit_le_schema():
    page = (DOCS / "open-data.md").read_text("utf-8")
    [exemple] = re.findall(r"```csv\n(.*?)```", page, flags=re.DOTALL)
    lignes = list(csv.DictReader(io.StringIO(exemple)))

    assert lignes
    for ligne in lignes:
        verifier_ligne(ligne)


def verifier_ligne(ligne: dict) -> None:
    """A row of the file (csv.DictReader) against the schema: columns, required values,
    enumerations, patterns, the threshold of published values."""
    assert list(ligne) == list(CHAMPS)
    for nom, valeur in ligne.items():
        contraintes = CHAMPS[nom].get("constraints", {})
        if valeur in SCHEMA["missingValues"]:
            assert not contraintes.get("required"), nom
            continue
        if "enum" in contraintes:
            assert valeur in contraintes["enum"], (nom, valeur)
        if "pattern" in contraintes:
            assert re.fullmatch(contraintes["pattern"], valeur), (nom, valeur)
        if CHAMPS[nom]["type"] == "integer":
            assert int(valeur) >= contraintes.get("minimum", 0)
        if CHAMPS[nom]["type"] == "yearmonth":
            assert re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", valeur)
