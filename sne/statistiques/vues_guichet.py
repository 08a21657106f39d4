"""The activity of my desk (/statistiques/guichet/), for its agents (saisie or consultation):
the registrations of the last twelve months by month and by agent, and their delay from the
dépôt (`activite.py`), each chart with its table, each table exported as shown (audited). An
agent sees the desks they are habilitated on, and no other (not found, as any record)."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sne.comptes.decorateurs import agent_de_guichet_requis
from sne.comptes.droits import droits_de
from sne.organisations.models import Guichet

from .activite import tableaux_du_guichet
from .exports import exporter, tableau_demande
from .graphiques import graphique


@require_GET
@never_cache  # colleagues' names
@agent_de_guichet_requis
def activite(request):
    guichets = list(
        Guichet.objects.filter(pk__in=droits_de(request.user).guichets_consultation).order_by(
            "code"
        )
    )
    code = request.GET.get("guichet")
    guichet = guichets[0] if code is None else next((g for g in guichets if g.code == code), None)
    if guichet is None:
        raise Http404("Ce guichet n'est pas le vôtre.")
    aujourd_hui = timezone.localdate()
    tableaux = tableaux_du_guichet(guichet, aujourd_hui)
    nom = f"{guichet.code} — {guichet.nom}"
    export = request.GET.get("export")
    if export is not None:
        tableau = tableau_demande(tableaux, export, request.GET.get("format"))
        return exporter(
            request,
            tableau,
            request.GET["format"],
            nom_fichier=f"sne-guichet-{guichet.code}-{tableau.code}-{aujourd_hui:%Y%m%d}",
            titre=f"{tableau.titre} — {nom} — au {aujourd_hui:%d/%m/%Y}",
            resume=f"Activité du guichet {guichet.code} : « {tableau.titre} » au "
            f"{aujourd_hui:%d/%m/%Y}",
            guichet=guichet,
        )
    for tableau in tableaux:
        tableau.graphique = graphique(tableau)
        tableau.lignes_montrees = tableau.lignes
    contexte = {
        "title": "L'activité de mon guichet",
        "guichets": guichets,
        "guichet": guichet,
        "nom": nom,
        "aujourd_hui": aujourd_hui,
        "tableaux": tableaux,
    }
    return render(request, "statistiques/guichet.html", contexte)
