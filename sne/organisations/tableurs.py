"""Tables in and out: reading a table a gestionnaire uploads (CSV or XLSX) into rows of text,
for the imports of the fiche collecte and of the associations of a département, and writing
the cells of the spreadsheets the application exports (`ecrire_cellule`).

A spreadsheet saved as CSV is encoded in UTF-8 (with or without BOM) or in Windows-1252
(Excel's « CSV (séparateur : point-virgule) »), separated by `;` or `,`. Everything is bounded
before it is parsed: the caller reads at most its size limit, a workbook that would inflate
beyond `TAILLE_DECOMPRESSEE_MAX` is refused before it is opened, and reading stops one row
after `lignes_max`, so a file too long is refused without being read to its end.
"""

import csv
import io
import warnings
import zipfile

from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from sne.exceptions import ErreurMetier

COLONNES_MAX = 50
# A fiche of a few hundred people weighs a few hundred kilobytes once inflated; 20 Mo leaves room
# for styles and a logo, not for a zip bomb.
TAILLE_DECOMPRESSEE_MAX = 20 * 1024 * 1024
SIGNATURE_ZIP = b"PK\x03\x04"
# A spreadsheet reads a cell that starts with one of these as a formula (OWASP « CSV
# injection »), tab and carriage return included because some strip them first.
DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r")


class FichierIllisible(ErreurMetier):
    """The file cannot be read as a table at all: the message says how to save it."""

    code = "fichier_illisible"


class FichierTropLong(FichierIllisible):
    code = "fichier_trop_long"


def cellule(valeur) -> str:
    """A cell as text. Spreadsheets store codes as numbers (`93066`, `999990039.0`)."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)
    return str(valeur).replace("\xa0", " ").strip()


def _trop_long(lignes_max: int, conseil: str) -> FichierTropLong:
    return FichierTropLong(f"Le fichier compte plus de {lignes_max} lignes : {conseil}")


def _separateur(entete: str, separateurs: tuple[str, ...]) -> str:
    """The separator used most on the first line (the first listed on a tie, the last listed
    when none appears)."""
    if len(separateurs) == 1:
        return separateurs[0]
    presents = [s for s in separateurs if s in entete]
    if not presents:
        return separateurs[-1]
    return max(presents, key=entete.count)


def lire_csv(
    contenu: bytes,
    *,
    lignes_max: int,
    colonnes_max: int = COLONNES_MAX,
    separateurs: tuple[str, ...] = (";", ","),
    xlsx_accepte: bool = True,
    conseil_trop_long: str = "découpez-le.",
) -> list[list[str]]:
    """The rows of a CSV file, as stripped strings, at most `colonnes_max` cells each.

    Refused with an explanation: a workbook renamed `.csv`, UTF-16 text, an unknown encoding,
    a malformed file, more than `lignes_max` rows (`FichierTropLong`).
    """
    if contenu.startswith(SIGNATURE_ZIP):
        raise FichierIllisible(
            "Ce fichier est un classeur Excel nommé en .csv : renommez-le en .xlsx ou "
            "enregistrez-le au format CSV."
            if xlsx_accepte
            else "Ce fichier est un classeur Excel : enregistrez-le au format CSV."
        )
    if b"\x00" in contenu:
        raise FichierIllisible(
            "Ce fichier n'est pas un texte CSV lisible (UTF-16 ?) : enregistrez-le en "
            "« CSV UTF-8 »."
        )
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            texte = contenu.decode("cp1252")
        except UnicodeDecodeError as e:
            raise FichierIllisible(
                "L'encodage du fichier n'est pas reconnu : enregistrez-le en « CSV UTF-8 »."
            ) from e
    separateur = _separateur(texte.lstrip().split("\n", 1)[0], separateurs)
    lignes = []
    try:
        for ligne in csv.reader(io.StringIO(texte, newline=""), delimiter=separateur):
            if len(lignes) == lignes_max:
                raise _trop_long(lignes_max, conseil_trop_long)
            lignes.append([cellule(c) for c in ligne[:colonnes_max]])
    except csv.Error as e:
        # Python's own messages are English; a cell of over 128 Ko (`field_size_limit`) is
        # usually a quotation mark left open, which swallows the rest of the file.
        raise FichierIllisible(
            f"Le fichier CSV est mal formé vers la ligne {len(lignes) + 1} : une cellule "
            "dépasse la taille permise ou un guillemet n'est pas refermé. Ouvrez-le dans votre "
            "tableur et enregistrez-le à nouveau au format CSV."
        ) from e
    return lignes


def lire_xlsx(
    contenu: bytes,
    *,
    lignes_max: int,
    colonnes_max: int = COLONNES_MAX,
    conseil_trop_long: str = "découpez-le.",
) -> list[list[str]]:
    """The rows of the first sheet of an XLSX workbook, as stripped strings (values, not
    formulas), at most `colonnes_max` cells each; more than `lignes_max` rows are refused."""
    if not contenu.startswith(SIGNATURE_ZIP):
        raise FichierIllisible(
            "Ce fichier porte l'extension .xlsx mais n'est pas un classeur Excel : ouvrez-le dans "
            "votre tableur et enregistrez-le au format .xlsx ou CSV."
        )
    illisible = FichierIllisible(
        "Le classeur Excel n'a pas pu être lu : ouvrez-le dans votre tableur, enregistrez-le "
        "à nouveau au format .xlsx (ou CSV) et déposez-le."
    )
    archive = io.BytesIO(contenu)
    try:
        # The sizes announced by the archive bound what inflating it can produce: zipfile
        # stops at the announced size (and then fails its checksum).
        with zipfile.ZipFile(archive) as zip_:
            taille = sum(membre.file_size for membre in zip_.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise illisible from e
    if taille > TAILLE_DECOMPRESSEE_MAX:
        raise FichierIllisible(
            "Le classeur Excel est trop volumineux une fois décompressé (plus de "
            f"{TAILLE_DECOMPRESSEE_MAX // (1024 * 1024)} Mo) : enregistrez-le au format CSV, ou "
            "retirez les images et les onglets inutiles."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know
            classeur = load_workbook(archive, read_only=True, data_only=True)
            try:
                lignes = []
                feuille = classeur.worksheets[0]
                for ligne in feuille.iter_rows(max_col=colonnes_max, values_only=True):
                    if len(lignes) == lignes_max:
                        raise _trop_long(lignes_max, conseil_trop_long)
                    lignes.append([cellule(c) for c in ligne])
            finally:
                classeur.close()
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, IndexError) as e:
        raise illisible from e
    return lignes


def ecrire_cellule(feuille, ligne: int, colonne: int, valeur):
    """Write `valeur` in a cell of an exported sheet (openpyxl): text always stays text.

    Every export writes its cells here. A libellé typed as `=HYPERLINK(…)` or `+33 1 …` is
    a string cell, never a formula (openpyxl alone would store `=…` as one); when it starts
    like a formula it is also marked « quotePrefix » (Excel's invisible leading apostrophe), so
    that editing it in the spreadsheet keeps it text. The text itself is unchanged, except for
    control characters that an XLSX file cannot hold (openpyxl would refuse the whole file).
    """
    cellule = feuille.cell(ligne, colonne)
    if isinstance(valeur, str):
        valeur = ILLEGAL_CHARACTERS_RE.sub("", valeur)
        cellule.value = valeur
        cellule.data_type = "s"
        if valeur.startswith(DEBUTS_DE_FORMULE):
            cellule.quotePrefix = True
    else:
        cellule.value = valeur
    return cellule
