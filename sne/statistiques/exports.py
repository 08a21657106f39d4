"""A table of the statistics pages exported exactly as shown, as CSV or XLSX, the export
written to the audit log (who, which desk, which table): the gestionnaires' page (`vues.py`) and
a desk's activity (`vues_guichet.py`) export through here."""

import csv
import io

from django.http import Http404, HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.organisations.tableurs import DEBUTS_DE_FORMULE, ecrire_cellule

from .lecture import Tableau

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def tableau_demande(tableaux: list[Tableau], code: str | None, format_: str | None) -> Tableau:
    """The table a link asks for (`?export=…&format=…`); not found for any other value."""
    tableau = next((t for t in tableaux if t.code == code), None)
    if tableau is None or format_ not in FORMATS:
        raise Http404("Ce tableau ou ce format n'existe pas.")
    return tableau


def _texte_csv(valeur):
    """A text that a spreadsheet would read as a formula (an agent named `=…`) is kept as text
    by a leading apostrophe, as `ecrire_cellule` does in an XLSX file (OWASP « CSV injection »)."""
    if isinstance(valeur, str) and valeur.startswith(DEBUTS_DE_FORMULE):
        return "'" + valeur
    return valeur


def contenu(tableau: Tableau, format_: str, titre: str) -> bytes:
    """The file of `tableau`: CSV (UTF-8 with its BOM, semicolons, for a French spreadsheet) or
    XLSX (`titre` heads the sheet)."""
    if format_ == "csv":
        tampon = io.StringIO()
        tampon.write("\ufeff")  # the BOM: a spreadsheet opens the accents right
        ecrivain = csv.writer(tampon, delimiter=";")
        ecrivain.writerow(tableau.colonnes)
        ecrivain.writerows([[_texte_csv(v) for v in ligne] for ligne in tableau.lignes])
        return tampon.getvalue().encode("utf-8")
    classeur = Workbook()
    feuille = classeur.active
    feuille.title = tableau.code
    ecrire_cellule(feuille, 1, 1, titre).font = Font(bold=True)
    for colonne, entete in enumerate(tableau.colonnes, start=1):
        ecrire_cellule(feuille, 2, colonne, entete).font = Font(bold=True)
    for numero, ligne in enumerate(tableau.lignes, start=3):
        for colonne, valeur in enumerate(ligne, start=1):
            ecrire_cellule(feuille, numero, colonne, valeur)
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def exporter(
    request,
    tableau: Tableau,
    format_: str,
    *,
    nom_fichier: str,
    titre: str,
    resume: str,
    guichet=None,
    fichier: bytes | None = None,
) -> HttpResponse:
    """The file of `tableau` (`nom_fichier` without extension), its export journaled first.
    `titre` heads the XLSX sheet; `resume` says in the audit log what was exported;
    `fichier`: the file already made (`pages.fichier`, kept in the cache), else made here."""
    journaliser(
        EvenementAudit.Action.EXPORT,
        utilisateur=request.user,
        guichet=guichet,
        resume=f"{resume} ({format_.upper()})",
    )
    if fichier is None:
        fichier = contenu(tableau, format_, titre)
    type_ = "text/csv; charset=utf-8" if format_ == "csv" else XLSX
    reponse = HttpResponse(fichier, content_type=type_)
    reponse["Content-Disposition"] = f'attachment; filename="{nom_fichier}.{format_}"'
    return reponse
