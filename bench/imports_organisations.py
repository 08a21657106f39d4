"""Banc de mesure des imports des gestionnaires : la table des associations et la fiche collecte.

1. Import des associations (`sne.organisations.associations.importer_associations`, appelé
   directement) : des fichiers CSV de 500, 1 500 et 5 000 lignes (la limite), dont 2 % de noms
   déjà dans la table (écrits autrement : casse, accents) et 1 % de SIREN invalides, sur une
   table qui compte déjà 1 000 associations. Pour chaque taille : durée, requêtes SQL, lignes
   ajoutées et refusées.
2. Fiche collecte, par les pages (client de test Django, gestionnaire du 93) : une fiche XLSX de
   1 000 lignes (la limite) déposée, puis l'aperçu affiché 5 fois, puis « Appliquer ». Pour
   chaque requête : durée et pic de mémoire Python (tracemalloc).
3. La « bombe » de l'issue : une fiche XLSX de ~125 Ko dont les chaînes partagées gonflent à
   51 Mo, lue par `sne.organisations.tableurs.lire_xlsx` : durée, pic de mémoire, refus.

Base : SQLite temporaire (ou `DATABASE_URL` si elle est donnée : la base est migrée), migrée et
chargée avec `charger_referentiels` (≈ 10 s, non mesurés) ; fichiers sous un répertoire
temporaire. Lancement depuis la racine du projet :

    .venv/bin/python bench/imports_organisations.py [--tailles 500,1500,5000] [--apercus 5]
"""

import argparse
import io
import os
import random
import secrets
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]


