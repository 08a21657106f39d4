"""Banc de mesure des statistiques (issue 16) : l'instantané quotidien et les pages qui le lisent.

Ce que le script mesure, sur une base PostgreSQL de `--taille` demandes (1 000 000 visé) avec
une année d'historique :

1. **L'instantané de la veille** (`sne.statistiques.services.prendre_instantane`) de tout le
   pays : durée, lignes `Mesure` écrites, temps de chacune de ses requêtes, mémoire (pic
   `tracemalloc` dans l'instantané de l'avant-veille — tracemalloc ralentit Python —, et le
   VmHWM du processus). Objectif (issue 16) : moins de 2 minutes.
2. **Une année d'instantanés**, pour que les pages aient douze mois de flux : deux autres jours
   pris par le service ; si 365 jours pris ainsi dépassent `--budget` secondes (estimé sur ces
   jours), les jours restants sont **recopiés par SQL** (INSERT … SELECT) depuis les jours
   calculés, les flux multipliés par un facteur tiré entre 0,5 et 1,5 (le stock est recopié tel
   quel, les lignes de la France refaites par la somme des départements) : le nombre de lignes
   lues par les pages est celui d'une vraie année, pas leurs valeurs. Sinon, chaque jour est
   pris par le service.
3. **Les pages** `/gestion/statistiques/` (vue `sne.statistiques.vues.statistiques`) par le
   client de test Django, connecté avec son second facteur (`tests.outils.connecter`) : la
   France (administratrice nationale de la démonstration), la Seine-Saint-Denis (gestionnaire
   93 de la démonstration, le plus chargé de cette population), le département aux plus
   nombreuses communes souhaitées en premier (un gestionnaire créé pour lui : le plus long
   tableau des communes) et chaque export CSV et XLSX de ses tableaux ; et la lecture seule de
   la page de France (`sne.statistiques.lecture`, sans gabarit), pour savoir où va le temps.
   Appels alternés avec la recherche exacte d'un numéro visible par l'agent de démonstration
   de 75BA1 (`sne.demandes.recherche.trouver_demande`), comme `bench/cotation.py`, et avec la
   page de cette recherche (`GET /demandes/?numero=…`, même client, mêmes middlewares : la
   comparaison de page à page). Objectif : p95 de chaque page et de chaque export ≤ 3 × p95
   de la recherche exacte (`trouver_demande`). Les pages lisent le cache (ADR 0026 : le
   corps d'une page dessiné une fois par instantané), Redis comme en production (`--cache`,
   base 14 de 127.0.0.1, vidée au départ) ; la page de France **cache vide** (ses deux clés
   effacées avant chaque appel : le premier lecteur d'une page que la nuit n'a pas dessinée)
   est mesurée à part, hors objectif. Avant les appels, `gc.freeze()`, comme gunicorn.conf.py
   dans chaque worker. `--plans` imprime l'`EXPLAIN (ANALYZE,
   BUFFERS)` des requêtes de la page de France, du département aux plus nombreuses communes
   et des plus longues requêtes de l'instantané.

La population : le générateur de `bench/recherche.py` (noms, ménages, communes souhaitées
selon leur population, 5 % dans les périmètres des guichets de démonstration) chargé par
COPY, avec : dépôts sur cinq ans ; 85 % actives, renouvelées chaque année (dernier
renouvellement dans l'année pour celles de plus d'un an) ; 15 % radiées dans l'année écoulée
(non-renouvellement 45 %, attribution 30 %, renonciation 12 %, impossibilité de contact 8 %,
irrecevabilité 5 %) ; typologies souhaitées selon la taille du ménage (5 % sans) ; une année
d'historique (`HistoriqueDemande`, COPY) : l'enregistrement des demandes de l'année, le
dernier renouvellement, la radiation, 1 % de réactivations (avec la radiation qui précède) et
des modifications, ~3 lignes par demande ; une paire de doublons confirmée par demande radiée
pour renonciation sur dix ; un bail signé (logement, séance de CAL, candidature) par
demande radiée pour attribution.

Base : PostgreSQL sur 127.0.0.1:5432 (utilisateur postgres), base dédiée
`sne_bench_statistiques` supprimée et recréée, migrée, référentiels et démonstration chargés.
`--reutiliser` garde une base déjà chargée (les instantanés sont effacés et repris).

Lancement depuis la racine du projet :

    .venv/bin/python bench/statistiques.py --taille 20000 --base sne_bench_statistiques_20k
    .venv/bin/python bench/statistiques.py --plans           # 1 000 000 (~15 min)
    .venv/bin/python bench/statistiques.py --reutiliser --plans
"""

