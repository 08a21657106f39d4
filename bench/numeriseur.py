"""Banc du numériseur industriel (issue 14, « Measure ») de bout en bout, antivirus compris.

Ce que le script mesure :

1. Un lot du numériseur de N pièces (2 000 par défaut) envoyé par
   `POST /api/v1/numeriseur/lots` à un vrai serveur — gunicorn (2 workers × 4 fils, comme
   Procfile.dev), le consommateur Huey (`manage.py run_huey`), PostgreSQL et Redis (le mode de
   production) — et le vrai antivirus : un `clamd` de Debian lancé par le banc sur un socket
   temporaire, avec la base de signatures de test du projet (`sne/pieces/clamav/sne-test.hdb`,
   une seule signature : EICAR). Puis `GET /api/v1/numeriseur/lots/{id}` toutes les 0,5 s
   jusqu'à « termine ». Les pièces : des PDF de 1 à 20 pages (pages numérisées en JPEG
   niveaux de gris, 100 à 150 points par pouce ; les PDF courts sont les plus fréquents, poids
   1/k^1,5) et des JPEG de tailles variées (de la pièce numérisée à la photo de téléphone de
   12 mégapixels, réduite à 3 500 pixels par le contrôle), quelques Mo au plus, toutes
   distinctes, rangées sur N/4 demandes enregistrées par deux guichets (75NUM, qui envoie le
   lot, et 93NUM). `--defectueuses` (2 %) sont défectueuses, à parts égales : numéro unique
   inconnu, type mensonger (un programme Windows nommé « .pdf »), PDF illisible, fichier trop
   gros (plus de 10 Mo), virus (un PDF valide dont le contenu de la page est le fichier de
   test EICAR : clamd l'y trouve avec la seule signature de test).
2. Le téléchargement d'une pièce à travers le contrôle des droits :
   `GET /api/v1/pieces/{uid}/fichier` (périmètre du guichet, lecture du fichier, entrée
   d'audit) sur `--appels` pièces tirées au hasard, comparé, dans le même passage (appels
   alternés, une connexion HTTP gardée ouverte par série), à la recherche exacte
   `GET /api/v1/demandes/{numero}` et au refus (403 + entrée d'audit « accès refusé ») du
   même fichier pour le jeton d'un guichet sans droit (13NUM).

Il imprime : le lot (taille, pièces, génération), la durée de l'envoi (202), le débit de bout
en bout (pièces/s, de l'envoi à « termine ») et par tranche de 500 pièces, le processeur par
pièce (consommateur Huey, clamd, sessions PostgreSQL), la mémoire maximale (VmHWM) du
consommateur Huey, de clamd et des workers gunicorn, les rejets par raison comparés aux
défectueuses générées, les pièces en base (SQL), les e-mails envoyés (fichiers du backend de
courriel), puis p50/p95/p99/max des trois séries d'appels.

Base : PostgreSQL sur 127.0.0.1:5432 (utilisateur postgres), base `sne_bench_numeriseur`
supprimée et recréée (`--base NOM`), migrée et chargée avec `charger_referentiels` (non
mesuré). Redis : un `redis-server` lancé par le banc sur un port libre, sans persistance
(`--sans-redis` : SqliteHuey, le mode embarqué). Fichiers (lot, pièces, courriels, socket de
clamd) dans un répertoire temporaire effacé à la fin.

Lancement depuis la racine du projet :

    .venv/bin/python bench/numeriseur.py [--pieces 2000] [--defectueuses 0.02] [--graine N]
    .venv/bin/python bench/numeriseur.py --clamd "ScanImageFuzzyHash no"   # une ligne de plus
                                                                           # dans clamd.conf
"""

import argparse
import http.client
import io
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

from contexte import charge, decrire_code
from lots import (
    PYTHON,
    RACINE,
    URL_SERVEUR,
    CpuPostgres,
    attendre_port,
    descendants,
    memoire_max_ko,
    port_libre,
    preparer_postgresql,
    temps_cpu_s,
)

