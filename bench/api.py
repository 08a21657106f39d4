"""Banc de l'API : des enregistrements HTTP concurrents contre un vrai serveur (gunicorn,
PostgreSQL), comparés au débit de `GET /api/v1/sante` du même serveur (issue 10).

Ce que le script mesure, de bout en bout (HTTP, gunicorn, Django, base) :

1. `POST /api/v1/demandes` pendant `--duree` secondes (60) par `--clients` clients (32) : un fil
   par client, chacun avec sa connexion HTTP/1.1 gardée ouverte (`http.client`), chaque corps
   distinct et valide — nom, prénom et date de naissance propres (aucune suspicion de doublon
   attendue), une `reference_externe` et une clé `Idempotency-Key` uniques. Débit (requêtes/s),
   latence p50/p95/p99/max des réponses, nombre de 5xx (0 attendu), réponses autres que 201
   par statut (avec le premier `code` de chacune), puis numéros uniques en double : parmi ceux
   rendus, et dans la base (SQL `GROUP BY numero_unique HAVING count(*) > 1`), 0 attendu.
2. `GET /api/v1/sante` par les mêmes clients pendant la même durée : débit et latences.
3. Le rapport des deux débits (objectif ≥ 0,5).

Avec `--profil N` (par défaut 20), N enregistrements de plus sont faits dans le processus du
banc (client de test Django, même base) pour dire où passe le temps d'un enregistrement :
requêtes SQL par enregistrement (les plus fréquentes), et les fonctions du projet les plus
coûteuses (cProfile).

Sans `--url`, le banc prépare tout : base PostgreSQL `sne_bench_api` (ou `--base`) supprimée
et recréée, migrée, référentiels et démonstration (`seed_demo`), jeton du guichet de démonstration
75BA1 (`jeton_api 75BA1`), puis gunicorn (`--workers` processus × `--threads` fils, gthread,
connexions gardées ouvertes) sur 127.0.0.1 ; Huey et le cache (la limite de débit par jeton) sur
Redis (`--redis`, base 13 vidée au début) comme en production, si Redis répond. Aucun worker
Huey ne tourne : les attestations attendent dans la file, hors de la mesure (leur envoi est
mesuré par bench/enregistrement.py). La limite de débit par jeton est relevée
(`SNE_API_REQUETES_PAR_FENETRE`) : le banc mesure l'enregistrement, pas le refus.

Avec `--url` (un serveur déjà lancé), il faut `--jeton` ; les doublons en base ne sont comptés
que si `DATABASE_URL` désigne la base de ce serveur.

Lancement depuis la racine du projet :

    .venv/bin/python bench/api.py                       # ~5 min (préparation ~1 min)
    .venv/bin/python bench/api.py --duree 20 --clients 8 --workers 2
    .venv/bin/python bench/api.py --url http://127.0.0.1:8000 --jeton "$JETON"
"""

import argparse
import cProfile
import http.client
import io
import itertools
import json
import math
import os
import pstats
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from contexte import charge, decrire_code

RACINE = Path(__file__).resolve().parent.parent
PYTHON = RACINE / ".venv" / "bin" / "python"
GUNICORN = RACINE / ".venv" / "bin" / "gunicorn"
URL_SERVEUR_PG = "postgres://postgres@127.0.0.1:5432"
BASE_BANC = "sne_bench_api"
REDIS_BANC = "redis://127.0.0.1:6379/13"
GUICHET = "75BA1"
NAISSANCE_MIN = date(1930, 1, 1)
JOURS_NAISSANCE = 26_000  # jusqu'en 2001 : une date de naissance par enregistrement
PRENOMS = [
    "Élodie",
    "Karim",
    "Inès",
    "Jean",
    "Fatou",
    "Léa",
    "Hugo",
    "Chloé",
    "Mamadou",
    "Sofia",
    "Lucas",
    "Yasmine",
    "Paul",
    "Camille",
    "Nathan",
    "Aïcha",
    "Théo",
    "Manon",
    "Louis",
    "Zoé",
    "Hamza",
    "Emma",
    "Jules",
    "Lina",
    "Malo",
    "Rose",
    "Adam",
    "Jade",
    "Noah",
    "Sarah",
]
SYLLABES = [
    "ba",
    "be",
    "bi",
    "bo",
    "bu",
    "da",
    "de",
    "di",
    "do",
    "du",
    "fa",
    "fe",
    "fi",
    "fo",
    "fu",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
    "ni",
]