import argparse
import functools
import gc
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import IO

import recherche
from contexte import charge, imprimer_entete
from cotation import latences, vmhwm
from recherche import Generateur, charger, un_an_apres, vacuum_analyze

BASE_BANC = "sne_bench_statistiques"
ANNEES_DEPOT = 5
PART_RADIEES = 0.15
PART_REACTIVEES = 0.01
PART_SANS_TYPOLOGIE = 0.05
CHAUFFE = 10
JOURS_CALCULES = 3  # hier, the day before (traced) and one more
# fmt: off
MOTIFS_RADIATION = {
    "non_renouvellement": 45, "attribution": 30, "renonciation": 12,
    "impossibilite_contact": 8, "irrecevabilite": 5,
}
SOUS_MOTIFS = ("irregularite_sejour", "ressources_superieures", "piece_falsifiee")
# fmt: on
FORMATS = ("csv", "xlsx")
COLONNES_HISTORIQUE = (
    "demande_id",
    "horodatage",
    "action",
    "guichet_id",
    "changements",
    "commentaire",
)


@dataclass
class GenerateurStatistiques(Generateur):
    """Le générateur de `bench/recherche.py` sur cinq ans, 15 % radiées dans l'année, avec
    typologies ; écrit l'historique de l'année de chaque demande dans `historique` (texte de
    COPY, chargé après les demandes : il les référence)."""

    historique: IO[str] | None = None

    def date_depot(self) -> date:
        return self.aujourd_hui - timedelta(days=self.rng.randrange(ANNEES_DEPOT * 365))

    def cycle(self, depot: date) -> tuple[date, date | None, str, date | None, str]:
        rng = self.rng
        debut_annee = self.aujourd_hui - timedelta(days=365)
        radiation = None
        if rng.random() < PART_RADIEES and depot < self.aujourd_hui - timedelta(days=1):
            premier = max(depot, debut_annee)
            jours = (self.aujourd_hui - premier).days
            radiation = premier + timedelta(days=rng.randrange(1, jours))
        fin = radiation or self.aujourd_hui
        expiration, renouvellement = un_an_apres(depot), None
        while expiration <= fin:
            renouvellement = expiration - timedelta(days=rng.randrange(1, 60))
            expiration = un_an_apres(renouvellement)
        if radiation is None:
            return expiration, renouvellement, "active", None, ""
        motif = rng.choices(list(MOTIFS_RADIATION), list(MOTIFS_RADIATION.values()))[0]
        return expiration, renouvellement, "radiee", radiation, motif

    def demande(self, pk: int):
        demande, personnes, souhaits = super().demande(pk)
        rng = self.rng
        taille = min(demande["nombre_personnes"], 6)
        if rng.random() < PART_SANS_TYPOLOGIE:
            typologies = []
        else:
            base = "T6_et_plus" if taille == 6 else f"T{taille}"
            typologies = [base]
            if taille < 5 and rng.random() < 0.4:
                typologies.append(f"T{taille + 1}")
            if taille == 1 and rng.random() < 0.1:
                typologies.insert(0, "chambre")
        demande["typologies"] = json.dumps(typologies)
        if demande["motif_radiation"] == "irrecevabilite":
            demande["sous_motif_radiation"] = rng.choice(SOUS_MOTIFS)
        self.ecrire_historique(demande)
        return demande, personnes, souhaits

    def ecrire_historique(self, demande: dict) -> None:
        """L'année écoulée de la demande : enregistrement, dernier renouvellement, radiation
        (précédée d'une réactivation pour 1 % des actives), modifications."""
        rng = self.rng
        debut_annee = datetime.combine(
            self.aujourd_hui - timedelta(days=365), datetime.min.time(), UTC
        )
        enregistree = demande["enregistree_le"]
        lignes = []
        if enregistree >= debut_annee:
            lignes.append((enregistree, "creation"))
        renouvellement = demande["date_dernier_renouvellement"]
        if renouvellement is not None and renouvellement >= debut_annee.date():
            lignes.append((self.a_une_heure(renouvellement), "renouvellement"))
        if demande["date_radiation"] is not None:
            lignes.append((self.a_une_heure(demande["date_radiation"]), "radiation"))
            fin = lignes[-1][0]
        else:
            fin = datetime.combine(self.aujourd_hui, datetime.min.time(), UTC)
        debut = max(enregistree, debut_annee)
        duree = (fin - debut).total_seconds()
        if demande["date_radiation"] is None and duree > 86400 and rng.random() < PART_REACTIVEES:
            radiee_le = debut + timedelta(seconds=rng.uniform(0, duree / 2))
            reactivee_le = radiee_le + timedelta(seconds=rng.uniform(3600, duree / 2))
            lignes += [(radiee_le, "radiation"), (reactivee_le, "reactivation")]
        if duree > 0:
            x = rng.random()
            modifications = 0 if x < 0.15 else 1 if x < 0.35 else 2 if x < 0.65 else 3
            for _ in range(modifications):
                lignes.append((debut + timedelta(seconds=rng.uniform(0, duree)), "modification"))
        pk, guichet = demande["id"], demande["guichet_enregistreur_id"]
        self.historique.writelines(
            f"{pk}\t{horodatage.isoformat()}\t{action}\t{guichet}\t[]\t\n"
            for horodatage, action in sorted(lignes)
        )

    def a_une_heure(self, jour: date) -> datetime:
        return datetime(
            jour.year, jour.month, jour.day, 8 + self.rng.randrange(10), self.rng.randrange(60),
            tzinfo=UTC,
        )  # fmt: skip


