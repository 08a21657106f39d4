"""Banc de mesure de l'enregistrement des demandes et de l'attribution du numéro unique.

Ce que le script mesure : `sne.demandes.services.enregistrer_demande` appelé directement (sans
HTTP), avec des demandes minimales valides (CCH R441-2-3) dont chaque demandeur est distinct
(nom, prénom et date de naissance : aucune suspicion de doublon), réparties sur les
départements 75 et 93 — donc sur deux compteurs de numéros uniques (territoire, mois, année)
disputés — et souhaitant une à trois communes parmi Paris 20e, Paris 19e, Saint-Denis et
Montreuil. Un guichet « 75BEN » habilité sur 75 et 93 et un agent de saisie par fil.

1. séquentielle : N enregistrements dans un seul fil ;
2. N enregistrements répartis sur 16 fils (threads) d'un même processus ;
3. N enregistrements répartis sur 4 processus × 4 fils (multiprocessing « spawn » : chaque
   processus fait son `django.setup()`, construit son index des communes et ouvre ses propres
   connexions ; le GIL d'un processus unique peut masquer la contention).

Pour chaque phase : nombre, durée, débit (enregistrements/s), latence des enregistrements
réussis (p50, p95, p99, max en ms), erreurs (nombre et les 3 premiers messages distincts, avec
un résumé de la pile). Puis : demandes en base, numéros en double (SQL `GROUP BY numero_unique
HAVING count(*) > 1`, et parmi les numéros rendus par le service), trous de chaque compteur
(séquence maximale comparée au nombre de demandes, pour information), et un verdict d'une
ligne : 0 erreur et 0 doublon de numéro attendus.

Sur PostgreSQL, chaque phase relève aussi pg_stat_activity toutes les 0,2 s : sessions actives,
en attente d'un verrou (la ligne du compteur, tenue de l'UPDATE jusqu'au COMMIT) et « idle in
transaction » (transaction ouverte dont le fil attend le processeur ou le GIL). Si l'autovacuum
du serveur est désactivé, le banc lance ANALYZE avant chaque phase et toutes les 10 s pendant,
comme l'autovacuum le ferait : une base jamais analysée peut recevoir des plans en O(n) (jusqu'au
commit 6cd8516, la recherche de doublons parcourait ainsi toutes les demandes actives à chaque
enregistrement ; `--sans-analyze` pour comparer).

L'attestation, envoyée après la validation par une tâche Huey, n'est PAS mesurée dans les
phases : le récepteur du signal `demande_enregistree` (`sne.notifications.tasks`) est débranché.
`--avec-attestation [K]` mesure à part la production de l'attestation (données, PDF
WeasyPrint, envoi par le backend de courriel fichier) sur K demandes (10 par défaut).

Base : PostgreSQL sur 127.0.0.1:5432 (utilisateur postgres), base dédiée `sne_bench` (ou
`--base NOM`, pour ne pas gêner un autre banc qui tourne) supprimée et recréée au début
(`--garder` pour la conserver et y ajouter), migrée et chargée avec
`charger_referentiels` (≈ 10 s, non mesurés). `--sqlite` : fichier SQLite temporaire, pour
comparer. Les fichiers (clé secrète, PDF, courriels) vont dans un répertoire temporaire.

Lancement depuis la racine du projet :

    .venv/bin/python bench/enregistrement.py [--nombre 2000] [--fils 16] [--processus 4]
    .venv/bin/python bench/enregistrement.py --sqlite --nombre 300
"""

import argparse
import io
import math
import multiprocessing
import os
import platform
import queue
import random
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from contexte import charge, decrire_code

