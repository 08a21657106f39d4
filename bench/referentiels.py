"""Banc de mesure de la résolution des communes (sne.referentiels).

Ce que le script mesure, sur la base configurée (SQLite sous ./var, ou DATABASE_URL) :

1. `resoudre_commune` sur quelques milliers de saisies réalistes et « sales », tirées des
   fichiers CSV du référentiel avec une graine fixe (les communes sont tirées avec une
   probabilité proportionnelle à la racine carrée de leur population) : nom officiel,
   majuscules, sans accents, « St-/Ste- », article entre parenthèses (« Havre (Le) »), tirets
   remplacés par des espaces, apostrophes supprimées (« LHAY LES ROSES »), nom + code postal,
   ligne « code postal + libellé d'acheminement » d'une adresse postale, code postal seul, code
   INSEE, arrondissements (« Paris 20e », « Lyon 3ème »), adresses CEDEX (« 75913 PARIS
   CEDEX 13 ») et fautes de frappe d'un caractère ; avec ou sans département ;
2. `rechercher_communes` (l'autocomplétion) frappe après frappe, sur chaque préfixe de
   quelques centaines de noms ;
3. l'API HTTP `GET /api/v1/referentiels/communes?q=…` via `django.test.Client` (sans serveur).

L'index en mémoire est construit une fois avant les mesures ; sa durée est affichée à part.
Le script affiche les centiles (p50, p95, p99, max) en millisecondes, la part de chaque statut,
le détail par type de saisie, les saisies les plus lentes et celles qui auraient dû aboutir,
les collectes complètes du ramasse-miettes survenues pendant les mesures, puis un verdict
d'une ligne par rapport à l'objectif de 10 ms au p95.

Lancement : `make bench`, ou depuis la racine du projet :

    .venv/bin/python bench/referentiels.py [--graine 20240601] [--nombre 3000] [--details]
"""

import argparse
import csv
import gc
import io
import itertools
import math
import os
import platform
import random
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
DONNEES = RACINE / "sne" / "referentiels" / "data"
OBJECTIF_MS = 10.0
VILLES_PLM = {"75056": "Paris", "69123": "Lyon", "13055": "Marseille"}
_SAINT = re.compile(r"(?<![A-Za-zÀ-ÿ])Saint(?P<e>e?)-")
_ARTICLE = re.compile(r"^(?P<article>Les |Le |La |L')(?P<reste>.+)$")
_LETTRES = "abcdefghijklmnopqrstuvwxyz"


# ---------------------------------------------------------------------------------------------
# Référentiel lu directement dans les CSV (indépendamment du code mesuré)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commune:
    code: str
    nom: str
    type: str
    departement: str
    parente: str
    population: int
    codes_postaux: tuple[str, ...]


@dataclass(frozen=True)
class Saisie:
    texte: str
    departement: str | None
    categorie: str
    attendus: frozenset[str]  # codes INSEE dont chacun est une bonne réponse


class Tirage:
    """Tire une commune avec une probabilité proportionnelle à √population."""

    def __init__(self, communes: list[Commune]):
        self.communes = communes
        poids = (math.sqrt(max(c.population, 1)) for c in communes)
        self.cumul = list(itertools.accumulate(poids))

    def __call__(self, rng: random.Random) -> Commune:
        return rng.choices(self.communes, cum_weights=self.cumul)[0]


def sans_accents(texte: str) -> str:
    texte = texte.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    return "".join(c for c in unicodedata.normalize("NFKD", texte) if not unicodedata.combining(c))


def lire_referentiel() -> tuple[dict[str, Commune], dict[tuple[str, str], str]]:
    communes = {}
    with open(DONNEES / "communes.csv", encoding="utf-8", newline="") as f:
        for ligne in csv.DictReader(f):
            communes[ligne["code_insee"]] = Commune(
                code=ligne["code_insee"],
                nom=ligne["nom"],
                type=ligne["type"],
                departement=ligne["departement"],
                parente=ligne["commune_parente"],
                population=int(ligne["population"] or 0),
                codes_postaux=tuple(cp for cp in ligne["codes_postaux"].split("|") if cp),
            )
    libelles = {}
    with open(DONNEES / "codes_postaux.csv", encoding="utf-8", newline="") as f:
        for ligne in csv.DictReader(f):
            libelles[(ligne["code_insee"], ligne["code_postal"])] = ligne["libelle_acheminement"]
    return communes, libelles