def charger_historique(fichier: IO[str]) -> int:
    """COPY du texte écrit par le générateur ; rend le nombre de lignes."""
    from django.db import connection

    from sne.demandes.models import HistoriqueDemande

    fichier.seek(0)
    colonnes = ", ".join(COLONNES_HISTORIQUE)
    with connection.connection.cursor() as curseur:
        with curseur.copy(f"COPY {HistoriqueDemande._meta.db_table} ({colonnes}) FROM STDIN") as c:
            while bloc := fichier.read(1 << 20):
                c.write(bloc)
        return curseur.rowcount


def confirmer_doublons(graine: int) -> int:
    """Une paire confirmée pour une demande radiée pour renonciation sur dix (ce que
    `confirmer_doublon` écrit : la paire décidée, l'une radiée pour renonciation) ; l'autre
    demande est sa voisine de clé."""
    from django.utils import timezone

    from sne.comptes.models import Utilisateur
    from sne.demandes.models import Demande
    from sne.demo.donnees import DOMAINE
    from sne.doublons.models import PaireDoublon

    rng = random.Random(graine)
    admin = Utilisateur.objects.get(email=f"admin@{DOMAINE}")
    premiere = Demande.objects.order_by("pk").values_list("pk", flat=True).first()
    radiees = Demande.objects.filter(motif_radiation="renonciation").values_list(
        "pk", "departement_id", "date_radiation"
    )
    paires = []
    for pk, departement, radiee_le in radiees.iterator():
        if rng.random() < 0.1:
            a, b = PaireDoublon.ordonner(pk, pk + 1 if pk == premiere else pk - 1)
            decidee_le = timezone.make_aware(datetime.combine(radiee_le, datetime.min.time()))
            paires.append(
                PaireDoublon(
                    demande_a_id=a,
                    demande_b_id=b,
                    departement_id=departement,
                    score=90,
                    statut=PaireDoublon.Statut.DOUBLON_CONFIRME,
                    decidee_par=admin,
                    decidee_le=decidee_le + timedelta(hours=10),
                    demande_radiee_id=pk,
                )
            )
    PaireDoublon.objects.bulk_create(paires, batch_size=5000, ignore_conflicts=True)
    return len(paires)


