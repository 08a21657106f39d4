"""Banc de mesure de la campagne de renouvellement au million de demandes (issue 12).

Ce que le script mesure, sur une base PostgreSQL de `--nombre` demandes ACTIVES (1 000 000 par
défaut) dont les échéances couvrent l'année autour du jour mesuré J (`--jour`) :

1. la campagne du jour J (`sne.notifications.campagne.lancer_campagne`) : durée totale, durée
   des préavis et des radiations, requêtes SQL par demande traitée (compteur
   `connection.execute_wrapper`), pic de mémoire (RSS maximal du processus, remis à zéro
   avant la mesure, et tracemalloc lors d'un second passage identique : la base est remise
   dans son état d'avant, car tracemalloc ralentit Python), messages créés par canal ;
2. la boîte d'envoi (`envoyer_messages_en_attente`) : les e-mails et SMS créés par la
   campagne, envoyés par les backends du mode embarqué — e-mail `filebased` (un fichier par
   message), SMS `FichierSms` — dans un répertoire temporaire : durée, messages/s ;
3. le rattrapage de `--rattrapage` jours (30) en un seul passage : la campagne de J+30 sans
   passage entre J et J+30 — mêmes chiffres que 1 ;
4. l'impression : une tournée d'au plus `--tournee` courriers (500) du département qui en a le
   plus en attente, après le rattrapage (`preparer_tournee` puis `rendre_tournee`, un seul
   PDF) : documents/s ;
5. `EXPLAIN (ANALYZE, BUFFERS)` des deux requêtes de sélection (`a_prevenir`, `a_radier`),
   telles que la campagne les lance (premier lot, par clé primaire) et à blanc (`count`).

La mémoire plate se lit en lançant le banc à 100 000 puis à 1 000 000 de demandes : la journée
J a le même travail dans les deux cas (`--preavis`, `--radiations`), seul le nombre de
demandes en base change.

Les données : les référentiels, la démonstration (`sne.demo`), trois guichets de banc par
département, puis `--nombre` demandes chargées par COPY (`bench/recherche.py` : `charger`, son
générateur de ménages Faker fr_FR, ses départements et communes tirés selon la population),
toutes actives. Le demandeur a une adresse postale complète (ligne, code postal de sa commune,
commune : la première commune souhaitée), un e-mail 7 fois sur 10, un mobile 4 fois sur 10
(un fixe 1 fois sur 10) ; 30 % ont fait leurs démarches en ligne (préavis par e-mail seul s'ils
ont un e-mail), 5 % veulent aussi la poste. Les échéances, calibrées pour une journée type :
`--preavis` demandes (3 000) expirent le jour J + 1 mois (leur préavis est dû le jour J),
`--radiations` (2 500) ont expiré le jour J − 1 mois (radiation due le jour J), toutes les
autres expirent uniformément entre J − 1 mois et J + 1 an. Comme la campagne a tourné chaque jour
jusqu'à J − 1, toute demande dont l'échéance tombe avant J + 1 mois a déjà reçu son préavis de ce
cycle : ces messages (un courrier posté, et un e-mail envoyé si le demandeur en a un) sont
insérés en SQL avec la date d'avis de l'époque, ainsi que le préavis (courrier posté) du cycle
précédent des demandes déjà renouvelées, pour que la table des messages ait sa taille d'un
régime établi. Pas d'événements de distribution pour ces messages anciens (la sélection ne les
lit pas), pas d'index des doublons (la radiation le réécrit pour ses demandes). Puis VACUUM
ANALYZE (l'autovacuum est désactivé sur ce serveur).

Base : PostgreSQL sur 127.0.0.1:5432 (utilisateur postgres), base `sne_wt_benchcampagne`
(suffixée du nombre de demandes s'il n'est pas 1 000 000), supprimée et recréée.
`--reutiliser` garde une base chargée : ce que les passages précédents du banc ont fait (messages
datés de J ou après, radiations de J ou après, tournées, journées de campagne) est défait avant de
mesurer. Les fichiers (e-mails, SMS, PDF) vont dans un répertoire temporaire.

Lancement depuis la racine du projet :

    .venv/bin/python bench/campagne.py                        # chargement (~10 min) et mesures
    .venv/bin/python bench/campagne.py --reutiliser           # mesures sur la base gardée
    .venv/bin/python bench/campagne.py --nombre 100000        # mémoire plate : l'autre point
    .venv/bin/python bench/campagne.py --reutiliser --profil 2000  # où va le temps (cProfile)
"""

