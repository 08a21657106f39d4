"""Banc de mesure de la détection des doublons (issue 11) : notre moteur contre recordlinkage.

Ce que le script fait :

1. **Une population française réaliste** (Faker `fr_FR`, graine `--graine`) : des ménages —
   un demandeur (58 % de femmes), un conjoint co-demandeur quatre fois sur dix (marié une fois
   sur deux : même nom d'usage, nom de naissance de l'épouse), 0 à 3 enfants —, des noms tirés
   selon leur fréquence (les 400 noms de Faker pondérés en 1/√rang : `Martin` 2,5 %, puis
   `Bernard`, `Thomas`, `Petit`, `Dubois`, `Moreau`… ; `Nguyen`, `Diallo`, `Traoré`,
   `N'Diaye`, `Da Silva`…), 6 % de noms doubles (`Martin-Dupont`, `Garcia Lopez`), des noms à
   particule (`Le Goff`, `De La Fontaine`, `D'Almeida`), des prénoms fréquents (`Marie`,
   `Mohamed`, `Nathalie`) et composés (`Jean-Pierre`, `Marie-Claire`), les accents ; un NIR
   valide pour 40 % des adultes, un numéro de pièce d'identité (carte, passeport, titre de
   séjour) pour 60 % des demandeurs, un e-mail pour 55 % et un portable pour 75 % ; 2 % des
   adultes ont la date conventionnelle du 1er janvier (nés à l'étranger sans date connue). Deux
   demandeurs ou co-demandeurs n'ont jamais les mêmes nom, prénom et date de naissance pliés :
   tout doublon mesuré est un doublon injecté. Les homonymes sont nombreux : au million,
   ~32 000 `Martin`, dont des centaines de mêmes prénom et année de naissance.
2. **Le chargement dans PostgreSQL** par COPY (demandes et personnes, numéros uniques bien
   formés : territoire, mois, année, séquence, guichet ; un guichet de banc par département),
   puis `sne.doublons.services.indexer_demandes` par lots (les empreintes d'identité), puis
   VACUUM ANALYZE.
3. **Les requêtes** (`--requetes`, 2 000 par défaut), tirées de la base chargée : 70 % de
   doublons injectés, répartis également entre 18 genres de variation, chacun étiqueté
   (accents et casse ; trait d'union, apostrophe, particule ; nom composé partiel ; nom et
   prénom inversés ; nom de naissance au lieu du nom d'usage et l'inverse ; faute d'une
   lettre — remplacement par une touche voisine, oubli, lettre doublée, inversion — ; deux
   fautes ; graphie phonétique — `Dupont`/`Dupond`, `Philippe`/`Filipe`,
   `Mohamed`/`Mohammed`, `Catherine`/`Katherine` — ; un chiffre faux dans la date ; jour et
   mois inversés ; la personne co-demandeur d'une autre demande ; même NIR tapé autrement
   avec un autre nom ; même numéro de pièce tapé autrement avec un nom proche ; même e-mail,
   même téléphone avec un nom proche), et 30 % de requêtes qui ne doivent RIEN trouver :
   homonymes vrais (mêmes nom et prénom, autre date, rien d'autre en commun), jumeaux (même
   date, même nom, prénom éloigné), jumeaux aux prénoms proches (`Louis`/`Louise`), parent et
   enfant du même nom, personnes nouvelles ordinaires. Chaque requête porte sa civilité ;
   une requête de doublon ne porte que
   sa variation : ni NIR, ni pièce, ni e-mail, ni téléphone, sauf pour les genres qui les
   mesurent (une requête ne doit pas trouver son doublon par une autre clé que celle qu'on
   mesure). Une variation qui tomberait exactement sur l'identité d'une autre personne est
   retirée.
4. **Les deux systèmes sur les mêmes requêtes** : notre moteur (`sne.doublons.services.
   rechercher`, un appel par requête contre PostgreSQL ; avant son arrivée, le moteur exact
   `sne.demandes.services.doublons.rechercher_doublons`) et **recordlinkage** dans une
   configuration classique : blocage sur la date de naissance ∪ voisinage trié (fenêtre 5)
   sur la clé phonétique NYSIIS du nom et du prénom ∪ blocage sur le NIR, la pièce, l'e-mail,
   le téléphone ; comparaison Jaro-Winkler (seuil 0,85) du nom (d'usage et de naissance,
   croisés) et du prénom, Levenshtein (seuil 0,85) des 8 chiffres de la date, exacte des
   identifiants ; classement par seuil (nom + prénom + date + e-mail + téléphone + 3 × NIR +
   3 × pièce ≥ 3).

Un doublon est « trouvé » quand la demande d'origine est parmi les suspicions. Chaque
suspicion d'une autre demande est un faux positif ; ceux qui désignent une autre personne de
mêmes nom et prénom pliés, née à un chiffre de date près, sont comptés à part (« homonymes
indiscernables » : aucun moteur ne les écarte sans autre clé). Le banc imprime côte à côte la
précision, le rappel et le F1, en tout et par genre de variation, les fausses alertes des
requêtes négatives, la latence d'une recherche (p50, p95, p99 : notre moteur, un appel ;
recordlinkage, le lot divisé par le nombre de requêtes, et `--rl-unitaire` requêtes seules),
le F1 de notre moteur selon le score minimal retenu, et des exemples de chaque manque.
`--manques FICHIER` écrit tous les manques et faux positifs (JSON lignes) pour régler le
moteur. Le téléphone est passé en E.164 comme le font toutes les entrées (API, formulaires).
Objectifs (issue 11) : F1 ≥ 0,98, rappel ≥ 0,98, p95 ≤ 25 ms au million.

Base : PostgreSQL sur 127.0.0.1:5432 (utilisateur postgres), base dédiée
`sne_bench_doublons` (`--base`) supprimée et recréée, migrée, référentiels chargés.
`--reutiliser` garde la base déjà chargée (les requêtes sont tirées de ce qu'elle contient ;
ses empreintes sont calculées si la table est vide, ou avec `--reindexer`).

Lancement depuis la racine du projet :

    .venv/bin/python bench/doublons.py --taille 100000
    .venv/bin/python bench/doublons.py --taille 1000000 --rl-unitaire 3   # ~40 min
    .venv/bin/python bench/doublons.py --reutiliser --manques /tmp/manques.jsonl
"""

import argparse
import contextlib
import io
import json
import math
import os
import random
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from contexte import charge, imprimer_entete
from rapidfuzz.distance import JaroWinkler
from recherche import (
    Tirage,
    centile,
    copier,
    temps_processeur_du_serveur,
    un_an_apres,
    valeurs_par_defaut,
)

RACINE = Path(__file__).resolve().parent.parent
URL_SERVEUR = "postgres://postgres@127.0.0.1:5432"
BASE_BANC = "sne_bench_doublons"
LOT = 50_000
LOT_INDEXATION = 5_000
CHAUFFE = 20
LIMITE = 20
AUJOURD_HUI = date(2026, 11, 30)  # fixed: the same seed gives the same population any day
PART_DOUBLONS = 0.70

# ---------------------------------------------------------------------------------------------
# Environnement (avant django.setup)
# ---------------------------------------------------------------------------------------------


def preparer_postgresql(base: str, reutiliser: bool) -> bool:
    """Crée la base (la supprime d'abord sauf --reutiliser) ; vrai si elle existait déjà."""
    import psycopg

    with psycopg.connect(f"{URL_SERVEUR}/postgres", autocommit=True) as cnx:
        existe = cnx.execute("SELECT 1 FROM pg_database WHERE datname = %s", [base]).fetchone()
        if existe and not reutiliser:
            cnx.execute(f'DROP DATABASE "{base}" WITH (FORCE)')
            existe = None
        if not existe:
            cnx.execute(f'CREATE DATABASE "{base}"')
    return bool(existe)


