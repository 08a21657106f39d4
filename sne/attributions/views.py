"""The landlords' desks' pages of the attributions: their CAL sessions, their dwellings, a
session's candidates and the decisions, the applicant's refusal and the lease. Every rule is
the services' (`services.py`): these views find the landlord the agent works for
(`acces.py`), parse the form, call the service and show its answer. Each page that shows
applicants (numéro, name) writes their reading in the audit log, one entry per demande."""

from itertools import groupby

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser_lecture
from sne.comptes.decorateurs import habilite_requis
from sne.demandes.models import Demande, Personne
from sne.demandes.recherche import trouver_demande
from sne.exceptions import ErreurMetier, NonAutorise
from sne.formulaires import erreur_sur_formulaire, resume_erreurs

from . import acces, services
from .forms import (
    BailForm,
    ConditionForm,
    DecisionForm,
    FiltreLogementsForm,
    LogementForm,
    MembresFormSet,
    PresentationForm,
    RefusForm,
    SeanceForm,
    membres_saisis,
)
from .models import Candidature, Logement, SeanceCAL
from .nomenclatures import ATTRIBUTIONS, DecisionCAL

SEANCES_PAR_PAGE = 20
LOGEMENTS_PAR_PAGE = 25


def _envoi(request):
    return request.POST if request.method == "POST" else None


def _vers_seance(seance_id: int, ancre: str = "") -> str:
    url = reverse("attributions:seance", kwargs={"pk": seance_id})
    return f"{url}#{ancre}" if ancre else url


def _journaliser_lecture(request, b, demandes, resume: str) -> None:
    """The applicants a page shows: one audit entry per demande, in one query."""
    demandes = list({d.pk: d for d in demandes}.values())
    if demandes:
        journaliser_lecture(
            demandes,
            utilisateur=request.user,
            guichet=b.guichet,
            resume=resume,
            action=EvenementAudit.Action.CONSULTATION,
        )


