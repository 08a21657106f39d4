"""Find a demande: by its numéro unique (tolerant, with close numéros on a miss), or by the
demandeur's name and birth date, among the demandes the person may see."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sne.comptes.decorateurs import habilite_requis
from sne.comptes.droits import droits_de
from sne.exceptions import ErreurMetier, Introuvable

from .. import numero as numeros
from .. import services
from ..forms.recherche import RechercheNumeroForm, RecherchePersonneForm
from ..models import Demande, Personne, plier

PAR_PAGE = 25


def _demandes_par_personne(utilisateur, nom: str, prenom: str, date_naissance):
    personnes = Personne.objects.filter(
        role__in=[Personne.Role.DEMANDEUR, Personne.Role.CO_DEMANDEUR]
    )
    if nom.strip():
        cle = plier(nom)
        personnes = personnes.filter(
            Q(nom_cle__startswith=cle) | Q(nom_naissance_cle__startswith=cle)
        )
    if prenom.strip():
        personnes = personnes.filter(prenom_cle__startswith=plier(prenom))
    if date_naissance:
        personnes = personnes.filter(date_naissance=date_naissance)
    return (
        Demande.objects.visibles_par(utilisateur)
        .filter(pk__in=personnes.values("demande_id"))
        .select_related("departement", "guichet_enregistreur")
        .prefetch_related("personnes")
        .order_by("-date_depot", "-pk")
    )


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
            numeros.analyser(saisie)
            demande = services.trouver_demande(saisie, request.user)
        except Introuvable as e:
            form_numero.add_error("numero", e.message)
            suggestions = e.details.get("suggestions", [])
        except ErreurMetier as e:
            form_numero.add_error("numero", e.message)
        else:
            return redirect("demandes:demande", numero=demande.numero_unique)
    if par_personne and form_personne.is_valid():
        donnees = form_personne.cleaned_data
        resultats = _demandes_par_personne(
            request.user, donnees["nom"], donnees["prenom"], donnees["date_naissance"]
        )
        page = Paginator(resultats, PAR_PAGE).get_page(request.GET.get("page"))
        nombre = page.paginator.count
        legende = (
            f"{nombre} demande{'s' if nombre > 1 else ''} parmi celles que vous pouvez consulter"
        )
    recentes = []
    if not par_numero and not par_personne and droits.guichets_consultation:
        recentes = list(
            Demande.objects.filter(guichet_enregistreur__in=droits.guichets_consultation)
            .select_related("departement", "guichet_enregistreur")
            .prefetch_related("personnes")
            .order_by("-enregistree_le", "-pk")[:10]
        )
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
            "aujourd_hui": timezone.localdate(),
        },
    )