# ---------------------------------------------------------------------------------------------
# Génération des saisies
# ---------------------------------------------------------------------------------------------


def romain(n: int) -> str:
    resultat = ""
    for valeur, chiffres in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= valeur:
            resultat += chiffres
            n -= valeur
    return resultat


def abreger_saint(rng: random.Random, nom: str) -> str:
    forme = rng.choice(("St-", "St ", "ST "))
    texte = _SAINT.sub(lambda m: forme[:2] + ("e" if m.group("e") else "") + forme[2:], nom)
    if forme == "ST ":
        texte = sans_accents(texte).upper()
    return texte


def forme_courante(rng: random.Random, nom: str) -> str:
    """Le nom tel qu'on l'écrit d'habitude : officiel, en capitales ou avec « St »."""
    tirage = rng.random()
    if tirage < 0.4:
        return nom
    if tirage < 0.7 and _SAINT.search(nom):
        return abreger_saint(rng, nom)
    if tirage < 0.85:
        return sans_accents(nom).upper()
    return sans_accents(nom).lower()


def faute_de_frappe(rng: random.Random, nom: str) -> str | None:
    positions = [i for i, c in enumerate(nom) if i > 0 and c.isalpha()]
    if not positions:
        return None
    i = rng.choice(positions)
    if rng.random() < 0.5:
        return nom[:i] + nom[i + 1 :]
    origine = sans_accents(nom[i]).lower()
    lettre = rng.choice([c for c in _LETTRES if c != origine])
    return nom[:i] + (lettre.upper() if nom[i].isupper() else lettre) + nom[i + 1 :]


