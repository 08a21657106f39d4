#!/usr/bin/env python3
"""Extract the referentials of the SNE from open data into compact CSV files.

Sources (npm registry packages, fetched with `npm pack`, so that the extract is reproducible):
  - @etalab/decoupage-administratif: INSEE's Code officiel géographique (départements,
    communes, arrondissements municipaux, communes déléguées and associées, EPCI à fiscalité
    propre and their members), Licence Ouverte;
  - codes-postaux: La Poste's postal codes with their libellé d'acheminement, Licence Ouverte
    (formerly ODbL).

Usage:  python3 scripts/extraire_referentiels.py [--decoupage 6.0.0] [--codes-postaux 4.1.2]
Writes sne/referentiels/data/*.csv and SOURCES.json; then `python manage.py
charger_referentiels` loads them (idempotent; a commune gone from a new vintage is closed).

Kept: the 101 départements (metropolitan France and the 5 DROM; the COM have no social housing
register in the SNE), their current communes, the municipal arrondissements of Paris, Lyon and
Marseille. Delegated and associated communes become alternative names of the commune they
belong to; former INSEE codes (mergers) are kept so that old data still resolves.
"""

import argparse
import csv
import json
import subprocess
import tarfile
import tempfile
from datetime import date
from pathlib import Path

DOSSIER = Path(__file__).resolve().parent.parent / "sne" / "referentiels" / "data"
ZONES_SNE = {"metro", "drom"}


def telecharger(paquet: str, version: str, dossier: Path) -> Path:
    sortie = subprocess.run(
        ["npm", "pack", f"{paquet}@{version}", "--pack-destination", str(dossier), "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    archive = dossier / json.loads(sortie.stdout)[0]["filename"]
    cible = dossier / archive.stem
    with tarfile.open(archive) as tar:
        tar.extractall(cible, filter="data")
    return cible / "package"


def ecrire(nom: str, entetes: list[str], lignes: list[list]) -> None:
    with open(DOSSIER / nom, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(entetes)
        w.writerows(lignes)
    print(f"{nom}: {len(lignes)} lignes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decoupage", default="6.0.0")
    parser.add_argument("--codes-postaux", default="4.1.2")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        decoupage = telecharger("@etalab/decoupage-administratif", args.decoupage, Path(tmp))
        postaux = telecharger("codes-postaux", args.codes_postaux, Path(tmp))
        departements = json.loads((decoupage / "data" / "departements.json").read_text())
        communes = json.loads((decoupage / "data" / "communes.json").read_text())
        epcis = json.loads((decoupage / "data" / "epci.json").read_text())
        codes_postaux = json.loads((postaux / "codes-postaux.json").read_text())

    departements = sorted(
        (d for d in departements if d["zone"] in ZONES_SNE), key=lambda d: d["code"]
    )
    codes_dep = {d["code"] for d in departements}
    ecrire(
        "departements.csv",
        ["code", "nom", "region", "zone", "chef_lieu"],
        [[d["code"], d["nom"], d["region"], d["zone"], d["chefLieu"]] for d in departements],
    )

    actuelles = [
        c
        for c in communes
        if c["type"] in ("commune-actuelle", "arrondissement-municipal")
        and c["departement"] in codes_dep
    ]
    actuelles.sort(key=lambda c: c["code"])
    codes_actuels = {c["code"] for c in actuelles}

    # The EPCI à fiscalité propre (communautés, métropoles) and their member communes; a
    # municipal arrondissement belongs to its commune's (Paris, Lyon, Marseille).
    epcis = sorted(
        (e for e in epcis if any(m["code"] in codes_actuels for m in e["membres"])),
        key=lambda e: e["code"],
    )
    epci_de = {m["code"]: e["code"] for e in epcis for m in e["membres"]}
    for c in actuelles:
        if c["type"] == "arrondissement-municipal" and c.get("commune") in epci_de:
            epci_de[c["code"]] = epci_de[c["commune"]]
    ecrire(
        "epci.csv",
        ["code", "nom", "type"],
        [[e["code"], e["nom"], e["type"]] for e in epcis],
    )
    ecrire(
        "communes.csv",
        [
            "code_insee",
            "nom",
            "type",
            "departement",
            "commune_parente",
            "population",
            "codes_postaux",
            "anciens_codes",
            "epci",
        ],
        [
            [
                c["code"],
                c["nom"],
                "arrondissement" if c["type"] == "arrondissement-municipal" else "commune",
                c["departement"],
                c.get("commune", ""),
                c.get("population", ""),
                "|".join(c.get("codesPostaux", [])),
                "|".join(a for a in c.get("anciensCodes", []) if a not in codes_actuels),
                epci_de.get(c["code"], ""),
            ]
            for c in actuelles
        ],
    )

    noms_actuels = {(c["code"], c["nom"]) for c in actuelles}
    alternatifs = sorted(
        {
            (c["chefLieu"], c["nom"], c["type"].removeprefix("commune-"), c["code"])
            for c in communes
            if c["type"] in ("commune-deleguee", "commune-associee")
            and c.get("chefLieu") in codes_actuels
            and (c["chefLieu"], c["nom"]) not in noms_actuels
        }
    )
    ecrire(
        "noms_alternatifs.csv",
        ["code_insee", "nom", "nature", "code_origine"],
        [list(a) for a in alternatifs],
    )

    lignes_cp = {
        (p["codePostal"], p["codeCommune"]): p["libelleAcheminement"]
        for p in codes_postaux
        if p["codeCommune"] in codes_actuels
    }
    # The COG lists a few postal codes that La Poste's file lacks: keep them, with the
    # commune's name in capitals as libellé d'acheminement.
    for c in actuelles:
        for cp in c.get("codesPostaux", []):
            if c["type"] == "commune-actuelle" and c["code"] in ("75056", "69123", "13055"):
                continue  # Paris, Lyon, Marseille: each postal code belongs to an arrondissement
            lignes_cp.setdefault((cp, c["code"]), c["nom"].upper())
    ecrire(
        "codes_postaux.csv",
        ["code_postal", "code_insee", "libelle_acheminement"],
        [[cp, insee, lib] for (cp, insee), lib in sorted(lignes_cp.items())],
    )

    sources = {
        "date_extraction": date.today().isoformat(),
        "sources": [
            {
                "paquet_npm": "@etalab/decoupage-administratif",
                "version": args.decoupage,
                "contenu": "Code officiel géographique de l'INSEE (COG), EPCI et leurs membres",
                "licence": "Licence Ouverte / Open Licence 2.0 (données), MIT (code)",
            },
            {
                "paquet_npm": "codes-postaux",
                "version": args.codes_postaux,
                "contenu": "Base officielle des codes postaux de La Poste",
                "licence": "Licence Ouverte / Open Licence 2.0 (anciennement ODbL)",
            },
        ],
    }
    (DOSSIER / "SOURCES.json").write_text(json.dumps(sources, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