import argparse
import cProfile
import functools
import io
import os
import pstats
import re
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from contexte import charge, imprimer_entete
from dateutil.relativedelta import relativedelta
from recherche import (
    URL_SERVEUR,
    Generateur,
    charger,
    initialiser_django,
    preparer_postgresql,
    un_an_apres,
    vacuum_analyze,
)

BASE = "sne_wt_benchcampagne"
JOUR = date(2027, 1, 15)  # au milieu d'un mois : J ± 1 mois n'a qu'une échéance chacun
NOMBRE = 1_000_000
PREAVIS_DU_JOUR = 3_000
RADIATIONS_DU_JOUR = 2_500
PART_EMAIL = 0.70
PART_MOBILE = 0.40
PART_FIXE = 0.10
PART_EN_LIGNE = 0.30
PART_COURRIER_SOUHAITE = 0.05
VOIES = (
    "rue de la République",
    "avenue Jean Jaurès",
    "rue Victor Hugo",
    "boulevard Gambetta",
    "rue de la Gare",
    "place de l'Église",
    "allée des Tilleuls",
    "rue Pasteur",
    "chemin des Vignes",
    "impasse des Lilas",
)


def un_an_avant(jour: date) -> date:
    try:
        return jour.replace(year=jour.year - 1)
    except ValueError:  # 29 février
        return jour.replace(year=jour.year - 1, day=28)


# ---------------------------------------------------------------------------------------------
# Population : des demandes actives, des échéances calibrées autour de J
# ---------------------------------------------------------------------------------------------


@dataclass
class GenerateurCampagne(Generateur):
    """Le générateur de `bench/recherche.py`, vu le jour J : toutes les demandes sont actives,
    leur échéance suit le calibrage de la journée type, leur demandeur est joignable."""

    nombre: int = NOMBRE
    preavis: int = PREAVIS_DU_JOUR
    radiations: int = RADIATIONS_DU_JOUR
    codes_postaux: dict = field(default_factory=dict)
    _cycle: tuple = (None, None)

    def __post_init__(self):
        from sne.referentiels.models import CodePostal

        for commune, code in CodePostal.objects.order_by("commune", "code").values_list(
            "commune", "code"
        ):
            self.codes_postaux.setdefault(commune, code)
        j = self.aujourd_hui
        self.echeance_preavis = j + relativedelta(months=1)
        self.echeance_radiation = j - relativedelta(months=1)
        premier = self.echeance_radiation + timedelta(days=1)
        self.autres_echeances = [
            premier + timedelta(days=k)
            for k in range((un_an_apres(j) - premier).days + 1)
            if premier + timedelta(days=k) != self.echeance_preavis
        ]

    def date_depot(self) -> date:
        rng = self.rng
        x = rng.random() * self.nombre
        if x < self.preavis:
            expiration = self.echeance_preavis
        elif x < self.preavis + self.radiations:
            expiration = self.echeance_radiation
        else:
            expiration = rng.choice(self.autres_echeances)
        # Déposée il y a un à trois ans, renouvelée chaque année à son échéance.
        annees = 1 + (0 if rng.random() < 0.4 else 1 if rng.random() < 0.6 else 2)
        depot = expiration
        for _ in range(annees):
            depot = un_an_avant(depot)
        self._cycle = (expiration, un_an_avant(expiration) if annees > 1 else None)
        return depot

    def cycle(self, depot: date):
        expiration, renouvellement = self._cycle
        return expiration, renouvellement, "active", None, ""

    def demande(self, pk: int):
        demande, personnes, souhaits = super().demande(pk)
        rng = self.rng
        demande["demarches_en_ligne"] = rng.random() < PART_EN_LIGNE
        demande["courrier_postal_souhaite"] = rng.random() < PART_COURRIER_SOUHAITE
        demandeur = personnes[0]
        commune = souhaits[0][1]
        demandeur["adresse_ligne1"] = f"{rng.randrange(1, 200)} {rng.choice(VOIES)}"
        demandeur["code_postal"] = self.codes_postaux.get(commune, f"{commune[:2]}000")
        demandeur["commune_id"] = commune
        if rng.random() < PART_EMAIL:
            local = re.sub(r"[^a-z0-9]+", "-", f"{demandeur['prenom']}.{demandeur['nom']}".lower())
            demandeur["email"] = f"{local.strip('-')}.{pk}@exemple.fr"
        x = rng.random()
        if x < PART_MOBILE:
            demandeur["telephone"] = f"0{rng.choice('67')}{rng.randrange(10**8):08d}"
        elif x < PART_MOBILE + PART_FIXE:
            demandeur["telephone"] = f"0{rng.randrange(1, 6)}{rng.randrange(10**8):08d}"
        return demande, personnes, souhaits