class Generateur:
    def __init__(self, communes: dict[str, Commune], libelles: dict[tuple[str, str], str]):
        self.communes = communes
        self.libelles = libelles
        self.enfants: dict[str, list[Commune]] = defaultdict(list)
        for c in communes.values():
            if c.type == "arrondissement":
                self.enfants[c.parente].append(c)
        ordinaires = [c for c in communes.values() if c.type == "commune"]
        self.tirages = {
            "communes": Tirage(ordinaires),
            "accentuees": Tirage([c for c in ordinaires if sans_accents(c.nom) != c.nom]),
            "saints": Tirage([c for c in ordinaires if _SAINT.search(c.nom)]),
            "articles": Tirage([c for c in ordinaires if _ARTICLE.match(c.nom)]),
            "tirets": Tirage([c for c in ordinaires if "-" in c.nom]),
            "apostrophes": Tirage([c for c in ordinaires if "'" in c.nom]),
            "avec_cp": Tirage([c for c in ordinaires if c.codes_postaux]),
            "arrondissements": Tirage([c for c in communes.values() if c.type != "commune"]),
            "longs": Tirage([c for c in ordinaires if sum(ch.isalpha() for ch in c.nom) >= 4]),
        }
        # (catégorie, poids, tirage, fabrique)
        self.categories = [
            ("nom officiel", 10, "communes", self.officiel),
            ("majuscules", 8, "communes", self.majuscules),
            ("sans accents", 6, "accentuees", self.sans_accents),
            ("St / Ste", 8, "saints", self.saint),
            ("article entre parenthèses", 5, "articles", self.article),
            ("tirets → espaces", 6, "tirets", self.tirets),
            ("sans apostrophe", 3, "apostrophes", self.apostrophes),
            ("nom + code postal", 12, "avec_cp", self.nom_et_code_postal),
            ("cp + libellé La Poste", 4, "avec_cp", self.adresse_postale),
            ("code postal seul", 7, "avec_cp", self.code_postal),
            ("code INSEE", 5, "communes", self.code_insee),
            ("arrondissement", 5, "arrondissements", self.arrondissement),
            ("CEDEX", 7, "avec_cp", self.cedex),
            ("faute de frappe", 10, "longs", self.faute),
        ]

    def attendus(self, c: Commune) -> frozenset[str]:
        """Paris, Lyon, Marseille : la commune ou l'un de ses arrondissements convient."""
        return frozenset([c.code, *(e.code for e in self.enfants.get(c.code, ()))])

    def libelle(self, c: Commune, cp: str) -> str:
        for code in (c.code, *(e.code for e in self.enfants.get(c.code, ()))):
            if (code, cp) in self.libelles:
                return self.libelles[(code, cp)]
        return sans_accents(c.nom).upper().replace("'", " ")

    # Chaque fabrique rend (texte, codes attendus).
    def officiel(self, rng, c):
        return c.nom, self.attendus(c)

    def majuscules(self, rng, c):
        return c.nom.upper(), self.attendus(c)

    def sans_accents(self, rng, c):
        return sans_accents(c.nom), self.attendus(c)

    def saint(self, rng, c):
        return abreger_saint(rng, c.nom), self.attendus(c)

    def article(self, rng, c):
        m = _ARTICLE.match(c.nom)
        texte = f"{m.group('reste')} ({m.group('article').strip()})"
        return (texte.upper() if rng.random() < 0.3 else texte), self.attendus(c)

    def tirets(self, rng, c):
        texte = c.nom.replace("-", " ")
        return (sans_accents(texte).upper() if rng.random() < 0.3 else texte), self.attendus(c)

    def apostrophes(self, rng, c):
        texte = sans_accents(c.nom).replace("'", "").replace("-", " ")
        return (texte.upper() if rng.random() < 0.7 else texte), self.attendus(c)

    def nom_et_code_postal(self, rng, c):
        cp = rng.choice(c.codes_postaux)
        nom = forme_courante(rng, c.nom)
        modele = rng.choice(("{cp} {nom}", "{cp} {nom}", "{nom} {cp}", "{nom} ({cp})"))
        return modele.format(cp=cp, nom=nom), self.attendus(c)

    def adresse_postale(self, rng, c):
        """La ligne « code postal + libellé d'acheminement » d'une adresse de La Poste."""
        cp = rng.choice(c.codes_postaux)
        return f"{cp} {self.libelle(c, cp)}", self.attendus(c)

    def code_postal(self, rng, c):
        return rng.choice(c.codes_postaux), self.attendus(c)

    def code_insee(self, rng, c):
        return c.code, frozenset([c.code])

    def arrondissement(self, rng, c):
        ville = VILLES_PLM[c.parente]
        numero = int(c.code[4:] if c.departement == "69" else c.code[3:])
        suffixe = rng.choice(("e", "e", "ème", "", "eme", "E", "e arrondissement"))
        if numero == 1 and rng.random() < 0.5:
            suffixe = "er"
        texte = f"{ville} {numero}{suffixe}"
        if rng.random() < 0.1:
            texte = f"{ville} {romain(numero)}"
        if rng.random() < 0.25:
            texte = sans_accents(texte).upper()
        return texte, frozenset([c.code])

    def cedex(self, rng, c):
        cp = rng.choice(c.codes_postaux)
        # Un code CEDEX : les 3 derniers chiffres d'un vrai code postal remplacés par 9xx ou 0xx
        # (2 chiffres outre-mer, pour garder le préfixe 97x du département).
        fin = 2 if cp.startswith("97") else 3
        debut = rng.choice("90")
        code = cp[:-fin] + debut + "".join(rng.choice("0123456789") for _ in range(fin - 1))
        texte = f"{code} {self.libelle(c, cp)} CEDEX"
        attendus = self.attendus(c)
        if c.code in VILLES_PLM and rng.random() < 0.6:
            arrondissement = rng.choice(self.enfants[c.code])
            numero = int(arrondissement.code[-2:] if c.code != "69123" else arrondissement.code[-1])
            texte += f" {numero:02d}" if rng.random() < 0.3 else f" {numero}"
            attendus = frozenset([arrondissement.code])
        elif rng.random() < 0.4:
            texte += f" {rng.randint(1, 9)}"
        return texte, attendus

    def faute(self, rng, c):
        texte = faute_de_frappe(rng, c.nom)
        if texte and rng.random() < 0.3:
            texte = sans_accents(texte).upper()
        return texte, self.attendus(c)

    def saisies(self, rng: random.Random, nombre: int) -> list[Saisie]:
        poids = [p for _, p, _, _ in self.categories]
        resultat = []
        while len(resultat) < nombre:
            categorie, _, tirage, fabrique = rng.choices(self.categories, weights=poids)[0]
            commune = self.tirages[tirage](rng)
            texte, attendus = fabrique(rng, commune)
            if not texte:
                continue
            departement = commune.departement if rng.random() < 0.3 else None
            resultat.append(Saisie(texte, departement, categorie, attendus))
        return resultat

    def frappes(self, rng: random.Random, nombre: int) -> list[tuple[str, str | None, Commune]]:
        """Des noms tapés lettre à lettre dans un champ d'autocomplétion."""
        resultat = []
        for _ in range(nombre):
            c = self.tirages["communes"](rng)
            nom = c.nom if rng.random() < 0.5 else forme_courante(rng, c.nom)
            departement = c.departement if rng.random() < 0.25 else None
            resultat.append((nom, departement, c))
        return resultat