RACINE = Path(__file__).resolve().parent.parent
URL_SERVEUR = "postgres://postgres@127.0.0.1:5432"
BASE_BANC = "sne_bench"
CODE_GUICHET = "75BEN"
DEPARTEMENTS = ("75", "93")
COMMUNES_SOUHAITEES = ("75120", "75119", "93066", "93048")
ADRESSES = (
    ("12 rue des Lilas", "Paris 20e"),
    ("3 rue de Crimée", "Paris 19e"),
    ("8 rue de la République", "93200 Saint-Denis"),
    ("40 rue de Paris", "93100 Montreuil"),
)
PIECES = ("carte_identite", "passeport", "titre_sejour")
NAISSANCE_MIN = date(1940, 1, 1)
JOURS_NAISSANCE = 23_000  # jusqu'en 2002 : une date de naissance distincte par demande
DELAI_BARRIERE_S = 600


# ---------------------------------------------------------------------------------------------
# Environnement (avant django.setup)
# ---------------------------------------------------------------------------------------------


def preparer_postgresql(garder: bool, base: str = BASE_BANC) -> None:
    import psycopg

    with psycopg.connect(f"{URL_SERVEUR}/postgres", autocommit=True) as cnx:
        existe = cnx.execute("SELECT 1 FROM pg_database WHERE datname = %s", [base]).fetchone()
        if existe and not garder:
            cnx.execute(f'DROP DATABASE "{base}" WITH (FORCE)')
            existe = None
        if not existe:
            cnx.execute(f'CREATE DATABASE "{base}"')


def initialiser_django() -> None:
    """Dans le processus principal comme dans chaque processus de la phase 3 : l'environnement
    (DATABASE_URL, SNE_DATA_DIR) est déjà posé, hérité du parent."""
    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sne.settings")
    import django

    django.setup()
    from sne.demandes.signaux import demande_enregistree

    # L'attestation part après la validation par une tâche Huey : hors de la mesure.
    demande_enregistree.disconnect(dispatch_uid="attestation_d_enregistrement")


# ---------------------------------------------------------------------------------------------
# Données
# ---------------------------------------------------------------------------------------------


def generer_donnees(graine: int, debut: int, nombre: int) -> list[dict]:
    """`nombre` demandes minimales valides, la k-ième avec une date de naissance propre."""
    from faker import Faker

    faker = Faker("fr_FR")
    faker.seed_instance(graine)
    rng = random.Random(graine)
    donnees = []
    for k in range(debut, debut + nombre):
        departement = rng.choice(DEPARTEMENTS)
        ligne1, commune = rng.choice(ADRESSES)
        souhaits = rng.sample(COMMUNES_SOUHAITEES, rng.randint(1, 3))
        # Au moins une commune du département de la demande, en premier vœu.
        premiere = next((c for c in souhaits if c.startswith(departement)), None)
        if premiere is None:
            premiere = rng.choice([c for c in COMMUNES_SOUHAITEES if c.startswith(departement)])
            souhaits = [premiere, *souhaits[:2]]
        else:
            souhaits = [premiere, *(c for c in souhaits if c != premiere)]
        demandeur = {
            "nom": faker.last_name(),
            "prenom": faker.first_name(),
            "date_naissance": (NAISSANCE_MIN + timedelta(days=k % JOURS_NAISSANCE)).isoformat(),
            "piece_identite": {"type": rng.choice(PIECES)},
            "adresse": {"ligne1": ligne1, "commune": commune},
        }
        if k % 2:
            demandeur["email"] = f"demandeur{k}@example.org"
        donnees.append(
            {
                "departement": departement,
                "demandeur": demandeur,
                "deja_locataire_hlm": rng.random() < 0.2,
                "souhaits": {"communes": souhaits},
            }
        )
    return donnees


def preparer_guichet_et_agents(nombre_agents: int) -> tuple[int, list[int]]:
    """Le guichet 75BEN (habilité sur 75 et 93) et un agent de saisie par fil ; repris tels
    quels avec --garder."""
    from sne.comptes.models import Habilitation
    from sne.organisations.models import Guichet
    from tests.factories import GuichetFactory, UtilisateurFactory, habiliter

    guichet = Guichet.objects.filter(code=CODE_GUICHET).first()
    if guichet is None:
        guichet = GuichetFactory(
            code=CODE_GUICHET, nom="Guichet du banc d'enregistrement", departements=DEPARTEMENTS
        )
    agents = []
    for i in range(nombre_agents):
        agent = UtilisateurFactory(email=f"agent{i:02d}@banc-enregistrement.fr")
        if not Habilitation.objects.filter(utilisateur=agent, guichet=guichet).exists():
            habiliter(agent, "saisie", guichet=guichet)
        agents.append(agent.pk)
    return guichet.pk, agents