def mesurer(fonction):
    """(résultat, durée en s, pic de mémoire Python en Mo) d'un appel."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        resultat = fonction()
    finally:
        duree = time.perf_counter() - t0
        _, pic = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return resultat, duree, pic / 1024 / 1024


def csv_associations(nombre: int, existantes: list[str], graine: int) -> bytes:
    hasard = random.Random(graine)
    lignes = ["nom;siren;adresse"]  # the header counts among the `nombre` lines
    for n in range(1, nombre):
        tirage = hasard.random()
        if tirage < 0.02:
            nom = hasard.choice(existantes).upper()  # déjà dans la table, écrit autrement
        else:
            nom = f"Association {graine}-{n} de l'entraide"
        siren = "123456789" if 0.02 <= tirage < 0.03 else ""
        lignes.append(f"{nom};{siren};{n} rue de la République, Saint-Denis")
    return ("\n".join(lignes) + "\n").encode()


def fiche_xlsx(nombre: int) -> bytes:
    from openpyxl import Workbook

    from sne.organisations.fiche_collecte import COLONNES

    classeur = Workbook()
    feuille = classeur.active
    feuille.append(COLONNES)
    guichet = [
        "Foyer du banc",
        "bailleur",
        "999990039",
        "93BA9",
        "Agence du banc",
        "agence@banc.example.fr",
        "93",
        "",
    ]
    for n in range(nombre - 1):  # the header counts among the `nombre` lines
        debut = guichet if n == 0 else [""] * len(guichet)
        role = "saisie" if n % 3 else "consultation"
        feuille.append([*debut, f"Prénom{n}", f"Nom{n}", f"agent{n}@banc.example.fr", role])
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def bombe_xlsx(taille_decompressee=51 * 1024 * 1024) -> bytes:
    modele = zipfile.ZipFile(RACINE / "docs" / "exemples" / "fiche-collecte-exemple.xlsx")
    chaine = b"<si><t>Agence de Saint-Denis (exemple)</t></si>"
    sst = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + chaine * (taille_decompressee // len(chaine))
        + b"</sst>"
    )
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zip_:
        for membre in modele.infolist():
            if membre.filename != "xl/sharedStrings.xml":
                zip_.writestr(membre, modele.read(membre))
        zip_.writestr("xl/sharedStrings.xml", sst)
    return tampon.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tailles", default="500,1500,5000", help="lignes des CSV d'associations")
    parser.add_argument("--apercus", type=int, default=5, help="aperçus de la fiche affichés")
    parser.add_argument("--lignes-fiche", type=int, default=1000, help="lignes de la fiche")
    args = parser.parse_args()

    os.environ["SNE_DATA_DIR"] = tempfile.mkdtemp(prefix="sne-banc-imports-")
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)  # a throwaway key for the sessions
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sne.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from sne.organisations import tableurs
    from sne.organisations.associations import importer_associations
    from sne.organisations.models import Association
    from sne.referentiels.models import Departement
    from tests.factories import gestionnaire
    from tests.outils import connecter

    setup_test_environment()  # the pages' context for the client; e-mails kept in memory
    call_command("migrate", verbosity=0)
    call_command("charger_referentiels", stdout=io.StringIO())
    print(f"Base : {connection.vendor} ({connection.settings_dict['NAME']})\n")

    # 1. Associations ---------------------------------------------------------------------
    par = gestionnaire("93")
    departement = Departement.objects.get(code="93")
    Association.objects.bulk_create(
        Association(departement=departement, nom=f"Association déjà là n° {n}") for n in range(1000)
    )
    existantes = list(Association.objects.values_list("nom", flat=True))
    print("1. Import des associations (table de 1 000 associations au départ)")
    print(f"{'lignes':>7} {'durée':>9} {'requêtes':>9} {'ajoutées':>9} {'refusées':>9}")
    for graine, taille in enumerate(int(t) for t in args.tailles.split(",")):
        contenu = csv_associations(taille, existantes, graine)
        with CaptureQueriesContext(connection) as requetes:
            t0 = time.perf_counter()
            rapport = importer_associations(par=par, departement=departement, contenu=contenu)
            duree = time.perf_counter() - t0
        print(
            f"{taille:>7} {duree:>8.2f}s {len(requetes):>9} {len(rapport.ajoutees):>9} "
            f"{len(rapport.refusees):>9}"
        )
        Association.objects.exclude(nom__in=existantes).delete()

    # 2. Fiche collecte par les pages -----------------------------------------------------
    client = Client(HTTP_HOST="localhost")
    connecter(client, gestionnaire("93"))
    contenu = fiche_xlsx(args.lignes_fiche)
    print(
        f"\n2. Fiche collecte XLSX de {args.lignes_fiche} lignes ({len(contenu) // 1024} Ko) : "
        "dépôt, aperçus, application"
    )
    print(f"{'requête':<22} {'statut':>6} {'durée':>9} {'pic mémoire':>12}")

    def ligne(libelle, fonction):
        reponse, duree, pic = mesurer(fonction)
        print(f"{libelle:<22} {reponse.status_code:>6} {duree:>8.3f}s {pic:>9.1f} Mo")
        return reponse

    ligne(
        "dépôt",
        lambda: client.post(
            "/gestion/fiche-collecte/",
            {"fichier": SimpleUploadedFile("fiche.xlsx", contenu)},
        ),
    )
    apercu = None
    for n in range(1, args.apercus + 1):
        apercu = ligne(f"aperçu {n}", lambda: client.get("/gestion/fiche-collecte/apercu/"))
    empreinte = apercu.context["empreinte"] if apercu is not None and apercu.context else ""
    ligne(
        "appliquer",
        lambda: client.post("/gestion/fiche-collecte/appliquer/", {"empreinte": empreinte}),
    )

    # 3. La bombe de l'issue ---------------------------------------------------------------
    bombe = bombe_xlsx()
    with zipfile.ZipFile(io.BytesIO(bombe)) as zip_:
        gonflee = sum(m.file_size for m in zip_.infolist())
    print(
        f"\n3. Fiche XLSX de {len(bombe) // 1024} Ko qui gonfle à {gonflee / 1024 / 1024:.0f} Mo "
        "(lire_xlsx)"
    )

    def lire():
        try:
            tableurs.lire_xlsx(bombe, lignes_max=1000)
        except tableurs.FichierIllisible as e:
            return f"refusée : {e.message[:70]}…"
        return "lue"

    issue, duree, pic = mesurer(lire)
    print(f"{issue}\ndurée {duree * 1000:.1f} ms, pic mémoire {pic:.1f} Mo")


if __name__ == "__main__":
    main()