# ---------------------------------------------------------------------------------------------
# Mesures et affichage
# ---------------------------------------------------------------------------------------------


def centile(valeurs_triees: list[float], q: float) -> float:
    """Centile au rang le plus proche (valeurs déjà triées)."""
    if not valeurs_triees:
        return float("nan")
    rang = max(1, math.ceil(q / 100 * len(valeurs_triees)))
    return valeurs_triees[rang - 1]


def resume(durees_ns: list[int]) -> dict[str, float]:
    ms = sorted(d / 1e6 for d in durees_ns)
    return {
        "n": len(ms),
        "p50": centile(ms, 50),
        "p95": centile(ms, 95),
        "p99": centile(ms, 99),
        "max": ms[-1] if ms else float("nan"),
    }


def ligne_centiles(stats: dict[str, float]) -> str:
    return (
        f"  {stats['n']} appels — p50 {stats['p50']:.3f} ms · p95 {stats['p95']:.3f} ms · "
        f"p99 {stats['p99']:.3f} ms · max {stats['max']:.3f} ms"
    )


def pourcent(n: int, total: int) -> str:
    return f"{100 * n / total:5.1f} %" if total else "  —  "


def decrire_base(connection) -> str:
    vendeur = connection.vendor
    if vendeur == "sqlite":
        import sqlite3

        return f"sqlite {sqlite3.sqlite_version} ({connection.settings_dict['NAME']})"
    if vendeur == "postgresql":
        connection.ensure_connection()
        version = connection.pg_version
        return f"postgresql {version // 10000}.{version % 10000}"
    return vendeur


class RamasseMiettes:
    """Compte les collectes complètes (génération 2) et leur durée : avec un index de
    plusieurs centaines de milliers d'objets, chacune peut dominer le maximum mesuré."""

    def __init__(self):
        self.durees_ms: list[float] = []
        self._debut = 0.0
        gc.callbacks.append(self._rappel)

    def _rappel(self, phase: str, info: dict) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._debut = time.perf_counter()
        else:
            self.durees_ms.append((time.perf_counter() - self._debut) * 1000)

    def reprendre(self) -> None:
        self.durees_ms = []

    def ligne(self) -> str:
        if not self.durees_ms:
            return "  ramasse-miettes : aucune collecte complète pendant la mesure"
        return (
            f"  ramasse-miettes : {len(self.durees_ms)} collecte(s) complète(s) pendant la "
            f"mesure, jusqu'à {max(self.durees_ms):.1f} ms chacune"
        )