def inserer_preavis_anciens(jour: date) -> dict:
    """Les préavis déjà donnés avant J (la campagne a tourné chaque jour jusqu'à la veille) :
    ceux de ce cycle pour toute échéance avant J + 1 mois (courrier posté, e-mail envoyé si le
    demandeur en a un), et celui du cycle précédent des demandes renouvelées. En SQL, avec la
    clé d'unicité de `cle_message`. Rend le nombre de messages insérés par genre."""
    from django.db import connection

    from sne.demandes.models import Demande, Personne
    from sne.notifications.models import Message

    t_message, t_demande, t_personne = (
        Message._meta.db_table,
        Demande._meta.db_table,
        Personne._meta.db_table,
    )
    type_ = Message.Type.PREAVIS_RENOUVELLEMENT
    limite = jour + relativedelta(months=1)

    def inserer(cycle_sql: str, canal: str, statut: str, condition: str, params: list) -> int:
        email = canal == "email"
        delai_envoi = "4 hours" if email else "2 days"
        jointure = (
            f"JOIN {t_personne} p ON p.demande_id = d.id AND p.role = 'demandeur'" if email else ""
        )
        sql = f"""
            INSERT INTO {t_message} (
                demande_id, departement_id, type, canal, statut, cle, date_avis, cycle,
                destinataire, adresse, objet, corps, donnees, cree_le, envoye_le, tentatives,
                derniere_erreur, identifiant_fournisseur
            )
            SELECT d.id, d.departement_id, %s, %s, %s,
                %s || ':' || d.id || ':' || to_char({cycle_sql}, 'YYYY-MM-DD') || ':' || %s,
                ({cycle_sql} - interval '1 month')::date, {cycle_sql},
                {"p.email" if email else "''"}, '[]', '', '', '{{}}',
                ({cycle_sql} - interval '1 month')::timestamptz + interval '3 hours',
                ({cycle_sql} - interval '1 month')::timestamptz + interval '{delai_envoi}',
                {1 if email else 0}, '', ''
            FROM {t_demande} d
            {jointure}
            WHERE d.statut = 'active' AND {condition}
        """
        with connection.cursor() as curseur:
            curseur.execute(sql, [type_, canal, statut, type_, canal, *params])
            return curseur.rowcount

    insere = Counter()
    insere["préavis de ce cycle, courriers postés"] = inserer(
        "d.date_expiration", "courrier", "poste", "d.date_expiration < %s", [limite]
    )
    insere["préavis de ce cycle, e-mails envoyés"] = inserer(
        "d.date_expiration",
        "email",
        "envoye",
        "d.date_expiration < %s AND p.email <> ''",
        [limite],
    )
    insere["préavis du cycle précédent, courriers postés"] = inserer(
        "d.date_dernier_renouvellement",
        "courrier",
        "poste",
        "d.date_dernier_renouvellement IS NOT NULL",
        [],
    )
    with connection.cursor() as curseur:
        curseur.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {t_message}))",
            [t_message],
        )
    return insere


