"""The match keys of a person, computed when a demande is written (`services.indexer_demande`)
and for each search: folded names without particles, a French phonetic key, the variants of a
birth date, the compact NIR, identity document number, e-mail and telephone.

Pure functions, no database: the same keys on SQLite and PostgreSQL, testable one by one
(tests/doublons/test_cles.py).
"""

import contextlib
import re
from datetime import date

from rapidfuzz.distance import OSA

from sne.referentiels.normalisation import sans_accents

# Particles and articles of French (and common foreign) family names: `de`, `d'`, `le`…
# « Le Goff », « De La Fontaine », « d'Arc » compare without them; their glued form is kept too.
PARTICULES = frozenset(
    {"de", "d", "du", "des", "le", "la", "les", "l", "van", "von", "der", "den", "da", "di",
     "del", "della", "dos", "das", "el", "al", "y", "e"}
)  # fmt: skip
_NON_LETTRES = re.compile(r"[^a-z]+")


def mots(nom: str) -> list[str]:
    """The words of a name, folded (lower case, no accents), without particles: « Le Guen-
    Dupré » → ['guen', 'dupre']. A name made only of particles keeps them (« Le »)."""
    tous = [m for m in _NON_LETTRES.split(sans_accents(nom or "").lower()) if m]
    significatifs = [m for m in tous if m not in PARTICULES]
    return significatifs or tous


def plier(nom: str) -> str:
    """The name as one folded string, without particles: « De La Fontaine » → 'fontaine',
    « Martin-Dupont » → 'martindupont'."""
    return "".join(mots(nom))


# French phonetics: ordered rewrites of a folded word, then silent endings and doubled letters.
# Written for names as desks type them (Dupont/Dupond, Philippe/Filipe, Mohamed/Mohammed,
# Catherine/Katherine, Thierry/Tierry, Gauthier/Gautier), not for general text.
_REECRITURES = [
    (re.compile(r"sch|sh"), "ch"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "t"),
    (re.compile(r"gh"), "g"),
    (re.compile(r"c([eiy])"), r"s\1"),
    (re.compile(r"ch(?=[rl])"), "k"),  # Christophe, Chloé
    (re.compile(r"ch"), "§"),  # the « ch » sound, kept apart from « c »/« k »
    (re.compile(r"qu|q|ck|cq|c"), "k"),
    (re.compile(r"gu([eiy])"), r"g\1"),
    (re.compile(r"g([eiy])"), r"j\1"),
    (re.compile(r"gn"), "n"),
    (re.compile(r"(?<!§)h"), ""),
    (re.compile(r"w|bv"), "v"),
    (re.compile(r"y"), "i"),
    (re.compile(r"z"), "s"),
    (re.compile(r"x$"), ""),
    (re.compile(r"x"), "ks"),
    (re.compile(r"eaux?|aux?|ault?|o"), "o"),
    (re.compile(r"ou"), "u"),
    (re.compile(r"ai|ei|et$|er$|ez$"), "e"),
    (re.compile(r"(?<=[aeiou])s(?=[aeiou])"), "z"),
    (re.compile(r"(am|an|em|en)(?=[^aeiou]|$)"), "A"),
    (re.compile(r"(ain|ein|in|im|un|um)(?=[^aeiou]|$)"), "I"),
    (re.compile(r"(on|om)(?=[^aeiou]|$)"), "O"),
]
_FINALES_MUETTES = re.compile(r"(?<=.)[edtspx]+$")


def phonetique(nom: str) -> str:
    """A French phonetic key of a name (all its words, particles dropped): the same for
    « Dupont » and « Dupond », « Philippe » and « Filipe », « Mohamed » and « Mohammed »."""
    return "".join(_phonetique_mot(m) for m in mots(nom))


def _sans_doubles(mot: str) -> str:
    lettres = []
    for lettre in mot:
        if not lettres or lettres[-1] != lettre:
            lettres.append(lettre)
    return "".join(lettres)


def _phonetique_mot(mot: str) -> str:
    mot = _sans_doubles(mot)  # Mohammed/Mohamed, Guillaumme/Guillaume, before the nasals
    for motif, remplacement in _REECRITURES:
        mot = motif.sub(remplacement, mot)
    return _sans_doubles(_FINALES_MUETTES.sub("", mot))


def variantes_date(jour: date | None) -> set[date]:
    """The dates one typing error away: day and month swapped, one digit of DDMMYYYY changed.
    Valid dates only; the date itself is not included."""
    if jour is None:
        return set()
    variantes = set()
    if jour.day <= 12:
        with contextlib.suppress(ValueError):
            variantes.add(jour.replace(day=jour.month, month=jour.day))
    chiffres = f"{jour.day:02d}{jour.month:02d}{jour.year:04d}"
    for i, chiffre in enumerate(chiffres):
        for autre in "0123456789":
            if autre == chiffre:
                continue
            texte = chiffres[:i] + autre + chiffres[i + 1 :]
            try:
                variantes.add(date(int(texte[4:]), int(texte[2:4]), int(texte[:2])))
            except ValueError:
                continue
    variantes.discard(jour)
    return variantes


def proximite_date(a: date | None, b: date | None) -> tuple[float, str]:
    """How close two birth dates are, with the reason in French: 1 for the same date, 0.9 for
    day and month swapped, 0.85 for one digit different, 0 otherwise (unknown included)."""
    if a is None or b is None:
        return 0.0, ""
    if a == b:
        return 1.0, "même date de naissance"
    if a.day == b.month and a.month == b.day and a.year == b.year:
        return 0.9, "date de naissance au jour et au mois inversés"
    if b in variantes_date(a):
        return 0.85, f"date de naissance à un chiffre près ({a:%d/%m/%Y} / {b:%d/%m/%Y})"
    return 0.0, ""


def compacter_nir(nir: str) -> str:
    """The 13 characters that identify a person in a NIR, whatever the typing: spaces, dots,
    dashes dropped, the 2-digit key dropped (it only checks the 13 others, and is often left
    out). « 2.50.03.25.002.560-83 », « 2 50 03 25 002 560 83 » and « 2500325002560 » are the
    same key."""
    return re.sub(r"[^0-9AB]", "", sans_accents(nir or "").upper())[:13]


def distance_edition(a: str, b: str) -> int:
    """Letters to change, add, remove or swap to go from one folded name to the other."""
    return OSA.distance(a, b)


def compacter_piece(numero: str) -> str:
    """An identity document number without spaces, dashes or case."""
    return re.sub(r"[^A-Z0-9]", "", sans_accents(numero or "").upper())


def compacter_email(email: str) -> str:
    return (email or "").strip().lower()
