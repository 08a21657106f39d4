"""The numéro unique: the national 18-character layout, so that the millions of numbers that
applicants and landlords' systems hold stay valid (DESIGN « Numéro unique »):

    TTT MM YY NNNNNN GGGGG — territory (département on 3 characters: 075, 093, 02A, 971),
    month and year of the first registration, sequence within (territory, month, year),
    code of the registering desk.

There is no check character: a number typed in is validated by its structure and a miss
suggests the visible numbers one typing error away (`recherche.trouver_demande`).
"""

import re
from dataclasses import dataclass

from django.db import connection

from sne.exceptions import ErreurMetier

from .models import CompteurNumeroUnique

_FORME = re.compile(
    r"^(?P<territoire>[0-9]{3}|02[AB])(?P<mois>[0-9]{2})(?P<annee>[0-9]{2})"
    r"(?P<sequence>[0-9]{6})(?P<guichet>[0-9A-Z]{5})$"
)


def territoire(code_departement: str) -> str:
    """`75` → `075`, `2A` → `02A`, `971` → `971`."""
    return code_departement.rjust(3, "0")


def normaliser(saisie: str) -> str:
    """What people type: spaces, dashes, dots and lower case are forgiven."""
    return re.sub(r"[\s\-._/]", "", saisie or "").upper()


@dataclass(frozen=True)
class NumeroAnalyse:
    territoire: str
    mois: int
    annee: int
    sequence: int
    guichet: str


def analyser(saisie: str) -> NumeroAnalyse:
    """Check the structure of a numéro unique and say what is wrong, in French."""
    numero = normaliser(saisie)
    if len(numero) != 18:
        raise ErreurMetier(
            f"Un numéro unique compte 18 caractères ; « {saisie.strip()} » en compte "
            f"{len(numero)}.",
            code="numero_unique_longueur",
        )
    m = _FORME.match(numero)
    if not m:
        raise ErreurMetier(
            "Ce numéro unique n'a pas la forme attendue : 3 caractères de territoire, le mois et "
            "l'année (4 chiffres), 6 chiffres, puis le code du guichet (5 caractères).",
            code="numero_unique_forme",
        )
    mois = int(m.group("mois"))
    if not 1 <= mois <= 12:
        raise ErreurMetier(
            f"Le mois du numéro unique ({m.group('mois')}) doit être compris entre 01 et 12.",
            code="numero_unique_mois",
        )
    return NumeroAnalyse(
        m.group("territoire"),
        mois,
        int(m.group("annee")),
        int(m.group("sequence")),
        m.group("guichet"),
    )


SEQUENCE_MAX = 999_999  # six digits in the national layout


def composer(territoire_: str, mois: int, annee: int, sequence: int, code_guichet: str) -> str:
    return f"{territoire_}{mois:02d}{annee % 100:02d}{sequence:06d}{code_guichet}"


def attribuer(code_departement: str, le, code_guichet: str) -> str:
    """Allocate the next numéro unique, inside the caller's transaction.

    The counter row of (territory, month, year) is incremented with a single UPDATE, which
    takes a row lock held until the registration commits: two registrations can never get the
    same number, on PostgreSQL as on SQLite (where IMMEDIATE transactions serialise writers).
    A rolled-back registration gives its number back with the rollback: no gap, no reuse.
    """
    cle = {"territoire": territoire(code_departement), "mois": le.month, "annee": le.year % 100}
    CompteurNumeroUnique.objects.bulk_create(
        [CompteurNumeroUnique(**cle, dernier=0)], ignore_conflicts=True
    )
    with connection.cursor() as curseur:
        # UPDATE … RETURNING: increment and read in one statement (PostgreSQL, SQLite ≥ 3.35).
        # A full sequence updates no row (never a violated check constraint, never a 500).
        curseur.execute(
            f"UPDATE {CompteurNumeroUnique._meta.db_table} SET dernier = dernier + 1 "
            "WHERE territoire = %s AND mois = %s AND annee = %s AND dernier < %s "
            "RETURNING dernier",
            [cle["territoire"], cle["mois"], cle["annee"], SEQUENCE_MAX],
        )
        ligne = curseur.fetchone()
    if ligne is None:
        raise ErreurMetier(
            "La séquence mensuelle des numéros uniques de ce territoire est épuisée.",
            code="sequence_epuisee",
        )
    return composer(cle["territoire"], le.month, le.year, ligne[0], code_guichet)