def remettre_a_j(jour: date) -> dict:
    """Défait ce que les passages précédents du banc ont fait à partir de J : la base revient
    à l'état de la veille de J (les entrées d'historique et du journal restent)."""
    from django.db import connection, transaction

    from sne.demandes.models import Demande
    from sne.notifications.models import EvenementMessage, JourneeCampagne, Message, Tournee

    defait = {}
    with transaction.atomic(), connection.cursor() as curseur:
        curseur.execute(
            f"DELETE FROM {EvenementMessage._meta.db_table} WHERE message_id IN "
            f"(SELECT id FROM {Message._meta.db_table} WHERE date_avis >= %s)",
            [jour],
        )
        curseur.execute(
            f"DELETE FROM {EvenementMessage._meta.db_table} WHERE message_id IN "
            f"(SELECT id FROM {Message._meta.db_table} WHERE tournee_id IS NOT NULL "
            "AND date_avis < %s) AND type = 'imprime'",
            [jour],
        )
        curseur.execute(f"DELETE FROM {Message._meta.db_table} WHERE date_avis >= %s", [jour])
        defait["messages"] = curseur.rowcount
        curseur.execute(f"UPDATE {Message._meta.db_table} SET tournee_id = NULL")
        curseur.execute(f"DELETE FROM {Tournee._meta.db_table}")
        curseur.execute(f"DELETE FROM {JourneeCampagne._meta.db_table}")
        curseur.execute(
            f"UPDATE {Demande._meta.db_table} SET statut = 'active', date_radiation = NULL, "
            "motif_radiation = '', sous_motif_radiation = '', commentaire_radiation = '' "
            "WHERE statut = 'radiee' AND motif_radiation = 'non_renouvellement' "
            "AND date_radiation >= %s",
            [jour],
        )
        defait["radiations"] = curseur.rowcount
    if any(defait.values()):
        with connection.cursor() as curseur:
            for modele in (Message, EvenementMessage, Demande):
                curseur.execute(f"VACUUM ANALYZE {modele._meta.db_table}")
    return defait


# ---------------------------------------------------------------------------------------------
# Mesures
# ---------------------------------------------------------------------------------------------


class Compteur:
    """Compte les requêtes SQL (toutes, même hors DEBUG) : `connection.execute_wrapper`.
    `detail` : leur temps aussi, par genre de requête (début du SQL, sans les valeurs)."""

    def __init__(self, detail: bool = False):
        self.requetes = 0
        self.par_genre = Counter() if detail else None
        self.temps = Counter()

    def __call__(self, execute, sql, params, many, context):
        self.requetes += 1
        if self.par_genre is None:
            return execute(sql, params, many, context)
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            genre = re.sub(r"\s+", " ", re.sub(r"\(.*", "(…", sql[:90]))
            genre = re.sub(r'SAVEPOINT "\w+"', "SAVEPOINT …", genre)
            self.par_genre[genre] += 1
            self.temps[genre] += time.perf_counter() - t0

    def imprimer(self, premiers: int = 25) -> None:
        total = sum(self.temps.values())
        print(
            f"      requêtes : {total:.1f} s en tout dans PostgreSQL et le pilote ; les plus "
            "longues en tout :"
        )
        for genre, duree in self.temps.most_common(premiers):
            print(f"        {duree:6.2f} s  {self.par_genre[genre]:6d} ×  {genre}")