# ---------------------------------------------------------------------------------------------
# Exécution
# ---------------------------------------------------------------------------------------------


@dataclass
class Resultat:
    durees_ms: list[float] = field(default_factory=list)  # enregistrements réussis
    numeros: list[str] = field(default_factory=list)
    erreurs: list[tuple[str, str]] = field(default_factory=list)  # (message, résumé de pile)
    tentatives: int = 0

    def ajouter(self, autre: "Resultat") -> None:
        self.durees_ms += autre.durees_ms
        self.numeros += autre.numeros
        self.erreurs += autre.erreurs
        self.tentatives += autre.tentatives


def decrire_erreur(exc: BaseException) -> tuple[str, str]:
    message = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}"
    cadres = traceback.extract_tb(exc.__traceback__)[-4:]
    pile = " ← ".join(f"{Path(c.filename).name}:{c.lineno} {c.name}" for c in reversed(cadres))
    return message[:300], pile


def travailler(guichet_id: int, agent_id: int, lot: list[dict], pret, depart) -> Resultat:
    """Un fil : charge son agent et son guichet, attend le départ commun, enregistre son lot,
    puis ferme sa connexion."""
    from django.db import connection

    from sne.comptes.droits import droits_de
    from sne.comptes.models import Utilisateur
    from sne.demandes.services import enregistrer_demande
    from sne.organisations.models import Guichet

    resultat = Resultat()
    try:
        try:
            guichet = Guichet.objects.get(pk=guichet_id)
            agent = Utilisateur.objects.get(pk=agent_id)
            droits_de(agent)  # mis en cache sur l'objet, comme pendant une requête
            pret_a_partir = True
        except Exception as exc:
            resultat.erreurs.append(decrire_erreur(exc))
            pret_a_partir = False
        pret.wait()
        depart.wait()
        if not pret_a_partir:
            return resultat
        for donnees in lot:
            resultat.tentatives += 1
            t0 = time.perf_counter()
            try:
                demande = enregistrer_demande(guichet, agent, donnees)
            except Exception as exc:
                resultat.erreurs.append(decrire_erreur(exc))
                continue
            resultat.durees_ms.append((time.perf_counter() - t0) * 1000)
            resultat.numeros.append(demande.numero_unique)
    finally:
        connection.close()
    return resultat


def lancer_fils(
    guichet_id, agent_ids, lots, avant_depart=None, au_depart=None
) -> tuple[Resultat, float]:
    """Un fil par lot ; le chronomètre part quand tous sont prêts (et, en phase 3, quand tous
    les processus le sont : `avant_depart`)."""
    pret = threading.Barrier(len(lots) + 1, timeout=DELAI_BARRIERE_S)
    depart = threading.Event()
    resultats: list[Resultat | None] = [None] * len(lots)

    def cible(i):
        resultats[i] = travailler(guichet_id, agent_ids[i], lots[i], pret, depart)

    fils = [threading.Thread(target=cible, args=(i,), name=f"banc-{i}") for i in range(len(lots))]
    for f in fils:
        f.start()
    pret.wait()
    try:
        if avant_depart:
            avant_depart()
    finally:
        if au_depart:
            au_depart()
        t0 = time.perf_counter()
        depart.set()  # même si la barrière des processus est rompue : aucun fil ne reste bloqué
    for f in fils:
        f.join()
    duree = time.perf_counter() - t0
    total = Resultat()
    for r in resultats:
        total.ajouter(r or Resultat(erreurs=[("fil interrompu", "")]))
    return total, duree


