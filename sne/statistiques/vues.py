"""The statistics pages of gestionnaires and national users (/gestion/statistiques/): a
territory's figures of the latest snapshot, each chart with its table, each table exported as
CSV or XLSX exactly as shown (and the export audited). A gestionnaire sees the départements
they manage; the national level sees France and every département."""

import csv
import io

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.comptes.decorateurs import gestionnaire_requis
from sne.comptes.droits import departements_geres, droits_de
from sne.organisations.tableurs import ecrire_cellule

from . import lecture
from .graphiques import graphique
from .models import FRANCE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
# The communes of a large département (Nord: 648) are listed in full in the export only.
COMMUNES_MONTREES = 30


def territoires_de(utilisateur) -> list[tuple[str, str]]:
    """(code, name) of the territories a person may read: France first for the national level."""
    territoires = [(d.code, f"{d.code} — {d.nom}") for d in departements_geres(utilisateur)]
    if droits_de(utilisateur).national:
        territoires.insert(0, (FRANCE, "France entière"))
    return territoires


@require_GET
@gestionnaire_requis
def statistiques(request):
    territoires = territoires_de(request.user)
    codes = [code for code, _ in territoires]
    demande = request.GET.get("territoire")
    if demande is not None and demande not in codes:
        # A département not managed (or an invented code): not found, as for any record.
        raise Http404("Ce territoire n'est pas dans votre périmètre.")
    code = demande if demande is not None else (codes[0] if codes else None)
    nom = dict(territoires).get(code, "")
    jour = lecture.dernier_jour()
    contexte = {
        "title": "Statistiques du registre",
        "rubrique": "statistiques",
        "territoires": territoires,
        "code": code,
        "nom": nom,
        "jour": jour,
    }
    if jour is None or code is None:
        return render(request, "statistiques/statistiques.html", contexte)
    tableaux = lecture.tous_les_tableaux(jour, code)
    export = request.GET.get("export")
    if export is not None:
        return _exporter(request, jour, code, nom, tableaux, export, request.GET.get("format"))
    for tableau in tableaux:
        tableau.graphique = graphique(tableau)
        tableau.lignes_montrees = (
            tableau.lignes[:COMMUNES_MONTREES] if tableau.code == "communes" else tableau.lignes
        )
    contexte |= {"chiffres": lecture.chiffres_cles(jour, code), "tableaux": tableaux}
    return render(request, "statistiques/statistiques.html", contexte)


def _exporter(request, jour, code, nom, tableaux, export, format_):
    tableau = next((t for t in tableaux if t.code == export), None)
    if tableau is None or format_ not in FORMATS:
        raise Http404("Ce tableau ou ce format n'existe pas.")
    territoire = "france" if code == FRANCE else code
    nom_fichier = f"sne-{territoire}-{tableau.code}-{jour:%Y%m%d}.{format_}"
    journaliser(
        EvenementAudit.Action.EXPORT,
        utilisateur=request.user,
        resume=f"Statistiques, {nom} : « {tableau.titre} » au {jour:%d/%m/%Y} ({format_.upper()})",
    )
    titre = f"{tableau.titre} — {nom} — instantané du {jour:%d/%m/%Y}"
    if format_ == "csv":
        tampon = io.StringIO()
        tampon.write("\ufeff")  # the BOM: a spreadsheet opens the accents right
        ecrivain = csv.writer(tampon, delimiter=";")
        ecrivain.writerow(tableau.colonnes)
        ecrivain.writerows(tableau.lignes)
        reponse = HttpResponse(tampon.getvalue(), content_type="text/csv; charset=utf-8")
    else:
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
        reponse = HttpResponse(sortie.getvalue(), content_type=XLSX)
    reponse["Content-Disposition"] = f'attachment; filename="{nom_fichier}"'
    return reponse
