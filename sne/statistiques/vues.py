"""The statistics pages of gestionnaires and national users (/gestion/statistiques/): a
territory's figures of the latest snapshot, each chart with its table, each table exported as
CSV or XLSX exactly as shown (and the export audited). A gestionnaire sees the départements
they manage; the national level sees France and every département."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sne.comptes.decorateurs import gestionnaire_requis
from sne.comptes.droits import departements_geres, droits_de

from . import pages
from .exports import exporter, tableau_demande
from .models import FRANCE


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
    instantane = pages.dernier_instantane()
    jour = instantane.jour if instantane else None
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
    export = request.GET.get("export")
    if export is not None:
        _, tableaux = pages.tableaux(instantane, code)
        return _exporter(
            request, instantane, code, nom, tableaux, export, request.GET.get("format")
        )
    contexte["corps"] = pages.corps(instantane, code)
    return render(request, "statistiques/statistiques.html", contexte)


def _exporter(request, instantane, code, nom, tableaux, export, format_):
    tableau = tableau_demande(tableaux, export, format_)
    territoire = "france" if code == FRANCE else code
    jour = instantane.jour
    titre = f"{tableau.titre} — {nom} — instantané du {jour:%d/%m/%Y}"
    return exporter(
        request,
        tableau,
        format_,
        nom_fichier=f"sne-{territoire}-{tableau.code}-{jour:%Y%m%d}",
        titre=titre,
        resume=f"Statistiques, {nom} : « {tableau.titre} » au {jour:%d/%m/%Y}",
        fichier=pages.fichier(instantane, code, tableau, format_, titre),
    )
