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

from django.db import IntegrityError, ProgrammingError, connection, transaction

from sne.exceptions import ErreurMetier

from .models import CompteurNumeroUnique

_FORME = re.compile(
    r"^(?P<territoire>[0-9]{3}|02[AB])(?P<mois>[0-9]{2})(?P<annee>[0-9]{2})"
    r"(?P<sequence>[0-9]{6})(?P<guichet>[0-9A-Z]{5})$"
)

# The same layout in the dialect of JSON Schema (no named groups), published in the API's
# contract: the canonical form a system sends; spaces, dashes and lower case are forgiven.
MOTIF = r"^([0-9]{3}|02[AB])(0[1-9]|1[0-2])[0-9]{8}[0-9A-Z]{5}$"


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
    """Allocate the next numéro unique of (territory, month, year), inside the caller's
    transaction, without making any other registration wait (DESIGN « Numéro unique » : « no
    request fails or waits long because another one is allocating » — ADR 0014).

    PostgreSQL: one SEQUENCE per (territory, month, year), `nextval` in one statement, no row
    lock: two registrations never get the same number and never wait for each other. A
    rolled-back registration leaves a gap (its number is not given again): the numéro must be
    unique, not gap-free. SQLite (embedded mode): the counter row is incremented by a single
    `UPDATE … RETURNING`; IMMEDIATE transactions already serialise writers, a rollback gives
    the number back. Whatever the engine, the unique constraint on `Demande.numero_unique` is
    the last guard.
    """
    cle = {"territoire": territoire(code_departement), "mois": le.month, "annee": le.year % 100}
    if connection.vendor == "postgresql":
        sequence = _prochain_postgresql(**cle)
    else:
        sequence = _prochain_compteur(**cle)
    if sequence is None or sequence > SEQUENCE_MAX:
        raise ErreurMetier(
            "La séquence mensuelle des numéros uniques de ce territoire est épuisée.",
            code="sequence_epuisee",
        )
    return composer(cle["territoire"], le.month, le.year, sequence, code_guichet)


def _prochain_compteur(territoire: str, mois: int, annee: int) -> int | None:
    """SQLite: the counter row, incremented and read in one statement (SQLite ≥ 3.35). A full
    sequence updates no row (never a violated check constraint, never a 500). The month's row,
    missing, is created starting after the numbers already in the base (taken over)."""
    ligne = _incrementer_compteur(territoire, mois, annee)
    if (
        ligne is None
        and not CompteurNumeroUnique.objects.filter(
            territoire=territoire, mois=mois, annee=annee
        ).exists()
    ):
        prefixe = f"{territoire}{mois:02d}{annee % 100:02d}"
        CompteurNumeroUnique.objects.bulk_create(
            [
                CompteurNumeroUnique(
                    territoire=territoire,
                    mois=mois,
                    annee=annee,
                    dernier=min(_dernier_connu_en_base(prefixe), SEQUENCE_MAX),
                )
            ],
            ignore_conflicts=True,
        )
        ligne = _incrementer_compteur(territoire, mois, annee)
    return ligne


def _incrementer_compteur(territoire: str, mois: int, annee: int) -> int | None:
    with connection.cursor() as curseur:
        curseur.execute(
            f"UPDATE {CompteurNumeroUnique._meta.db_table} SET dernier = dernier + 1 "
            "WHERE territoire = %s AND mois = %s AND annee = %s AND dernier < %s "
            "RETURNING dernier",
            [territoire, mois, annee, SEQUENCE_MAX],
        )
        ligne = curseur.fetchone()
    return ligne[0] if ligne else None


def nom_sequence(territoire: str, mois: int, annee: int) -> str:
    """`075`, 11, 26 → `numero_unique_075_2611` (PostgreSQL folds names to lower case)."""
    return f"numero_unique_{territoire.lower()}_{annee % 100:02d}{mois:02d}"


def _prochain_postgresql(territoire: str, mois: int, annee: int) -> int:
    """`nextval` of the month's sequence; `to_regclass` gives NULL (not an error that would
    abort the transaction) when the month has no sequence yet: it is then created."""
    nom = nom_sequence(territoire, mois, annee)
    with connection.cursor() as curseur:
        curseur.execute("SELECT nextval(to_regclass(%s))", [nom])
        valeur = curseur.fetchone()[0]
        if valeur is not None:
            return valeur
    _creer_sequence(territoire, mois, annee)
    with connection.cursor() as curseur:
        curseur.execute("SELECT nextval(to_regclass(%s))", [nom])
        valeur = curseur.fetchone()[0]
    if valeur is None:  # never an « exhausted » message for a sequence that could not be made
        raise RuntimeError(f"La séquence {nom} n'existe pas et n'a pas pu être créée.")
    return valeur