def signer_baux() -> int:
    """Un bail signé par demande radiée pour attribution : un logement du bailleur du guichet
    qui a enregistré la demande, dans la commune la plus peuplée du département, une séance
    de CAL par bailleur et par mois, la candidature attribuée au rang 1."""
    from django.db.models import F
    from django.utils import timezone

    from sne.attributions.models import Candidature, Logement, SeanceCAL
    from sne.demandes.models import Demande
    from sne.organisations.models import Guichet
    from sne.referentiels.models import Commune

    organisation_de = dict(Guichet.objects.values_list("pk", "organisation_id"))
    commune_de = {}
    for code, departement in (
        Commune.objects.filter(date_fermeture__isnull=True)
        .exclude(type=Commune.Type.ARRONDISSEMENT)
        .order_by(F("population").asc(nulls_first=True))
        .values_list("code_insee", "departement")
    ):
        commune_de[departement] = code  # the most populated last
    attribuees = list(
        Demande.objects.filter(motif_radiation="attribution").values_list(
            "pk", "departement_id", "guichet_enregistreur_id", "date_radiation"
        )
    )

    def seance(guichet: int, signe_le: date) -> tuple[int, date]:
        return organisation_de[guichet], (signe_le - timedelta(days=15)).replace(day=1)

    seances = {}
    for _, _, guichet, signe_le in attribuees:
        cle = seance(guichet, signe_le)
        seances.setdefault(cle, SeanceCAL(bailleur_id=cle[0], date=cle[1], guichet_id=guichet))
    SeanceCAL.objects.bulk_create(seances.values(), batch_size=5000)
    logements = Logement.objects.bulk_create(
        (
            Logement(
                bailleur_id=organisation_de[guichet],
                reference=f"BANC-{pk}",
                adresse="1 rue du Banc",
                commune_id=commune_de[departement],
                departement_id=departement,
                typologie="T3",
                loyer=450,
                guichet_id=guichet,
            )
            for pk, departement, guichet, _ in attribuees
        ),
        batch_size=5000,
    )
    Candidature.objects.bulk_create(
        (
            Candidature(
                seance=seances[seance(guichet, signe_le)],
                logement=logement,
                demande_id=pk,
                rang=1,
                decision=Candidature.Decision.ATTRIBUTION,
                decidee_le=timezone.make_aware(
                    datetime.combine(signe_le - timedelta(days=15), datetime.min.time())
                ),
                bail_signe_le=signe_le,
                bail_saisi_le=timezone.make_aware(datetime.combine(signe_le, datetime.min.time())),
                guichet_id=guichet,
            )
            for (pk, _, guichet, signe_le), logement in zip(attribuees, logements, strict=True)
        ),
        batch_size=5000,
    )
    return len(attribuees)


# ---------------------------------------------------------------------------------------------
# Instantanés
# ---------------------------------------------------------------------------------------------