def remettre_pic_rss() -> bool:
    """Remet à zéro le pic de mémoire résidente du processus (Linux ≥ 4.0, « 5 » dans
    clear_refs) : le RSS maximal mesuré ensuite est celui de la mesure, pas du chargement."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def pic_rss_mo() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Passage:
    titre: str
    duree: float = 0.0
    phases: dict = field(default_factory=dict)  # nom → (durée, requêtes)
    requetes: int = 0
    preavis: int = 0
    radiations: int = 0
    messages: int = 0
    injoignables: int = 0
    par_canal: dict = field(default_factory=dict)
    rss_mo: float | None = None
    tracemalloc_mo: float | None = None
    compteur: "Compteur | None" = None

    def imprimer(self) -> None:
        traitees = self.preavis + self.radiations
        print(
            f"  {self.titre} : {self.duree:.1f} s pour {self.preavis} préavis et "
            f"{self.radiations} radiations ({traitees / self.duree:.0f} demandes/s) ; "
            f"{self.requetes} requêtes SQL, {self.requetes / max(traitees, 1):.1f} par demande"
        )
        for nom, (duree, requetes, nombre) in self.phases.items():
            print(
                f"      {nom:<11} {duree:7.1f} s · {nombre} demandes · "
                f"{nombre / duree if duree else 0:.0f}/s · "
                f"{requetes / max(nombre, 1):.1f} requêtes par demande"
            )
        canaux = ", ".join(f"{c} {n}" for c, n in sorted(self.par_canal.items()))
        print(
            f"      messages créés : {self.messages} ({canaux}) ; "
            f"demandeurs injoignables : {self.injoignables}"
        )
        memoire = []
        if self.rss_mo is not None:
            memoire.append(f"RSS maximal {self.rss_mo:.0f} Mo")
        if self.tracemalloc_mo is not None:
            memoire.append(f"pic tracemalloc {self.tracemalloc_mo:.1f} Mo")
        if memoire:
            print("      mémoire : " + " ; ".join(memoire))
        if self.compteur is not None:
            self.compteur.imprimer(12)


def lancer(titre: str, le: date, *, tracer: bool = False, profil: Path | None = None) -> Passage:
    """La campagne du jour `le`, mesurée : durées et requêtes des deux étapes, mémoire."""
    from django.db import connection

    from sne.notifications import campagne

    passage = Passage(titre)
    compteur = Compteur(detail=True)
    originaux = {"préavis": campagne.prevenir, "radiations": campagne.radier}

    def chronometre(nom, fonction):
        @functools.wraps(fonction)
        def enveloppe(le, bilan, progression=None):
            avant = (bilan.preavis, bilan.radiations)
            r0, t0 = compteur.requetes, time.perf_counter()
            fonction(le, bilan, progression)
            nombre = bilan.preavis - avant[0] if nom == "préavis" else bilan.radiations - avant[1]
            passage.phases[nom] = (time.perf_counter() - t0, compteur.requetes - r0, nombre)

        return enveloppe

    campagne.prevenir = chronometre("préavis", originaux["préavis"])
    campagne.radier = chronometre("radiations", originaux["radiations"])
    rss = remettre_pic_rss()
    if tracer:
        tracemalloc.start()
    profileur = cProfile.Profile() if profil else None
    try:
        with connection.execute_wrapper(compteur):
            t0 = time.perf_counter()
            if profileur:
                profileur.enable()
            bilan = campagne.lancer_campagne(le)
            if profileur:
                profileur.disable()
            passage.duree = time.perf_counter() - t0
    finally:
        campagne.prevenir, campagne.radier = originaux["préavis"], originaux["radiations"]
        if tracer:
            passage.tracemalloc_mo = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
    if rss:
        passage.rss_mo = pic_rss_mo()
    passage.requetes = compteur.requetes
    passage.preavis, passage.radiations = bilan.preavis, bilan.radiations
    passage.messages, passage.injoignables = bilan.messages, bilan.injoignables
    passage.par_canal = dict(bilan.par_canal)
    if profileur:
        profileur.dump_stats(profil)
        flux = io.StringIO()
        statistiques = pstats.Stats(profileur, stream=flux)
        statistiques.sort_stats("cumulative").print_stats(r"/sne/", 40)
        statistiques.sort_stats("tottime").print_stats(25)
        print(flux.getvalue())
    passage.compteur = compteur
    return passage


def mesurer_boite_d_envoi() -> None:
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count

    from sne.notifications import services
    from sne.notifications.models import Message

    attente = dict(
        Message.objects.filter(statut=Message.Statut.A_ENVOYER)
        .values("canal")
        .annotate(n=Count("pk"))
        .values_list("canal", "n")
    )
    compteur = Compteur()
    t0 = time.perf_counter()
    with connection.execute_wrapper(compteur):
        envoyes = services.envoyer_messages_en_attente(limite=10**9)
    duree = time.perf_counter() - t0
    print(
        f"  Boîte d'envoi : {envoyes} messages envoyés sur "
        f"{sum(attente.values())} en attente ("
        + ", ".join(f"{c} {n}" for c, n in sorted(attente.items()))
        + f") en {duree:.1f} s — {envoyes / duree if duree else 0:.0f} messages/s ; "
        f"{compteur.requetes / max(envoyes, 1):.1f} requêtes SQL par message"
    )
    print(
        f"      backends : e-mail {settings.EMAIL_BACKEND.rsplit('.', 2)[-2]} "
        f"(un fichier par e-mail), SMS {settings.SMS_BACKEND.rsplit('.', 1)[-1]} "
        "(un fichier par SMS), dans un répertoire temporaire"
    )


def mesurer_tournee(taille: int) -> None:
    from django.db.models import Count

    from sne.notifications import services
    from sne.notifications.models import Message

    plus_garni = (
        Message.objects.filter(statut=Message.Statut.A_IMPRIMER, tournee__isnull=True)
        .values("departement")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if not plus_garni:
        print("  Tournée : aucun courrier à imprimer")
        return
    ancienne = services.TAILLE_MAX_TOURNEE
    services.TAILLE_MAX_TOURNEE = taille
    try:
        t0 = time.perf_counter()
        tournee = services.preparer_tournee(plus_garni["departement"])
        t1 = time.perf_counter()
        tournee = services.rendre_tournee(tournee.pk)
        t2 = time.perf_counter()
    finally:
        services.TAILLE_MAX_TOURNEE = ancienne
    taille_pdf = tournee.fichier.size
    print(
        f"  Tournée du {plus_garni['departement']} ({plus_garni['n']} courriers en attente) : "
        f"{tournee.nombre} courriers — préparation {t1 - t0:.2f} s, PDF {t2 - t1:.1f} s "
        f"({taille_pdf / 2**20:.1f} Mo) — {tournee.nombre / (t2 - t1):.1f} documents/s"
    )


def expliquer(le: date) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) des deux sélections : le premier lot comme la campagne le
    demande (clé primaire > 0, 500 ou 100 premières), et le comptage à blanc."""
    from django.db import connection

    from sne.notifications import campagne

    requetes = {
        "a_prevenir — premier lot": campagne.a_prevenir(le)
        .filter(pk__gt=0)
        .order_by("pk")
        .values_list("pk", flat=True)[: campagne.TAILLE_LOT],
        "a_radier — premier lot": campagne.a_radier(le)
        .filter(pk__gt=0)
        .order_by("pk")
        .values_list("pk", flat=True)[: campagne.TAILLE_LOT_RADIATION],
    }
    for titre, requete in requetes.items():
        sql, params = requete.query.sql_with_params()
        with connection.cursor() as curseur:
            curseur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(f"      {ligne}" for (ligne,) in curseur.fetchall())
        print(f"\n    [{titre}] {sql[:500]}{'…' if len(sql) > 500 else ''}")
        print(plan)
    for titre, requete in (
        ("a_prevenir — à blanc", campagne.a_prevenir(le)),
        ("a_radier — à blanc", campagne.a_radier(le)),
    ):
        sql, params = requete.values("pk").query.sql_with_params()
        with connection.cursor() as curseur:
            curseur.execute(
                "EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM (" + sql + ") s", params
            )
            lignes = [ligne for (ligne,) in curseur.fetchall()]
        print(f"\n    [{titre}] " + lignes[-1].strip())
        print("\n".join(f"      {ligne}" for ligne in lignes))


