"""Banc de mesure des lots (API-CONTRACT « Batch lots ») de bout en bout.

Ce que le script mesure : un lot JSON Lines de N demandes valides et variées (10 000 par
défaut, comme `bench/enregistrement.py` les génère : demandeurs tous distincts, départements
75 et 93, une à trois communes souhaitées, chacune avec sa `reference_externe`) envoyé à un
vrai serveur — gunicorn (2 workers × 4 fils, comme Procfile.dev) et le consommateur Huey
(`manage.py run_huey`), sur PostgreSQL et Redis (le mode de production) — par
`POST /api/v1/lots` en flux, puis suivi par `GET /api/v1/lots/{id}` toutes les 0,5 s jusqu'à
« termine ».

Il imprime : la durée de l'envoi (réception en flux, empreinte, fichier), le débit de bout en
bout (lignes/s, de l'envoi à « termine ») et par tranche de 1 000 lignes, la mémoire maximale
(VmHWM) du consommateur Huey et des workers gunicorn, la file Huey restante (les attestations,
de priorité moindre, suivent le lot), les résultats par statut, les numéros en double (SQL,
0 attendu), et le renvoi du même lot (200, même identifiant, rien de créé).

Base : PostgreSQL sur 127.0.0.1:5432 (utilisateur postgres), base `sne_bench_lots` supprimée
et recréée (`--base NOM`), migrée et chargée avec `charger_referentiels` (non mesuré). Redis :
un `redis-server` lancé par le banc sur un port libre, sans persistance, arrêté à la fin
(`--sans-redis` : SqliteHuey, le mode embarqué). Les fichiers vont dans un répertoire
temporaire.

Lancement depuis la racine du projet :

    .venv/bin/python bench/lots.py [--lignes 10000] [--workers-huey 1] [--type-huey thread]
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from contexte import charge, decrire_code

RACINE = Path(__file__).resolve().parent.parent
PYTHON = str(RACINE / ".venv" / "bin" / "python")
URL_SERVEUR = "postgres://postgres@127.0.0.1:5432"
CODE_GUICHET = "75LOT"


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def preparer_postgresql(base: str) -> None:
    import psycopg

    with psycopg.connect(f"{URL_SERVEUR}/postgres", autocommit=True) as cnx:
        cnx.execute(f'DROP DATABASE IF EXISTS "{base}" WITH (FORCE)')
        cnx.execute(f'CREATE DATABASE "{base}"')


def initialiser_django() -> None:
    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sne.settings")
    import django

    django.setup()


def preparer_registre() -> str:
    """Migrations, référentiels, le guichet 75LOT (habilité sur 75 et 93) et un jeton."""
    from django.core.management import call_command
    from django.db import connection

    from sne.comptes.jetons import creer_jeton
    from sne.referentiels.chargement import charger_referentiels
    from tests.factories import GuichetFactory

    call_command("migrate", verbosity=0)
    charger_referentiels()
    guichet = GuichetFactory(
        code=CODE_GUICHET, nom="Guichet du banc des lots", departements=["75", "93"]
    )
    _, jeton = creer_jeton(guichet, libelle="Banc des lots")
    connection.close()
    return jeton


def ecrire_lot(chemin: Path, lignes: int, graine: int) -> int:
    from enregistrement import generer_donnees

    taille = 0
    with open(chemin, "wb") as f:
        for debut in range(0, lignes, 1000):
            for k, donnees in enumerate(
                generer_donnees(graine, debut, min(1000, lignes - debut)), start=debut
            ):
                donnees["reference_externe"] = f"BANC-{graine}-{k:06d}"
                ligne = json.dumps(donnees, ensure_ascii=False).encode() + b"\n"
                taille += f.write(ligne)
    return taille


def memoire_max_ko(pid: int) -> int:
    """VmHWM (pic de mémoire résidente) d'un processus, en Kio ; 0 s'il est fini."""
    try:
        for ligne in Path(f"/proc/{pid}/status").read_text().splitlines():
            if ligne.startswith("VmHWM:"):
                return int(ligne.split()[1])
    except OSError:
        pass
    return 0


def temps_cpu_s(pid: int) -> float:
    """Temps processeur (utilisateur + système) consommé par un processus et tous ses fils
    d'exécution, en secondes ; 0 s'il est fini."""
    try:
        champs = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(champs[11]) + int(champs[12])) / os.sysconf("SC_CLK_TCK")


class CpuPostgres:
    """Le temps processeur des sessions PostgreSQL de la base du banc (le serveur est local) :
    relevé toutes les 0,25 s, le dernier relevé de chaque session compte (une session qui
    se termine entre deux relevés perd au plus 0,25 s)."""

    def __init__(self, base: str):
        import threading

        import psycopg

        self.cnx = psycopg.connect(f"{URL_SERVEUR}/{base}", autocommit=True)
        self.par_session: dict[int, float] = {}
        self.fin = threading.Event()
        self.fil = threading.Thread(target=self._relever, daemon=True)

    def _relever(self):
        while not self.fin.wait(0.25):
            pids = self.cnx.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            ).fetchall()
            for (pid,) in pids:
                cpu = temps_cpu_s(pid)
                if cpu:
                    self.par_session[pid] = cpu

    def demarrer(self):
        self.fil.start()

    def arreter(self) -> float:
        self.fin.set()
        self.fil.join()
        self.cnx.close()
        return sum(self.par_session.values())


def descendants(pid: int) -> list[int]:
    try:
        sortie = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True
        ).stdout
    except OSError:
        return []
    enfants = [int(p) for p in sortie.split()]
    return enfants + [d for e in enfants for d in descendants(e)]


def attendre_port(port: int, delai: float = 60) -> None:
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"le port {port} ne répond pas")


def requete(port, methode, chemin, jeton, corps=None, entetes=None):
    cnx = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
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
        cnx.close()


def envoyer(port, jeton, chemin_lot: Path):
    with open(chemin_lot, "rb") as f:
        return requete(
            port,
            "POST",
            "/api/v1/lots",
            jeton,
            corps=f,  # http.client streams a file by blocks
            entetes={
                "Content-Type": "application/x-ndjson",
                "Content-Length": str(chemin_lot.stat().st_size),
            },
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lignes", type=int, default=10_000)
    parser.add_argument("--base", default="sne_bench_lots")
    parser.add_argument("--graine", type=int, default=20261130)
    parser.add_argument("--workers-huey", type=int, default=1)
    parser.add_argument("--type-huey", choices=["thread", "process"], default="thread")
    parser.add_argument("--sans-redis", action="store_true")
    parser.add_argument(
        "--fils", type=int, default=4, help="SNE_LOTS_FILS : lignes d'un paquet en parallèle"
    )
    args = parser.parse_args()

    print(f"Banc des lots — code {decrire_code()} — {charge()} — {os.cpu_count()} cœurs")
    temporaire = Path(tempfile.mkdtemp(prefix="sne-banc-lots-"))
    processus: list[subprocess.Popen] = []
    try:
        preparer_postgresql(args.base)
        env = {
            **os.environ,
            "DATABASE_URL": f"{URL_SERVEUR}/{args.base}",
            "SNE_DATA_DIR": str(temporaire),
            "DJANGO_SETTINGS_MODULE": "sne.settings",
            "SECRET_KEY": "banc-des-lots",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DEBUG": "0",
            "SNE_PRODUCTION": "0",  # plain HTTP on 127.0.0.1, no HTTPS redirection
            # The bench polls twice a second and sends two lots: far under any limit.
            "SNE_API_REQUETES_PAR_FENETRE": "100000",
            "SNE_LOTS_FILS": str(args.fils),
        }
        if not args.sans_redis:
            port_redis = port_libre()
            processus.append(
                subprocess.Popen(
                    [
                        "redis-server",
                        "--port",
                        str(port_redis),
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--bind",
                        "127.0.0.1",
                    ],
                    stdout=subprocess.DEVNULL,
                )
            )
            attendre_port(port_redis)
            env["REDIS_URL"] = f"redis://127.0.0.1:{port_redis}/0"
        os.environ.update(env)
        initialiser_django()
        t0 = time.perf_counter()
        jeton = preparer_registre()
        print(f"Base migrée et référentiels chargés en {time.perf_counter() - t0:.0f} s")

        chemin_lot = temporaire / "lot.jsonl"
        t0 = time.perf_counter()
        taille = ecrire_lot(chemin_lot, args.lignes, args.graine)
        print(
            f"Lot de {args.lignes} lignes, {taille / 2**20:.1f} Mio, généré en "
            f"{time.perf_counter() - t0:.1f} s"
        )

        port = port_libre()
        journal = open(temporaire / "serveurs.log", "wb")  # noqa: SIM115
        web = subprocess.Popen(
            [
                str(RACINE / ".venv/bin/gunicorn"),
                "sne.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--timeout",
                "600",
            ],
            cwd=RACINE,
            env=env,
            stdout=journal,
            stderr=journal,
        )
        processus.append(web)
        consommateur = subprocess.Popen(
            [
                PYTHON,
                "manage.py",
                "run_huey",
                "--workers",
                str(args.workers_huey),
                "--worker-type",
                args.type_huey,
            ],
            cwd=RACINE,
            env=env,
            stdout=journal,
            stderr=journal,
        )
        processus.append(consommateur)
        attendre_port(port)
        # A running server: each gunicorn worker has loaded the application (and the token
        # check its tables) before the measure; the consumer has started.
        for _ in range(8):
            requete(port, "GET", "/api/v1/lots?limite=1", jeton)
        time.sleep(2)
        print(
            f"Serveur : gunicorn 2 workers × 4 fils ; Huey : {args.workers_huey} worker(s) "
            f"{args.type_huey}, {'SqliteHuey' if args.sans_redis else 'RedisHuey'} ; "
            f"SNE_LOTS_FILS={args.fils}"
        )

        cpu_pg = CpuPostgres(args.base)
        cpu_consommateur = sum(
            temps_cpu_s(p) for p in [consommateur.pid, *descendants(consommateur.pid)]
        )
        cpu_pg.demarrer()
        debut = time.perf_counter()
        statut, entetes, corps = envoyer(port, jeton, chemin_lot)
        recu = time.perf_counter()
        if statut != 202:
            raise SystemExit(f"POST /api/v1/lots → {statut} {corps[:300]!r}")
        lot = json.loads(corps)
        assert entetes.get("Location") == f"/api/v1/lots/{lot['id']}", entetes
        print(
            f"Envoi (flux → fichier, SHA-256, {lot['total']} lignes comptées) : "
            f"{recu - debut:.2f} s → 202"
        )

        progression, pic_rss = [], 0
        while True:
            time.sleep(0.5)
            for pid in [consommateur.pid, *descendants(consommateur.pid)]:
                pic_rss = max(pic_rss, memoire_max_ko(pid))
            statut, _, corps = requete(port, "GET", f"/api/v1/lots/{lot['id']}?limite=1", jeton)
            etat = json.loads(corps)
            progression.append((time.perf_counter() - debut, etat["traites"]))
            if etat["statut"] in ("termine", "echec"):
                break
            if consommateur.poll() is not None:
                raise SystemExit("le consommateur Huey s'est arrêté")
        fin = time.perf_counter()
        duree = fin - debut
        cpu_consommateur = (
            sum(temps_cpu_s(p) for p in [consommateur.pid, *descendants(consommateur.pid)])
            - cpu_consommateur
        )
        cpu_postgres = cpu_pg.arreter()
        print(
            f"\nLot {etat['statut']} : {etat['traites']} / {etat['total']} lignes en "
            f"{duree:.1f} s → **{etat['total'] / duree:.0f} lignes/s de bout en bout** "
            f"(traitement seul : {etat['total'] / (fin - recu):.0f} lignes/s)"
        )
        print(f"Résultats : {etat['comptes']}")
        par_ligne_py = cpu_consommateur / etat["total"] * 1000
        par_ligne_pg = cpu_postgres / etat["total"] * 1000
        print(
            f"Processeur par ligne : consommateur Huey (Python) {par_ligne_py:.1f} ms, "
            f"sessions PostgreSQL {par_ligne_pg:.1f} ms → sur {os.cpu_count()} cœurs libres, "
            f"au plus ~{os.cpu_count() * 1000 / (par_ligne_py + par_ligne_pg):.0f} lignes/s "
            "(borne : le processeur seul, sans les attentes)"
        )
        marques, precedent = {}, (0.0, 0)
        for t, n in progression:
            for palier in range(1000, etat["total"] + 1, 1000):
                if n >= palier and palier not in marques:
                    marques[palier] = t
        tranches = []
        for palier, t in sorted(marques.items()):
            tranches.append(
                f"{palier // 1000}k: {(palier - precedent[1]) / (t - precedent[0]):.0f}/s"
            )
            precedent = (t, palier)
        print("Débit par tranche de 1 000 lignes : " + ", ".join(tranches))

        pic_web = max((memoire_max_ko(p) for p in descendants(web.pid)), default=0)
        print(
            f"Mémoire maximale (VmHWM) : consommateur Huey {pic_rss / 1024:.0f} Mio, "
            f"workers gunicorn {pic_web / 1024:.0f} Mio (le plus gros)"
        )

        from django.db import connection

        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM demandes_demande")
            demandes = c.fetchone()[0]
            c.execute(
                "SELECT count(*) FROM (SELECT numero_unique FROM demandes_demande "
                "GROUP BY numero_unique HAVING count(*) > 1) d"
            )
            doubles = c.fetchone()[0]
            c.execute(
                "SELECT count(*) FROM (SELECT lot_id, ligne FROM lots_lignelot "
                "GROUP BY lot_id, ligne HAVING count(*) > 1) d"
            )
            lignes_doubles = c.fetchone()[0]
            c.execute("SELECT count(*) FROM demandes_attestation")
            attestations = c.fetchone()[0]
        print(
            f"Demandes en base : {demandes} ; numéros en double : {doubles} ; "
            f"lignes traitées deux fois : {lignes_doubles}"
        )
        print(
            f"Attestations produites à la fin du lot : {attestations} (les autres suivent "
            "dans la file, après le lot)"
        )

        t0 = time.perf_counter()
        statut, _, corps = envoyer(port, jeton, chemin_lot)
        renvoi = json.loads(corps)
        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM demandes_demande")
            apres = c.fetchone()[0]
        print(
            f"Renvoi du même lot : {statut}, même identifiant : {renvoi['id'] == lot['id']}, "
            f"{time.perf_counter() - t0:.2f} s, demandes créées : {apres - demandes}"
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
