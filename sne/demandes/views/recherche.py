"""Find a demande: by its numéro unique (tolerant, with close numéros on a miss), or by the
demandeur's name and birth date, among the demandes the person may see (`sne.demandes.recherche`
holds the queries). The demandes a page lists (names, birth dates) are written in the audit
journal, one query for the page."""

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sne.comptes.decorateurs import habilite_requis
from sne.comptes.droits import droits_de
from sne.exceptions import ErreurMetier

from .. import recherche as recherches
from .. import services
from ..forms.recherche import RechercheNumeroForm, RecherchePersonneForm
from ..services.brouillons import DUREE_BROUILLON
from .etat_assistant import saisies_affichees

PAR_PAGE = 25


@require_GET
@habilite_requis
def recherche(request):
    """Find a demande by its numéro unique, or by the demandeur's name and birth date."""
    droits = droits_de(request.user)
    par_numero = "numero" in request.GET
    par_personne = not par_numero and any(
        request.GET.get(k) for k in ("nom", "prenom", "date_naissance")
    )
    form_numero = RechercheNumeroForm(request.GET if par_numero else None)
    form_personne = RecherchePersonneForm(request.GET if par_personne else None)
    suggestions, page, legende = [], None, ""
    if par_numero and form_numero.is_valid():
        saisie = form_numero.cleaned_data["numero"]
        try:
            demande = recherches.trouver_demande(saisie, request.user)
        except ErreurMetier as e:
            form_numero.add_error("numero", e.message)
            suggestions = e.details.get("suggestions", [])
        else:
            return redirect("demandes:demande", numero=demande.numero_unique)
    if par_personne and form_personne.is_valid():
        donnees = form_personne.cleaned_data
        page = recherches.rechercher_par_personne(
            request.user,
            donnees["nom"],
            donnees["prenom"],
            donnees["date_naissance"],
            request.GET.get("page"),
            PAR_PAGE,
        )
        nombre = page.paginator.count
        legende = (
            f"{nombre} demande{'s' if nombre > 1 else ''} parmi celles que vous pouvez consulter"
        )
        services.consulter_liste(page.object_list, request.user, "Résultats d'une recherche")
    recentes = []
    if not par_numero and not par_personne:
        recentes = recherches.demandes_recentes(request.user)
        services.consulter_liste(recentes, request.user, "Dernières demandes enregistrées")
    return render(
        request,
        "demandes/recherche.html",
        {
            "title": "Demandes de logement social",
            "form_numero": form_numero,
            "form_personne": form_personne,
            "suggestions": suggestions,
            "page": page,
            "legende_resultats": legende,
            "recentes": recentes,
            "peut_saisir": bool(droits.guichets_saisie),
            "saisies_en_cours": saisies_affichees(request.user) if droits.guichets_saisie else [],
            "duree_saisies": DUREE_BROUILLON.days,
            "aujourd_hui": timezone.localdate(),
        },
    )