def bouchons_de_contenu() -> list[str]:
    """Les fonctions de contenu des courriers, e-mails et SMS (`sne.attestations.services`)
    que la campagne appelle et que ce code n'a pas encore : remplacées par des bouchons
    minimaux, NOMMÉS dans la sortie (les chiffres de contenu ne valent alors rien)."""
    from sne.attestations import services as documents

    manquants = []

    def ajouter(nom, fonction):
        if not hasattr(documents, nom):
            setattr(documents, nom, fonction)
            manquants.append(nom)

    def donnees(demande):
        demandeur = demande.demandeur
        return {
            "numero_unique": demande.numero_unique,
            "date_expiration": demande.date_expiration.isoformat(),
            "demandeur": {
                "nom": demandeur.nom,
                "prenom": demandeur.prenom,
                "adresse": {
                    "ligne1": demandeur.adresse_ligne1,
                    "code_postal": demandeur.code_postal,
                    "acheminement": demandeur.commune.nom.upper() if demandeur.commune else "",
                },
            },
        }

    ajouter("donnees_preavis_renouvellement", donnees)
    ajouter("donnees_avis_radiation", donnees)
    ajouter("message_email", lambda d: (f"Votre demande {d['numero_unique']}", "Texte"))
    ajouter("message_sms", lambda d: f"Demande {d['numero_unique']}")
    ajouter("rendre_pdfs", lambda liste: b"%PDF-bouchon")
    return manquants