def prendre(jour: date, memoire: bool = False, requetes: list | None = None):
    """(instantané, secondes, pic tracemalloc en Mio ou None) ; `requetes` reçoit les
    requêtes SQL de l'instantané et leur durée."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sne.statistiques.services import prendre_instantane

    if memoire:
        tracemalloc.start()
    t0 = time.perf_counter()
    if requetes is None:
        instantane = prendre_instantane(jour)
    else:
        with CaptureQueriesContext(connection) as capture:
            instantane = prendre_instantane(jour)
        requetes += capture.captured_queries
    duree = time.perf_counter() - t0
    pic = None
    if memoire:
        pic = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return instantane, duree, pic


def recopier_jours(modeles: list[date], premier: date, dernier: date, graine: int) -> int:
    """Les instantanés de `premier` à `dernier` recopiés par SQL des jours `modeles` (chacun
    à son tour) : le stock tel quel, les flux multipliés par un facteur de 0,5 à 1,5, la
    France refaite par la somme des départements ; les lignes des communes (celles du premier
    modèle, le dernier jour pris) au dernier jour de chaque mois seulement, comme le service
    les garde. Rend le nombre de lignes `Mesure`."""
    from django.db import connection, transaction

    from sne.statistiques.models import STOCKS

    flux = [i for i in _indicateurs() if i not in STOCKS]
    with transaction.atomic(), connection.cursor() as curseur:
        curseur.execute("SELECT setseed(%s)", [(graine % 1000) / 1000])
        curseur.execute(
            "INSERT INTO statistiques_instantane (jour, pris_le, duree, demandes_actives) "
            "SELECT d::date, now(), 0, i.demandes_actives FROM statistiques_instantane i, "
            "generate_series(%s::date, %s::date, interval '1 day') d WHERE i.jour = %s",
            [premier, dernier, modeles[0]],
        )
        lignes = 0
        for rang, modele in enumerate(modeles):
            curseur.execute(
                "INSERT INTO statistiques_mesure "
                "(instantane_id, jour, departement, commune, indicateur, modalite, valeur) "
                "SELECT i.id, i.jour, m.departement, m.commune, m.indicateur, m.modalite, "
                "CASE WHEN m.indicateur = ANY(%s) "
                "THEN floor(m.valeur * (0.5 + random()) + random())::int ELSE m.valeur END "
                "FROM statistiques_instantane i JOIN statistiques_mesure m ON m.jour = %s "
                "AND m.departement <> '' AND m.commune = '' WHERE i.jour BETWEEN %s AND %s "
                "AND (%s::date - i.jour) %% %s = %s",
                [flux, modele, premier, dernier, dernier, len(modeles), rang],
            )
            lignes += curseur.rowcount
        # The communes' rows, as the service keeps them: the last day of each month only.
        curseur.execute(
            "INSERT INTO statistiques_mesure "
            "(instantane_id, jour, departement, commune, indicateur, modalite, valeur) "
            "SELECT i.id, i.jour, m.departement, m.commune, m.indicateur, m.modalite, m.valeur "
            "FROM statistiques_instantane i JOIN statistiques_mesure m ON m.jour = %s "
            "AND m.commune <> '' WHERE i.jour BETWEEN %s AND %s "
            "AND i.jour = (date_trunc('month', i.jour) + interval '1 month - 1 day')::date",
            [modeles[0], premier, dernier],
        )
        lignes += curseur.rowcount
        curseur.execute(
            "INSERT INTO statistiques_mesure "
            "(instantane_id, jour, departement, commune, indicateur, modalite, valeur) "
            "SELECT instantane_id, jour, '', '', indicateur, modalite, SUM(valeur) "
            "FROM statistiques_mesure WHERE jour BETWEEN %s AND %s AND departement <> '' "
            "AND commune = '' GROUP BY instantane_id, jour, indicateur, modalite",
            [premier, dernier],
        )
        return lignes + curseur.rowcount


def _indicateurs() -> list[str]:
    from sne.statistiques.models import Indicateur

    return [i.value for i in Indicateur]


def taille_table(table: str) -> str:
    from django.db import connection

    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT reltuples::bigint, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class "
            "WHERE relname = %s",
            [table],
        )
        lignes, taille = curseur.fetchone()
    return f"{table} ≈ {lignes} lignes, {taille}"


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


def gestionnaire_de(departement: str):
    """Le gestionnaire du banc pour `departement` (créé une fois)."""
    from sne.comptes.models import Habilitation, Utilisateur

    utilisateur, _ = Utilisateur.objects.get_or_create(
        email=f"gestionnaire.{departement.lower()}@banc.sne.example.fr",
        defaults={"prenom": "Gestionnaire", "nom": f"Banc {departement}"},
    )
    Habilitation.objects.get_or_create(
        utilisateur=utilisateur,
        role=Habilitation.Role.GESTIONNAIRE,
        departement_id=departement,
    )
    return utilisateur


def client_de(utilisateur):
    from django.test import Client

    from tests.outils import connecter

    client = Client()
    connecter(client, utilisateur)
    return client


def page(client, parametres: dict, attendu: str):
    """Un appel de la page ; une erreur si la réponse n'est pas celle attendue."""
    from django.urls import reverse

    reponse = client.get(reverse("statistiques:tableau"), parametres)
    contenu = b"".join(reponse) if reponse.streaming else reponse.content
    if reponse.status_code != 200 or attendu.encode() not in contenu[:200_000]:
        raise RuntimeError(f"{parametres} : HTTP {reponse.status_code}, « {attendu} » absent")
    return len(contenu)


def lecture_de_la_page(jour: date, territoire: str) -> int:
    """Ce que la vue lit avant de rendre (sans gabarit ni graphiques)."""
    from sne.statistiques import lecture, pages

    pages.dernier_instantane()
    tableaux = lecture.tous_les_tableaux(jour, territoire)
    lecture.chiffres_cles(jour, territoire)
    return sum(len(t.lignes) for t in tableaux)


def _hors_objectif(nom: str) -> bool:
    """The reading alone (where the time goes) and the page the night did not draw (the
    first reader of a territory when the night's task failed) are reported, not judged."""
    return nom.startswith("lecture") or "cache vide" in nom


def plans(titre: str, client, parametres: dict) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    with CaptureQueriesContext(connection) as capture:
        client.get(reverse("statistiques:tableau"), parametres)
    print(f"\n  {titre} : {len(capture.captured_queries)} requêtes SQL")
    recherche.expliquer(titre, capture.captured_queries, motif=r'FROM "statistiques_')