def processus_travailleur(guichet_id, agent_ids, lots, barriere, file) -> None:
    """Phase 3 : un processus neuf (spawn) — Django, index des communes, connexions à lui."""
    try:
        initialiser_django()
        from django.db import connection

        from sne.referentiels.index import index_communes

        index_communes()
        connection.close()
        resultat, duree = lancer_fils(guichet_id, agent_ids, lots, barriere.wait)
    except Exception as exc:
        barriere.abort()
        resultat, duree = Resultat(erreurs=[decrire_erreur(exc)]), 0.0
    file.put((resultat, duree))


def lancer_processus(
    guichet_id, agent_ids, lots, processus: int, au_depart=None
) -> tuple[Resultat, float, list[float]]:
    contexte = multiprocessing.get_context("spawn")
    barriere = contexte.Barrier(processus + 1, timeout=DELAI_BARRIERE_S)
    file = contexte.Queue()
    par_processus = len(lots) // processus
    travailleurs = [
        contexte.Process(
            target=processus_travailleur,
            args=(
                guichet_id,
                agent_ids[p * par_processus : (p + 1) * par_processus],
                lots[p * par_processus : (p + 1) * par_processus],
                barriere,
                file,
            ),
            name=f"banc-processus-{p}",
        )
        for p in range(processus)
    ]
    for t in travailleurs:
        t.start()
    total = Resultat()
    try:
        barriere.wait()
    except threading.BrokenBarrierError:
        total.erreurs.append(("un processus n'a pas pu démarrer (barrière rompue)", ""))
    if au_depart:
        au_depart()
    t0 = time.perf_counter()
    durees_internes = []
    while len(durees_internes) < len(travailleurs):
        try:
            resultat, duree = file.get(timeout=5)
        except queue.Empty:
            if any(t.is_alive() for t in travailleurs):
                continue
            manquants = len(travailleurs) - len(durees_internes)
            total.erreurs.append((f"{manquants} processus terminé(s) sans résultat", ""))
            break
        total.ajouter(resultat)
        durees_internes.append(duree)
    duree = time.perf_counter() - t0
    for t in travailleurs:
        t.join()
    return total, duree, durees_internes


class Observateur(threading.Thread):
    """PostgreSQL : pendant une phase, relève pg_stat_activity toutes les 0,2 s (sessions du
    banc actives, en attente d'un verrou, « idle in transaction » : une transaction ouverte
    dont le fil attend le GIL ou le processeur) et, si l'autovacuum du serveur est désactivé,
    lance ANALYZE toutes les 10 s à sa place (sans statistiques, le planificateur peut choisir
    des plans en O(n))."""

    PERIODE_S = 0.2
    PERIODE_ANALYZE_S = 10.0

    def __init__(self, analyser: bool):
        super().__init__(name="banc-observateur", daemon=True)
        self.analyser = analyser
        self.arret = threading.Event()
        self.mesure = threading.Event()  # relevés seulement pendant la mesure (après le départ)
        self.echantillons: list[tuple[int, int, int]] = []
        self.attentes: Counter = Counter()
        self.analyses = 0

    def run(self) -> None:
        from django.db import connection

        from sne.audit.models import EvenementAudit
        from sne.demandes.models import CommuneSouhaitee, Demande, HistoriqueDemande, Personne

        tables = ", ".join(
            m._meta.db_table
            for m in (Demande, Personne, CommuneSouhaitee, HistoriqueDemande, EvenementAudit)
        )
        prochain_analyze = time.perf_counter() + self.PERIODE_ANALYZE_S
        try:
            with connection.cursor() as curseur:
                while not self.arret.wait(self.PERIODE_S):
                    if not self.mesure.is_set():
                        prochain_analyze = time.perf_counter() + self.PERIODE_ANALYZE_S
                        continue
                    curseur.execute(
                        "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                        "AND backend_type = 'client backend'"
                    )
                    lignes = curseur.fetchall()
                    actives = sum(1 for e, _, _ in lignes if e == "active")
                    verrou = [w for _, t, w in lignes if t == "Lock"]
                    ouvertes = sum(1 for e, _, _ in lignes if e == "idle in transaction")
                    self.echantillons.append((actives, len(verrou), ouvertes))
                    self.attentes.update(verrou)
                    if self.analyser and time.perf_counter() >= prochain_analyze:
                        curseur.execute(f"ANALYZE {tables}")
                        self.analyses += 1
                        prochain_analyze = time.perf_counter() + self.PERIODE_ANALYZE_S
        finally:
            connection.close()

    def arreter(self) -> None:
        self.arret.set()
        self.join()

    def afficher(self) -> None:
        if not self.echantillons:
            return
        n = len(self.echantillons)
        moyennes = [sum(e[i] for e in self.echantillons) / n for i in range(3)]
        maxima = [max(e[i] for e in self.echantillons) for i in range(3)]
        detail = ", ".join(f"{k} × {v}" for k, v in self.attentes.most_common(3))
        print(
            f"  sessions PG   : actives {moyennes[0]:.1f} en moyenne (max {maxima[0]}), "
            f"dont en attente de verrou {moyennes[1]:.1f} (max {maxima[1]}"
            + (f" ; {detail}" if detail else "")
            + f"), idle in transaction {moyennes[2]:.1f} (max {maxima[2]}) — {n} relevés"
        )
        if self.analyses:
            print(f"  ANALYZE       : {self.analyses} fois pendant la phase (autovacuum désactivé)")