def _visibles(request, demandes) -> set[int]:
    """The demandes among these the person may consult today: their applicant's name and the
    link to their page are shown only for those (a demande leaves a desk's scope when the
    desk's scope or the demande's wishes change after the session)."""
    ids = {d.pk for d in demandes}
    if not ids:
        return set()
    return set(
        Demande.objects.visibles_par(request.user).filter(pk__in=ids).values_list("pk", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# Sessions


def _bureau_pour_creer(request):
    """The landlord a creation page records for by default — the one chosen above the lists
    (`?bailleur=`), else the first the agent records for — and the landlords offered by its
    « Bailleur » field (those the agent records for; the field shows for two or more)."""
    b = acces.bureau(request.user, request.GET.get("bailleur"))
    acces.exiger_saisie(b)
    return b, acces.bureaux_de_saisie(request.user)


def _bureau_choisi(form, b, choix):
    """The landlord the valid form records for: its « Bailleur » field, when it has one (the
    field accepts only those the agent records for)."""
    pk = form.cleaned_data.get("bailleur")
    return next((x for x in choix if str(x.bailleur.pk) == pk), b) if pk else b


@require_GET
@habilite_requis
def seances(request):
    b = acces.bureau(request.user, request.GET.get("bailleur"))
    liste = (
        SeanceCAL.objects.filter(bailleur=b.bailleur)
        .annotate(
            nb_logements=Count("candidatures__logement", distinct=True),
            nb_candidats=Count("candidatures"),
            nb_decisions=Count("candidatures", filter=~Q(candidatures__decision="")),
        )
        .order_by("-date", "-pk")
    )
    page = Paginator(liste, SEANCES_PAR_PAGE).get_page(request.GET.get("page"))
    for seance in page.object_list:
        seance.nb_a_saisir = seance.nb_candidats - seance.nb_decisions
    return render(
        request,
        "attributions/seances.html",
        {
            "title": "Commissions d'attribution",
            "b": b,
            "bureaux": acces.bureaux(request.user) if b.plusieurs else [b],
            "page": page,
        },
    )


@require_http_methods(["GET", "POST"])
@habilite_requis
def nouvelle_seance(request):
    b, choix = _bureau_pour_creer(request)
    form = SeanceForm(
        _envoi(request),
        bailleurs=[x.bailleur for x in choix],
        initial={"bailleur": str(b.bailleur.pk)},
    )
    membres = MembresFormSet(_envoi(request), prefix="membres")
    if request.method == "POST" and form.is_valid() and membres.is_valid():
        b = _bureau_choisi(form, b, choix)
        try:
            seance = services.ouvrir_seance(
                date_seance=form.cleaned_data["date"],
                lieu=form.cleaned_data["lieu"],
                membres=membres_saisis(membres),
                par=request.user,
                guichet=b.guichet_saisie,
            )
        except ErreurMetier as e:
            erreur_sur_formulaire(form, e, champs={"membres": ""})
        else:
            messages.success(
                request,
                f"Séance du {seance.date:%d/%m/%Y} enregistrée"
                + (f" pour {b.bailleur.nom}" if b.plusieurs else "")
                + " : présentez ses candidats.",
            )
            return redirect(_vers_seance(seance.pk))
    return render(
        request,
        "attributions/nouvelle_seance.html",
        {
            "title": "Nouvelle séance de la commission d'attribution",
            "b": b,
            "form": form,
            "membres": membres,
            "resume_erreurs": resume_erreurs(form, membres),
        },
    )


def _candidats_de(seance):
    return (
        seance.candidatures.select_related("logement__commune", "demande", "grille")
        .prefetch_related(Prefetch("demande__personnes", queryset=Personne.objects.order_by("pk")))
        .order_by("logement__commune_id", "logement__adresse", "logement__reference", "rang")
    )


def _formulaires_de(candidature) -> dict:
    """The forms a candidate still calls for, each with its own prefix on the session page."""
    c, pk = candidature, candidature.pk
    formulaires = {}
    if not c.demande.est_active:
        return formulaires
    if not c.decision:
        formulaires["decision"] = DecisionForm(prefix=f"decision-{pk}")
        return formulaires
    if c.decision in ATTRIBUTIONS and not c.refusee_le and not c.bail_signe_le:
        if c.decision == DecisionCAL.ATTRIBUTION_SOUS_CONDITION and not c.condition_levee_le:
            formulaires["condition"] = ConditionForm(prefix=f"condition-{pk}")
        formulaires["refus"] = RefusForm(prefix=f"refus-{pk}")
        formulaires["bail"] = BailForm(prefix=f"bail-{pk}")
    return formulaires


@require_GET
@habilite_requis
def seance(request, pk):
    b, seance = acces.seance(request.user, pk)
    candidatures = list(_candidats_de(seance))
    visibles = _visibles(request, [c.demande for c in candidatures])
    logements = []
    for logement, groupe in groupby(candidatures, key=lambda c: c.logement):
        lignes = [
            {
                "c": c,
                "visible": c.demande_id in visibles,
                "demandeur": c.demande.demandeur if c.demande_id in visibles else None,
                "resume": services.resume_decision(c) if c.decision else "",
                "formulaires": _formulaires_de(c) if b.peut_saisir else {},
            }
            for c in groupe
        ]
        logements.append({"logement": logement, "lignes": lignes})
    _journaliser_lecture(
        request,
        b,
        [c.demande for c in candidatures],
        f"Candidats de la séance de CAL du {seance.date:%d/%m/%Y}",
    )
    logements_du_bailleur = Logement.objects.filter(bailleur=b.bailleur).select_related("commune")
    presentation = (
        PresentationForm(prefix="presenter", logements=logements_du_bailleur)
        if b.peut_saisir
        else None
    )
    return render(
        request,
        "attributions/seance.html",
        {
            "title": f"Séance de la commission d'attribution du {seance.date:%d/%m/%Y}",
            "b": b,
            "seance": seance,
            "membres": seance.membres.all(),
            "logements": logements,
            "presentation": presentation,
            "a_des_logements": logements_du_bailleur.exists(),
        },
    )


@require_http_methods(["GET", "POST"])
@habilite_requis
def presenter(request, pk):
    """Present a candidate: the demande found by its numéro among those the agent may see,
    then `services.inscrire_candidat` (active, registered before the session, territory)."""
    b, seance = acces.seance(request.user, pk)
    guichet = acces.exiger_saisie(b)
    form = PresentationForm(
        _envoi(request),
        prefix="presenter",
        logements=Logement.objects.filter(bailleur=b.bailleur).select_related("commune"),
    )
    if request.method == "POST" and form.is_valid():
        demande = None
        try:
            demande = trouver_demande(form.cleaned_data["numero"], request.user)
        except ErreurMetier as e:
            # Not found, or a malformed numéro: the field's error, not the 404 page.
            form.add_error("numero", e.message)
        if demande is not None:
            try:
                candidature = services.inscrire_candidat(
                    seance,
                    form.cleaned_data["logement"],
                    demande,
                    rang=form.cleaned_data["rang"] or None,
                    par=request.user,
                    guichet=guichet,
                )
            except ErreurMetier as e:
                erreur_sur_formulaire(form, e, champs={"demande": "numero", "seance": ""})
            else:
                messages.success(
                    request,
                    f"La demande {demande.numero_unique} est présentée au rang "
                    f"{candidature.rang} pour le logement {candidature.logement.reference}.",
                )
                return redirect(_vers_seance(seance.pk, f"candidature-{candidature.pk}"))
    return render(
        request,
        "attributions/presenter.html",
        {
            "title": f"Présenter un candidat à la séance du {seance.date:%d/%m/%Y}",
            "b": b,
            "seance": seance,
            "form": form,
            "resume_erreurs": resume_erreurs(form),
        },
    )


# ---------------------------------------------------------------------------------------------
# A candidate: the decision, the condition, the refusal, the lease


def _agir_sur_candidature(request, pk, *, nom, formulaire, titre, appeler, succes):
    """The one shape of the four actions on a candidate — the decision, the condition lifted,
    the applicant's refusal, the lease: the form (also shown on the session page) → the service
    (`appeler(candidature, donnees, par, guichet)`) → the message (`succes(candidature)`) →
    back to the candidate on the session page. The service's refusal lands in French on the
    form (`erreur_sur_formulaire`), shown again on this page."""
    b, candidature = acces.candidature(request.user, pk)
    guichet = acces.exiger_saisie(b)
    form = formulaire(_envoi(request), prefix=f"{nom}-{candidature.pk}")
    if request.method == "POST" and form.is_valid():
        try:
            candidature = appeler(candidature, form.cleaned_data, request.user, guichet)
        except ErreurMetier as e:
            erreur_sur_formulaire(form, e)
        else:
            messages.success(request, succes(candidature))
            return redirect(_vers_seance(candidature.seance_id, f"candidature-{candidature.pk}"))
    visible = bool(_visibles(request, [candidature.demande]))
    _journaliser_lecture(request, b, [candidature.demande], f"Candidature en CAL ({titre.lower()})")
    return render(
        request,
        "attributions/candidature_action.html",
        {
            "title": f"{titre} — demande {candidature.demande.numero_unique}",
            "b": b,
            "c": candidature,
            "visible": visible,
            "demandeur": candidature.demande.demandeur if visible else None,
            "resume": services.resume_decision(candidature) if candidature.decision else "",
            "nom": nom,
            "form": form,
            "resume_erreurs": resume_erreurs(form),
        },
    )


@require_http_methods(["GET", "POST"])
@habilite_requis
def decision(request, pk):
    def appeler(c, donnees, par, guichet):
        return services.decider(
            c,
            donnees["decision"],
            motif=donnees["motif"],
            precision=donnees["precision"],
            condition=donnees["condition"],
            condition_avant=donnees["condition_avant"],
            par=par,
            guichet=guichet,
        )

    return _agir_sur_candidature(
        request,
        pk,
        nom="decision",
        formulaire=DecisionForm,
        titre="Décision de la commission",
        appeler=appeler,
        succes=lambda c: (
            f"Décision enregistrée pour la demande {c.demande.numero_unique} : "
            f"{services.resume_decision(c)}."
        ),
    )


@require_http_methods(["GET", "POST"])
@habilite_requis
def condition(request, pk):
    return _agir_sur_candidature(
        request,
        pk,
        nom="condition",
        formulaire=ConditionForm,
        titre="Lever la condition suspensive",
        appeler=lambda c, d, par, guichet: services.lever_condition(
            c, le=d["le"], par=par, guichet=guichet
        ),
        succes=lambda c: (
            f"Condition levée le {c.condition_levee_le:%d/%m/%Y} pour la demande "
            f"{c.demande.numero_unique} : le bail peut être signé."
        ),
    )


@require_http_methods(["GET", "POST"])
@habilite_requis
def refus(request, pk):
    return _agir_sur_candidature(
        request,
        pk,
        nom="refus",
        formulaire=RefusForm,
        titre="Refus du demandeur",
        appeler=lambda c, d, par, guichet: services.enregistrer_refus(
            c, d["motif"], d["precision"], le=d["le"], par=par, guichet=guichet
        ),
        succes=lambda c: (
            f"Refus du demandeur enregistré pour la demande "
            f"{c.demande.numero_unique} ({c.get_motif_refus_display().lower()}) : il compte "
            f"{services.nombre_de_refus(c.demande)} refus de logement."
        ),
    )


@require_http_methods(["GET", "POST"])
@habilite_requis
def bail(request, pk):
    return _agir_sur_candidature(
        request,
        pk,
        nom="bail",
        formulaire=BailForm,
        titre="Bail signé",
        appeler=lambda c, d, par, guichet: services.signer_bail(
            c, le=d["le"], par=par, guichet=guichet
        ),
        succes=lambda c: (
            f"Bail signé le {c.bail_signe_le:%d/%m/%Y} : la demande "
            f"{c.demande.numero_unique} est radiée pour attribution (logement "
            f"{c.logement.reference})."
        ),
    )


# ---------------------------------------------------------------------------------------------
# Dwellings


def _logements_filtres(b, filtre):
    logements = Logement.objects.filter(bailleur=b.bailleur).select_related("commune")
    if not filtre.is_valid():
        return logements
    commune = filtre.cleaned_data["commune"].strip()
    if commune:
        if len(commune) == 5 and commune[:2].isalnum() and commune[2:].isdigit():
            logements = logements.filter(commune__code_insee=commune.upper())
        else:
            logements = logements.filter(commune__nom__icontains=commune)
    if filtre.cleaned_data["typologie"]:
        logements = logements.filter(typologie=filtre.cleaned_data["typologie"])
    return logements


@require_GET
@habilite_requis
def logements(request):
    b = acces.bureau(request.user, request.GET.get("bailleur"))
    filtre = FiltreLogementsForm(request.GET or None)
    logements = _logements_filtres(b, filtre)
    page = Paginator(logements, LOGEMENTS_PAR_PAGE).get_page(request.GET.get("page"))
    filtre_actif = filtre.is_bound and filtre.is_valid() and any(filtre.cleaned_data.values())
    return render(
        request,
        "attributions/logements.html",
        {
            "title": "Logements",
            "b": b,
            "bureaux": acces.bureaux(request.user) if b.plusieurs else [b],
            "page": page,
            "filtre": filtre,
            "filtre_actif": filtre_actif,
            "resume_erreurs": resume_erreurs(filtre) if filtre.is_bound else [],
        },
    )


@require_http_methods(["GET", "POST"])
@habilite_requis
def nouveau_logement(request):
    b, choix = _bureau_pour_creer(request)
    form = LogementForm(
        _envoi(request),
        bailleurs=[x.bailleur for x in choix],
        initial={"bailleur": str(b.bailleur.pk)},
    )
    if request.method == "POST" and form.is_valid():
        b = _bureau_choisi(form, b, choix)
        guichet = acces.guichet_de_saisie_sur(
            request.user, b, form.cleaned_data["commune"]["departement"]
        )
        try:
            logement = services.enregistrer_logement(
                form.donnees(), par=request.user, guichet=guichet
            )
        except NonAutorise as e:
            if e.code != "departement_non_habilite":
                raise
            # The commune typed is out of the desk's départements: the field's error (the
            # service's message speaks of demandes), not the 403 page that loses the entry.
            form.add_error(
                "commune",
                f"Le guichet {guichet.code} n'est pas habilité sur le département de cette "
                "commune : un logement s'enregistre dans un département où votre guichet est "
                "habilité.",
            )
        except ErreurMetier as e:
            erreur_sur_formulaire(form, e)
        else:
            messages.success(
                request,
                f"Logement {logement.reference} enregistré"
                + (f" pour {b.bailleur.nom}." if b.plusieurs else "."),
            )
            return redirect(reverse("attributions:logement", kwargs={"pk": logement.pk}))
    return render(
        request,
        "attributions/nouveau_logement.html",
        {
            "title": "Nouveau logement",
            "b": b,
            "form": form,
            "resume_erreurs": resume_erreurs(form),
        },
    )


@require_GET
@habilite_requis
def logement(request, pk):
    b, logement = acces.logement(request.user, pk)
    passages = list(
        Candidature.objects.filter(logement=logement)
        .select_related("seance", "demande")
        .order_by("-seance__date", "rang")
    )
    _journaliser_lecture(
        request, b, [c.demande for c in passages], f"Candidats du logement {logement.reference}"
    )
    visibles = _visibles(request, [c.demande for c in passages])
    for c in passages:
        c.visible = c.demande_id in visibles
    return render(
        request,
        "attributions/logement.html",
        {
            "title": f"Logement {logement.reference}",
            "b": b,
            "logement": logement,
            "passages": passages,
        },
    )
