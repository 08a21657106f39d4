"""Loading a vintage of the referentials from the CSV files in `data/` (see data/README.md).

Idempotent: a second run with the same files changes nothing and says so. A commune or a
département that disappears from a new vintage is closed (`date_fermeture`), never deleted:
old demandes point to it. Alternative names and postal codes are plain lookup data and follow
the files exactly.
"""

import csv
import json
from collections import Counter
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from .index import invalider_index
from .models import ChargementReferentiel, CodePostal, Commune, Departement, Epci, NomAlternatif

DOSSIER_DONNEES = Path(__file__).resolve().parent / "data"
TAILLE_LOT = 2000


def _lire(dossier: Path, nom: str) -> list[dict]:
    with open(dossier / nom, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _synchroniser(modele, cle: str, lignes: dict[str, dict], compteurs: Counter, prefixe: str):
    """Create, update, close or reopen rows so that the table matches `lignes` (by key)."""
    aujourd_hui = timezone.localdate()
    existants = {getattr(o, cle): o for o in modele.objects.all()}
    a_creer, a_modifier, champs_modifies = [], [], set()
    for identifiant, valeurs in lignes.items():
        objet = existants.get(identifiant)
        if objet is None:
            a_creer.append(modele(**{cle: identifiant}, **valeurs))
            continue
        change = False
        for champ, valeur in {**valeurs, "date_fermeture": None}.items():
            if getattr(objet, champ) != valeur:
                setattr(objet, champ, valeur)
                champs_modifies.add(champ)
                change = True
        if change:
            a_modifier.append(objet)
    a_fermer = [o for k, o in existants.items() if k not in lignes and o.date_fermeture is None]
    for objet in a_fermer:
        objet.date_fermeture = aujourd_hui
    modele.objects.bulk_create(a_creer, batch_size=TAILLE_LOT)
    if a_modifier:
        modele.objects.bulk_update(a_modifier, sorted(champs_modifies), batch_size=TAILLE_LOT)
    if a_fermer:
        modele.objects.bulk_update(a_fermer, ["date_fermeture"], batch_size=TAILLE_LOT)
    compteurs[f"creations_{prefixe}"] += len(a_creer)
    compteurs[f"modifications_{prefixe}"] += len(a_modifier)
    compteurs[f"fermetures_{prefixe}"] += len(a_fermer)


def _remplacer(modele, champs: tuple[str, ...], lignes: set[tuple], compteurs, prefixe):
    """Make a lookup table hold exactly `lignes` (tuples of `champs`)."""
    existants = {tuple(v): pk for pk, *v in modele.objects.values_list("pk", *champs)}
    a_supprimer = [pk for v, pk in existants.items() if v not in lignes]
    a_creer = [modele(**dict(zip(champs, v, strict=True))) for v in lignes if v not in existants]
    for i in range(0, len(a_supprimer), TAILLE_LOT):
        modele.objects.filter(pk__in=a_supprimer[i : i + TAILLE_LOT]).delete()
    modele.objects.bulk_create(a_creer, batch_size=TAILLE_LOT)
    compteurs[f"ajouts_{prefixe}"] += len(a_creer)
    compteurs[f"retraits_{prefixe}"] += len(a_supprimer)


@transaction.atomic
def charger_referentiels(dossier: Path = DOSSIER_DONNEES) -> dict[str, int]:
    """Load the départements, EPCI, communes, alternative names and postal codes of `dossier`.

    Returns the counts of what changed; all zero when the files were already loaded.
    """
    compteurs: Counter = Counter()
    departements = {
        d["code"]: {
            "nom": d["nom"],
            "code_region": d["region"],
            "zone": d["zone"],
            "chef_lieu": d["chef_lieu"],
        }
        for d in _lire(dossier, "departements.csv")
    }
    _synchroniser(Departement, "code", departements, compteurs, "departements")

    epcis = {e["code"]: {"nom": e["nom"], "type": e["type"]} for e in _lire(dossier, "epci.csv")}
    _synchroniser(Epci, "code", epcis, compteurs, "epci")

    lignes_communes = _lire(dossier, "communes.csv")
    communes = {
        c["code_insee"]: {
            "nom": c["nom"],
            "type": c["type"],
            "departement_id": c["departement"],
            "commune_parente_id": c["commune_parente"] or None,
            "population": int(c["population"]) if c["population"] else None,
            "anciens_codes": c["anciens_codes"],
            "code_postal_principal": c["codes_postaux"].split("|")[0],
            "epci_id": c["epci"] or None,
        }
        for c in lignes_communes
    }
    # Parents first: an arrondissement refers to its commune.
    communes = dict(
        sorted(communes.items(), key=lambda kv: kv[1]["commune_parente_id"] is not None)
    )
    _synchroniser(Commune, "code_insee", communes, compteurs, "communes")

    noms = {
        (n["code_insee"], n["nom"], n["nature"], n["code_origine"])
        for n in _lire(dossier, "noms_alternatifs.csv")
    } | {(n["code_insee"], n["nom"], "localite", "") for n in _lire(dossier, "localites.csv")}
    _remplacer(
        NomAlternatif, ("commune_id", "nom", "nature", "code_origine"), noms, compteurs, "noms"
    )
    codes = {
        (p["code_postal"], p["code_insee"], p["libelle_acheminement"])
        for p in _lire(dossier, "codes_postaux.csv")
    }
    _remplacer(
        CodePostal,
        ("code", "commune_id", "libelle_acheminement"),
        codes,
        compteurs,
        "codes_postaux",
    )

    compteurs = {k: v for k, v in sorted(compteurs.items())}
    if any(compteurs.values()):
        sources = json.loads((dossier / "SOURCES.json").read_text(encoding="utf-8"))
        ChargementReferentiel.objects.create(sources=sources, compteurs=compteurs)
        transaction.on_commit(invalider_index)
    return compteurs