# ---------------------------------------------------------------------------------------------
# Programme
# ---------------------------------------------------------------------------------------------


DEBUT = time.perf_counter()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nombre", type=int, default=NOMBRE, help="demandes actives à charger")
    parser.add_argument("--jour", type=date.fromisoformat, default=JOUR, help="le jour J mesuré")
    parser.add_argument("--preavis", type=int, default=PREAVIS_DU_JOUR, help="préavis dus à J")
    parser.add_argument(
        "--radiations", type=int, default=RADIATIONS_DU_JOUR, help="radiations dues à J"
    )
    parser.add_argument("--rattrapage", type=int, default=30, help="jours du rattrapage (0 : non)")
    parser.add_argument(
        "--tournee", type=int, default=500, help="courriers de la tournée (0 : non)"
    )
    parser.add_argument(
        "--reutiliser", action="store_true", help="garder la base déjà chargée (pas de COPY)"
    )
    parser.add_argument("--sans-plans", action="store_true", help="pas d'EXPLAIN")
    parser.add_argument(
        "--jour-seul",
        action="store_true",
        help="la seule campagne du jour J (pour comparer deux versions du code)",
    )
    parser.add_argument(
        "--profil",
        type=int,
        default=0,
        help="profiler (cProfile) une campagne de ce nombre de demandes (préavis puis "
        "radiations) au lieu des mesures",
    )
    parser.add_argument("--graine", type=int, default=20270115, help="graine des données")
    args = parser.parse_args()

    base = BASE if args.nombre == NOMBRE else f"{BASE}_{args.nombre}"
    repertoire = Path(tempfile.mkdtemp(prefix="sne-banc-campagne-"))
    os.environ["SNE_DATA_DIR"] = str(repertoire)
    os.environ.setdefault("SECRET_KEY", "cle-du-banc-seulement")  # a throwaway database
    os.environ.pop("EMAIL_URL", None)  # the embedded file backend, under SNE_DATA_DIR
    os.environ["SMS_BACKEND"] = "sne.notifications.sms.FichierSms"
    existait = preparer_postgresql(args.reutiliser, base)
    os.environ["DATABASE_URL"] = f"{URL_SERVEUR}/{base}"
    os.environ["SNE_PRODUCTION"] = "0"  # a local PostgreSQL, not a deployment
    initialiser_django()

    from django.core.management import call_command
    from django.db import connection

    from sne.demandes.models import Demande
    from sne.demo.donnees import creer_demandes_demo, creer_donnees_demo
    from sne.notifications.models import Message

    imprimer_entete("Banc de mesure — campagne de renouvellement (sne.notifications.campagne)")
    bouchons = bouchons_de_contenu()
    if bouchons:
        print(
            "CONTENU          : BOUCHONS pour " + ", ".join(bouchons) + " (absents de ce code) : "
            "les durées n'incluent pas le vrai rendu"
        )

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("charger_referentiels", stdout=io.StringIO())
    deja = Demande.objects.count()
    if not (args.reutiliser and existait and deja > 1000):
        creer_donnees_demo()
        creer_demandes_demo()
        # Les demandes de démonstration, enregistrées « aujourd'hui », restent hors de la
        # campagne de J : rien ne leur est dû, elles ne faussent pas les comptes.
    connection.ensure_connection()
    print(
        f"Base de données  : PostgreSQL {connection.pg_version // 10000} (base {base}"
        f"{', gardée' if existait else ', recréée'}) ; migrations, référentiels et démonstration "
        f"en {time.perf_counter() - t0:.0f} s"
    )
    if args.reutiliser and existait and deja > 1000:
        print(f"Chargement       : aucun (--reutiliser), {deja} demandes en base")
        defait = remettre_a_j(args.jour)
        print(
            f"Remise à J       : {defait['messages']} messages et {defait['radiations']} "
            "radiations des passages précédents défaits"
        )
    else:
        print(f"Chargement       : {args.nombre} demandes actives (COPY)")
        t0 = time.perf_counter()
        fabrique = functools.partial(
            GenerateurCampagne,
            nombre=args.nombre,
            preavis=args.preavis,
            radiations=args.radiations,
        )
        durees = charger(args.nombre, args.graine, fabrique, aujourd_hui=args.jour)
        t1 = time.perf_counter()
        inseres = inserer_preavis_anciens(args.jour)
        t2 = time.perf_counter()
        duree_vacuum = vacuum_analyze()
        print(
            f"  {args.nombre} demandes, {durees.pop('personnes')} personnes, "
            f"{durees.pop('communes souhaitées')} communes souhaitées en {t1 - t0:.0f} s ("
            + ", ".join(f"{k} {v:.0f} s" for k, v in durees.items())
            + f") ; préavis déjà donnés en {t2 - t1:.0f} s ("
            + ", ".join(f"{k} {v}" for k, v in inseres.items())
            + f") ; VACUUM ANALYZE {duree_vacuum:.0f} s"
        )
    with connection.cursor() as curseur:
        tailles = []
        for modele in (Demande, Message):
            curseur.execute(
                "SELECT reltuples::bigint, pg_size_pretty(pg_total_relation_size(oid)) "
                "FROM pg_class WHERE relname = %s",
                [modele._meta.db_table],
            )
            lignes, taille = curseur.fetchone()
            tailles.append(f"{modele._meta.db_table} ≈ {lignes} lignes, {taille}")
    print("Tables           : " + " ; ".join(tailles))
    from sne.notifications import campagne

    print(
        f"Jour J           : {args.jour:%d/%m/%Y} ; à blanc : "
        f"{campagne.a_prevenir(args.jour).count()} préavis et "
        f"{campagne.a_radier(args.jour).count()} demandes à examiner pour radiation"
    )

    if args.profil:
        campagne.TAILLE_LOT = campagne.TAILLE_LOT_RADIATION = 100
        limite = {"n": 0}
        par_lots = campagne._par_lots

        def par_lots_limite(requete, taille):
            for ids in par_lots(requete, taille):
                if limite["n"] >= args.profil // 2:
                    limite["n"] = 0
                    return
                limite["n"] += len(ids)
                yield ids

        campagne._par_lots = par_lots_limite
        passage = lancer(f"Profil ({args.profil} demandes)", args.jour, profil=repertoire / "p")
        passage.imprimer()
        return 0

    if not args.sans_plans:
        print("\nPlans des sélections à J (EXPLAIN ANALYZE, BUFFERS) :")
        expliquer(args.jour)

    print("\nMesures :")
    jour = lancer(f"Campagne du jour J ({args.jour:%d/%m/%Y})", args.jour)
    jour.imprimer()
    if args.jour_seul:
        return 0
    remettre_a_j(args.jour)
    trace = lancer(
        "Même campagne, mémoire tracée (tracemalloc, plus lente)", args.jour, tracer=True
    )
    print(
        f"  Même campagne sous tracemalloc : pic {trace.tracemalloc_mo:.1f} Mo alloués par "
        f"Python ; RSS maximal {trace.rss_mo or float('nan'):.0f} Mo ({trace.duree:.0f} s)"
    )
    mesurer_boite_d_envoi()
    if args.rattrapage:
        le = args.jour + timedelta(days=args.rattrapage)
        print(
            f"  (à blanc le {le:%d/%m/%Y} : {campagne.a_prevenir(le).count()} préavis, "
            f"{campagne.a_radier(le).count()} demandes à examiner pour radiation)"
        )
        rattrapage = lancer(
            f"Rattrapage de {args.rattrapage} jours (campagne du {le:%d/%m/%Y})", le
        )
        rattrapage.imprimer()
    # Après le rattrapage s'il a lieu : un département a alors assez de courriers en attente.
    if args.tournee:
        mesurer_tournee(args.tournee)

    print()
    print(
        f"Synthèse : journée J en {jour.duree:.1f} s (objectif < 60 s"
        f"{', atteint' if jour.duree < 60 else ', NON atteint'}) ; "
        f"{jour.requetes / max(jour.preavis + jour.radiations, 1):.1f} requêtes par demande ; "
        f"pic tracemalloc {trace.tracemalloc_mo:.1f} Mo, RSS maximal "
        f"{jour.rss_mo or float('nan'):.0f} Mo à {args.nombre} demandes"
    )
    print(f"Durée totale du banc : {time.perf_counter() - DEBUT:.0f} s ; {charge()} à la fin")
    return 0


if __name__ == "__main__":
    sys.exit(main())