# ---------------------------------------------------------------------------------------------
# Affichage
# ---------------------------------------------------------------------------------------------


def centile(valeurs_triees: list[float], q: float) -> float:
    """Centile au rang le plus proche (valeurs déjà triées)."""
    if not valeurs_triees:
        return float("nan")
    rang = max(1, math.ceil(q / 100 * len(valeurs_triees)))
    return valeurs_triees[rang - 1]


def decrire_base(connection) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} ({connection.settings_dict['NAME']})"
    connection.ensure_connection()
    version = connection.pg_version
    return (
        f"PostgreSQL {version // 10000}.{version % 10000} (base {connection.settings_dict['NAME']})"
    )


def afficher_phase(titre: str, resultat: Resultat, duree: float) -> dict:
    ms = sorted(resultat.durees_ms)
    reussis = len(ms)
    debit = reussis / duree if duree else float("nan")
    print()
    print(titre)
    print(f"  enregistrées  : {reussis} sur {resultat.tentatives} tentatives")
    print(f"  durée         : {duree:.2f} s")
    print(f"  débit         : {debit:.1f} enregistrements/s")
    print(
        f"  latence       : p50 {centile(ms, 50):.1f} ms · p95 {centile(ms, 95):.1f} ms · "
        f"p99 {centile(ms, 99):.1f} ms · max {(ms[-1] if ms else float('nan')):.1f} ms"
    )
    print(f"  erreurs       : {len(resultat.erreurs)}")
    distinctes = Counter(m for m, _ in resultat.erreurs)
    piles = {}
    for message, pile in resultat.erreurs:
        piles.setdefault(message, pile)
    for message, nombre in list(distinctes.items())[:3]:
        print(f"    × {nombre} {message}")
        if piles[message]:
            print(f"        pile : {piles[message]}")
    if len(distinctes) > 3:
        print(f"    … et {len(distinctes) - 3} autre(s) message(s) distinct(s)")
    return {"debit": debit, "erreurs": len(resultat.erreurs), "p95": centile(ms, 95)}


