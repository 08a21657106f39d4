"""How what people type is folded before it is compared with the official names.

The FAQ's pain point: « il faut veiller à bien écrire "Saint-Xxxx" et non pas "St-Xxxx" ». Here
case, accents, ligatures, hyphens, apostrophes, `St`/`Ste`, articles in front or in brackets
(`Havre (Le)`) and glued elisions (`LHAY LES ROSES`) all fold to the same key.
"""

import re
import unicodedata

ABREVIATIONS = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "stes": "saintes",
    "s": "sur",  # "Boulogne s/ Mer" after punctuation folding
    "ss": "sous",
}
ARTICLES = ("le", "la", "les", "l")
_ARTICLE_ENTRE_PARENTHESES = re.compile(r"^(?P<nom>.+?)\s*[(,]\s*(?P<article>les|le|la|l')\s*\)?$")
_SEPARATEURS = re.compile(r"[^a-z0-9]+")


def sans_accents(texte: str) -> str:
    texte = texte.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decompose = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in decompose if not unicodedata.combining(c))


def plier(texte: str) -> str:
    """A person's or an association's name folded for search and duplicate detection: lower
    case, no accents, letters and digits only (`Le Guen-Dupré` → `leguendupre`)."""
    return "".join(c for c in sans_accents((texte or "").lower()) if c.isalnum())


def mots(texte: str) -> list[str]:
    """The words of a name, folded: lower case, no accents, abbreviations expanded."""
    texte = sans_accents(texte or "").lower().strip()
    texte = texte.replace("’", "'").replace("`", "'")
    m = _ARTICLE_ENTRE_PARENTHESES.match(texte)
    if m:
        article = m.group("article")
        texte = f"{article}{'' if article.endswith(chr(39)) else ' '}{m.group('nom')}"
    texte = texte.replace("s/", "sur ").replace("/", " ")
    return [ABREVIATIONS.get(mot, mot) for mot in _SEPARATEURS.split(texte) if mot]


def cle(texte: str) -> str:
    """The comparison key of a name: its folded words glued together.

    Gluing makes `L'Haÿ-les-Roses`, `l hay les roses` and `LHAY LES ROSES` the same key.
    """
    return "".join(mots(texte))


def cle_sans_article(texte: str) -> str:
    """The key without a leading article, so that `Havre` still finds Le Havre."""
    liste = mots(texte)
    if len(liste) > 1 and liste[0] in ARTICLES:
        liste = liste[1:]
    return "".join(liste)
