"""The table of associations of a département, beneficiaries of demandes (FAQ « bénéficiaire
association »): the gestionnaire's page (search, add, import, (de)activate) and the search
endpoint of the demande form. Mounted with the other départements' pages (`urls_departement`).
"""

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from sne.comptes.decorateurs import gestionnaire_requis, habilite_requis
from sne.comptes.droits import droits_de
from sne.exceptions import ErreurMetier, NonAutorise
from sne.formulaires import erreur_sur_formulaire, resume_erreurs, sans_point_final
from sne.referentiels.models import Departement

from . import associations as tables
from .forms_departement import (
    AssociationForm,
    ChoixDepartementForm,
    ImportAssociationsForm,
    RechercheAssociationForm,
)
from .models import Association
from .services import ajouter_association
from .views_departement import (
    _choisir,
    _departements_geres,
    _page,
    _url,
)


def _page_associations(request, departements, departement, *, form_ajout=None, form_import=None):
    recherche = RechercheAssociationForm(request.GET or None)
    q = recherche.cleaned_data["q"] if recherche.is_valid() else ""
    contexte = {
        "title": "Associations",
        "rubrique": "associations",
        "form_departement": ChoixDepartementForm(
            initial={"departement": departement.code if departement else ""},
            departements=departements,
        ),
        "departements": departements,
        "departement": departement,
        "q": q,
    }
    if departement:
        toutes = Association.objects.filter(departement=departement)
        contexte.update(
            {
                "recherche": RechercheAssociationForm(initial={"q": q}),
                "page": _page(
                    request, tables.rechercher_associations(departement, q, limite=0, actives=None)
                ),
                "nb_actives": toutes.filter(active=True).count(),
                "nb_inactives": toutes.filter(active=False).count(),
                "message_table_vide": tables.TABLE_VIDE,
                "form_ajout": form_ajout or AssociationForm(),
                "form_import": form_import or ImportAssociationsForm(),
                "resume_erreurs": resume_erreurs(form_ajout, form_import),
            }
        )
    return render(request, "organisations/departement/associations.html", contexte)


@require_GET
@gestionnaire_requis
def associations(request):
    """The table of associations of a département: search, add, import, (de)activate."""
    departements = _departements_geres(droits_de(request.user))
    departement, refuse = _choisir(request, departements)
    if refuse:
        raise NonAutorise("Vous ne gérez pas ce département.")
    return _page_associations(request, departements, departement)


@require_POST
@gestionnaire_requis
def ajouter_association_vue(request, code):
    departement = get_object_or_404(Departement, code=code)
    form = AssociationForm(request.POST)
    if form.is_valid():
        try:
            association = ajouter_association(
                par=request.user, departement=departement, **form.cleaned_data
            )
        except ErreurMetier as e:
            erreur_sur_formulaire(form, e)
        else:
            messages.success(
                request, f"L'association « {association.nom} » a été ajoutée à la table du {code}."
            )
            return redirect(_url("departement:associations", departement=code))
    departements = _departements_geres(droits_de(request.user))
    return _page_associations(request, departements, departement, form_ajout=form)


@require_POST
@gestionnaire_requis
def importer_associations(request, code):
    departement = get_object_or_404(Departement, code=code)
    form = ImportAssociationsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            rapport = tables.importer_associations(
                par=request.user,
                departement=departement,
                contenu=form.cleaned_data["fichier"].read(),
            )
        except ErreurMetier as e:
            form.add_error("fichier", e.message)
        else:
            n = len(rapport.ajoutees)
            niveau = messages.success if n else messages.info
            pluriel = "s" if n > 1 else ""
            niveau(request, f"Import terminé : {n} association{pluriel} ajoutée{pluriel}.")
            if rapport.refusees:
                details = " ; ".join(
                    f"ligne {ligne}{f' (« {nom} »)' if nom else ''} : {sans_point_final(raison)}"
                    for ligne, nom, raison in rapport.refusees[:10]
                )
                reste = len(rapport.refusees) - 10
                messages.warning(
                    request,
                    f"{len(rapport.refusees)} ligne(s) non importée(s) — {details}"
                    + (f" ; et {reste} autre(s)." if reste > 0 else "."),
                )
            return redirect(_url("departement:associations", departement=code))
    departements = _departements_geres(droits_de(request.user))
    return _page_associations(request, departements, departement, form_import=form)


@require_POST
@gestionnaire_requis
def etat_association(request, pk):
    """Deactivate or reactivate an association (POST `active=0|1`)."""
    association = get_object_or_404(Association, pk=pk)
    active = request.POST.get("active") == "1"
    tables.changer_etat_association(association, par=request.user, active=active)
    messages.success(
        request,
        f"L'association « {association.nom} » est "
        + (
            "de nouveau proposée aux guichets."
            if active
            else "désactivée : elle n'est plus proposée aux guichets."
        ),
    )
    return redirect(
        _url(
            "departement:associations",
            departement=association.departement_id,
            q=request.POST.get("q", ""),
            page=request.POST.get("page", ""),
        )
    )


@require_GET
@habilite_requis
def recherche_associations(request):
    """`?departement=93&q=emmaus`: the active associations matching, for the beneficiary field
    of the demande form. JSON, or an HTML list for htmx (`HX-Request`). When the table of the
    département is empty, the desk types the name freely (FAQ) and the answer says so.

    `champ` names the parameter that holds the text when it is not `q`: an htmx input sends
    its own name (the demande form's `association_recherche`)."""
    code = request.GET.get("departement", "").strip().upper()
    departement = Departement.objects.filter(code=code).first()
    champ = request.GET.get("champ", "q")
    q = request.GET.get(champ, request.GET.get("q", "")).strip()[:200]
    if departement is None:
        if request.htmx:
            return HttpResponse(status=204)
        return JsonResponse({"erreur": "Département inconnu."}, status=400)
    renseignee = tables.table_renseignee(departement)
    resultats = tables.rechercher_associations(departement, q) if renseignee else []
    message = "" if renseignee else tables.TABLE_VIDE
    if request.htmx:
        return render(
            request,
            "organisations/departement/_suggestions_associations.html",
            {"resultats": resultats, "q": q, "message": message},
        )
    return JsonResponse(
        {
            "departement": departement.code,
            "table_renseignee": renseignee,
            "message": message,
            "resultats": [
                {"id": a.pk, "nom": a.nom, "siren": a.siren, "adresse": a.adresse}
                for a in resultats
            ],
        }
    )