def initialiser_django() -> None:
    sys.path.insert(0, str(RACINE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sne.settings")
    import django

    django.setup()


# ---------------------------------------------------------------------------------------------
# Noms, prénoms, identifiants
# ---------------------------------------------------------------------------------------------

# Names that Faker's 400 lack and that the register sees often (weights relative to Martin's
# 100), and names with particles, apostrophes and compounds.
# fmt: off
NOMS_EN_PLUS = {
    "Nguyen": 30, "Diallo": 20, "Traoré": 15, "Camara": 12, "Diop": 10, "Konaté": 8, "Haddad": 8,
    "Benali": 8, "Bouaziz": 5, "Mendes": 6, "Hoarau": 6, "Payet": 6, "N'Diaye": 10, "D'Almeida": 5,
    "Le Guen": 6, "Le Bihan": 4, "De La Fontaine": 3, "Saint-Martin": 3, "Ben Ahmed": 5,
    "El Amrani": 5, "Ben Saïd": 3, "Van Der Berg": 2, "Du Pont": 2, "Le Floc'h": 3, "Lefèvre": 8,
    "Lemaître": 5, "Benoît": 5, "Bélanger": 2, "Tran": 10, "Pham": 6, "Yilmaz": 8, "Kaya": 4,
    "Cissé": 8, "Sylla": 6, "Fofana": 8, "Mohamed": 10, "Ahmed": 6, "Ali": 8, "Da Costa": 5,
    "Dos Santos": 8, "Pereira": 8,
}
# fmt: on
# fmt: off
PRENOMS_FEMMES_EN_PLUS = {
    "Marie": 40, "Nathalie": 20, "Isabelle": 20, "Sylvie": 18, "Catherine": 18, "Fatima": 20,
    "Aïcha": 10, "Fatoumata": 12, "Aminata": 10, "Mariam": 8, "Khadija": 8, "Marie-Claire": 5,
    "Marie-Thérèse": 4, "Anne-Sophie": 5, "Marie-Christine": 4, "Hélène": 10, "Élodie": 10,
    "Stéphanie": 12, "Céline": 12, "Chloé": 10, "Léa": 12, "Louise": 8, "Jeanne": 8, "Danielle": 5,
    "Michèle": 6, "Yasmine": 8, "Inès": 10,
}
# fmt: on
# fmt: off
PRENOMS_HOMMES_EN_PLUS = {
    "Jean": 30, "Mohamed": 35, "Mohammed": 10, "Ahmed": 12, "Mamadou": 15, "Moussa": 10,
    "Philippe": 15, "Christophe": 12, "Stéphane": 12, "Jean-Pierre": 10, "Jean-Luc": 6,
    "Jean-Baptiste": 5, "Pierre-Louis": 3, "Jean-Claude": 6, "Matthieu": 8, "Mathieu": 8,
    "Louis": 10, "Léo": 10, "Daniel": 10, "Thomas": 15, "Kévin": 10, "Karim": 10, "Youssef": 10,
    "Abdoulaye": 8, "Ibrahim": 8,
}
# fmt: on
# Opposite-sex twins often get close first names.
# fmt: off
PRENOMS_JUMEAUX = [
    ("Louis", "Louise"), ("Daniel", "Danielle"), ("Léo", "Léa"), ("Jean", "Jeanne"),
    ("Michel", "Michèle"), ("Emmanuel", "Emmanuelle"), ("Pascal", "Pascale"),
    ("Frédéric", "Frédérique"), ("Gabriel", "Gabrielle"), ("Raphaël", "Raphaëlle"),
    ("Mathis", "Mathilde"), ("Yanis", "Yasmine"), ("Adam", "Adama"), ("Lucas", "Lucie"),
]
# fmt: on
DOMAINES = (
    "gmail.com",
    "orange.fr",
    "hotmail.fr",
    "yahoo.fr",
    "free.fr",
    "sfr.fr",
    "laposte.net",
    "outlook.fr",
    "wanadoo.fr",
)  # fmt: skip
PARTICULES = {"le", "la", "de", "du", "des", "d", "l", "van", "der", "da", "dos", "el", "ben"}
PIECES = ("carte_identite", "passeport", "titre_sejour")


def sans_accents(texte: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", texte) if not unicodedata.combining(c))


def plier(texte: str) -> str:
    """Le pli du modèle (`Personne.calculer_cles`), ici pour tester une identité sans Django."""
    return "".join(c for c in sans_accents((texte or "").lower()) if c.isalnum())


def tirages_de_noms() -> tuple[Tirage, Tirage, Tirage]:
    from faker.providers.person.fr_FR import Provider as Personnes

    noms = {nom: 100 / math.sqrt(rang) for rang, nom in enumerate(Personnes.last_names, 1)}
    noms.update(NOMS_EN_PLUS)
    femmes = dict.fromkeys(Personnes.first_names_female, 4.0)
    femmes.update(PRENOMS_FEMMES_EN_PLUS)
    hommes = dict.fromkeys(Personnes.first_names_male, 4.0)
    hommes.update(PRENOMS_HOMMES_EN_PLUS)
    return Tirage.de(noms), Tirage.de(femmes), Tirage.de(hommes)


def nir_de(rng: random.Random, femme: bool, naissance: date) -> str:
    """Un NIR valide : sexe, année, mois, lieu de naissance (département et commune, ou 99 et
    le pays pour une naissance à l'étranger), rang, clé (97 − n mod 97)."""
    if rng.random() < 0.25:
        lieu = f"99{rng.randrange(100, 500):03d}"
    else:
        lieu = f"{rng.choice([d for d in range(1, 96) if d != 20]):02d}{rng.randrange(1, 900):03d}"
    corps = f"{2 if femme else 1}{naissance.year % 100:02d}{naissance.month:02d}{lieu}"
    corps += f"{rng.randrange(1, 1000):03d}"
    return f"{corps}{97 - int(corps) % 97:02d}"


def numero_de_piece(rng: random.Random, genre: str) -> str:
    lettres = "ABCDEFGHJKLMNPRSTUVWXYZ"
    if genre == "carte_identite":  # carte nationale d'identité électronique : 9 caractères
        return "".join(rng.choice(lettres + "0123456789") for _ in range(9))
    if genre == "passeport":  # 2 chiffres, 2 lettres, 5 chiffres
        return (
            f"{rng.randrange(100):02d}{rng.choice(lettres)}{rng.choice(lettres)}"
            f"{rng.randrange(100000):05d}"
        )
    return f"{rng.randrange(10**10):010d}"  # titre de séjour : 10 chiffres


# ---------------------------------------------------------------------------------------------
# Population
# ---------------------------------------------------------------------------------------------


@dataclass
class Adulte:
    femme: bool
    nom: str
    nom_naissance: str
    prenom: str
    naissance: date
    nir: str = ""
    piece_type: str = ""
    piece_numero: str = ""
    email: str = ""
    telephone: str = ""


def cle_identite(nom: str, prenom: str, naissance: date) -> int:
    return hash((plier(nom), plier(prenom), naissance.toordinal()))


class Population:
    """Des ménages réalistes ; `pris` : les identités (nom plié — d'usage et de naissance —,
    prénom plié, date) déjà données à un adulte, pour qu'aucune ne le soit deux fois."""

    def __init__(self, graine: int):
        self.rng = random.Random(graine)
        self.noms, self.femmes, self.hommes = tirages_de_noms()
        self.pris: set[int] = set()
        self.emails: set[str] = set()
        self.telephones: set[str] = set()

    def nom(self) -> str:
        rng = self.rng
        if rng.random() < 0.06:  # nom double : avant 2005 avec un trait, depuis avec un espace
            premier, second = self.noms.tirer(rng), self.noms.tirer(rng)
            if premier != second:
                return f"{premier}{rng.choice(['-', ' '])}{second}"
        return self.noms.tirer(rng)

    def prenom(self, femme: bool) -> str:
        return (self.femmes if femme else self.hommes).tirer(self.rng)

    def naissance(self, debut: int, fin: int) -> date:
        return date(debut, 1, 1) + timedelta(days=self.rng.randrange((fin - debut) * 365))

    def conventionnelle(self, jour: date) -> date:
        """2 % des adultes, nés à l'étranger sans date connue, sont inscrits au 1er janvier
        de leur année de naissance (date conventionnelle des titres de séjour) : des
        centaines de personnes par 01/01, un bloc de date bien plus gros que les autres."""
        return jour.replace(month=1, day=1) if self.rng.random() < 0.02 else jour

    def disponible(self, *identites: tuple[str, str, date]) -> bool:
        return not any(cle_identite(*i) in self.pris for i in identites)

    def retenir(self, adulte: Adulte) -> None:
        for nom in (adulte.nom, adulte.nom_naissance):
            if nom:
                self.pris.add(cle_identite(nom, adulte.prenom, adulte.naissance))

    def adulte(self, femme: bool, nom: str, nom_naissance: str, naissance: date) -> Adulte:
        """Un adulte à l'identité libre (prénom retiré tant qu'elle est prise)."""
        while True:
            prenom = self.prenom(femme)
            identites = [(nom, prenom, naissance)]
            if nom_naissance:
                identites.append((nom_naissance, prenom, naissance))
            if self.disponible(*identites):
                break
            naissance += timedelta(days=self.rng.choice([-1, 1]))
        a = Adulte(femme, nom, nom_naissance, prenom, naissance)
        self.retenir(a)
        return a

    def completer(self, a: Adulte, demandeur: bool) -> Adulte:
        rng = self.rng
        if rng.random() < 0.40:
            a.nir = nir_de(rng, a.femme, a.naissance)
        if demandeur:
            a.piece_type = rng.choices(PIECES, weights=(70, 10, 20))[0]
            if rng.random() < 0.60:
                a.piece_numero = numero_de_piece(rng, a.piece_type)
        elif rng.random() < 0.30:
            a.piece_type = rng.choices(PIECES, weights=(70, 10, 20))[0]
            a.piece_numero = numero_de_piece(rng, a.piece_type)
        if rng.random() < 0.55:
            base = f"{plier(a.prenom)}.{plier(a.nom.split('-')[0].split(' ')[-1])}"
            email = f"{base}@{rng.choice(DOMAINES)}"
            while email in self.emails:
                email = f"{base}{rng.randrange(1, 100)}@{rng.choice(DOMAINES)}"
            self.emails.add(email)
            a.email = email
        if rng.random() < 0.75:
            telephone = f"+33{rng.choice('67')}{rng.randrange(10**8):08d}"
            while telephone in self.telephones:
                telephone = f"+33{rng.choice('67')}{rng.randrange(10**8):08d}"
            self.telephones.add(telephone)
            a.telephone = telephone
        return a

    def menage(self) -> tuple[Adulte, Adulte | None, list[tuple[bool, str, date]]]:
        """(demandeur, co-demandeur ou None, enfants (fille ?, prénom, naissance))."""
        rng = self.rng
        femme = rng.random() < 0.58
        naissance = self.conventionnelle(self.naissance(1945, 2006))
        nom = self.nom()
        conjoint = None
        if rng.random() < 0.40:
            marie = rng.random() < 0.5
            autre_nom = self.nom()
            autre_naissance = naissance + timedelta(days=int(rng.gauss(900, 1500)))
            majeur = AUJOURD_HUI - timedelta(days=18 * 365)
            if autre_naissance > majeur:  # spread, never one date for thousands of people
                autre_naissance = majeur - timedelta(days=rng.randrange(3 * 365))
            autre_naissance = self.conventionnelle(autre_naissance)
            if femme:  # l'épouse porte le nom de son mari, son nom de naissance à part
                nom_mari = autre_nom
                demandeur = self.adulte(True, *((nom_mari, nom) if marie else (nom, "")), naissance)
                conjoint = self.adulte(False, nom_mari if marie else autre_nom, "", autre_naissance)
            else:
                demandeur = self.adulte(False, nom, "", naissance)
                conjoint = self.adulte(
                    True, *((nom, autre_nom) if marie else (autre_nom, "")), autre_naissance
                )
        else:
            # Une femme seule garde parfois le nom de son ex-mari (nom de naissance à part).
            nom_naissance = self.nom() if femme and rng.random() < 0.2 else ""
            demandeur = self.adulte(femme, nom, nom_naissance, naissance)
        self.completer(demandeur, True)
        if conjoint:
            self.completer(conjoint, False)
            if rng.random() < 0.3:  # un seul téléphone ou e-mail pour le ménage
                conjoint.email = conjoint.email or demandeur.email
        x = rng.random()
        enfants = []
        for _ in range(0 if x < 0.5 else 1 if x < 0.7 else 2 if x < 0.88 else 3):
            fille = rng.random() < 0.5
            ne_le = naissance + timedelta(days=rng.randrange(6500, 15000))
            if ne_le < AUJOURD_HUI:
                enfants.append((fille, self.prenom(fille), ne_le))
        return demandeur, conjoint, enfants


# ---------------------------------------------------------------------------------------------
# Chargement (COPY)
# ---------------------------------------------------------------------------------------------


def preparer_guichets() -> tuple[dict[str, tuple[int, str]], Tirage]:
    """Un guichet de banc par département (code `075D1`, `02AD1`, `971D1`) et le tirage des
    départements selon leur population."""
    from sne.organisations.models import Guichet, Organisation
    from sne.referentiels.models import Commune, Departement

    deps = list(Departement.objects.order_by("code"))
    if not Guichet.objects.filter(code__regex=r"^[0-9AB]{3}D1$").exists():
        organisation = Organisation.objects.create(
            nom="Bailleur du banc des doublons", type=Organisation.Type.BAILLEUR
        )
        guichets = Guichet.objects.bulk_create(
            Guichet(
                code=f"{d.code:0>3}D1", nom=f"Guichet du banc ({d.code})", organisation=organisation
            )
            for d in deps
        )
        Habilites = Guichet.departements.through
        Habilites.objects.bulk_create(
            Habilites(guichet_id=g.pk, departement_id=d.code)
            for g, d in zip(guichets, deps, strict=True)
        )
    guichets = {
        code[:3].lstrip("0").rjust(2, "0"): (pk, code)
        for pk, code in Guichet.objects.filter(code__regex=r"^[0-9AB]{3}D1$").values_list(
            "pk", "code"
        )
    }
    population = Counter()
    for dep, pop in Commune.objects.values_list("departement", "population"):
        population[dep] += pop or 0
    return guichets, Tirage.de({d.code: max(population[d.code], 1) for d in deps})


def charger(taille: int, graine: int) -> dict:
    """Génère et charge `taille` demandes par lots (COPY des demandes puis des personnes) ;
    rend les durées de chaque étape."""
    from django.db import connection

    from sne.demandes.models import CompteurNumeroUnique, Demande, Personne

    durees = Counter()
    guichets, departements = preparer_guichets()
    population = Population(graine)
    rng = random.Random(f"{graine}-demandes")
    col_demande, def_demande = valeurs_par_defaut(Demande)
    col_personne, def_personne = valeurs_par_defaut(Personne)
    col_personne.remove("id")
    premier = (Demande.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    sequences = Counter()
    personnes_total = 0
    connection.ensure_connection()
    with connection.connection.cursor() as curseur:
        for debut in range(0, taille, LOT):
            t0 = time.perf_counter()
            demandes, personnes = [], []
            for pk in range(premier + debut, premier + min(debut + LOT, taille)):
                departement = departements.tirer(rng)
                guichet_id, code_guichet = guichets[departement]
                depot = AUJOURD_HUI - timedelta(days=rng.randrange(360))
                territoire = departement.rjust(3, "0")
                cle = (territoire, depot.month, depot.year % 100)
                sequences[cle] += 1
                demandeur, conjoint, enfants = population.menage()
                lignes = [personne_copiee(pk, "demandeur", 0, demandeur)]
                if conjoint:
                    lignes.append(personne_copiee(pk, "co_demandeur", 1, conjoint, "conjoint"))
                for _fille, prenom, ne_le in enfants:
                    nom_enfant = conjoint.nom if conjoint and demandeur.femme else demandeur.nom
                    lignes.append(
                        {
                            "demande_id": pk,
                            "role": "personne_a_charge",
                            "nom": nom_enfant,
                            "nom_cle": plier(nom_enfant),
                            "prenom": prenom,
                            "prenom_cle": plier(prenom),
                            "date_naissance": ne_le,
                            "lien": "enfant",
                            "ordre": len(lignes),
                        }
                    )
                personnes += lignes
                enregistree_le = datetime(
                    depot.year, depot.month, depot.day, 9 + rng.randrange(8), tzinfo=UTC
                )
                demandes.append(
                    {
                        "id": pk,
                        "numero_unique": f"{territoire}{depot.month:02d}{depot.year % 100:02d}"
                        f"{sequences[cle]:06d}{code_guichet}",
                        "statut": "active",
                        "departement_id": departement,
                        "guichet_enregistreur_id": guichet_id,
                        "date_depot": depot,
                        "enregistree_le": enregistree_le,
                        "date_expiration": un_an_apres(depot),
                        "nombre_personnes": len(lignes),
                        "deja_locataire_hlm": rng.random() < 0.25,
                        "modifiee_le": enregistree_le,
                    }
                )
            t1 = time.perf_counter()
            durees["génération"] += t1 - t0
            copier(curseur, Demande._meta.db_table, col_demande, def_demande, demandes)
            copier(curseur, Personne._meta.db_table, col_personne, def_personne, personnes)
            durees["COPY"] += time.perf_counter() - t1
            personnes_total += len(personnes)
            print(
                f"  … {min(debut + LOT, taille):>9} demandes chargées "
                f"({time.perf_counter() - DEBUT:.0f} s depuis le début)",
                flush=True,
            )
    from django.core.management.color import no_style

    with connection.cursor() as curseur:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Demande, Personne]):
            curseur.execute(sql)
    # The numbers given here are never given again if someone registers in this base.
    CompteurNumeroUnique.objects.bulk_create(
        [
            CompteurNumeroUnique(territoire=t, mois=m, annee=a, dernier=dernier)
            for (t, m, a), dernier in sequences.items()
        ],
        update_conflicts=True,
        unique_fields=["territoire", "mois", "annee"],
        update_fields=["dernier"],
    )
    durees["personnes"] = personnes_total
    durees["premier"] = premier
    return durees


def personne_copiee(pk: int, role: str, ordre: int, a: Adulte, lien: str = "") -> dict:
    return {
        "demande_id": pk,
        "role": role,
        "civilite": "MME" if a.femme else "M",
        "nom": a.nom,
        "nom_cle": plier(a.nom),
        "nom_naissance": a.nom_naissance,
        "nom_naissance_cle": plier(a.nom_naissance),
        "prenom": a.prenom,
        "prenom_cle": plier(a.prenom),
        "date_naissance": a.naissance,
        "lien": lien,
        "piece_identite_type": a.piece_type,
        "piece_identite_numero": a.piece_numero,
        "nir": a.nir,
        "email": a.email,
        "telephone": a.telephone,
        "ordre": ordre,
    }


def indexer(premier: int, dernier: int) -> float | None:
    """Les empreintes d'identité des demandes `premier` à `dernier`, par lots ; None sans le
    moteur `sne.doublons`."""
    try:
        from sne.doublons.services import indexer_demandes
    except ImportError:
        return None
    t0 = time.perf_counter()
    for debut in range(premier, dernier + 1, LOT_INDEXATION):
        indexer_demandes(list(range(debut, min(debut + LOT_INDEXATION, dernier + 1))))
        if (debut - premier) % (40 * LOT_INDEXATION) == 0:
            faites = min(debut + LOT_INDEXATION, dernier + 1) - premier
            print(
                f"  … empreintes : {faites:>9} demandes "
                f"({time.perf_counter() - DEBUT:.0f} s depuis le début)",
                flush=True,
            )
    return time.perf_counter() - t0


def sans_empreintes() -> bool:
    """Le moteur `sne.doublons` est là et sa table d'empreintes est vide."""
    try:
        from sne.doublons.models import EmpreinteIdentite
    except ImportError:
        return False
    return not EmpreinteIdentite.objects.exists()


# ---------------------------------------------------------------------------------------------
# La population chargée, telle que les requêtes et recordlinkage la voient
# ---------------------------------------------------------------------------------------------


@dataclass
class Fiche:
    """Un demandeur ou co-demandeur d'une demande active, tel qu'il est en base."""

    numero: str
    role: str
    femme: bool
    nom: str
    nom_naissance: str
    prenom: str
    naissance: date
    nir: str
    piece_numero: str
    email: str
    telephone: str


def lire_population() -> list[Fiche]:
    from django.db import connection

    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT d.numero_unique, p.role, p.civilite = 'MME', p.nom, p.nom_naissance, "
            "p.prenom, p.date_naissance, p.nir, p.piece_identite_numero, p.email, p.telephone "
            "FROM demandes_personne p JOIN demandes_demande d ON d.id = p.demande_id "
            "WHERE p.role IN ('demandeur', 'co_demandeur') AND d.statut = 'active' "
            "AND p.date_naissance IS NOT NULL ORDER BY p.id"
        )
        return [Fiche(*ligne) for ligne in curseur.fetchall()]


# ---------------------------------------------------------------------------------------------
# Variations
# ---------------------------------------------------------------------------------------------


@dataclass
class Requete:
    genre: str
    nom: str
    prenom: str
    date_naissance: date | None
    nom_naissance: str = ""
    nir: str = ""
    piece_identite_numero: str = ""
    email: str = ""
    telephone: str = ""
    civilite: str = ""  # « MME » or « M », as a desk types it
    attendu: str | None = None  # the numéro unique of the true duplicate
    origine: str = ""  # the identity in base, for the examples
    ancre: "Fiche | None" = field(default=None, repr=False)  # the person it was made from

    def identite(self) -> str:
        morceaux = [self.nom, self.prenom, f"{self.date_naissance:%d/%m/%Y}"]
        if self.nom_naissance:
            morceaux.insert(1, f"(née {self.nom_naissance})")
        for champ in ("nir", "piece_identite_numero", "email", "telephone"):
            if getattr(self, champ):
                morceaux.append(f"{champ}={getattr(self, champ)}")
        return " ".join(morceaux)


def decrire(f: Fiche) -> str:
    naissance = f" (née {f.nom_naissance})" if f.nom_naissance else ""
    return f"{f.nom}{naissance} {f.prenom} {f.naissance:%d/%m/%Y} [{f.role}]"


AZERTY = ("azertyuiop", "qsdfghjklm", "wxcvbn")


def voisine(lettre: str, rng: random.Random) -> str:
    bas = lettre.lower()
    for rangee in AZERTY:
        i = rangee.find(bas)
        if i >= 0:
            choix = [rangee[j] for j in (i - 1, i + 1) if 0 <= j < len(rangee)]
            c = rng.choice(choix)
            return c.upper() if lettre.isupper() else c
    return "e"


def faute(texte: str, genre: str, rng: random.Random) -> str | None:
    """Une faute de frappe sur les lettres (jamais la première : on la voit)."""
    positions = [i for i, c in enumerate(texte) if c.isalpha() and i > 0]
    if len(positions) < 3:
        return None
    i = rng.choice(positions)
    if genre == "remplacement":
        return texte[:i] + voisine(texte[i], rng) + texte[i + 1 :]
    if genre == "oubli":
        return texte[:i] + texte[i + 1 :]
    if genre == "doublee":
        return texte[:i] + texte[i] + texte[i:]
    # inversion de deux lettres voisines différentes
    paires = [
        j
        for j in positions
        if j + 1 < len(texte)
        and texte[j + 1].isalpha()
        and texte[j].lower() != texte[j + 1].lower()
    ]
    if not paires:
        return None
    j = rng.choice(paires)
    return texte[:j] + texte[j + 1] + texte[j] + texte[j + 2 :]


# fmt: off
PHONETIQUE_CONNUS = {
    "mohamed": ["Mohammed", "Mohammad", "Mouhamed"], "mohammed": ["Mohamed", "Mohamad"],
    "philippe": ["Filipe", "Philipe", "Phillipe"], "catherine": ["Katherine", "Catrine"],
    "christophe": ["Cristophe", "Christof"], "dupont": ["Dupond"], "dupond": ["Dupont"],
    "thomas": ["Tomas"], "stephane": ["Stefane", "Stéfane"], "sylvie": ["Silvie"],
    "mathieu": ["Matthieu"], "matthieu": ["Mathieu"], "nguyen": ["Nguyên", "Nguyenne"],
    "isabelle": ["Isabel", "Izabelle"], "michel": ["Michelle"], "karim": ["Carim", "Kareem"],
    "fatima": ["Fatma", "Fatimah"], "aicha": ["Aisha", "Aïchah"], "youssef": ["Youcef", "Yousef"],
    "mamadou": ["Mamadu"], "moussa": ["Mousa"], "ibrahim": ["Ibrahima", "Brahim"],
    "renaud": ["Renault", "Reno"], "lefebvre": ["Lefèvre", "Lefevre"], "lefevre": ["Lefebvre"],
    "gauthier": ["Gautier"], "gautier": ["Gauthier"], "rousseau": ["Rousseaux", "Rousso"],
    "girard": ["Girart"], "bernard": ["Bernart"],
}
# fmt: on
# Rules that keep the sound of a French name: (pattern, replacement).
# fmt: off
PHONETIQUE_REGLES = [
    ("ph", "f"), ("th", "t"), ("(?<!^)y", "i"), ("eau", "o"), ("(?<!e)au", "o"), ("qu", "k"),
    ("^c(?=[aou])", "k"), ("ck", "k"), ("(?<=[aeiou])ss(?=[aeiou])", "c"), ("t$", "d"),
    ("d$", "t"), ("ault$", "eau"), ("(?<=[aeiou])ll(?=[aeiou])", "l"),
    ("(?<=[aeiou])l(?=[aeiou])", "ll"), ("(?<=[aeiou])nn(?=[aeiou])", "n"),
    ("(?<=[aeiou])n(?=[aeiou])", "nn"), ("(?<=[aeiou])t(?=[aeiou])", "tt"),
    ("(?<=[aeiou])tt(?=[aeiou])", "t"), ("ai(?=[^n]|$)", "é"), ("(?<=[^aeiou])x$", ""),
    ("oi", "oa"), ("ch(?=[r])", "k"), ("en(?=[^aeiouhn]|$)", "an"),
]
# fmt: on


def meme_casse(modele: str, texte: str) -> str:
    if modele.isupper():
        return texte.upper()
    return re.sub(r"(^|[\s\-'])([a-zà-ÿ])", lambda m: m.group(1) + m.group(2).upper(), texte)


def phonetique(texte: str, rng: random.Random) -> str | None:
    pli = plier(texte)
    if pli in PHONETIQUE_CONNUS:
        return rng.choice(PHONETIQUE_CONNUS[pli])
    bas = texte.lower()
    regles = [(m, r) for m, r in PHONETIQUE_REGLES if re.search(m, bas)]
    rng.shuffle(regles)
    for motif, remplacement in regles:
        nouveau = re.sub(motif, remplacement, bas, count=1)
        if plier(nouveau) != pli and len(plier(nouveau)) >= 2:
            return meme_casse(texte, nouveau)
    return None


def date_un_chiffre(jour: date, rng: random.Random) -> date | None:
    chiffres = f"{jour:%d%m%Y}"
    for _ in range(30):
        i = rng.randrange(8)
        autre = chiffres[:i] + rng.choice([c for c in "0123456789" if c != chiffres[i]])
        autre += chiffres[i + 1 :]
        try:
            d = datetime.strptime(autre, "%d%m%Y").date()
        except ValueError:
            continue
        if date(1920, 1, 1) <= d < AUJOURD_HUI:  # a plausible age: under 107
            return d
    return None


def deux_chiffres_au_moins(a: date, b: date) -> bool:
    """Vrai si les dates diffèrent d'au moins deux chiffres et ne sont pas jour/mois inversés :
    une telle date n'est pas une faute de frappe de l'autre."""
    x, y = f"{a:%d%m%Y}", f"{b:%d%m%Y}"
    return sum(c != d for c, d in zip(x, y, strict=True)) >= 2 and (a.day, a.month) != (
        b.month,
        b.day,
    )


def mots_du_nom(nom: str) -> list[str]:
    return [m for m in re.split(r"[\s\-']+", nom) if m]


class Fabrique:
    """Les requêtes : une fonction par genre, qui rend None quand la fiche ne s'y prête pas."""

    def __init__(self, population: list[Fiche], graine: int, generateur: Population):
        self.population = population
        self.rng = random.Random(f"{graine}-requetes")
        self.generateur = generateur
        self.identites = Counter()
        for f in population:
            for nom in (f.nom, f.nom_naissance):
                if nom:
                    self.identites[cle_identite(nom, f.prenom, f.naissance)] += 1
        self.ordre_genres: list[str] = []
        # A new person's identifiers are drawn independently of the base: one that happens to
        # be taken (« marie.martin@gmail.com ») would make a false duplicate, so it is dropped.
        self.identifiants = {
            "nir": {f.nir for f in population if f.nir},
            "piece_identite_numero": {f.piece_numero for f in population if f.piece_numero},
            "email": {f.email for f in population if f.email},
            "telephone": {f.telephone for f in population if f.telephone},
        }

    def ambigue(self, f: Fiche, r: Requete) -> bool:
        """La variation tombe exactement sur l'identité d'une autre personne : retirée."""
        a_elle = {cle_identite(n, f.prenom, f.naissance) for n in (f.nom, f.nom_naissance) if n}
        for nom in (r.nom, r.nom_naissance):
            if nom and r.date_naissance:
                cle = cle_identite(nom, r.prenom, r.date_naissance)
                if cle in self.identites and cle not in a_elle:
                    return True
        return False

    def libre(self, nom: str, prenom: str, naissance: date) -> bool:
        return cle_identite(nom, prenom, naissance) not in self.identites

    def doublon(self, f: Fiche, genre: str, **champs) -> Requete:
        valeurs = {"nom": f.nom, "prenom": f.prenom, "date_naissance": f.naissance}
        valeurs |= {"civilite": "MME" if f.femme else "M"} | champs
        return Requete(genre, attendu=f.numero, origine=decrire(f), ancre=f, **valeurs)

    # Doublons --------------------------------------------------------------------------------

    def accents_casse(self, f):
        rng = self.rng
        if not re.search(r"[^\x00-\x7f]", f.nom + f.prenom) and rng.random() < 0.7:
            return None  # surtout des noms accentués
        x = rng.random()
        if x < 0.4:
            nom, prenom = sans_accents(f.nom).upper(), sans_accents(f.prenom).upper()
        elif x < 0.7:
            nom, prenom = f.nom.lower(), sans_accents(f.prenom).lower()
        else:
            nom, prenom = f.nom.upper(), f.prenom.upper()
        return self.doublon(f, "accents et casse", nom=nom, prenom=prenom)

    def separateurs(self, f):
        rng = self.rng
        cibles = [c for c in ("nom", "prenom") if re.search(r"[\s\-']", getattr(f, c))]
        if not cibles:
            return None
        champ = rng.choice(cibles)
        texte = getattr(f, champ)
        x = rng.random()
        if x < 0.35:
            nouveau = re.sub(r"[\s\-']+", "", texte).upper()  # LEGOFF, DALMEIDA
        elif x < 0.7:
            nouveau = re.sub(r"[\s\-']", lambda m: " " if m.group() != " " else "-", texte)
        else:
            nouveau = re.sub(r"[\s\-']+", " ", texte).lower()
        return self.doublon(f, "trait d'union, apostrophe, particule", **{champ: nouveau})

    def compose_partiel(self, f):
        rng = self.rng
        cibles = []
        # A part is a name of 3 letters at least: `N'Diaye` given as `N` is not a name.
        mots_nom = [m for m in mots_du_nom(f.nom) if m.lower() not in PARTICULES and len(m) >= 3]
        if len(mots_du_nom(f.nom)) >= 2 and mots_nom:
            cibles.append(("nom", mots_nom))
        mots_prenom = [m for m in mots_du_nom(f.prenom) if len(m) >= 3]
        if len(mots_du_nom(f.prenom)) >= 2 and mots_prenom:
            cibles.append(("prenom", mots_prenom))
        if not cibles:
            return None
        champ, mots = rng.choice(cibles)
        return self.doublon(f, "nom ou prénom composé partiel", **{champ: rng.choice(mots)})

    def inverses(self, f):
        return self.doublon(f, "nom et prénom inversés", nom=f.prenom, prenom=f.nom)

    def naissance_usage(self, f):
        if f.nom_naissance:  # la personne donne son nom de naissance seul
            return self.doublon(f, "nom de naissance / nom d'usage", nom=f.nom_naissance)
        if f.femme and f.role == "demandeur":  # enregistrée avant son mariage
            while (nouveau := self.generateur.nom()) == f.nom:
                pass
            return self.doublon(
                f, "nom de naissance / nom d'usage", nom=nouveau, nom_naissance=f.nom
            )
        return None

    def fautes(self, genre_faute: str, libelle: str, nombre: int = 1):
        def variation(f):
            champ = self.rng.choice(["nom", "prenom"])
            texte = getattr(f, champ)
            genres = [genre_faute] * nombre
            if nombre == 2:
                genres = self.rng.sample(["remplacement", "oubli", "doublee", "inversion"], 2)
                if self.rng.random() < 0.5:  # une faute sur chaque champ
                    autre = "prenom" if champ == "nom" else "nom"
                    premiere = faute(texte, genres[0], self.rng)
                    seconde = faute(getattr(f, autre), genres[1], self.rng)
                    if not premiere or not seconde:
                        return None
                    return self.doublon(f, libelle, **{champ: premiere, autre: seconde})
            if nombre == 2 and sum(c.isalpha() for c in texte) < 7:
                return None  # two typos in `Jean` (`Jzn`) leave nothing a person would link
            for g in genres:
                texte = faute(texte, g, self.rng)
                if texte is None:
                    return None
            if plier(texte) == plier(getattr(f, champ)):
                return None
            return self.doublon(f, libelle, **{champ: texte})

        return variation

    def phonetique(self, f):
        champs = ["nom", "prenom"]
        self.rng.shuffle(champs)
        for champ in champs:
            nouveau = phonetique(getattr(f, champ), self.rng)
            if nouveau:
                return self.doublon(f, "graphie phonétique", **{champ: nouveau})
        return None

    def date_chiffre(self, f):
        autre = date_un_chiffre(f.naissance, self.rng)
        return autre and self.doublon(f, "un chiffre faux dans la date", date_naissance=autre)

    def jour_mois(self, f):
        d = f.naissance
        if d.day > 12 or d.day == d.month:
            return None
        return self.doublon(
            f, "jour et mois inversés", date_naissance=d.replace(d.year, d.day, d.month)
        )

    def co_demandeur(self, f):
        if f.role != "co_demandeur":
            return None
        return self.doublon(f, "co-demandeur d'une autre demande", nom_naissance=f.nom_naissance)

    def nir(self, f):
        if not f.nir:
            return None
        rng = self.rng
        n = f.nir
        x = rng.random()
        if x < 0.4:
            tape = f"{n[0]} {n[1:3]} {n[3:5]} {n[5:7]} {n[7:10]} {n[10:13]} {n[13:]}"
        elif x < 0.7:
            tape = f"{n[0]}.{n[1:3]}.{n[3:5]}.{n[5:7]}.{n[7:10]}.{n[10:13]}-{n[13:]}"
        else:
            tape = n[:13]  # sans la clé
        while (nouveau := self.generateur.nom()) == f.nom:
            pass
        date_tapee = f.naissance
        if rng.random() < 0.5:
            date_tapee = date_un_chiffre(f.naissance, rng) or f.naissance
        return self.doublon(
            f, "même NIR, tapé autrement", nom=nouveau, nir=tape, date_naissance=date_tapee
        )

    def nom_proche(self, f) -> dict:
        """Un nom ou un prénom proche (une faute ou une graphie phonétique) et, une fois sur
        deux, un chiffre faux dans la date : l'identifiant doit emporter la décision."""
        rng = self.rng
        champ = rng.choice(["nom", "prenom"])
        texte = getattr(f, champ)
        nouveau = phonetique(texte, rng) if rng.random() < 0.5 else None
        nouveau = nouveau or faute(texte, rng.choice(["remplacement", "oubli", "doublee"]), rng)
        champs = {champ: nouveau or texte}
        if rng.random() < 0.5:
            champs["date_naissance"] = date_un_chiffre(f.naissance, rng) or f.naissance
        return champs

    def piece(self, f):
        if not f.piece_numero:
            return None
        n = f.piece_numero
        tape = n.lower() if self.rng.random() < 0.5 else " ".join(re.findall(".{1,3}", n))
        return self.doublon(
            f, "même pièce d'identité, nom proche", piece_identite_numero=tape, **self.nom_proche(f)
        )

    def email(self, f):
        if not f.email:
            return None
        tape = f.email.upper() if self.rng.random() < 0.3 else f.email
        return self.doublon(f, "même e-mail, nom proche", email=tape, **self.nom_proche(f))

    def telephone(self, f):
        if not f.telephone:
            return None
        t = f.telephone  # +33612345678
        local = "0" + t[3:]
        tape = self.rng.choice(
            [
                " ".join(re.findall("..", local)),
                ".".join(re.findall("..", local)),
                local,
                f"+33 {t[3]} {' '.join(re.findall('..', t[4:]))}",
            ]
        )
        return self.doublon(f, "même téléphone, nom proche", telephone=tape, **self.nom_proche(f))

    # Négatives ---------------------------------------------------------------------------------

    def homonyme(self, f):
        """Mêmes nom et prénom, née la même année ou presque, autre date ; rien d'autre."""
        rng = self.rng
        for _ in range(20):
            autre = date(
                f.naissance.year + rng.randint(-2, 2), rng.randint(1, 12), rng.randint(1, 28)
            )
            if (
                autre < AUJOURD_HUI
                and deux_chiffres_au_moins(autre, f.naissance)
                and self.libre(f.nom, f.prenom, autre)
            ):
                return Requete(
                    "homonyme (autre date)",
                    f.nom,
                    f.prenom,
                    autre,
                    civilite="MME" if f.femme else "M",
                    origine=decrire(f),
                )
        return None

    def jumeau(self, f):
        """Même date, même nom, autre prénom ; rien d'autre en commun."""
        femme = self.rng.random() < 0.5
        prenom = self.generateur.prenom(femme)
        # `Luc` / `Jean-Luc` born the same day with the same nom is the same person given in
        # part (« nom ou prénom composé partiel »), not twins.
        # Nor `Mohamed` / `Mohammed`: a close prénom is the same person mistyped; twins with
        # close prénoms are the kind « jumeau (prénom proche) ».
        mots = {plier(m) for m in mots_du_nom(f.prenom)}
        en_commun = {plier(m) for m in mots_du_nom(prenom)} & mots
        proche = JaroWinkler.similarity(plier(prenom), plier(f.prenom)) >= 0.8
        if en_commun or proche or not self.libre(f.nom, prenom, f.naissance):
            return None
        civilite = "MME" if femme else "M"
        return Requete("jumeau", f.nom, prenom, f.naissance, civilite=civilite, origine=decrire(f))

    def jumeau_proche(self, f):
        """Des jumeaux de sexes différents aux prénoms proches : `Louis` / `Louise`."""
        pli = plier(f.prenom)
        for a, b in PRENOMS_JUMEAUX:
            if pli in (plier(a), plier(b)):
                prenom = b if plier(a) == pli else a
                if self.libre(f.nom, prenom, f.naissance):
                    return Requete(
                        "jumeau (prénom proche)",
                        f.nom,
                        prenom,
                        f.naissance,
                        civilite="MME" if prenom == b else "M",  # PRENOMS_JUMEAUX: (him, her)
                        origine=decrire(f),
                    )
        return None

    def parent_enfant(self, f):
        """Son enfant (ou son parent) du même nom, 20 à 35 ans d'écart, une fois sur trois
        du même prénom (« Jean Martin fils »)."""
        rng = self.rng
        ecart = timedelta(days=rng.randrange(20 * 365, 35 * 365))
        autre = f.naissance + ecart
        if autre > AUJOURD_HUI - timedelta(days=18 * 365):
            autre = f.naissance - ecart
        meme_prenom = rng.random() < 0.33
        femme = f.femme if meme_prenom else rng.random() < 0.5
        prenom = f.prenom if meme_prenom else self.generateur.prenom(femme)
        if not self.libre(f.nom, prenom, autre) or not deux_chiffres_au_moins(autre, f.naissance):
            return None
        return Requete(
            "parent / enfant du même nom",
            f.nom,
            prenom,
            autre,
            civilite="MME" if femme else "M",
            origine=decrire(f),
        )

    def nouvelle_personne(self, _f):
        """Une personne nouvelle ordinaire : le flux normal des enregistrements."""
        demandeur, _, _ = self.generateur.menage()
        self.generateur.completer(demandeur, True)
        if not self.libre(demandeur.nom, demandeur.prenom, demandeur.naissance):
            return None
        identifiants = {
            "nir": demandeur.nir,
            "piece_identite_numero": demandeur.piece_numero,
            "email": demandeur.email,
            "telephone": demandeur.telephone,
        }
        for champ, valeur in identifiants.items():
            if valeur in self.identifiants[champ]:
                identifiants[champ] = ""
        return Requete(
            "personne nouvelle",
            demandeur.nom,
            demandeur.prenom,
            demandeur.naissance,
            nom_naissance=demandeur.nom_naissance,
            civilite="MME" if demandeur.femme else "M",
            **identifiants,
        )

    def genres(self) -> tuple[list, list]:
        doublons = [
            self.accents_casse,
            self.separateurs,
            self.compose_partiel,
            self.inverses,
            self.naissance_usage,
            self.fautes("remplacement", "faute : lettre remplacée (touche voisine)"),
            self.fautes("oubli", "faute : lettre oubliée"),
            self.fautes("doublee", "faute : lettre doublée"),
            self.fautes("inversion", "faute : deux lettres inversées"),
            self.fautes("", "deux fautes", nombre=2),
            self.phonetique,
            self.date_chiffre,
            self.jour_mois,
            self.co_demandeur,
            self.nir,
            self.piece,
            self.email,
            self.telephone,
        ]
        negatives = [
            self.homonyme,
            self.jumeau,
            self.jumeau_proche,
            self.parent_enfant,
            self.nouvelle_personne,
        ]
        return doublons, negatives

    def fabriquer(self, nombre: int) -> list[Requete]:
        doublons, negatives = self.genres()
        par_doublon = round(nombre * PART_DOUBLONS / len(doublons))
        par_negative = round(nombre * (1 - PART_DOUBLONS) / len(negatives))
        requetes = []
        ordre = list(range(len(self.population)))
        self.rng.shuffle(ordre)
        utilisees = set()
        for fabriquer, quota in [(g, par_doublon) for g in doublons] + [
            (g, par_negative) for g in negatives
        ]:
            faites, essais = 0, 0
            for i in ordre:
                if faites >= quota or essais > 200 * quota:
                    break
                if i in utilisees:
                    continue
                essais += 1
                f = self.population[i]
                r = fabriquer(f)
                if r is None or (r.attendu and self.ambigue(f, r)):
                    continue
                utilisees.add(i)
                if r.genre not in self.ordre_genres:
                    self.ordre_genres.append(r.genre)
                requetes.append(r)
                faites += 1
        self.rng.shuffle(requetes)
        return requetes


# ---------------------------------------------------------------------------------------------
# Les deux systèmes
# ---------------------------------------------------------------------------------------------


@dataclass
class Reponse:
    numeros: list[tuple[str, int, tuple[str, ...]]]  # (numéro, score, raisons)
    duree_ms: float
    calcul_ms: float | None = None  # processor time of the bench and of its PostgreSQL backend


def notre_moteur():
    """(nom, fonction requête → [(numéro, score, raisons)]) : le moteur
    `sne.doublons` s'il est là, sinon le moteur exact des demandes."""
    try:
        from sne.doublons.services import Identite, rechercher
    except ImportError:
        from sne.demandes.services.doublons import rechercher_doublons

        def chercher_exact(r: Requete):
            return [
                (s.numero_unique, s.score, s.raisons)
                for s in rechercher_doublons(r.nom, r.prenom, r.date_naissance)
            ]

        return "SNE exact (sne.demandes.services.doublons.rechercher_doublons)", chercher_exact

    def civilite(r: Requete) -> dict:
        return {"civilite": r.civilite} if "civilite" in Identite.__dataclass_fields__ else {}

    def chercher(r: Requete):
        identite = Identite(
            nom=r.nom,
            prenom=r.prenom,
            date_naissance=r.date_naissance,
            nom_naissance=r.nom_naissance,
            nir=r.nir,
            piece_identite_numero=r.piece_identite_numero,
            email=r.email,
            telephone=r.telephone,  # as typed: `rechercher` reads it (E.164, or its digits)
            **civilite(r),
        )
        return [
            (s.numero_unique, s.score, tuple(s.raisons))
            for s in rechercher(identite, limite=LIMITE)
        ]

    return "SNE (sne.doublons.services.rechercher)", chercher


def interroger_notre_moteur(requetes: list[Requete]) -> tuple[str, list[Reponse], list[str]]:
    from django.db import connection

    nom, chercher = notre_moteur()
    erreurs = []
    for r in requetes[:CHAUFFE]:
        with contextlib.suppress(Exception):
            chercher(r)
    # On 2 shared cores the elapsed time also measures the neighbours; the processor time of
    # the bench and of its PostgreSQL backend does not.
    serveur = temps_processeur_du_serveur(connection)
    reponses = []
    for r in requetes:
        c0, s0 = time.process_time(), serveur() if serveur else 0.0
        t0 = time.perf_counter()
        try:
            trouves = chercher(r)
        except Exception as exc:
            erreurs.append(f"{r.genre} : {type(exc).__name__}: {exc}"[:300])
            trouves = []
        duree = (time.perf_counter() - t0) * 1000
        calcul = (time.process_time() - c0 + (serveur() - s0 if serveur else 0.0)) * 1000
        reponses.append(Reponse(trouves, duree, calcul if serveur else None))
    return nom, reponses, erreurs


def cadre(lignes: list[dict], prefixe: str):
    """Le DataFrame que recordlinkage compare : noms nettoyés (`preprocessing.clean` : casse,
    accents, ponctuation), clé NYSIIS, identifiants réduits à leurs chiffres et lettres ; un
    identifiant absent devient une valeur propre à la ligne (un blocage ne rapproche jamais
    deux absences)."""
    import pandas as pd
    from recordlinkage.preprocessing import clean, phonetic

    df = pd.DataFrame(lignes)
    for champ in ("nom", "nom_naissance", "prenom"):
        df[champ] = clean(df[champ].fillna("").astype(str), strip_accents="unicode")
        df.loc[df[champ] == "", champ] = None
    phon_nom = phonetic(df["nom"].fillna(""), "nysiis")
    phon_prenom = phonetic(df["prenom"].fillna(""), "nysiis")
    df["cle_sn"] = phon_nom.fillna("") + " " + phon_prenom.fillna("")
    df["date"] = [f"{d:%d%m%Y}" for d in df["date_naissance"]]
    manquant = pd.Series([f"{prefixe}{i}" for i in range(len(df))], index=df.index)
    for champ, forme in (
        ("nir", lambda s: s.str.upper().str.replace(r"[^0-9AB]", "", regex=True)),
        ("piece", lambda s: s.str.upper().str.replace(r"[^0-9A-Z]", "", regex=True)),
        ("email", lambda s: s.str.strip().str.lower()),
        ("telephone", lambda s: s.str.replace(r"\D", "", regex=True).str[-9:]),
    ):
        valeurs = forme(df[champ].fillna("").astype(str))
        df[champ] = valeurs.where(valeurs != "", manquant)
    return df[
        ["nom", "nom_naissance", "prenom", "cle_sn", "date", "nir", "piece", "email", "telephone"]
    ]


def lier(requetes_df, base_df):
    """Blocage + comparaison + classement par seuil : les paires retenues (requête, fiche)."""
    import logging

    import recordlinkage as rl

    logging.getLogger("recordlinkage").setLevel(logging.WARNING)
    indexeur = rl.Index()
    indexeur.add(rl.index.Block("date"))
    indexeur.add(rl.index.SortedNeighbourhood("cle_sn", window=5))
    for champ in ("nir", "piece", "email", "telephone"):
        indexeur.add(rl.index.Block(champ))
    paires = indexeur.index(requetes_df, base_df)
    comparer = rl.Compare()
    jw = {"method": "jarowinkler", "threshold": 0.85}
    comparer.string("nom", "nom", label="nom", **jw)
    comparer.string("nom", "nom_naissance", label="nom_vs_naissance", **jw)
    comparer.string("nom_naissance", "nom", label="naissance_vs_nom", **jw)
    comparer.string("prenom", "prenom", label="prenom", **jw)
    # The birth date as a string of 8 digits: one wrong digit still passes (7/8).
    comparer.string("date", "date", method="levenshtein", threshold=0.85, label="date")
    for champ in ("nir", "piece", "email", "telephone"):
        comparer.exact(champ, champ, label=champ)
    traits = comparer.compute(paires, requetes_df, base_df)
    score = (
        traits[["nom", "nom_vs_naissance", "naissance_vs_nom"]].max(axis=1)
        + traits["prenom"]
        + traits["date"]
        + traits["email"]
        + traits["telephone"]
        + 3 * traits["nir"]
        + 3 * traits["piece"]
    )
    return score[score >= 3], len(paires)


def interroger_recordlinkage(
    requetes: list[Requete], population: list[Fiche], unitaires: int
) -> tuple[list[Reponse], dict]:
    import recordlinkage  # noqa: F401  (its import, ~5 s, is not the preparation)

    mesures = {}
    t0 = time.perf_counter()
    base_df = cadre(
        [
            {
                "nom": f.nom,
                "nom_naissance": f.nom_naissance,
                "prenom": f.prenom,
                "date_naissance": f.naissance,
                "nir": f.nir,
                "piece": f.piece_numero,
                "email": f.email,
                "telephone": f.telephone,
            }
            for f in population
        ],
        "b",
    )
    mesures["préparation de la base"] = time.perf_counter() - t0
    lignes = [
        {
            "nom": r.nom,
            "nom_naissance": r.nom_naissance,
            "prenom": r.prenom,
            "date_naissance": r.date_naissance,
            "nir": r.nir,
            "piece": r.piece_identite_numero,
            "email": r.email,
            "telephone": r.telephone,
        }
        for r in requetes
    ]
    t0 = time.perf_counter()
    requetes_df = cadre(lignes, "q")
    retenues, nombre_paires = lier(requetes_df, base_df)
    duree = time.perf_counter() - t0
    mesures["lot"] = duree
    mesures["paires candidates"] = nombre_paires
    par_requete = defaultdict(dict)
    for (q, b), score in retenues.items():
        numero = population[b].numero
        par_requete[q][numero] = max(par_requete[q].get(numero, 0), int(score))
    moyenne = duree * 1000 / max(len(requetes), 1)
    reponses = [
        Reponse([(n, s, ()) for n, s in par_requete[i].items()], moyenne)
        for i in range(len(requetes))
    ]
    # Requêtes seules : ce que paierait un enregistrement qui attend sa réponse.
    durees = []
    for i in range(min(unitaires, len(requetes))):
        t0 = time.perf_counter()
        lier(cadre(lignes[i : i + 1], "q"), base_df)
        durees.append((time.perf_counter() - t0) * 1000)
    mesures["unitaires"] = sorted(durees)
    return reponses, mesures


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


def dates_proches(a: date, b: date) -> bool:
    """La même date, à un chiffre près, ou jour et mois inversés."""
    x, y = f"{a:%d%m%Y}", f"{b:%d%m%Y}"
    return sum(c != d for c, d in zip(x, y, strict=True)) <= 1 or (a.day, a.month) == (
        b.month,
        b.day,
    )


class Juge:
    """Qui une suspicion fausse désigne. La population n'a jamais deux fois la même identité,
    mais elle a, comme le pays, des homonymes nés à un chiffre de date près : `Jean Rodriguez`
    du 11/12/1968 et celui du 21/12/1968. Une telle suspicion est fausse, mais aucun moteur
    ne peut l'écarter sans autre clé (une faute de frappe dans la date lui ressemble
    exactement) : « homonyme indiscernable », compté à part."""

    def __init__(self, population: list["Fiche"]):
        self.par_numero = defaultdict(list)
        for f in population:
            self.par_numero[f.numero].append(f)

    def indiscernable(self, r: Requete, numero: str) -> bool:
        identites = [(r.nom, r.nom_naissance, r.prenom, r.date_naissance)]
        if r.ancre:
            a = r.ancre
            identites.append((a.nom, a.nom_naissance, a.prenom, a.naissance))
        for f in self.par_numero.get(numero, ()):
            noms = {plier(f.nom), plier(f.nom_naissance)} - {""}
            for nom, nom_naissance, prenom, naissance in identites:
                if (
                    naissance
                    and plier(prenom) == plier(f.prenom)
                    and noms & ({plier(nom), plier(nom_naissance)} - {""})
                    and dates_proches(naissance, f.naissance)
                ):
                    return True
        return False


@dataclass
class Compte:
    requetes: int = 0
    trouves: int = 0  # doublons dont la demande d'origine est parmi les suspicions
    faux: int = 0  # suspicions d'une autre demande
    indiscernables: int = 0  # dont homonymes indiscernables (`Juge`)
    alertes: int = 0  # requêtes négatives avec au moins une suspicion
    attendus: int = 0

    def ajouter(self, r: Requete, numeros: set[str], juge: Juge | None) -> None:
        self.requetes += 1
        faux = numeros - {r.attendu}
        self.faux += len(faux)
        if juge:
            self.indiscernables += sum(juge.indiscernable(r, n) for n in faux)
        if r.attendu:
            self.attendus += 1
            self.trouves += r.attendu in numeros
        else:
            self.alertes += bool(numeros)

    @property
    def precision_hors_indiscernables(self) -> float:
        vrais, faux = self.trouves, self.faux - self.indiscernables
        return vrais / (vrais + faux) if vrais + faux else 1.0

    @property
    def precision(self) -> float:
        return self.trouves / (self.trouves + self.faux) if self.trouves + self.faux else 1.0

    @property
    def rappel(self) -> float:
        return self.trouves / self.attendus if self.attendus else float("nan")

    @property
    def f1(self) -> float:
        p, r = self.precision, self.rappel
        return 2 * p * r / (p + r) if p + r else 0.0


def compter(
    requetes, reponses, score_min: int = 0, juge: Juge | None = None
) -> tuple[Compte, dict[str, Compte]]:
    total, par_genre = Compte(), defaultdict(Compte)
    for r, rep in zip(requetes, reponses, strict=True):
        numeros = {n for n, s, _ in rep.numeros if s >= score_min}
        total.ajouter(r, numeros, juge)
        par_genre[r.genre].ajouter(r, numeros, juge)
    return total, par_genre


def pct(x: float) -> str:
    return "  —  " if math.isnan(x) else f"{100 * x:5.1f}"


def afficher(
    requetes, systemes: dict[str, list[Reponse]], genres: list[str], juge: Juge
) -> dict[str, Compte]:
    noms = list(systemes)
    comptes = {nom: compter(requetes, rep, juge=juge) for nom, rep in systemes.items()}
    print()
    print("Par genre (doublons : trouvés / requêtes, rappel % ; négatives : requêtes avec au")
    print("moins une suspicion ; fp : faux positifs, dont h homonymes indiscernables)")
    entete = f"  {'genre':<42} {'n':>4} │ " + " │ ".join(f"{n[:32]:^32}" for n in noms)
    print(entete)
    for g in genres:
        cases = []
        for nom in noms:
            c = comptes[nom][1][g]
            fp = f"fp {c.faux:>3} (h {c.indiscernables:>2})"
            if c.attendus:
                cases.append(f"{c.trouves:>4}/{c.attendus:<4} {pct(c.rappel)} % {fp}")
            else:
                cases.append(f"alertes {c.alertes:>4}     {fp}")
        print(
            f"  {g:<42} {comptes[noms[0]][1][g].requetes:>4} │ "
            + " │ ".join(f"{c:<32}" for c in cases)
        )
    print()
    print("Ensemble (précision = vrais / toutes les suspicions ; rappel = doublons trouvés)")
    for nom in noms:
        t = comptes[nom][0]
        print(
            f"  {nom:<40} précision {pct(t.precision)} % · rappel {pct(t.rappel)} % · "
            f"F1 {t.f1:.3f} · {t.trouves} trouvés sur {t.attendus}, {t.faux} faux positifs "
            f"dont {t.indiscernables} homonymes indiscernables (précision sans eux "
            f"{pct(t.precision_hors_indiscernables).strip()} %)"
        )
    # A realistic stream: ~10 % of registrations are duplicates (Cour des comptes: 20 % of the
    # stock). False positives per ordinary new person, scaled to 9 per duplicate.
    for nom in noms:
        par = comptes[nom][1]
        nouvelles = par.get("personne nouvelle")
        doublons = [c for c in par.values() if c.attendus]
        if not nouvelles or not nouvelles.requetes:
            continue
        trouves = sum(c.trouves for c in doublons)
        attendus = sum(c.attendus for c in doublons)
        fp_doublons = sum(c.faux for c in doublons) / attendus
        fp_nouvelle = nouvelles.faux / nouvelles.requetes
        p = trouves / attendus / (trouves / attendus + fp_doublons + 9 * fp_nouvelle)
        print(
            f"  {nom:<40} flux de 10 % de doublons (estimé) : précision {pct(p)} % "
            f"({fp_nouvelle:.3f} faux positif par personne nouvelle)"
        )
    return {nom: c[0] for nom, c in comptes.items()}


def afficher_latences(nom: str, durees: list[float], note: str = "") -> None:
    d = sorted(durees)
    print(
        f"  {nom:<40} p50 {centile(d, 50):8.1f} ms · p95 {centile(d, 95):8.1f} ms · "
        f"p99 {centile(d, 99):8.1f} ms · max {d[-1] if d else float('nan'):8.1f} ms {note}"
    )


def afficher_seuils(requetes, reponses) -> None:
    scores = sorted({s for rep in reponses for _, s, _ in rep.numeros})
    if len(scores) <= 1:
        return
    print()
    print("Notre moteur selon le score minimal retenu")
    for seuil in (0, 40, 50, 60, 70, 75, 80, 85, 90, 95):
        t, _ = compter(requetes, reponses, seuil)
        print(
            f"  score ≥ {seuil:>3} : précision {pct(t.precision)} % · rappel {pct(t.rappel)} % · "
            f"F1 {t.f1:.3f} ({t.faux} faux positifs)"
        )


def afficher_manques(requetes, reponses, chemin: str | None, juge: Juge) -> None:
    print()
    print("Manques et faux positifs de notre moteur (3 exemples par genre)")
    exemples = defaultdict(list)
    fichier = open(chemin, "w", encoding="utf-8") if chemin else None  # noqa: SIM115
    try:
        for r, rep in zip(requetes, reponses, strict=True):
            numeros = {n for n, _, _ in rep.numeros}
            manque = r.attendu and r.attendu not in numeros
            faux = [(n, s, rai) for n, s, rai in rep.numeros if n != r.attendu]
            if not manque and not faux:
                continue
            texte = f"{r.identite()}  ←  en base : {r.origine}" if r.origine else r.identite()
            if manque:
                texte = "MANQUÉ  " + texte
            if faux:
                texte += "  ; faux : " + ", ".join(
                    f"{n}{' [homonyme indiscernable]' if juge.indiscernable(r, n) else ''} "
                    f"({s} : {' ; '.join(rai)})"
                    for n, s, rai in faux[:3]
                )
            exemples[r.genre].append(texte)
            if fichier:
                ligne = asdict(r) | {
                    "manque": bool(manque),
                    "faux": [(*f, juge.indiscernable(r, f[0])) for f in faux],
                    "trouves": rep.numeros,
                }
                ligne.pop("ancre")
                ligne["date_naissance"] = r.date_naissance.isoformat()
                fichier.write(json.dumps(ligne, ensure_ascii=False) + "\n")
    finally:
        if fichier:
            fichier.close()
    if not exemples:
        print("  aucun")
    for genre, liste in exemples.items():
        print(f"  {genre} ({len(liste)}) :")
        for texte in liste[:3]:
            print(f"    {texte}")
    if chemin:
        print(f"  Tous dans {chemin}")


# ---------------------------------------------------------------------------------------------
# Programme
# ---------------------------------------------------------------------------------------------


DEBUT = time.perf_counter()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--taille", type=int, default=100_000, help="demandes à charger")
    parser.add_argument("--requetes", type=int, default=2000, help="requêtes (70 %% de doublons)")
    parser.add_argument("--graine", type=int, default=20261130, help="graine de la population")
    parser.add_argument("--base", default=BASE_BANC, help="base PostgreSQL du banc")
    parser.add_argument("--reutiliser", action="store_true", help="garder la base déjà chargée")
    parser.add_argument("--rl-unitaire", type=int, default=20, help="requêtes seules recordlinkage")
    parser.add_argument("--sans-recordlinkage", action="store_true")
    parser.add_argument(
        "--reindexer", action="store_true", help="recalculer les empreintes (avec --reutiliser)"
    )
    parser.add_argument("--manques", help="écrire manques et faux positifs (JSON lignes)")
    args = parser.parse_args()

    repertoire = Path(tempfile.mkdtemp(prefix="sne-banc-doublons-"))
    os.environ["SNE_DATA_DIR"] = str(repertoire)
    os.environ.setdefault("SECRET_KEY", "cle-du-banc-seulement")  # a throwaway database
    existait = preparer_postgresql(args.base, args.reutiliser)
    os.environ["DATABASE_URL"] = f"{URL_SERVEUR}/{args.base}"
    os.environ["SNE_PRODUCTION"] = "0"
    initialiser_django()

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max, Min

    from sne.demandes.models import Demande

    imprimer_entete(
        "Banc de mesure — détection des doublons (issue 11) : notre moteur et recordlinkage"
    )
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("charger_referentiels", stdout=io.StringIO())
    connection.ensure_connection()
    print(
        f"Base de données  : PostgreSQL {connection.pg_version // 10000} (base {args.base}"
        f"{', gardée' if existait else ', recréée'}) ; migrations et référentiels en "
        f"{time.perf_counter() - t0:.0f} s"
    )
    deja = Demande.objects.count()
    if args.reutiliser and deja:
        print(f"Chargement       : aucun (--reutiliser), {deja} demandes en base")
        with connection.cursor() as curseur:
            curseur.execute("ANALYZE")  # the index may just have been filled by a migration
        if sans_empreintes() or args.reindexer:
            # A base loaded before the engine arrived (or re-indexed on purpose).
            bornes = Demande.objects.aggregate(premier=Min("pk"), dernier=Max("pk"))
            duree_index = indexer(bornes["premier"], bornes["dernier"])
            t1 = time.perf_counter()
            with connection.cursor() as curseur:
                curseur.execute("VACUUM ANALYZE")
            print(
                f"  empreintes (indexer_demandes) de {deja} demandes en {duree_index:.0f} s ; "
                f"VACUUM ANALYZE {time.perf_counter() - t1:.0f} s"
            )
    else:
        print(f"Chargement       : {args.taille} demandes par lots de {LOT} (COPY)")
        t0 = time.perf_counter()
        durees = charger(args.taille, args.graine)
        duree_copy = time.perf_counter() - t0
        premier = int(durees.pop("premier"))
        personnes = int(durees.pop("personnes"))
        duree_index = indexer(premier, premier + args.taille - 1)
        t1 = time.perf_counter()
        with connection.cursor() as curseur:
            curseur.execute("VACUUM ANALYZE")
        duree_vacuum = time.perf_counter() - t1
        print(
            f"  {args.taille} demandes, {personnes} personnes en {duree_copy:.0f} s ("
            + ", ".join(f"{k} {v:.0f} s" for k, v in durees.items())
            + ") ; empreintes (indexer_demandes) "
            + (": pas de moteur sne.doublons" if duree_index is None else f"{duree_index:.0f} s")
            + f" ; VACUUM ANALYZE {duree_vacuum:.0f} s"
        )
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT relname, reltuples::bigint, pg_size_pretty(pg_total_relation_size(oid)) "
            "FROM pg_class WHERE relname IN ('demandes_demande', 'demandes_personne', "
            "'doublons_empreinteidentite') ORDER BY relname"
        )
        print("Tables           : " + " ; ".join(f"{n} ≈ {c} lignes, {t}" for n, c, t in curseur))

    t0 = time.perf_counter()
    population = lire_population()
    generateur = Population(f"{args.graine}-nouvelles")
    fabrique = Fabrique(population, args.graine, generateur)
    requetes = fabrique.fabriquer(args.requetes)
    composition = Counter(r.genre for r in requetes)
    doublons = sum(1 for r in requetes if r.attendu)
    print(
        f"Requêtes         : {len(requetes)} ({doublons} doublons, {len(requetes) - doublons} "
        f"négatives), tirées de {len(population)} demandeurs et co-demandeurs en "
        f"{time.perf_counter() - t0:.0f} s"
    )
    manquent = [g for g, n in composition.items() if n < 0.8 * args.requetes * PART_DOUBLONS / 18]
    if manquent:
        print(f"  genres incomplets (trop peu de fiches s'y prêtent) : {', '.join(manquent)}")

    print()
    print("Notre moteur …", flush=True)
    nom_moteur, nos_reponses, erreurs = interroger_notre_moteur(requetes)
    print(f"  {nom_moteur} ; {len(erreurs)} erreur(s)")
    for e in list(dict.fromkeys(erreurs))[:5]:
        print(f"    ERREUR {e}")
    court = nom_moteur.split(" (")[0]
    systemes = {court: nos_reponses}
    mesures_rl = None
    if not args.sans_recordlinkage:
        print("recordlinkage …", flush=True)
        rl_reponses, mesures_rl = interroger_recordlinkage(requetes, population, args.rl_unitaire)
        systemes["recordlinkage"] = rl_reponses

    juge = Juge(population)
    totaux = afficher(requetes, systemes, fabrique.ordre_genres, juge)
    print()
    print("Latence d'une recherche")
    afficher_latences(
        court,
        [r.duree_ms for r in nos_reponses],
        f"({len(nos_reponses)} appels après {CHAUFFE} de chauffe)",
    )
    calculs = [r.calcul_ms for r in nos_reponses if r.calcul_ms is not None]
    if calculs:
        afficher_latences(f"{court}, temps de calcul", calculs, "(banc + PostgreSQL)")
    if mesures_rl:
        print(
            f"  {'recordlinkage, lot':<40} {mesures_rl['lot'] * 1000 / len(requetes):8.1f} ms par "
            f"requête ({len(requetes)} requêtes en {mesures_rl['lot']:.1f} s, "
            f"{mesures_rl['paires candidates']} paires candidates ; préparation de la base "
            f"{mesures_rl['préparation de la base']:.0f} s, non comptée)"
        )
        if mesures_rl["unitaires"]:
            afficher_latences(
                "recordlinkage, requête seule",
                mesures_rl["unitaires"],
                f"({len(mesures_rl['unitaires'])} requêtes)",
            )
    afficher_seuils(requetes, nos_reponses)
    afficher_manques(requetes, nos_reponses, args.manques, juge)

    sne = totaux[court]
    p95 = centile(sorted(r.duree_ms for r in nos_reponses), 95)
    print()
    print(f"Durée totale du banc : {time.perf_counter() - DEBUT:.0f} s ; {charge()} à la fin")
    atteint = sne.f1 >= 0.98 and sne.rappel >= 0.98 and p95 <= 25
    print(
        f"Verdict : F1 {sne.f1:.3f}, rappel {pct(sne.rappel).strip()} %, p95 {p95:.1f} ms "
        f"({Demande.objects.count()} demandes) — objectif F1 ≥ 0,98, rappel ≥ 0,98, p95 ≤ 25 ms "
        "au million : "
        + ("atteint" if atteint else "NON atteint")
        + ("" if Demande.objects.count() >= 1_000_000 else " à cette taille (il vaut au million)")
        + (
            f" ; recordlinkage F1 {totaux['recordlinkage'].f1:.3f}"
            if "recordlinkage" in totaux
            else ""
        )
    )
    connection.close()
    return 0 if atteint else 1


if __name__ == "__main__":
    sys.exit(main())
