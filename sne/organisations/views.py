"""The gestionnaire's back office for desks: list, set-up, consultation scope, contact
points, habilitations. Views parse, check rights (`droits_de`), call `services`, render."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sne.audit.models import EvenementAudit
from sne.comptes import services as services_comptes
from sne.comptes.decorateurs import gestionnaire_requis
from sne.comptes.droits import droits_de, journal_visible_par
from sne.comptes.models import Habilitation, JetonApi
from sne.exceptions import ErreurMetier
from sne.formulaires import erreur_sur_formulaire, resume_erreurs
from sne.referentiels.models import Commune, Departement

from . import services
from .forms import (
    AjoutAgentForm,
    ConventionForm,
    NouveauGuichetForm,
    PerimetreForm,
    PointContactForm,
    RechercheGuichetsForm,
)
from .models import DemandeAuGestionnaire, Guichet, PointContact

PAR_PAGE = 25
# The fields of `creer_organisation` as the new desk's form names them.
CHAMPS_ORGANISATION = {
    "nom": "organisation_nom",
    "type": "organisation_type",
    "siren": "organisation_siren",
}


def _departements_geres(utilisateur):
    droits = droits_de(utilisateur)
    deps = Departement.objects.filter(date_fermeture=None)
    return deps if droits.national else deps.filter(code__in=droits.departements_gestion)


def _guichet_gere(request, code) -> Guichet:
    """The desk, if the person manages it; a 404 otherwise (never reveal what exists)."""
    return get_object_or_404(Guichet.objects.gerables_par(request.user), code=code)


@gestionnaire_requis
def tableau(request):
    guichets = Guichet.objects.gerables_par(request.user)
    contexte = {
        "title": "Gestion",
        "rubrique": "tableau",
        "departements": _departements_geres(request.user)[:20],
        "nb_guichets": guichets.count(),
        "a_parametrer": guichets.filter(parametrage_termine_le__isnull=True).order_by("code")[:10],
        "nb_demandes_ouvertes": DemandeAuGestionnaire.objects.filter(
            statut=DemandeAuGestionnaire.Statut.OUVERTE,
            departement__in=_departements_geres(request.user),
        ).count(),
        "derniers_evenements": journal_visible_par(request.user).select_related(
            "utilisateur", "guichet"
        )[:8],
    }
    return render(request, "organisations/tableau.html", contexte)


@gestionnaire_requis
def guichets(request):
    departements = _departements_geres(request.user)
    form = RechercheGuichetsForm(request.GET or None, departements=departements)
    liste = (
        Guichet.objects.gerables_par(request.user)
        .select_related("organisation")
        .prefetch_related("departements")
        .annotate(nb_agents=Count("habilitations", distinct=True))
        .order_by("code")
    )
    if form.is_valid():
        q = form.cleaned_data.get("q")
        if q:
            liste = liste.filter(
                Q(code__icontains=q) | Q(nom__icontains=q) | Q(organisation__nom__icontains=q)
            )
        if form.cleaned_data.get("departement"):
            liste = liste.filter(departements=form.cleaned_data["departement"])
    page = Paginator(liste, PAR_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/guichets.html",
        {"title": "Guichets", "rubrique": "guichets", "form": form, "page": page},
    )


@gestionnaire_requis
@require_http_methods(["GET", "POST"])
def nouveau_guichet(request):
    """Onboarding a desk (FAQ « Comment faire pour accéder à l'application nationale ? »)."""
    form = NouveauGuichetForm(request.POST or None, departements=_departements_geres(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        # The fields of each service, as this form names them: an organisation's « nom » is
        # not the desk's.
        champs = CHAMPS_ORGANISATION
        try:
            with transaction.atomic():  # no orphan organisation if the desk is refused
                organisation = d["organisation"] or services.creer_organisation(
                    par=request.user,
                    nom=d["organisation_nom"],
                    type=d["organisation_type"],
                    siren=d["organisation_siren"],
                )
                champs = {}
                guichet = services.creer_guichet(
                    par=request.user,
                    organisation=organisation,
                    code=d["code"],
                    nom=d["nom"],
                    departements=d["departements"],
                    email=d["email"] or "",
                )
        except ErreurMetier as e:
            erreur_sur_formulaire(form, e, champs)
        else:
            messages.success(
                request, f"Le guichet {guichet.code} est créé. Complétez son paramétrage."
            )
            return redirect("gestion:guichet", code=guichet.code)
    return render(
        request,
        "organisations/nouveau_guichet.html",
        {
            "title": "Nouveau guichet",
            "rubrique": "guichets",
            "form": form,
            "resume_erreurs": resume_erreurs(form),
        },
    )


@gestionnaire_requis
def guichet(request, code):
    guichet = _guichet_gere(request, code)
    contexte = {
        "title": f"Guichet {guichet.code}",
        "rubrique": "guichets",
        "guichet": guichet,
        "departements": guichet.departements.all(),
        "consultation_departements": guichet.consultation_departements.all(),
        "consultation_communes": guichet.consultation_communes.order_by("nom"),
        "contacts": guichet.contacts.select_related("commune"),
        "habilitations": Habilitation.objects.valides()
        .filter(guichet=guichet, utilisateur__guichet_systeme__isnull=True)
        .select_related("utilisateur")
        .order_by("utilisateur__nom"),
        "evenements": EvenementAudit.objects.filter(guichet=guichet).select_related("utilisateur")[
            :15
        ],
        "convention_form": ConventionForm(
            initial={"convention_signee_le": guichet.convention_signee_le}
        ),
        "agent_form": AjoutAgentForm(),
        "nb_jetons_actifs": JetonApi.objects.actifs().filter(guichet=guichet).count(),
        "manques_parametrage": [] if guichet.est_parametre else guichet.manques_parametrage(),
    }
    return render(request, "organisations/guichet.html", contexte)


@gestionnaire_requis
@require_POST
def convention(request, code):
    guichet = _guichet_gere(request, code)
    form = ConventionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.enregistrer_convention(
                guichet,
                par=request.user,
                convention_signee_le=form.cleaned_data["convention_signee_le"],
                fiche_collecte=form.cleaned_data.get("fiche_collecte"),
            )
        except ErreurMetier as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "Convention et fiche collecte enregistrées.")
    else:
        for erreurs in form.errors.values():
            for erreur in erreurs:
                messages.error(request, erreur)
    return redirect("gestion:guichet", code=guichet.code)


@gestionnaire_requis
@require_POST
def finaliser(request, code):
    guichet = _guichet_gere(request, code)
    try:
        finalisation = services.finaliser_parametrage(
            guichet, par=request.user, base_url=settings.SNE_URL_SITE
        )
    except ErreurMetier as e:
        messages.error(request, e.message)
    else:
        n = len(finalisation.invites)
        if n > 1:
            invitations = (
                f" {n} personnes habilitées reçoivent leur invitation à activer leur compte."
            )
        elif n:
            invitations = " 1 personne habilitée reçoit son invitation à activer son compte."
        else:
            invitations = ""
        messages.success(
            request,
            "Paramétrage finalisé. Un e-mail de confirmation part vers : "
            + ", ".join(finalisation.destinataires)
            + "."
            + invitations,
        )
    return redirect("gestion:guichet", code=guichet.code)


@gestionnaire_requis
@require_http_methods(["GET", "POST"])
def perimetre(request, code):
    """FAQ: « Cette liste est modifiable à tout moment »."""
    guichet = _guichet_gere(request, code)
    departements = _departements_geres(request.user)
    initial = {
        "departements_entiers": guichet.consultation_departements.all(),
        "communes": "\n".join(
            f"{c.nom} ({c.code_insee})" for c in guichet.consultation_communes.order_by("nom")
        ),
    }
    form = PerimetreForm(request.POST or None, initial=initial, departements=departements)
    if request.method == "POST" and form.is_valid():
        try:
            services.modifier_perimetre(
                guichet,
                par=request.user,
                departements_entiers=form.cleaned_data["departements_entiers"],
                communes=form.cleaned_data["communes"],
            )
        except ErreurMetier as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, "Périmètre de consultation enregistré.")
            return redirect("gestion:guichet", code=guichet.code)
    return render(
        request,
        "organisations/perimetre.html",
        {
            "title": f"Périmètre de {guichet.code}",
            "rubrique": "guichets",
            "guichet": guichet,
            "form": form,
        },
    )


@gestionnaire_requis
@require_http_methods(["GET", "POST"])
def point_contact(request, code, pk=None):
    guichet = _guichet_gere(request, code)
    point = get_object_or_404(PointContact, pk=pk, guichet=guichet) if pk else None
    initial = {}
    if point:
        initial = {f: getattr(point, f) for f in services.CHAMPS_CONTACT if f != "commune"}
        initial["commune"] = (
            f"{point.commune.nom} ({point.commune.code_insee})" if point.commune else ""
        )
    form = PointContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        valeurs = dict(form.cleaned_data)
        commune = valeurs.pop("commune")
        valeurs["commune"] = Commune.objects.get(pk=commune.code_insee) if commune else None
        if commune and not valeurs.get("code_postal"):
            valeurs["code_postal"] = commune.code_postal_principal or ""
        try:
            services.enregistrer_point_contact(guichet, par=request.user, point=point, **valeurs)
        except ErreurMetier as e:
            erreur_sur_formulaire(form, e)
        else:
            messages.success(request, "Point de contact enregistré.")
            return redirect("gestion:guichet", code=guichet.code)
    return render(
        request,
        "organisations/point_contact.html",
        {
            "title": "Point de contact",
            "rubrique": "guichets",
            "guichet": guichet,
            "point": point,
            "form": form,
        },
    )


@gestionnaire_requis
@require_POST
def supprimer_point_contact(request, code, pk):
    guichet = _guichet_gere(request, code)
    point = get_object_or_404(PointContact, pk=pk, guichet=guichet)
    try:
        services.supprimer_point_contact(point, par=request.user)
    except ErreurMetier as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "Point de contact supprimé.")
    return redirect("gestion:guichet", code=guichet.code)