DEBUT = time.perf_counter()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--taille", type=int, default=1_000_000, help="demandes")
    parser.add_argument("--appels", type=int, default=100, help="appels de chaque page")
    parser.add_argument("--graine", type=int, default=20261201, help="graine des données")
    parser.add_argument("--base", default=BASE_BANC, help="base PostgreSQL du banc")
    parser.add_argument("--reutiliser", action="store_true", help="garder la base déjà chargée")
    parser.add_argument(
        "--budget",
        type=float,
        default=600,
        help="secondes au-delà desquelles l'année n'est pas prise jour par jour (recopiée)",
    )
    parser.add_argument("--plans", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS)")
    parser.add_argument(
        "--cache",
        default="redis://127.0.0.1:6379/14",
        help="REDIS_URL du cache (celui de la production) ; « fichiers » : le cache sur disque "
        "du mode embarqué",
    )
    args = parser.parse_args()
    if args.cache != "fichiers":
        os.environ["REDIS_URL"] = args.cache

    imprimer_entete(
        "Banc de mesure — statistiques (issue 16) : instantané quotidien, pages et exports"
    )
    recherche.DEBUT = DEBUT
    existait = recherche.ouvrir_base_du_banc(args.base, args.reutiliser)
    from django.conf import settings
    from django.core.cache import cache

    cache.clear()  # the bench's own Redis database (or directory): no page kept from a rerun
    print(f"Cache            : {settings.CACHES['default']['BACKEND']} ({args.cache})")

    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from sne.comptes.models import Utilisateur
    from sne.demandes.models import Demande, HistoriqueDemande
    from sne.demandes.recherche import trouver_demande
    from sne.demo.donnees import DOMAINE
    from sne.statistiques.models import Instantane, Mesure
    from sne.statistiques.services import hier

    aujourd_hui = timezone.localdate()
    deja = Demande.objects.count()
    if args.reutiliser and existait and deja > 1000:
        print(f"Chargement       : aucun (--reutiliser), {deja} demandes en base")
    else:
        print(f"Chargement       : {args.taille} demandes par lots de {recherche.LOT} (COPY)")
        t0 = time.perf_counter()
        with tempfile.TemporaryFile("w+", encoding="utf-8") as historique:
            fabrique = functools.partial(GenerateurStatistiques, historique=historique)
            durees = charger(args.taille, args.graine, fabrique, aujourd_hui)
            t1 = time.perf_counter()
            entrees = charger_historique(historique)
        durees["COPY historique"] = time.perf_counter() - t1
        t1 = time.perf_counter()
        paires = confirmer_doublons(args.graine)
        baux = signer_baux()
        durees["doublons et baux"] = time.perf_counter() - t1
        duree = time.perf_counter() - t0
        duree_vacuum = vacuum_analyze()
        print(
            f"  {args.taille} demandes, {durees.pop('personnes')} personnes, "
            f"{durees.pop('communes souhaitées')} communes souhaitées, {entrees} entrées "
            f"d'historique, {paires} doublons confirmés, {baux} baux signés en {duree:.0f} s ("
            + ", ".join(f"{k} {v:.0f} s" for k, v in durees.items())
            + f") ; VACUUM ANALYZE {duree_vacuum:.0f} s"
        )
    statuts = dict(Demande.objects.values_list("statut").annotate(n=Count("pk")).order_by())
    motifs = dict(
        Demande.objects.exclude(motif_radiation="")
        .values_list("motif_radiation")
        .annotate(n=Count("pk"))
        .order_by()
    )
    actions = dict(
        HistoriqueDemande.objects.values_list("action").annotate(n=Count("pk")).order_by()
    )
    print(
        "Population       : "
        + ", ".join(f"{s} {n}" for s, n in sorted(statuts.items()))
        + " ; radiées par motif : "
        + ", ".join(f"{m} {n}" for m, n in sorted(motifs.items(), key=lambda x: -x[1]))
    )
    print(
        "Historique       : "
        + ", ".join(f"{a} {n}" for a, n in sorted(actions.items(), key=lambda x: -x[1]))
    )
    print(
        "Tables           : "
        + " ; ".join(
            taille_table(t)
            for t in ("demandes_demande", "demandes_communesouhaitee", "demandes_historiquedemande")
        )
    )

    print()
    print("1. L'instantané de la veille (services.prendre_instantane), tout le pays")
    with connection.cursor() as curseur:  # a rerun takes them again (a snapshot is never redone)
        curseur.execute("TRUNCATE statistiques_mesure, statistiques_instantane")
    veille = hier()
    requetes = []
    instantane, duree_veille, _ = prendre(veille, requetes=requetes)
    lignes_veille = Mesure.objects.filter(instantane=instantane).count()
    print(
        f"  {veille} : {duree_veille:.1f} s ({instantane.duree:.1f} s de calcul, le reste "
        f"pour écrire), {lignes_veille} lignes Mesure, {instantane.demandes_actives} demandes "
        f"actives ; VmHWM du banc {vmhwm()}"
    )
    print(f"  ses {len(requetes)} requêtes SQL, les plus longues :")
    for requete in sorted(requetes, key=lambda q: -float(q["time"]))[:8]:
        sql = " ".join(requete["sql"].split())
        print(f"    {float(requete['time']):6.2f} s  {sql[:150]}{'…' if len(sql) > 150 else ''}")
    if args.plans:
        lentes = sorted(requetes, key=lambda q: -float(q["time"]))[:4]
        recherche.expliquer("instantané", lentes, motif=r"SELECT")
    jours = [veille]
    instantane, duree_tracee, pic = prendre(veille - timedelta(days=1), memoire=True)
    jours.append(instantane.jour)
    print(
        f"  {instantane.jour} (tracemalloc) : {duree_tracee:.1f} s, pic tracemalloc "
        f"{pic:.1f} Mio ; VmHWM du banc {vmhwm()}"
    )
    durees_jours = [duree_veille]
    for k in range(2, JOURS_CALCULES):
        instantane, duree, _ = prendre(veille - timedelta(days=k))
        jours.append(instantane.jour)
        durees_jours.append(duree)
        print(f"  {instantane.jour} : {duree:.1f} s")
    moyenne = sum(durees_jours) / len(durees_jours)
    restants = 365 - len(jours)
    print(
        f"  estimation : {restants} autres jours pris par le service ≈ {restants * moyenne:.0f} s "
        f"(budget --budget {args.budget:.0f} s)"
    )
    premier, dernier = veille - timedelta(days=364), veille - timedelta(days=len(jours))
    t0 = time.perf_counter()
    if restants * moyenne <= args.budget:
        jour = dernier
        while jour >= premier:
            prendre(jour)
            jour -= timedelta(days=1)
        print(f"  {restants} jours pris par le service en {time.perf_counter() - t0:.0f} s")
    else:
        lignes = recopier_jours(jours, premier, dernier, args.graine)
        print(
            f"  {restants} jours ({premier} → {dernier}) recopiés par SQL : {lignes} lignes "
            f"Mesure en {time.perf_counter() - t0:.0f} s"
        )
    t0 = time.perf_counter()
    with connection.cursor() as curseur:
        curseur.execute("VACUUM ANALYZE statistiques_mesure")
        curseur.execute("VACUUM ANALYZE statistiques_instantane")
    print(
        f"  {Instantane.objects.count()} instantanés ; "
        f"{taille_table('statistiques_mesure')} ; VACUUM ANALYZE {time.perf_counter() - t0:.0f} s"
    )

    print()
    print("2. Pages /gestion/statistiques/ et exports, contre recherche exacte d'un numéro")
    actives = Demande.objects.filter(statut=Demande.Statut.ACTIVE)
    par_departement = dict(actives.values_list("departement").annotate(n=Count("pk")).order_by())
    # The largest communes' table (the most communes wished first): the longest export.
    communes_par_departement = dict(
        Mesure.objects.filter(jour=veille, indicateur="actives_commune")
        .values_list("departement")
        .annotate(n=Count("pk"))
        .order_by()
    )
    grand = max(communes_par_departement, key=communes_par_departement.get)
    national = Utilisateur.objects.get(email=f"admin@{DOMAINE}")
    gestion_93 = Utilisateur.objects.get(email=f"gestionnaire.93@{DOMAINE}")
    clients = {
        "france": client_de(national),
        "93": client_de(gestion_93),
        "grand": client_de(gestionnaire_de(grand)),
    }
    print(
        f"  France : {sum(par_departement.values())} demandes actives ; 93 : "
        f"{par_departement.get('93', 0)}, {communes_par_departement.get('93', 0)} communes "
        f"souhaitées en premier ; département aux plus nombreuses communes {grand} : "
        f"{par_departement[grand]} demandes actives, {communes_par_departement[grand]} communes"
    )
    agent = Utilisateur.objects.get(email=f"agent.75ba1@{DOMAINE}")
    rng = random.Random(args.graine)
    visibles = list(
        Demande.objects.visibles_par(agent).values_list("numero_unique", flat=True)[:20000]
    )
    numeros = [rng.choice(visibles) for _ in range(args.appels)]
    from sne.statistiques import pages

    repere = pages.dernier_instantane()

    def page_sans_cache() -> int:
        """The first reader of a page that the night did not draw (its two keys deleted)."""
        cache.delete_many([pages._cle(quoi, repere, "") for quoi in ("corps", "tableaux")])
        return page(clients["france"], {}, "France enti")

    appels = {
        "page France (nationale)": lambda: page(clients["france"], {}, "France enti"),
        "page France, cache vide (premier lecteur)": page_sans_cache,
        "page 93 (gestionnaire de la démo)": lambda: page(clients["93"], {}, "Seine-Saint-Denis"),
        f"page {grand} (le plus de communes)": lambda: page(clients["grand"], {}, f"{grand} —"),
        "lecture seule, France (sans gabarit)": lambda: lecture_de_la_page(veille, ""),
    }
    codes = ("typologie", "taille", "anciennete", "flux", "radiations", "decisions", "refus")
    for code in (*codes, "attributions", "epci"):
        for format_ in FORMATS:
            appels[f"export {grand} {code} {format_.upper()}"] = functools.partial(
                page, clients["grand"], {"export": code, "format": format_}, ""
            )
    for format_ in FORMATS:
        appels[f"export {grand} communes {format_.upper()}"] = functools.partial(
            page, clients["grand"], {"export": "communes", "format": format_}, ""
        )
        appels[f"export France EPCI {format_.upper()}"] = functools.partial(
            page, clients["france"], {"export": "epci", "format": format_}, ""
        )
    client_agent = client_de(agent)

    def page_de_recherche(numero: str) -> int:
        reponse = client_agent.get("/demandes/", {"numero": numero})
        if reponse.status_code != 302 or reponse.url != f"/demandes/{numero}/":
            raise RuntimeError(f"recherche de {numero} : HTTP {reponse.status_code}")
        return len(reponse.content)

    references = {
        "trouver_demande(numéro, agent)": lambda n: trouver_demande(n, agent),
        "page de recherche exacte (/demandes/?numero=)": page_de_recherche,
    }
    # As gunicorn.conf.py does in each worker once the application is loaded: the objects
    # loaded so far leave the garbage collector's full passes.
    gc.collect()
    gc.freeze()
    mesures, tailles = {}, Counter()
    for i in range(CHAUFFE + args.appels):
        numero = numeros[i % args.appels]
        for nom, appel in [*appels.items(), *references.items()]:
            t0 = time.perf_counter()
            taille = appel(numero) if nom in references else appel()
            duree = (time.perf_counter() - t0) * 1000
            if i >= CHAUFFE:
                mesures.setdefault(nom, []).append(duree)
                tailles[nom] = taille
    print(f"  {args.appels} appels de chaque après {CHAUFFE} de chauffe, alternés")
    p95 = {}
    for nom in appels:
        unite = "lignes" if nom.startswith("lecture") else "octets"
        p95[nom] = latences("  " + nom, mesures[nom], f"({tailles[nom]} {unite})")
    p95_exact, p95_page_exacte = (latences("  " + nom, mesures[nom]) for nom in references)
    if args.plans:
        cache.clear()  # the pages read again, as the night draws them
        plans("page France", clients["france"], {})
        plans(f"page {grand}", clients["grand"], {})

    print()
    print(f"Durée totale du banc : {time.perf_counter() - DEBUT:.0f} s ; {charge()} à la fin")
    rates = [nom for nom, p in p95.items() if p > 3 * p95_exact and not _hors_objectif(nom)]
    instantane_ok = duree_veille < 120
    pire = max((n for n in p95 if not _hors_objectif(n)), key=p95.get)
    print(
        f"Verdict ({Demande.objects.count()} demandes) : instantané de la veille "
        f"{duree_veille:.1f} s (objectif < 120 s : {'atteint' if instantane_ok else 'NON atteint'})"
        f" ; pages et exports : le plus lent « {pire} » p95 {p95[pire]:.1f} ms = "
        f"{p95[pire] / p95_exact:.1f} × la recherche exacte ({p95_exact:.1f} ms ; objectif ≤ 3 × : "
        + ("atteint" if not rates else f"NON atteint pour {len(rates)} : " + ", ".join(rates))
        + f") ; {p95[pire] / p95_page_exacte:.1f} × la page de recherche exacte "
        f"({p95_page_exacte:.1f} ms)"
    )
    connection.close()
    return 0 if instantane_ok and not rates else 1


if __name__ == "__main__":
    sys.exit(main())