EXPEDITEUR, AUTRE_GUICHET, SANS_DROIT = "75NUM", "93NUM", "13NUM"
PIECES_PAR_DEMANDE = 4
# The defective pièces, in equal shares, and the reason each must get.
DEFAUTS = {
    "numero_inconnu": "numero_inconnu",
    "type_mensonger": "type_non_accepte",
    "pdf_illisible": "fichier_illisible",
    "trop_gros": "fichier_trop_gros",
    "virus": "virus",
}
TYPES = (
    "identite",
    "avis_imposition",
    "ressources",
    "situation_familiale",
    "situation_professionnelle",
    "logement_actuel",
)
# Written in two halves, like tests/pieces/fichiers.py, so that no antivirus quarantines this file.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


# --- The pièces ----------------------------------------------------------------------------------


def page_numerisee(rng: random.Random, points_par_pouce: int) -> bytes:
    """An A4 page as a scanner gives it: lines of « text », a little noise, JPEG grey."""
    from PIL import Image, ImageChops, ImageDraw

    largeur, hauteur = round(8.27 * points_par_pouce), round(11.69 * points_par_pouce)
    image = Image.new("L", (largeur, hauteur), 245)
    dessin = ImageDraw.Draw(image)
    y = int(hauteur * 0.08)
    while y < hauteur * 0.9:
        x, fin = int(largeur * 0.08), int(largeur * rng.uniform(0.4, 0.92))
        while x < fin:
            mot = rng.randint(largeur // 60, largeur // 12)
            dessin.rectangle(
                [x, y, min(x + mot, fin), y + hauteur // 130], fill=rng.randint(20, 90)
            )
            x += mot + largeur // 80
        y += int(hauteur / 45 * rng.uniform(0.9, 1.8))
    bruit = Image.effect_noise((largeur, hauteur), rng.choice((2, 4, 6)))
    image = ImageChops.multiply(image, bruit.point(lambda v: 255 - abs(v - 128) // 3))
    sortie = io.BytesIO()
    image.save(sortie, format="JPEG", quality=rng.choice((55, 65, 75)))
    return sortie.getvalue()


def pdf_de_pages(pages: list[tuple[bytes, int]], identifiant: str) -> bytes:
    """A PDF whose pages each show one JPEG (DCTDecode, as scanners write them), its
    `/Title` the identifiant (every file distinct). `pages`: (JPEG, points par pouce)."""
    from PIL import Image

    objets: list[bytes] = [b"", b""]  # 1: catalogue, 2: arbre des pages (écrits à la fin)
    enfants = []
    for jpeg, ppp in pages:
        largeur, hauteur = Image.open(io.BytesIO(jpeg)).size
        image = len(objets) + 1
        objets.append(
            b"<<\n/Type /XObject\n/Subtype /Image\n/Width %d\n/Height %d\n/ColorSpace /DeviceGray"
            b"\n/BitsPerComponent 8\n/Filter /DCTDecode\n/Length %d\n>>\nstream\n%s\nendstream"
            % (largeur, hauteur, len(jpeg), jpeg)
        )
        l_pt, h_pt = largeur * 72 // ppp, hauteur * 72 // ppp
        contenu = b"q %d 0 0 %d 0 0 cm /Im0 Do Q" % (l_pt, h_pt)
        objets.append(_flux(contenu))
        objets.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /XObject "
            b"<< /Im0 %d 0 R >> >> /Contents %d 0 R >>" % (l_pt, h_pt, image, image + 1)
        )
        enfants.append(b"%d 0 R" % len(objets))
    objets[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objets[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(enfants), len(enfants))
    objets.append(b"<< /Title (%s) /Producer (banc du numeriseur) >>" % identifiant.encode())
    return _ecrire_pdf(objets, info=len(objets))


def pdf_virus(identifiant: str) -> bytes:
    """A valid one-page PDF whose page content is the EICAR test file: the content check
    accepts it, clamd finds the test signature in the stream."""
    objets = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        _flux(EICAR),
        b"<< /Title (%s) >>" % identifiant.encode(),
    ]
    return _ecrire_pdf(objets, info=5)


def _flux(contenu: bytes) -> bytes:
    # The dictionary on several lines, as most PDF writers do: clamd's PDF parser extracts the
    # stream of « <<\n/Length n\n>> » (not of « << /Length n >> » on one line, as tried).
    return b"<<\n/Length %d\n>>\nstream\n%s\nendstream" % (len(contenu), contenu)


def _ecrire_pdf(objets: list[bytes], info: int) -> bytes:
    sortie = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    positions = []
    for numero, objet in enumerate(objets, start=1):
        positions.append(len(sortie))
        sortie += b"%d 0 obj\n%s\nendobj\n" % (numero, objet)
    xref = len(sortie)
    sortie += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objets) + 1)
    sortie += b"".join(b"%010d 00000 n \n" % p for p in positions)
    sortie += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objets) + 1,
        info,
        xref,
    )
    return bytes(sortie)