@gestionnaire_requis
@require_POST
def ajouter_agent(request, code):
    guichet = _guichet_gere(request, code)
    form = AjoutAgentForm(request.POST)
    if form.is_valid():
        try:
            utilisateur, nouveau = services_comptes.ajouter_agent(
                guichet, par=request.user, base_url=settings.SNE_URL_SITE, **form.cleaned_data
            )
        except services_comptes.ConfirmationDemandee as e:
            messages.info(request, e.message)  # not a refusal: the person is asked to accept
        except ErreurMetier as e:
            messages.error(request, e.message)
        else:
            if not (nouveau or not utilisateur.has_usable_password()):
                suite = ""
            elif guichet.est_parametre:
                suite = " Une invitation à activer son compte lui est envoyée."
            else:
                suite = (
                    " Son invitation à activer son compte partira quand vous finaliserez le "
                    "paramétrage du guichet."
                )
            messages.success(
                request, f"{utilisateur.email} est habilité sur {guichet.code}.{suite}"
            )
    else:
        for champ, erreurs in form.errors.items():
            for erreur in erreurs:
                messages.error(
                    request,
                    f"{form.fields[champ].label if champ in form.fields else ''} : {erreur}",
                )
    return redirect("gestion:guichet", code=guichet.code)


@gestionnaire_requis
@require_POST
def retirer_habilitation(request, code, pk):
    """Asks first (the button of the guichet page), then closes the habilitation."""
    guichet = _guichet_gere(request, code)
    # The technical account of the desk's tokens is not retired here (ADR 0012): its tokens are.
    habilitation = get_object_or_404(
        Habilitation, pk=pk, guichet=guichet, utilisateur__guichet_systeme__isnull=True
    )
    if request.POST.get("confirme") != "1":
        return render(
            request,
            "organisations/retirer_habilitation.html",
            {"title": "Retirer une habilitation", "guichet": guichet, "habilitation": habilitation},
        )
    try:
        services_comptes.retirer_habilitation(habilitation, par=request.user)
    except ErreurMetier as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"Habilitation de {habilitation.utilisateur.email} retirée.")
    return redirect("gestion:guichet", code=guichet.code)