def citer(saisie: Saisie) -> str:
    dep = f", département {saisie.departement}" if saisie.departement else ""
    return f"« {saisie.texte} »{dep}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graine", type=int, default=20240601, help="graine du tirage")
    parser.add_argument("--nombre", type=int, default=3000, help="nombre de saisies à résoudre")
    parser.add_argument("--noms", type=int, default=300, help="noms tapés en autocomplétion")
    parser.add_argument("--api", type=int, default=300, help="requêtes HTTP sur l'API")
    parser.add_argument(
        "--details", action="store_true", help="lister toutes les saisies anormales (max 50)"
    )
    args = parser.parse_args()

    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sne.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from sne.referentiels.index import index_communes, invalider_index
    from sne.referentiels.models import Commune as CommuneEnBase
    from sne.referentiels.services import rechercher_communes, resoudre_commune

    debut_total = time.perf_counter()
    call_command("migrate", verbosity=0)
    sortie = io.StringIO()
    t0 = time.perf_counter()
    call_command("charger_referentiels", stdout=sortie)
    duree_chargement = time.perf_counter() - t0
    invalider_index()
    t0 = time.perf_counter_ns()
    index = index_communes()
    duree_index_ms = (time.perf_counter_ns() - t0) / 1e6

    en_vigueur = CommuneEnBase.objects.filter(date_fermeture=None).count()
    print("Banc de mesure — résolution des communes (sne.referentiels)")
    print(f"Date             : {datetime.now().astimezone().isoformat(timespec='seconds')}")
    machine = f"{platform.machine()}, {os.cpu_count()} cœurs"
    print(f"Python           : {platform.python_version()} ({machine})")
    print(f"Base de données  : {decrire_base(connection)}")
    print(f"Communes         : {en_vigueur} en vigueur en base, {len(index.fiches)} dans l'index")
    premiere_ligne = sortie.getvalue().strip().splitlines()[0] if sortie.getvalue() else ""
    print(f"Référentiel      : {premiere_ligne} ({duree_chargement:.2f} s)")
    print(f"Index en mémoire : construit en {duree_index_ms:.0f} ms")
    print(f"Graine           : {args.graine}")

    rng = random.Random(args.graine)
    communes, libelles = lire_referentiel()
    generateur = Generateur(communes, libelles)
    saisies = generateur.saisies(rng, args.nombre)

    # 1. Résolution -----------------------------------------------------------------------
    ramasse_miettes = RamasseMiettes()
    durees: list[int] = []
    resultats = []
    for saisie in saisies:
        t0 = time.perf_counter_ns()
        resolution = resoudre_commune(saisie.texte, saisie.departement)
        durees.append(time.perf_counter_ns() - t0)
        resultats.append(resolution)
    stats_resolution = resume(durees)

    print()
    print(f"1. Résolution : resoudre_commune() sur {len(saisies)} saisies")
    print(ligne_centiles(stats_resolution))
    print(ramasse_miettes.ligne())
    statuts = Counter(r.statut for r in resultats)
    for statut, libelle in (("trouvee", "trouvée"), ("ambigue", "ambiguë"), ("introuvable", "")):
        libelle = libelle or statut
        print(f"  {libelle:<12}: {pourcent(statuts[statut], len(saisies))} ({statuts[statut]})")
    en_tete = sum(
        1
        for s, r in zip(saisies, resultats, strict=True)
        if r.candidats and r.candidats[0].commune.code_insee in s.attendus
    )
    print(f"  bonne commune en tête des candidats : {pourcent(en_tete, len(saisies))}")

    print()
    print("  Par type de saisie (« en tête » : la commune d'origine est la 1re candidate)")
    print(
        f"  {'type':<26}{'n':>5}{'trouvée':>10}{'ambiguë':>10}{'introuv.':>10}"
        f"{'en tête':>10}{'p50 ms':>9}{'p95 ms':>9}"
    )
    par_categorie = defaultdict(list)
    for s, r, d in zip(saisies, resultats, durees, strict=True):
        par_categorie[s.categorie].append((s, r, d))
    for categorie, _, _, _ in generateur.categories:
        lignes = par_categorie.get(categorie, [])
        if not lignes:
            continue
        n = len(lignes)
        compte = Counter(r.statut for _, r, _ in lignes)
        tete = sum(
            1
            for s, r, _ in lignes
            if r.candidats and r.candidats[0].commune.code_insee in s.attendus
        )
        st = resume([d for _, _, d in lignes])
        print(
            f"  {categorie:<26}{n:>5}{pourcent(compte['trouvee'], n):>10}"
            f"{pourcent(compte['ambigue'], n):>10}{pourcent(compte['introuvable'], n):>10}"
            f"{pourcent(tete, n):>10}{st['p50']:>9.3f}{st['p95']:>9.3f}"
        )

    print()
    print("  Saisies les plus lentes :")
    lentes = sorted(zip(durees, saisies, resultats, strict=True), key=lambda x: -x[0])[:5]
    for d, s, r in lentes:
        print(f"    {d / 1e6:8.3f} ms  {s.categorie:<26} {citer(s)} → {r.statut}")

    limite = 50 if args.details else 10
    introuvables = [
        (s, r)
        for s, r in zip(saisies, resultats, strict=True)
        if r.statut == "introuvable" and s.categorie != "faute de frappe"
    ]
    print()
    print(f"  Saisies introuvables hors fautes de frappe : {len(introuvables)}")
    for s, _ in introuvables[:limite]:
        print(f"    {s.categorie:<26} {citer(s)}")
    fautes_perdues = [
        s
        for s, r in zip(saisies, resultats, strict=True)
        if s.categorie == "faute de frappe"
        and not any(c.commune.code_insee in s.attendus for c in r.candidats)
    ]
    print(
        f"  Fautes de frappe sans la commune d'origine parmi les candidates : {len(fautes_perdues)}"
    )
    for s in fautes_perdues[: min(limite, 5)]:
        print(f"    {citer(s)}")
    fausses = [
        (s, r)
        for s, r in zip(saisies, resultats, strict=True)
        if r.statut == "trouvee"
        and r.candidats[0].commune.code_insee not in s.attendus
        and s.categorie != "faute de frappe"
    ]
    print(f"  Trouvées, mais une autre commune que celle d'origine : {len(fausses)}")
    for s, r in fausses[:limite]:
        c = r.candidats[0].commune
        print(f"    {s.categorie:<26} {citer(s)} → {c.nom} ({c.code_insee})")

    # 2. Autocomplétion --------------------------------------------------------------------
    frappes = generateur.frappes(rng, args.noms)
    durees_frappes: list[int] = []
    ramasse_miettes.reprendre()
    proposee = 0
    pire = (0, "", None)
    for nom, departement, commune in frappes:
        suggestions = []
        for i in range(1, len(nom) + 1):
            prefixe = nom[:i]
            t0 = time.perf_counter_ns()
            suggestions = rechercher_communes(prefixe, departement)
            duree = time.perf_counter_ns() - t0
            durees_frappes.append(duree)
            if duree > pire[0]:
                pire = (duree, prefixe, departement)
        if any(s.commune.code_insee == commune.code for s in suggestions):
            proposee += 1
    stats_frappes = resume(durees_frappes)
    print()
    print(f"2. Autocomplétion : rechercher_communes() frappe après frappe, {len(frappes)} noms")
    print(ligne_centiles(stats_frappes))
    print(ramasse_miettes.ligne())
    print(f"  commune proposée une fois le nom complet tapé : {pourcent(proposee, len(frappes))}")
    dep = f", département {pire[2]}" if pire[2] else ""
    print(f"  frappe la plus lente : « {pire[1]} »{dep} ({pire[0] / 1e6:.3f} ms)")

    # 3. API HTTP --------------------------------------------------------------------------
    # A host the embedded settings allow (the test client's « testserver » is refused: 400).
    client = Client(SERVER_NAME="localhost")
    url = "/api/v1/referentiels/communes"
    client.get(url, {"q": "Paris"})  # premier appel : imports et résolution d'URL, non mesuré
    echantillon = rng.sample(saisies, min(args.api, len(saisies)))
    durees_api: list[int] = []
    ramasse_miettes.reprendre()
    codes_http: Counter = Counter()
    for s in echantillon:
        parametres = {"q": s.texte}
        if s.departement:
            parametres["departement"] = s.departement
        t0 = time.perf_counter_ns()
        reponse = client.get(url, parametres)
        durees_api.append(time.perf_counter_ns() - t0)
        codes_http[reponse.status_code] += 1
    stats_api = resume(durees_api)
    print()
    print(f"3. API HTTP : GET {url}?q=… via django.test.Client, {len(echantillon)} requêtes")
    print(ligne_centiles(stats_api))
    print(ramasse_miettes.ligne())
    print("  statuts HTTP : " + ", ".join(f"{k} × {v}" for k, v in sorted(codes_http.items())))

    # Verdict ------------------------------------------------------------------------------
    print()
    print(f"Durée totale du banc : {time.perf_counter() - debut_total:.1f} s")

    def jugement(libelle: str, p95: float) -> str:
        etat = "atteint" if p95 < OBJECTIF_MS else "NON atteint"
        return f"p95 {libelle} {p95:.2f} ms (objectif < {OBJECTIF_MS:.0f} ms) : {etat}"

    print(
        "Verdict : "
        + " ; ".join(
            (
                jugement("résolution", stats_resolution["p95"]),
                jugement("autocomplétion", stats_frappes["p95"]),
                jugement("API", stats_api["p95"]),
            )
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