# ---------------------------------------------------------------------------------------------
# Préparation (sans --url)
# ---------------------------------------------------------------------------------------------


def redis_repond(url: str) -> bool:
    parties = urlsplit(url)
    try:
        with socket.create_connection((parties.hostname, parties.port or 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def vider_redis(url: str) -> None:
    parties = urlsplit(url)
    numero = (parties.path or "/0").lstrip("/") or "0"
    with socket.create_connection((parties.hostname, parties.port or 6379), timeout=2) as s:
        s.sendall(f"SELECT {numero}\r\nFLUSHDB\r\n".encode())
        s.recv(64)


def preparer_base(base: str) -> str:
    import psycopg

    with psycopg.connect(f"{URL_SERVEUR_PG}/postgres", autocommit=True) as cnx:
        cnx.execute(f'DROP DATABASE IF EXISTS "{base}" WITH (FORCE)')
        cnx.execute(f'CREATE DATABASE "{base}"')
    return f"{URL_SERVEUR_PG}/{base}"


def manage(env: dict, *arguments: str) -> str:
    resultat = subprocess.run(
        [str(PYTHON), "manage.py", *arguments],
        cwd=RACINE,
        env=env,
        capture_output=True,
        text=True,
    )
    if resultat.returncode != 0:
        sys.exit(f"manage.py {' '.join(arguments)} a échoué :\n{resultat.stderr[-3000:]}")
    return resultat.stdout.strip()


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def attendre_le_serveur(url: str, processus, delai_s: float = 60) -> None:
    fin = time.monotonic() + delai_s
    parties = urlsplit(url)
    while time.monotonic() < fin:
        if processus.poll() is not None:
            sys.exit("gunicorn s'est arrêté au démarrage (voir sa sortie ci-dessus).")
        try:
            cnx = http.client.HTTPConnection(parties.hostname, parties.port, timeout=2)
            cnx.request("GET", "/api/v1/sante")
            if cnx.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit(f"Le serveur ne répond pas sur {url} après {delai_s:.0f} s.")


# ---------------------------------------------------------------------------------------------
# Données
# ---------------------------------------------------------------------------------------------


def nom_de(k: int) -> str:
    """Un nom propre à chaque enregistrement, prononçable, sans chiffre (« Bamedilo »)."""
    syllabes = []
    for _ in range(4):
        k, reste = divmod(k, len(SYLLABES))
        syllabes.append(SYLLABES[reste])
    return "".join(syllabes).capitalize()


def corps_de(k: int, session: str) -> dict:
    return {
        "reference_externe": f"BANC-{session}-{k:07d}",
        "departement": "75",
        "demandeur": {
            "civilite": "MME" if k % 2 else "M",
            "nom": nom_de(k),
            "prenom": PRENOMS[k % len(PRENOMS)],
            "date_naissance": (NAISSANCE_MIN + timedelta(days=k % JOURS_NAISSANCE)).isoformat(),
            "piece_identite": {"type": "carte_identite", "numero": f"BANC{k:08d}"},
            "email": f"banc.{session}.{k}@example.org",
            "adresse": {
                "ligne1": f"{k % 200 + 1} rue des Lilas",
                "code_postal": "75020",
                "commune": "Paris",
            },
            "situation_familiale": "celibataire",
        },
        "deja_locataire_hlm": False,
        "ressources": {"revenu_fiscal_reference": 12_000 + k % 30_000, "annee_revenus": 2025},
        "motifs": ["logement_trop_petit"],
        "souhaits": {"communes": ["75120", "75119"], "typologies": ["T2", "T3"]},
    }


# ---------------------------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------------------------


@dataclass
class Mesure:
    durees_ms: list[float] = field(default_factory=list)
    statuts: Counter = field(default_factory=Counter)
    codes: dict = field(default_factory=dict)  # statut → premier `code` de problème vu
    numeros: list[str] = field(default_factory=list)
    erreurs_reseau: Counter = field(default_factory=Counter)

    def ajouter(self, autre: "Mesure") -> None:
        self.durees_ms += autre.durees_ms
        self.statuts.update(autre.statuts)
        for statut, code in autre.codes.items():
            self.codes.setdefault(statut, code)
        self.numeros += autre.numeros
        self.erreurs_reseau.update(autre.erreurs_reseau)


def client(url: str, jeton: str | None, fin: float, depart, requete, mesure: Mesure) -> None:
    """Un client : sa connexion gardée ouverte, des requêtes jusqu'à `fin` ; une connexion
    coupée est rouverte (et comptée)."""
    parties = urlsplit(url)
    cnx = http.client.HTTPConnection(parties.hostname, parties.port, timeout=60)
    entetes_communs = {"Authorization": f"Bearer {jeton}"} if jeton else {}
    depart.wait()
    while time.monotonic() < fin:
        methode, chemin, corps, entetes = requete()
        t0 = time.perf_counter()
        try:
            cnx.request(methode, chemin, body=corps, headers={**entetes_communs, **entetes})
            reponse = cnx.getresponse()
            contenu = reponse.read()
        except (OSError, http.client.HTTPException) as e:
            mesure.erreurs_reseau[type(e).__name__] += 1
            cnx.close()
            cnx = http.client.HTTPConnection(parties.hostname, parties.port, timeout=60)
            continue
        mesure.durees_ms.append((time.perf_counter() - t0) * 1000)
        mesure.statuts[reponse.status] += 1
        if reponse.status == 201:
            mesure.numeros.append(json.loads(contenu)["numero_unique"])
        elif reponse.status >= 300 and reponse.status not in mesure.codes:
            try:
                mesure.codes[reponse.status] = json.loads(contenu).get("code", "?")
            except ValueError:
                mesure.codes[reponse.status] = contenu[:80].decode(errors="replace")
    cnx.close()


def phase(url, jeton, clients: int, duree: float, fabrique) -> tuple[Mesure, float]:
    depart = threading.Event()
    mesures = [Mesure() for _ in range(clients)]
    fin_holder = {}

    def cible(i):
        client(url, jeton, fin_holder["fin"], depart, fabrique, mesures[i])

    fin_holder["fin"] = time.monotonic() + duree + 0.05
    fils = [threading.Thread(target=cible, args=(i,), daemon=True) for i in range(clients)]
    for f in fils:
        f.start()
    t0 = time.perf_counter()
    depart.set()
    for f in fils:
        f.join()
    ecoule = time.perf_counter() - t0
    total = Mesure()
    for m in mesures:
        total.ajouter(m)
    return total, ecoule


def centile(valeurs_triees: list[float], q: float) -> float:
    """Centile au rang le plus proche (valeurs déjà triées)."""
    if not valeurs_triees:
        return float("nan")
    rang = max(1, math.ceil(q / 100 * len(valeurs_triees)))
    return valeurs_triees[rang - 1]


def afficher(titre: str, mesure: Mesure, ecoule: float) -> float:
    durees = sorted(mesure.durees_ms)
    debit = len(durees) / ecoule if ecoule else 0.0
    cinq_cents = sum(n for s, n in mesure.statuts.items() if s >= 500)
    print(f"\n{titre}")
    print(f"  réponses : {len(durees)} en {ecoule:.1f} s → {debit:.1f} requêtes/s")
    print(
        f"  latence : p50 {centile(durees, 50):.0f} ms, p95 {centile(durees, 95):.0f} ms, "
        f"p99 {centile(durees, 99):.0f} ms, max {durees[-1] if durees else float('nan'):.0f} ms"
    )
    statuts = ", ".join(f"{s} × {n}" for s, n in sorted(mesure.statuts.items()))
    print(f"  statuts : {statuts or 'aucun'}")
    for statut, code in sorted(mesure.codes.items()):
        print(f"    {statut} : premier code « {code} »")
    print(f"  5xx : {cinq_cents}")
    if mesure.erreurs_reseau:
        print(f"  erreurs réseau : {dict(mesure.erreurs_reseau)}")
    return debit


# ---------------------------------------------------------------------------------------------
# Contrôles et profil (dans le processus du banc, même base)
# ---------------------------------------------------------------------------------------------


def initialiser_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sne.settings")
    sys.path.insert(0, str(RACINE))
    import django

    django.setup()


def doublons_en_base() -> tuple[int, int]:
    from django.db import connection

    from sne.demandes.models import Demande

    table = Demande._meta.db_table
    with connection.cursor() as curseur:
        curseur.execute(
            f"SELECT count(*) FROM (SELECT numero_unique FROM {table} "
            "GROUP BY numero_unique HAVING count(*) > 1) AS doubles"
        )
        doubles = curseur.fetchone()[0]
        curseur.execute(f"SELECT count(*) FROM {table}")
        total = curseur.fetchone()[0]
    return doubles, total


def profiler(jeton: str, nombre: int, session: str) -> None:
    """`nombre` enregistrements par le client de test Django (toute la pile, sans réseau) :
    requêtes SQL par enregistrement et fonctions du projet les plus coûteuses."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # Comme dans le serveur : l'attestation est mise en file après la validation, pas rendue.
    client_test = Client(HTTP_AUTHORIZATION=f"Bearer {jeton}", HTTP_HOST="localhost")
    base = 9_000_000

    def enregistrer(k):
        return client_test.post(
            "/api/v1/demandes",
            json.dumps(corps_de(base + k, session + "P")),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )

    enregistrer(0)  # index des communes, caches : pas dans le profil
    requetes: Counter = Counter()
    nombres = []
    durees = []
    profil = cProfile.Profile()
    for k in range(1, nombre + 1):
        with CaptureQueriesContext(connection) as capture:
            t0 = time.perf_counter()
            profil.enable()
            reponse = enregistrer(k)
            profil.disable()
            durees.append((time.perf_counter() - t0) * 1000)
        if reponse.status_code != 201:
            print(f"  profil : réponse {reponse.status_code} {reponse.content[:200]!r}")
        nombres.append(len(capture.captured_queries))
        for q in capture.captured_queries:
            sql = q["sql"]
            requetes[" ".join(sql.split())[:110]] += 1
    durees.sort()
    print(f"\nProfil d'un enregistrement ({nombre} enregistrements, client de test, même base)")
    print(
        f"  durée : p50 {centile(durees, 50):.1f} ms, max {durees[-1]:.1f} ms ; requêtes SQL : "
        f"{min(nombres)} à {max(nombres)} par enregistrement (moyenne "
        f"{sum(nombres) / len(nombres):.1f})"
    )
    print("  requêtes les plus fréquentes (par enregistrement) :")
    for sql, n in requetes.most_common(12):
        print(f"    {n / nombre:4.1f} × {sql}")
    tampon = io.StringIO()
    stats = pstats.Stats(profil, stream=tampon).sort_stats("cumulative")
    stats.print_stats(r"sne/|psycopg/cursor|weasyprint|huey", 25)
    print("  fonctions les plus coûteuses (temps cumulé, cProfile) :")
    for ligne in tampon.getvalue().splitlines():
        if ("/sne/" in ligne or "psycopg" in ligne or "huey" in ligne) and "(" in ligne:
            print("   ", ligne.replace(str(RACINE) + "/", "")[:160])


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="un serveur déjà lancé (sinon le banc lance gunicorn)")
    parser.add_argument("--jeton", help="avec --url : le jeton d'un guichet qui enregistre")
    parser.add_argument("--duree", type=float, default=60, help="secondes par phase")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="processus gunicorn")
    parser.add_argument("--threads", type=int, default=4, help="fils par processus gunicorn")
    parser.add_argument("--base", default=BASE_BANC, help="base PostgreSQL recréée")
    parser.add_argument("--redis", default=REDIS_BANC, help="Redis de Huey et du cache")
    parser.add_argument("--sans-redis", action="store_true", help="SqliteHuey, cache fichier")
    parser.add_argument("--echauffement", type=float, default=5, help="secondes non mesurées")
    parser.add_argument("--profil", type=int, default=20, help="enregistrements profilés")
    args = parser.parse_args()

    print(f"Banc de l'API — code {decrire_code()} — {charge()} — {os.cpu_count()} cœurs")
    session = uuid.uuid4().hex[:6].upper()
    serveur = None
    database_url = os.environ.get("DATABASE_URL", "")
    try:
        if args.url:
            if not args.jeton:
                sys.exit("--url demande --jeton (le jeton d'un guichet qui enregistre).")
            url, jeton = args.url.rstrip("/"), args.jeton
        else:
            t0 = time.perf_counter()
            database_url = preparer_base(args.base)
            env = {
                **os.environ,
                "DATABASE_URL": database_url,
                "SNE_DATA_DIR": tempfile.mkdtemp(prefix="sne-banc-api-"),
                "DJANGO_SETTINGS_MODULE": "sne.settings",
                "SNE_API_REQUETES_PAR_FENETRE": "1000000000",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                # Production settings but plain HTTP on 127.0.0.1 (no HTTPS redirect).
                "SNE_PRODUCTION": "0",
                "DEBUG": "0",
                "SECRET_KEY": "cle-du-banc-de-l-api-seulement",
            }
            env.pop("REDIS_URL", None)
            if not args.sans_redis and redis_repond(args.redis):
                vider_redis(args.redis)
                env["REDIS_URL"] = args.redis
            manage(env, "migrate", "--no-input")
            manage(env, "charger_referentiels")
            manage(env, "seed_demo")
            jeton = manage(env, "jeton_api", GUICHET, "--libelle", "Banc de l'API")
            port = port_libre()
            url = f"http://127.0.0.1:{port}"
            serveur = subprocess.Popen(
                [
                    str(GUNICORN),
                    "sne.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(args.workers),
                    "--threads",
                    str(args.threads),
                    "--worker-class",
                    "gthread",
                    "--keep-alive",
                    "75",
                    "--timeout",
                    "120",
                    "--log-level",
                    "warning",
                ],
                cwd=RACINE,
                env=env,
                start_new_session=True,
            )
            attendre_le_serveur(url, serveur)
            os.environ.update(env)  # the profile runs in this process, on the same settings
            files = f"Redis {env['REDIS_URL']}" if "REDIS_URL" in env else "SqliteHuey"
            print(
                f"Préparation : {time.perf_counter() - t0:.0f} s — PostgreSQL {args.base}, "
                f"gunicorn {args.workers} processus × {args.threads} fils (gthread), {files}"
            )
        print(f"Serveur {url} ; {args.clients} clients, {args.duree:.0f} s par phase")

        compteur = itertools.count()

        def enregistrement():
            k = next(compteur)
            corps = json.dumps(corps_de(k, session)).encode()
            return (
                "POST",
                "/api/v1/demandes",
                corps,
                {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())},
            )

        def sante():
            return "GET", "/api/v1/sante", None, {}

        if args.echauffement:
            phase(url, jeton, args.clients, args.echauffement, enregistrement)
        mesure_post, ecoule_post = phase(url, jeton, args.clients, args.duree, enregistrement)
        charge_post = charge()
        debit_post = afficher("POST /api/v1/demandes", mesure_post, ecoule_post)
        print(f"  ({charge_post})")
        rendus = Counter(mesure_post.numeros)
        print(f"  numéros rendus en double : {sum(1 for n in rendus.values() if n > 1)}")

        mesure_sante, ecoule_sante = phase(url, None, args.clients, args.duree, sante)
        debit_sante = afficher("GET /api/v1/sante", mesure_sante, ecoule_sante)
        print(f"  ({charge()})")

        rapport = debit_post / debit_sante if debit_sante else float("nan")
        print(f"\nRapport enregistrements / santé : {rapport:.2f} (objectif ≥ 0,5)")

        if database_url:
            initialiser_django(database_url)
            doubles, total = doublons_en_base()
            print(f"Demandes en base : {total} ; numéros uniques en double : {doubles}")
            if args.profil:
                profiler(jeton, args.profil, session)
        else:
            print("Doublons en base non comptés : DATABASE_URL n'est pas donnée.")
        cinq_cents = sum(n for s, n in mesure_post.statuts.items() if s >= 500) + sum(
            n for s, n in mesure_sante.statuts.items() if s >= 500
        )
        print(f"\nVerdict : 5xx {cinq_cents} (0 attendu), rapport {rapport:.2f} (≥ 0,5 visé)")
        return 0 if cinq_cents == 0 else 1
    finally:
        if serveur is not None:
            os.killpg(serveur.pid, signal.SIGTERM)
            try:
                serveur.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(serveur.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