def _creer_sequence(territoire: str, mois: int, annee: int) -> None:
    """The first registration of a month in a territory creates its sequence, in a savepoint
    of its own transaction (a rollback of that registration, or of a test, removes it too).
    It starts after the highest number already known for that month: the counter row
    (numbers allocated before this design, or set by `fixer_dernier`) and the demandes
    themselves (numbers taken over from the national register). Two first registrations at
    once: the second waits for the first to end (once a month per territory), then uses the
    sequence it created."""
    nom = nom_sequence(territoire, mois, annee)
    prefixe = f"{territoire}{mois:02d}{annee % 100:02d}"
    depart = 1 + max(_dernier_connu_en_base(prefixe), _dernier_du_compteur(territoire, mois, annee))
    try:
        with transaction.atomic(), connection.cursor() as curseur:
            # No MAXVALUE: an exhausted month is refused by `attribuer` (a Python check, no
            # SQL error that would abort the caller's transaction); the check constraint on
            # the numéro's form refuses a seventh digit anyway.
            curseur.execute(f"CREATE SEQUENCE IF NOT EXISTS {nom} START WITH {int(depart)}")
    except IntegrityError:
        pass  # created meanwhile by a concurrent first registration, now committed
    except ProgrammingError as erreur:
        if getattr(erreur.__cause__, "sqlstate", None) != "42P07":  # duplicate_table
            raise  # e.g. no right to create a sequence: said, not hidden


def _dernier_connu_en_base(prefixe: str) -> int:
    from .models import Demande

    plus_haut = (
        Demande.objects.filter(  # a range: read backwards on the unique index, one entry
            numero_unique__gte=f"{prefixe}000000",
            numero_unique__lte=f"{prefixe}999999ZZZZZ",
            numero_unique__startswith=prefixe,
        )
        .order_by("-numero_unique")
        .values_list("numero_unique", flat=True)
        .first()
    )
    return int(plus_haut[7:13]) if plus_haut else 0


def _dernier_du_compteur(territoire: str, mois: int, annee: int) -> int:
    compteur = CompteurNumeroUnique.objects.filter(
        territoire=territoire, mois=mois, annee=annee % 100
    ).first()
    return compteur.dernier if compteur else 0


def fixer_dernier(territoire_: str, mois: int, annee: int, dernier: int) -> None:
    """Set the last number given for (territory, month, year): after taking over numbers from
    the national register, the next one allocated is `dernier + 1` (never lower than a number
    already in the base). Also used by the tests."""
    annee %= 100
    CompteurNumeroUnique.objects.update_or_create(
        territoire=territoire_, mois=mois, annee=annee, defaults={"dernier": dernier}
    )
    if connection.vendor == "postgresql":
        nom = nom_sequence(territoire_, mois, annee)
        _creer_sequence(territoire_, mois, annee)
        with connection.cursor() as curseur:
            # setval(…, n, false): the next nextval gives n.
            curseur.execute("SELECT setval(to_regclass(%s), %s, false)", [nom, dernier + 1])


def derniers_attribues() -> dict[tuple[str, int, int], int]:
    """The last number given per (territory, month, year), whatever the engine (bench,
    supervision): the counter rows, and on PostgreSQL the sequences."""
    derniers = {
        (c.territoire, c.mois, c.annee): c.dernier for c in CompteurNumeroUnique.objects.all()
    }
    if connection.vendor == "postgresql":
        forme = re.compile(r"^numero_unique_([0-9a-z]{3})_([0-9]{2})([0-9]{2})$")
        with connection.cursor() as curseur:
            curseur.execute(
                "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = current_schema() AND sequencename LIKE %s",
                ["numero_unique_%"],
            )
            for nom, dernier in curseur.fetchall():
                m = forme.match(nom)
                if m and dernier is not None:
                    cle = (m.group(1).upper(), int(m.group(3)), int(m.group(2)))
                    derniers[cle] = max(derniers.get(cle, 0), dernier)
    return derniers