def photo(rng: random.Random, largeur: int, hauteur: int, identifiant: str) -> bytes:
    """A colour photo (a phone's picture of a document): smooth shapes, grain, a mark that
    makes it distinct."""
    from PIL import Image, ImageChops, ImageDraw

    fond = Image.effect_noise((max(largeur // 40, 8), max(hauteur // 40, 8)), 60)
    fond = fond.resize((largeur, hauteur), Image.Resampling.BILINEAR)
    image = Image.merge(
        "RGB", [fond, fond.transpose(Image.Transpose.ROTATE_180), fond.point(lambda v: v // 2)]
    )
    grain = Image.effect_noise((largeur, hauteur), rng.choice((3, 6))).convert("RGB")
    image = ImageChops.add(image, grain, offset=-128)
    ImageDraw.Draw(image).text((20, 20), identifiant, fill=(255, 255, 255))
    sortie = io.BytesIO()
    image.save(sortie, format="JPEG", quality=rng.choice((75, 85, 92)))
    return sortie.getvalue()


def jpeg_numerise(rng: random.Random, pool: list[bytes], identifiant: str) -> bytes:
    """A scanned page saved as JPEG, made distinct by a mark."""
    from PIL import Image, ImageDraw

    image = Image.open(io.BytesIO(rng.choice(pool)))
    image.load()
    ImageDraw.Draw(image).text((10, 10), identifiant, fill=0)
    sortie = io.BytesIO()
    image.save(sortie, format="JPEG", quality=75)
    return sortie.getvalue()


def defaut(nature: str, rng: random.Random, pool: list[bytes], identifiant: str) -> bytes:
    if nature == "type_mensonger":
        # A Windows program named « .pdf »: refused by its first bytes.
        return b"MZ\x90\x00\x03\x00\x00\x00" + rng.randbytes(rng.randint(20_000, 200_000))
    if nature == "pdf_illisible":
        # Begins like a PDF, then the transfer was cut and garbled.
        bon = pdf_de_pages([(rng.choice(pool), 100)], identifiant)
        return bon[: len(bon) // 3] + rng.randbytes(5_000)
    if nature == "trop_gros":
        # Over 10 Mo once inflated, refused on its declared size before being read; repeated
        # so that it compresses and the lot stays under the 500 Mio of a lot.
        bloc = rng.randbytes(16_384)
        return b"%PDF-1.4\n" + bloc * rng.randint(650, 730)
    if nature == "virus":
        return pdf_virus(identifiant)
    return pdf_de_pages([(rng.choice(pool), 100)], identifiant)  # numero_inconnu: a good PDF


def ecrire_lot(chemin: Path, numeros: list[str], pieces: int, taux: float, graine: int) -> dict:
    """The ZIP of the lot and its manifest; returns what was generated: defective pièces by
    expected reason, PDF/JPEG counts, pages."""
    rng = random.Random(graine)
    pool = [page_numerisee(rng, ppp) for ppp in (100, 100, 100, 100, 150, 150) for _ in range(4)]
    natures = list(DEFAUTS)
    defectueuses = round(pieces * taux)
    rangs_defectueux = set(rng.sample(range(pieces), defectueuses))
    poids_pages = [1 / k**1.5 for k in range(1, 21)]
    attendus, genres = Counter(), Counter()
    pages_total = 0
    lignes = ["numero_unique;type;fichier;personne"]
    with zipfile.ZipFile(chemin, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        n_defaut = 0
        for k in range(pieces):
            identifiant = f"banc-{graine}-{k:05d}"
            numero = numeros[k // PIECES_PAR_DEMANDE % len(numeros)]
            type_ = rng.choice(TYPES)
            personne = "demandeur" if type_ == "identite" else ""
            if k in rangs_defectueux:
                nature = natures[n_defaut % len(natures)]
                n_defaut += 1
                contenu = defaut(nature, rng, pool, identifiant)
                nom = f"pieces/{k:05d}.pdf"
                if nature == "numero_inconnu":
                    # Well formed, never issued: the sequence of an existing one, far ahead.
                    numero = f"{numero[:7]}{900000 + k:06d}{numero[13:]}"
                attendus[DEFAUTS[nature]] += 1
                genres["défectueuse"] += 1
            elif rng.random() < 0.55:
                pages = rng.choices(range(1, 21), weights=poids_pages)[0]
                ppp = rng.choice((100, 100, 150))
                # Each page distinct (clamd keeps the verdict of a content it has seen).
                pages_ppp = pool[:16] if ppp == 100 else pool[16:]
                contenu = pdf_de_pages(
                    [
                        (jpeg_numerise(rng, pages_ppp, f"{identifiant}-{n}"), ppp)
                        for n in range(pages)
                    ],
                    identifiant,
                )
                nom, genres["PDF"] = f"pieces/{k:05d}.pdf", genres["PDF"] + 1
                pages_total += pages
            else:
                tirage = rng.random()
                if tirage < 0.03:  # a phone's photo, reduced by the check (over 3,500 pixels)
                    contenu = photo(rng, 4000, 3000, identifiant)
                elif tirage < 0.18:
                    largeur = rng.randint(600, 2000)
                    contenu = photo(rng, largeur, largeur * 4 // 3, identifiant)
                else:
                    contenu = jpeg_numerise(rng, pool, identifiant)
                nom, genres["JPEG"] = f"pieces/{k:05d}.jpg", genres["JPEG"] + 1
            archive.writestr(nom, contenu)
            genres["octets"] += len(contenu)
            genres["max"] = max(genres["max"], len(contenu) if k not in rangs_defectueux else 0)
            lignes.append(f"{numero};{type_};{nom};{personne}")
        archive.writestr("manifeste.csv", ("\n".join(lignes) + "\n").encode())
    return {"attendus": attendus, "genres": genres, "pages": pages_total}


# --- The registry --------------------------------------------------------------------------------


def initialiser_django() -> None:
    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sne.settings")
    import django

    django.setup()
    from sne.demandes.signaux import demande_enregistree

    # The demandes are the bench's setting, not its measure: no attestation e-mails.
    demande_enregistree.disconnect(dispatch_uid="attestation_d_enregistrement")


def preparer_registre(demandes: int, graine: int) -> tuple[str, str, list[str]]:
    """Migrations, référentiels, the desks 75NUM (sends the lot; habilitated on 75 and 93),
    93NUM (registers the demandes of 93) and 13NUM (no right on them), each with an e-mail;
    `demandes` demandes; the tokens of 75NUM and 13NUM."""
    from django.core.management import call_command
    from django.db import connection
    from enregistrement import generer_donnees

    from sne.comptes.jetons import creer_jeton
    from sne.demandes.services import enregistrer_demande
    from sne.referentiels.chargement import charger_referentiels
    from tests.factories import GuichetFactory, agent

    call_command("migrate", verbosity=0)
    charger_referentiels()
    expediteur = GuichetFactory(
        code=EXPEDITEUR,
        nom="Guichet du banc du numériseur",
        departements=["75", "93"],
        email="numeriseur@banc.example.fr",
    )
    autre = GuichetFactory(
        code=AUTRE_GUICHET,
        nom="Mairie du banc",
        departements=["93"],
        email="mairie@banc.example.fr",
    )
    sans_droit = GuichetFactory(code=SANS_DROIT, nom="Guichet sans droit", departements=["13"])
    agents = {expediteur.pk: agent(expediteur), autre.pk: agent(autre)}
    numeros = []
    for donnees in generer_donnees(graine, 0, demandes):
        guichet = autre if donnees["departement"] == "93" and len(numeros) % 2 else expediteur
        numeros.append(enregistrer_demande(guichet, agents[guichet.pk], donnees).numero_unique)
    _, jeton = creer_jeton(expediteur, libelle="Banc du numériseur")
    _, jeton_sans_droit = creer_jeton(sans_droit, libelle="Banc du numériseur, sans droit")
    connection.close()
    return jeton, jeton_sans_droit, numeros


def demarrer_clamd(antivirus, dossier: Path, lignes: list[str]):
    """`antivirus.demarrer_clamd`, the configuration of the project with `lignes` added."""
    configuration = antivirus.configuration

    def configuration_du_banc(d, bases=antivirus.BASES_DE_TEST):
        fichier = configuration(d, bases)
        fichier.write_text(fichier.read_text() + "".join(f"{ligne}\n" for ligne in lignes))
        return fichier

    antivirus.configuration = configuration_du_banc
    try:
        return antivirus.demarrer_clamd(dossier)
    finally:
        antivirus.configuration = configuration


# --- HTTP -----------------------------------------------------------------------------------------


def requete(port, methode, chemin, jeton, corps=None, entetes=None, cnx=None):
    propre = cnx is None
    cnx = cnx or http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        cnx.request(
            methode,
            chemin,
            body=corps,
            headers={"Authorization": f"Bearer {jeton}", **(entetes or {})},
        )
        reponse = cnx.getresponse()
        return reponse.status, dict(reponse.getheaders()), reponse.read()
    finally:
        if propre:
            cnx.close()


def centile(valeurs_triees: list[float], q: float) -> float:
    """Centile au rang le plus proche (valeurs déjà triées)."""
    if not valeurs_triees:
        return float("nan")
    return valeurs_triees[max(1, math.ceil(q / 100 * len(valeurs_triees))) - 1]


def latences(titre: str, durees_ms: list[float], statuts: Counter) -> None:
    d = sorted(durees_ms)
    print(
        f"  {titre} : {len(d)} appels, statuts {dict(statuts)} — p50 {centile(d, 50):.1f} ms, "
        f"p95 {centile(d, 95):.1f} ms, p99 {centile(d, 99):.1f} ms, max {d[-1]:.1f} ms"
    )


def mesurer_lectures(port, jeton, jeton_sans_droit, pieces, numeros, appels, graine) -> None:
    """Alternated calls, each series on its own kept-alive connection: the download of a pièce
    (rights, file, audit), the exact search by numéro, the refused download (403, audit)."""
    rng = random.Random(graine + 1)
    series = {
        "fichier": ([], Counter(), jeton),
        "demande": ([], Counter(), jeton),
        "refus": ([], Counter(), jeton_sans_droit),
    }
    connexions = {nom: http.client.HTTPConnection("127.0.0.1", port, timeout=60) for nom in series}
    octets = 0
    try:
        for _ in range(appels):
            uid, taille = rng.choice(pieces)
            chemins = {
                "fichier": f"/api/v1/pieces/{uid}/fichier",
                "demande": f"/api/v1/demandes/{rng.choice(numeros)}",
                "refus": f"/api/v1/pieces/{uid}/fichier",
            }
            for nom, (durees, statuts, cle) in series.items():
                t0 = time.perf_counter()
                statut, _, corps = requete(port, "GET", chemins[nom], cle, cnx=connexions[nom])
                durees.append((time.perf_counter() - t0) * 1000)
                statuts[statut] += 1
                if nom == "fichier":
                    octets += len(corps)
                    if statut == 200 and len(corps) != taille:
                        raise SystemExit(f"pièce {uid} : {len(corps)} octets lus, {taille} gardés")
    finally:
        for cnx in connexions.values():
            cnx.close()
    print(
        f"\nLectures ({appels} de chaque, alternées, un client, connexion gardée ouverte ; "
        f"fichiers de {octets / max(appels, 1) / 1024:.0f} Kio en moyenne) :"
    )
    latences("GET /api/v1/pieces/{uid}/fichier (droits, fichier, audit)", *series["fichier"][:2])
    latences("GET /api/v1/demandes/{numero} (recherche exacte)     ", *series["demande"][:2])
    latences("GET /api/v1/pieces/{uid}/fichier hors périmètre (403) ", *series["refus"][:2])
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "SELECT action, count(*) FROM audit_evenementaudit WHERE action IN "
            "('telechargement', 'acces_refuse') GROUP BY action"
        )
        print(f"  Entrées d'audit écrites : {dict(c.fetchall())}")


def compter_courriels(dossier: Path) -> int:
    if not dossier.exists():
        return 0
    return sum(
        f.read_text(errors="replace").count("\nSubject: ") for f in dossier.iterdir() if f.is_file()
    )


# --- The run ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pieces", type=int, default=2000)
    parser.add_argument("--defectueuses", type=float, default=0.02, help="part des pièces")
    parser.add_argument("--graine", type=int, default=20261201)
    parser.add_argument("--base", default="sne_bench_numeriseur")
    parser.add_argument("--sans-redis", action="store_true")
    parser.add_argument("--appels", type=int, default=300, help="lectures de chaque série")
    parser.add_argument(
        "--clamd",
        action="append",
        default=[],
        metavar="LIGNE",
        help="une ligne de plus dans clamd.conf, par ex. « ScanImageFuzzyHash no »",
    )
    args = parser.parse_args()

    print(f"Banc du numériseur — code {decrire_code()} — {charge()} — {os.cpu_count()} cœurs")
    temporaire = Path(tempfile.mkdtemp(prefix="sne-banc-numeriseur-"))
    processus: list[subprocess.Popen] = []
    try:
        preparer_postgresql(args.base)
        dossier_clamd = temporaire / "clamav"
        env = {
            **os.environ,
            "DATABASE_URL": f"{URL_SERVEUR}/{args.base}",
            "SNE_DATA_DIR": str(temporaire),
            "SNE_CLAMAV": f"unix:{dossier_clamd / 'clamd.sock'}",
            "DJANGO_SETTINGS_MODULE": "sne.settings",
            "SECRET_KEY": "banc-du-numeriseur",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DEBUG": "0",
            "SNE_PRODUCTION": "0",  # plain HTTP on 127.0.0.1, no HTTPS redirection
            "SNE_API_REQUETES_PAR_FENETRE": "100000",
            "EMAIL_URL": "",  # the file backend: SNE_DATA_DIR/mails
        }
        if not args.sans_redis:
            port_redis = port_libre()
            processus.append(
                subprocess.Popen(
                    [
                        *("redis-server", "--port", str(port_redis), "--save", ""),
                        *("--appendonly", "no", "--bind", "127.0.0.1"),
                    ],
                    stdout=subprocess.DEVNULL,
                )
            )
            attendre_port(port_redis)
            env["REDIS_URL"] = f"redis://127.0.0.1:{port_redis}/0"
        os.environ.update(env)
        initialiser_django()
        from sne.pieces import antivirus

        t0 = time.perf_counter()
        clamd = demarrer_clamd(antivirus, dossier_clamd, args.clamd)
        processus.append(clamd)
        print(
            f"clamd prêt en {time.perf_counter() - t0:.1f} s (signatures : sne-test.hdb ; "
            f"options ajoutées : {args.clamd or 'aucune'})"
        )

        t0 = time.perf_counter()
        demandes = max(1, math.ceil(args.pieces / PIECES_PAR_DEMANDE))
        jeton, jeton_sans_droit, numeros = preparer_registre(demandes, args.graine)
        print(
            f"Base migrée, référentiels chargés, {demandes} demandes enregistrées en "
            f"{time.perf_counter() - t0:.0f} s"
        )

        chemin_lot = temporaire / "lot.zip"
        t0 = time.perf_counter()
        genere = ecrire_lot(chemin_lot, numeros, args.pieces, args.defectueuses, args.graine)
        taille = chemin_lot.stat().st_size
        g = genere["genres"]
        print(
            f"Lot de {args.pieces} pièces ({g['PDF']} PDF, {genere['pages']} pages ; "
            f"{g['JPEG']} JPEG ; {g['défectueuse']} défectueuses), "
            f"{g['octets'] / 2**20:.0f} Mio de fichiers (bonne pièce la plus grosse : "
            f"{g['max'] / 2**20:.1f} Mio), ZIP de {taille / 2**20:.0f} Mio, généré en "
            f"{time.perf_counter() - t0:.0f} s"
        )
        mails = temporaire / "mails"
        if compter_courriels(mails):
            raise SystemExit("des courriels avant le lot : le compte serait faux")

        port = port_libre()
        journal = open(temporaire / "serveurs.log", "wb")  # noqa: SIM115
        web = subprocess.Popen(
            [
                *(str(RACINE / ".venv/bin/gunicorn"), "sne.wsgi", "--bind", f"127.0.0.1:{port}"),
                *("--workers", "2", "--threads", "4", "--timeout", "600"),
            ],
            cwd=RACINE,
            env=env,
            stdout=journal,
            stderr=journal,
        )
        processus.append(web)
        consommateur = subprocess.Popen(
            [PYTHON, "manage.py", "run_huey", "--workers", "1", "--worker-type", "thread"],
            cwd=RACINE,
            env=env,
            stdout=journal,
            stderr=journal,
        )
        processus.append(consommateur)
        attendre_port(port)
        for _ in range(8):
            requete(port, "GET", "/api/v1/moi", jeton)
        time.sleep(2)
        print(
            "Serveur : gunicorn 2 workers × 4 fils ; Huey : 1 worker thread, "
            f"{'SqliteHuey' if args.sans_redis else 'RedisHuey'} ; clamd MaxThreads 4"
        )

        def cpu_de(pid):
            return sum(temps_cpu_s(p) for p in [pid, *descendants(pid)])

        cpu_pg = CpuPostgres(args.base)
        cpu_huey, cpu_clamd = cpu_de(consommateur.pid), temps_cpu_s(clamd.pid)
        cpu_pg.demarrer()
        debut = time.perf_counter()
        with open(chemin_lot, "rb") as f:
            statut, entetes, corps = requete(
                port,
                "POST",
                "/api/v1/numeriseur/lots",
                jeton,
                corps=f,
                entetes={"Content-Type": "application/zip", "Content-Length": str(taille)},
            )
        recu = time.perf_counter()
        if statut != 202:
            raise SystemExit(f"POST /api/v1/numeriseur/lots → {statut} {corps[:300]!r}")
        lot = json.loads(corps)
        assert entetes.get("Location") == f"/api/v1/numeriseur/lots/{lot['id']}", entetes
        print(
            f"Envoi ({taille / 2**20:.0f} Mio en flux → fichier, manifeste lu) : "
            f"{recu - debut:.2f} s → 202"
        )

        progression, pic_huey, pic_clamd = [], 0, 0
        while True:
            time.sleep(0.5)
            pic_huey = max([pic_huey] + [memoire_max_ko(p) for p in [consommateur.pid]])
            pic_clamd = max(pic_clamd, memoire_max_ko(clamd.pid))
            _, _, corps = requete(
                port, "GET", f"/api/v1/numeriseur/lots/{lot['id']}?limite=1", jeton
            )
            etat = json.loads(corps)
            progression.append((time.perf_counter() - debut, etat["attachees"] + etat["rejetees"]))
            if etat["etat"] in ("termine", "echoue"):
                break
            if consommateur.poll() is not None:
                raise SystemExit("le consommateur Huey s'est arrêté")
        fin = time.perf_counter()
        duree = fin - debut
        cpu_huey = cpu_de(consommateur.pid) - cpu_huey
        cpu_clamd = temps_cpu_s(clamd.pid) - cpu_clamd
        cpu_postgres = cpu_pg.arreter()
        total = etat["total"]
        print(
            f"\nLot {etat['etat']} : {etat['attachees']} attachées + {etat['rejetees']} rejetées "
            f"/ {total} en {duree:.1f} s → **{total / duree:.1f} pièces/s de bout en bout** "
            f"(traitement seul : {total / (fin - recu):.1f} pièces/s ; "
            f"{g['octets'] / 2**20 / duree:.1f} Mio/s)"
        )
        print(
            f"Processeur par pièce : consommateur Huey (Python) {cpu_huey / total * 1000:.0f} ms, "
            f"clamd {cpu_clamd / total * 1000:.0f} ms, sessions PostgreSQL "
            f"{cpu_postgres / total * 1000:.1f} ms (le lot est traité par une seule tâche, "
            "pièce après pièce)"
        )
        pas = 500 if total >= 2000 else max(10, total // 4)
        marques, precedent, tranches = {}, (0.0, 0), []
        for t, n in progression:
            for palier in range(pas, total + 1, pas):
                if n >= palier and palier not in marques:
                    marques[palier] = t
        for palier, t in sorted(marques.items()):
            tranches.append(f"{palier}: {(palier - precedent[1]) / (t - precedent[0]):.1f}/s")
            precedent = (t, palier)
        print(f"Débit par tranche de {pas} pièces : " + ", ".join(tranches))
        pic_web = max((memoire_max_ko(p) for p in descendants(web.pid)), default=0)
        print(
            f"Mémoire maximale (VmHWM) : consommateur Huey {pic_huey / 1024:.0f} Mio, "
            f"clamd {pic_clamd / 1024:.0f} Mio, workers gunicorn {pic_web / 1024:.0f} Mio "
            "(le plus gros)"
        )

        from django.db import connection

        with connection.cursor() as c:
            c.execute(
                "SELECT code, count(*) FROM pieces_lignenumeriseur WHERE lot_id = %s "
                "AND resultat = 'rejetee' GROUP BY code",
                [lot["id"]],
            )
            obtenus = Counter(dict(c.fetchall()))
            c.execute("SELECT count(*), coalesce(sum(taille), 0) FROM pieces_piece")
            en_base, octets_gardes = c.fetchone()
            c.execute("SELECT statut, count(*) FROM pieces_piece GROUP BY statut")
            statuts = dict(c.fetchall())
            c.execute("SELECT uid, taille FROM pieces_piece WHERE statut = 'recue'")
            pieces = [(str(uid), t) for uid, t in c.fetchall()]
            # One e-mail per desk concerned: the demande's registering desk, else the sender.
            c.execute(
                "SELECT count(DISTINCT coalesce(d.guichet_enregistreur_id, l.guichet_id)) "
                "FROM pieces_lignenumeriseur r JOIN pieces_lotnumeriseur l ON l.id = r.lot_id "
                "LEFT JOIN demandes_demande d ON d.id = r.demande_id "
                "WHERE r.lot_id = %s AND r.resultat = 'rejetee'",
                [lot["id"]],
            )
            courriels_attendus = c.fetchone()[0]
        attendus = genere["attendus"]
        print(
            f"Rejets par raison : {dict(sorted(obtenus.items()))} ; défectueuses générées : "
            f"{dict(sorted(attendus.items()))} → "
            + ("identiques" if obtenus == attendus else "**DIFFÉRENTS**")
        )
        print(
            f"Pièces en base (SQL) : {en_base} ({statuts}), {octets_gardes / 2**20:.0f} Mio "
            f"gardés ; attendu : {total - sum(attendus.values())}"
        )
        attente = time.monotonic() + 60
        while compter_courriels(mails) < courriels_attendus and time.monotonic() < attente:
            time.sleep(0.5)
        time.sleep(1)
        print(
            f"E-mails envoyés : {compter_courriels(mails)} ; attendus : {courriels_attendus} (un "
            f"par guichet concerné : {EXPEDITEUR} pour ses demandes et les numéros inconnus, "
            f"{AUTRE_GUICHET} pour les siennes)"
        )

        if pieces:
            mesurer_lectures(
                port, jeton, jeton_sans_droit, pieces, numeros, args.appels, args.graine
            )
        print(f"\n{charge()}")
    finally:
        for p in reversed(processus):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
        shutil.rmtree(temporaire, ignore_errors=True)


if __name__ == "__main__":
    main()