def mesurer_attestations(nombre: int, ids: list[int]) -> None:
    """La production de l'attestation, telle que la tâche Huey la fait, séquentiellement."""
    import logging

    from sne.attestations import services as attestations
    from sne.notifications import services as notifications

    logging.getLogger(attestations.__name__).setLevel(logging.WARNING)
    rendu_ms: list[float] = []
    rendre_pdf = attestations.rendre_pdf

    def rendre_pdf_chronometre(donnees):
        t0 = time.perf_counter()
        try:
            return rendre_pdf(donnees)
        finally:
            rendu_ms.append((time.perf_counter() - t0) * 1000)

    attestations.rendre_pdf = rendre_pdf_chronometre
    durees, canaux, erreurs = [], Counter(), []
    try:
        for pk in ids[:nombre]:
            t0 = time.perf_counter()
            try:
                attestation = notifications.envoyer_attestation(pk, "enregistrement")
            except Exception as exc:
                erreurs.append(decrire_erreur(exc))
                continue
            durees.append((time.perf_counter() - t0) * 1000)
            for message in attestation.messages.all():
                canaux[message.canal] += 1
    finally:
        attestations.rendre_pdf = rendre_pdf
    total, rendu = sorted(durees), sorted(rendu_ms)
    print()
    print(f"Attestations (à part) : envoyer_attestation() sur {len(ids[:nombre])} demandes")
    print(
        f"  complète      : p50 {centile(total, 50):.0f} ms · "
        f"max {(total[-1] if total else float('nan')):.0f} ms"
    )
    print(
        f"  dont PDF      : p50 {centile(rendu, 50):.0f} ms · "
        f"max {(rendu[-1] if rendu else float('nan')):.0f} ms (WeasyPrint)"
    )
    print("  canaux        : " + ", ".join(f"{k} × {v}" for k, v in sorted(canaux.items())))
    print(f"  erreurs       : {len(erreurs)}")
    for message, pile in erreurs[:3]:
        print(f"    {message}\n        pile : {pile}")


# ---------------------------------------------------------------------------------------------
# Programme
# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nombre", type=int, default=2000, help="enregistrements par phase")
    parser.add_argument("--fils", type=int, default=16, help="fils de la phase 2")
    parser.add_argument("--processus", type=int, default=4, help="processus de la phase 3")
    parser.add_argument(
        "--fils-par-processus",
        type=int,
        default=None,
        help="fils par processus en phase 3 (par défaut : fils / processus)",
    )
    parser.add_argument(
        "--nombre-phase3",
        type=int,
        default=None,
        help="enregistrements de la phase 3 (par défaut : --nombre ; 0 pour la sauter)",
    )
    parser.add_argument("--sqlite", action="store_true", help="SQLite temporaire au lieu de PG")
    parser.add_argument(
        "--garder", action="store_true", help="garder la base (et ce qu'elle contient déjà)"
    )
    parser.add_argument(
        "--base",
        default=BASE_BANC,
        help=f"base PostgreSQL du banc, supprimée et recréée (par défaut {BASE_BANC})",
    )
    parser.add_argument("--graine", type=int, default=20240601, help="graine des données")
    parser.add_argument(
        "--sans-analyze",
        action="store_true",
        help="PostgreSQL sans autovacuum : ne pas lancer ANALYZE à sa place",
    )
    parser.add_argument(
        "--avec-attestation",
        type=int,
        nargs="?",
        const=10,
        default=0,
        metavar="K",
        help="mesurer à part la production de K attestations (10 par défaut)",
    )
    args = parser.parse_args()
    fils_par_processus = args.fils_par_processus or max(1, args.fils // args.processus)
    nombre_phase3 = args.nombre if args.nombre_phase3 is None else args.nombre_phase3

    debut_total = time.perf_counter()
    repertoire = Path(tempfile.mkdtemp(prefix="sne-banc-"))
    os.environ["SNE_DATA_DIR"] = str(repertoire)
    os.environ.setdefault("SECRET_KEY", "cle-du-banc-seulement")  # a throwaway database
    if args.sqlite:
        os.environ.pop("DATABASE_URL", None)
    else:
        preparer_postgresql(args.garder, args.base)
        os.environ["DATABASE_URL"] = f"{URL_SERVEUR}/{args.base}"
        os.environ["SNE_PRODUCTION"] = "0"  # a local PostgreSQL, not a deployment
    initialiser_django()

    from django.core.management import call_command
    from django.db import connection

    from sne.demandes.models import Demande
    from sne.demandes.numero import derniers_attribues
    from sne.referentiels.index import index_communes

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    sortie = io.StringIO()
    call_command("charger_referentiels", stdout=sortie)
    index_communes()
    guichet_id, agent_ids = preparer_guichet_et_agents(
        max(args.fils, args.processus * fils_par_processus, 1)
    )
    duree_preparation = time.perf_counter() - t0
    deja_la = Demande.objects.count()
    phases = [args.nombre, args.nombre, nombre_phase3]
    tout = generer_donnees(args.graine + deja_la, deja_la, sum(phases))
    lots_donnees = [tout[: phases[0]], tout[phases[0] : phases[0] + phases[1]], tout[-phases[2] :]]
    if not phases[2]:
        lots_donnees[2] = []

    print("Banc de mesure — enregistrement des demandes et numéro unique (sne.demandes)")
    print(f"Date             : {datetime.now().astimezone().isoformat(timespec='seconds')}")
    machine = f"{platform.machine()}, {os.cpu_count()} cœurs"
    print(f"Python           : {platform.python_version()} ({machine})")
    print(f"Charge machine   : {charge()} au départ (d'autres processus faussent les chiffres)")
    print(f"Code             : {decrire_code()}")
    print(f"Base de données  : {decrire_base(connection)}")
    print(
        f"Préparation      : migrate, charger_referentiels, index, guichet {CODE_GUICHET} et "
        f"{len(agent_ids)} agents en {duree_preparation:.1f} s (non mesurés)"
    )
    if deja_la:
        print(f"Base gardée      : {deja_la} demandes déjà présentes")
    postgresql = connection.vendor == "postgresql"
    analyser = False
    if postgresql:
        with connection.cursor() as curseur:
            curseur.execute("SHOW autovacuum")
            autovacuum = curseur.fetchone()[0]
        analyser = autovacuum != "on" and not args.sans_analyze
        print(
            f"Statistiques PG  : autovacuum {autovacuum}"
            + (
                " — ANALYZE avant chaque phase et toutes les 10 s pendant, à sa place"
                if analyser
                else (" — aucun ANALYZE (--sans-analyze)" if autovacuum != "on" else "")
            )
        )
    print(
        "Attestation      : récepteur de demande_enregistree débranché — la tâche Huey "
        "n'est ni mise en file ni exécutée"
    )
    print(
        f"Données          : graine {args.graine} ; départements {', '.join(DEPARTEMENTS)} ; "
        f"communes souhaitées parmi {', '.join(COMMUNES_SOUHAITEES)}"
    )
    connection.close()

    bilan = {}
    resultats_phases = []

    def phase(cle: str, titre: str, executer) -> None:
        observateur = None
        if postgresql:
            if analyser:
                with connection.cursor() as curseur:
                    curseur.execute("ANALYZE")
            connection.close()
            observateur = Observateur(analyser)
            observateur.start()
        try:
            resultat, duree, *autres = executer(observateur.mesure.set if observateur else None)
        finally:
            if observateur:
                observateur.arreter()
        resultats_phases.append(resultat)
        bilan[cle] = afficher_phase(titre, resultat, duree)
        if autres:
            print("  durée par processus : " + ", ".join(f"{d:.2f} s" for d in autres[0]))
        if observateur:
            observateur.afficher()

    # 1. Séquentielle -----------------------------------------------------------------------
    phase(
        "séquentiel",
        f"1. Séquentielle : {phases[0]} enregistrements dans 1 fil",
        lambda top: lancer_fils(guichet_id, agent_ids[:1], [lots_donnees[0]], au_depart=top),
    )

    # 2. Fils -------------------------------------------------------------------------------
    lots_fils = [lots_donnees[1][i :: args.fils] for i in range(args.fils)]
    phase(
        f"{args.fils} fils",
        f"2. Concurrente : {phases[1]} enregistrements sur {args.fils} fils, 1 processus",
        lambda top: lancer_fils(guichet_id, agent_ids[: args.fils], lots_fils, au_depart=top),
    )

    # 3. Processus × fils --------------------------------------------------------------------
    if phases[2]:
        n_lots = args.processus * fils_par_processus
        lots_processus = [lots_donnees[2][i::n_lots] for i in range(n_lots)]
        phase(
            f"{args.processus}×{fils_par_processus}",
            f"3. Concurrente : {phases[2]} enregistrements sur {args.processus} processus × "
            f"{fils_par_processus} fils (spawn)",
            lambda top: lancer_processus(
                guichet_id, agent_ids[:n_lots], lots_processus, args.processus, top
            ),
        )
    else:
        print()
        print("3. Processus × fils : sautée (--nombre-phase3 0)")

    # Contrôles -----------------------------------------------------------------------------
    total = Resultat()
    for r in resultats_phases:
        total.ajouter(r)
    en_base = Demande.objects.count()
    table = Demande._meta.db_table
    with connection.cursor() as curseur:
        curseur.execute(
            f"SELECT numero_unique, COUNT(*) FROM {table} "
            "GROUP BY numero_unique HAVING COUNT(*) > 1"
        )
        doublons_sql = curseur.fetchall()
    doublons_rendus = [n for n, c in Counter(total.numeros).items() if c > 1]
    print()
    print("Contrôles")
    print(
        f"  demandes en base           : {en_base} (attendu {deja_la + len(total.numeros)} : "
        f"{deja_la} avant + {len(total.numeros)} enregistrées)"
    )
    print(f"  numéros en double (SQL)    : {len(doublons_sql)}")
    for numero, nombre in doublons_sql[:5]:
        print(f"    {numero} × {nombre}")
    print(f"  numéros rendus en double   : {len(doublons_rendus)}")
    par_prefixe = Counter()
    for numero in Demande.objects.values_list("numero_unique", flat=True):
        par_prefixe[numero[:7]] += 1
    print("  compteurs (pour information : un trou est un numéro consommé sans demande)")
    # Counter rows (SQLite) or the month's SEQUENCE (PostgreSQL, ADR 0014).
    derniers = derniers_attribues()
    for territoire, mois, annee in sorted(derniers, key=lambda c: (c[0], c[2], c[1])):
        dernier = derniers[(territoire, mois, annee)]
        n = par_prefixe.get(f"{territoire}{mois:02d}{annee:02d}", 0)
        print(
            f"    {territoire} {mois:02d}/{annee:02d} : séquence max {dernier}, "
            f"{n} demandes, {dernier - n} trou(s)"
        )

    if args.avec_attestation:
        premiers = list(
            Demande.objects.filter(numero_unique__in=resultats_phases[0].numeros[:100])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        mesurer_attestations(args.avec_attestation, premiers)

    connection.close()
    if args.sqlite and args.garder:
        print(f"\nBase SQLite gardée : {connection.settings_dict['NAME']}")
    else:
        shutil.rmtree(repertoire, ignore_errors=True)

    # Verdict -------------------------------------------------------------------------------
    print()
    print(f"Durée totale du banc : {time.perf_counter() - debut_total:.1f} s ; {charge()} à la fin")
    print(
        "Débits : "
        + " ; ".join(
            f"{nom} {b['debit']:.1f}/s (p95 {b['p95']:.0f} ms)" for nom, b in bilan.items()
        )
    )
    erreurs = len(total.erreurs)
    doublons = len(doublons_sql) + len(doublons_rendus)
    manque = deja_la + len(total.numeros) - en_base
    if erreurs == 0 and doublons == 0 and manque == 0:
        print("Verdict : 0 erreur, 0 doublon de numéro : atteint")
    else:
        constats = [f"{erreurs} erreur(s)", f"{doublons} doublon(s) de numéro"]
        if manque:
            constats.append(f"{manque} demande(s) rendue(s) mais absente(s) de la base")
        print("Verdict : " + ", ".join(constats) + " : NON atteint (objectif 0 et 0)")
    return 0 if erreurs == 0 and doublons == 0 and manque == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
