"""The gestionnaire's pages about duplicates (issue 11): the forced creations of their
départements, the stock audits and their pairs, two demandes side by side and the decision
(« doublon confirmé » strikes one off, « personnes différentes » is never proposed again).

Views are thin: rights come from `droits_de` and the querysets `visibles_par`, decisions from
`sne.demandes.services` (`confirmer_doublon`, `ecarter_doublon`), the audit from
`sne.doublons.audit`; reading the two demandes is logged (`consulter_liste`)."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from dsfr.forms import DsfrBaseForm

from sne.audit.services import adresse_ip
from sne.comptes.decorateurs import gestionnaire_requis
from sne.comptes.droits import departements_geres, droits_de
from sne.demandes import services
from sne.demandes.models import Demande, Personne
from sne.doublons import audit as audits
from sne.doublons.models import AuditDoublons, CreationForcee, PaireDoublon
from sne.exceptions import ErreurMetier
from sne.organisations.models import DemandeAuGestionnaire

PAR_PAGE = 25
PAIRES_SELECT = (
    "demande_a__guichet_enregistreur",
    "demande_b__guichet_enregistreur",
    "decidee_par",
    "demande_radiee",
)


def _page(request, elements):
    paginator = Paginator(elements, PAR_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    page.pages_list = list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page


def _choix(departements, vide=None):
    choix = [(d.code, f"{d.code} — {d.nom}") for d in departements]
    return [("", vide), *choix] if vide else choix


class LancerAuditForm(DsfrBaseForm):
    departement = forms.ChoiceField(label="Département")

    def __init__(self, *args, departements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = _choix(departements)


class FiltreCreationsForm(DsfrBaseForm):
    departement = forms.ChoiceField(label="Département", required=False)
    examen = forms.ChoiceField(
        label="Examen",
        required=False,
        choices=[("", "Toutes"), ("a_examiner", "À examiner"), ("examinees", "Examinées")],
    )

    def __init__(self, *args, departements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = _choix(departements, "Tous vos départements")


class FiltrePairesForm(DsfrBaseForm):
    statut = forms.ChoiceField(
        label="Décision",
        required=False,
        choices=[("", "Toutes les paires"), *PaireDoublon.Statut.choices],
    )


def _filtre(form_class, request, **kwargs) -> dict:
    form = form_class(request.GET or None, **kwargs)
    valeurs = form.cleaned_data if form.is_valid() else {}
    return {nom: valeurs.get(nom, "") for nom in form.fields}


def _retour_sur(request, adresse: str) -> str:
    """A page of this site to come back to after a decision, never another site."""
    adresse = (adresse or "").strip()
    if (
        adresse.startswith("/")
        and len(adresse) <= 500
        and url_has_allowed_host_and_scheme(
            adresse, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return adresse
    return ""


# --- Forced creations -----------------------------------------------------------------------


@require_GET
@gestionnaire_requis
def creations_forcees(request):
    """The demandes registered (or changed) past a suspicion of duplicate in the
    gestionnaire's départements, most recent first."""
    departements = departements_geres(request.user)
    filtre = _filtre(FiltreCreationsForm, request, departements=departements)
    qs = (
        CreationForcee.objects.visibles_par(request.user)
        .select_related("demande", "guichet", "agent")
        .order_by("-cree_le", "-pk")
    )
    if filtre["departement"]:
        qs = qs.filter(departement=filtre["departement"])
    if filtre["examen"] == "a_examiner":
        qs = qs.filter(examinee_le=None)
    elif filtre["examen"] == "examinees":
        qs = qs.exclude(examinee_le=None)
    return render(
        request,
        "gestion/doublons/creations_forcees.html",
        {
            "title": "Créations forcées malgré un doublon",
            "rubrique": "creations_forcees",
            "filtre": FiltreCreationsForm(initial=filtre, departements=departements),
            "filtre_actif": any(filtre.values()),
            "page": _page(request, qs),
        },
    )


@never_cache
@require_GET
@gestionnaire_requis
def creation_forcee(request, pk):
    """A forced creation: the justification, and the new demande beside each suspected one."""
    forcage = get_object_or_404(
        CreationForcee.objects.visibles_par(request.user).select_related(
            "demande", "guichet", "agent"
        ),
        pk=pk,
    )
    paires = list(forcage.paires.select_related(*PAIRES_SELECT).order_by("-score", "pk"))
    choisie = next((p for p in paires if str(p.pk) == request.GET.get("paire")), None)
    choisie = choisie or next((p for p in paires if not p.decidee), None) or (paires or [None])[0]
    numeros = [s["numero_unique"] for s in forcage.suspicions]
    messages_du_guichet = [
        d
        for d in DemandeAuGestionnaire.objects.filter(
            guichet=forcage.guichet, objet=DemandeAuGestionnaire.Objet.DOUBLON
        ).order_by("-cree_le")[:50]
        if any(n in d.message for n in numeros)
    ]
    contexte = {
        "title": f"Création forcée de la demande {forcage.demande.numero_unique}",
        "rubrique": "creations_forcees",
        "forcage": forcage,
        "paires": paires,
        "messages_du_guichet": messages_du_guichet,
        "ici": request.get_full_path(),
    }
    if choisie is not None:
        contexte.update(_comparaison(request, choisie, nouvelle=forcage.demande))
    return render(request, "gestion/doublons/creation_forcee.html", contexte)


# --- Pairs ----------------------------------------------------------------------------------


def _paire_visible(request, pk) -> PaireDoublon:
    paire = get_object_or_404(PaireDoublon.objects.select_related(*PAIRES_SELECT), pk=pk)
    droits = droits_de(request.user)
    if not any(
        droits.gere_departement(code)
        for code in (
            paire.departement_id,
            paire.demande_a.departement_id,
            paire.demande_b.departement_id,
        )
    ):
        raise Http404
    return paire


def _personnes(demande: Demande) -> dict:
    personnes = list(demande.personnes.all())
    return {
        "demandeur": next((p for p in personnes if p.role == Personne.Role.DEMANDEUR), None),
        "co": next((p for p in personnes if p.role == Personne.Role.CO_DEMANDEUR), None),
        "a_charge": [p for p in personnes if p.role == Personne.Role.PERSONNE_A_CHARGE],
    }


def _comparaison(request, paire: PaireDoublon, nouvelle=None) -> dict:
    """The two demandes of a pair, each in full when it is of one of the gestionnaire's
    départements (the reading is logged), else only what any desk may see of it."""
    droits = droits_de(request.user)
    ids = [paire.demande_a_id, paire.demande_b_id]
    if nouvelle is not None and nouvelle.pk == paire.demande_b_id:
        ids.reverse()  # the forced demande on the left
    demandes = {
        d.pk: d
        for d in Demande.objects.filter(pk__in=ids)
        .select_related("departement", "guichet_enregistreur")
        .prefetch_related("personnes__commune", "communes_souhaitees__commune")
    }
    colonnes, lues = [], []
    for pk in ids:
        d = demandes[pk]
        visible = droits.gere_departement(d.departement_id)
        colonnes.append({"d": d, "visible": visible, **(_personnes(d) if visible else {})})
        if visible:
            lues.append(d)
    if lues:
        services.consulter_liste(
            lues,
            request.user,
            "Comparaison de deux demandes suspectées en doublon : "
            + " / ".join(d.numero_unique for d in demandes.values()),
        )
    radiables = [c["d"] for c in colonnes if c["visible"] and c["d"].est_active]
    defaut = services.a_radier_par_defaut(paire)
    return {
        "paire": paire,
        "colonnes": colonnes,
        "radiables": radiables,
        "a_radier_defaut": defaut if defaut in radiables else (radiables or [None])[-1],
    }


@never_cache
@require_GET
@gestionnaire_requis
def paire(request, pk):
    """Two demandes suspected to be the same household, side by side, and the decision."""
    paire = _paire_visible(request, pk)
    retour = _retour_sur(request, request.GET.get("retour", ""))
    return render(
        request,
        "gestion/doublons/paire.html",
        {
            "title": "Deux demandes suspectées en doublon",
            "rubrique": "audits",
            "retour": retour,
            "ici": request.get_full_path(),
            **_comparaison(request, paire),
        },
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (PaireDoublon.Statut.DOUBLON_CONFIRME, "Doublon confirmé"),
            (PaireDoublon.Statut.PERSONNES_DIFFERENTES, "Personnes différentes"),
        ]
    )
    a_radier = forms.IntegerField(required=False, min_value=1, max_value=2**62)


@require_POST
@gestionnaire_requis
def decider(request, pk):
    paire = _paire_visible(request, pk)
    retour = _retour_sur(request, request.POST.get("retour", "")) or reverse(
        "doublons:paire", args=[paire.pk]
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Choisissez une décision : doublon confirmé ou personnes différentes."
        )
        return redirect(retour)
    try:
        if form.cleaned_data["decision"] == PaireDoublon.Statut.PERSONNES_DIFFERENTES:
            services.ecarter_doublon(paire, request.user)
            messages.success(
                request,
                "Décision enregistrée : personnes différentes. Cette paire ne sera plus proposée.",
            )
        else:
            choix = form.cleaned_data["a_radier"]
            a_radier = {
                paire.demande_a_id: paire.demande_a,
                paire.demande_b_id: paire.demande_b,
            }.get(choix)
            if a_radier is None:
                raise ErreurMetier(
                    "Choisissez la demande à radier, l'une des deux de la paire.",
                    code="demande_hors_paire",
                )
            services.confirmer_doublon(paire, a_radier, request.user)
            messages.success(
                request,
                f"Doublon confirmé : la demande {a_radier.numero_unique} est radiée "
                "(renonciation, abandon de la demande).",
            )
    except ErreurMetier as erreur:
        messages.error(request, erreur.message)
    return redirect(retour)


# --- Stock audits ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@gestionnaire_requis
def audits_doublons(request):
    """The audits of the gestionnaire's départements, and the form to launch one."""
    departements = departements_geres(request.user)
    form = LancerAuditForm(request.POST or None, departements=departements)
    if request.method == "POST" and form.is_valid():
        departement = next(d for d in departements if d.code == form.cleaned_data["departement"])
        audit, cree = audits.lancer_audit(departement, request.user)
        if cree:
            messages.success(
                request, f"La recherche des doublons du {departement.code} est lancée."
            )
        else:
            messages.info(
                request,
                f"Une recherche des doublons du {departement.code} était déjà en cours : elle "
                "reprend où elle en était.",
            )
        return redirect("doublons:audit", pk=audit.pk)
    qs = (
        AuditDoublons.objects.visibles_par(request.user)
        .select_related("departement", "lance_par")
        .annotate(nb_paires=Count("paires"))
        .order_by("-lance_le", "-pk")
    )
    return render(
        request,
        "gestion/doublons/audits.html",
        {
            "title": "Audit des doublons",
            "rubrique": "audits",
            "form": form,
            "page": _page(request, qs),
        },
    )


def _audit_visible(request, pk) -> AuditDoublons:
    return get_object_or_404(
        AuditDoublons.objects.visibles_par(request.user).select_related("departement", "lance_par"),
        pk=pk,
    )


def _paires_listees(request, audit):
    statut = _filtre(FiltrePairesForm, request)["statut"]
    qs = audit.paires.select_related(*PAIRES_SELECT).order_by("-score", "demande_a", "demande_b")
    if statut:
        qs = qs.filter(statut=statut)
    return qs, statut


@require_GET
@gestionnaire_requis
def audit(request, pk):
    """An audit: its progress while it runs (refreshed by htmx), then its pairs, best first."""
    audit = _audit_visible(request, pk)
    if request.htmx:
        reponse = render(request, "gestion/doublons/_progression.html", {"audit": audit})
        if audit.termine:
            reponse["HX-Refresh"] = "true"  # the whole page, with its pairs
        return reponse
    paires, statut = _paires_listees(request, audit)
    return render(
        request,
        "gestion/doublons/audit.html",
        {
            "title": f"Audit des doublons du {audit.departement_id}",
            "rubrique": "audits",
            "audit": audit,
            "filtre": FiltrePairesForm(initial={"statut": statut}),
            "statut": statut,
            "page": _page(request, paires),
            "ici": request.get_full_path(),
        },
    )


@require_GET
@gestionnaire_requis
def telecharger_audit(request, pk):
    """The XLSX of exactly the pairs the page lists (same filter)."""
    audit = _audit_visible(request, pk)
    paires, _ = _paires_listees(request, audit)
    contenu = audits.exporter_paires(
        audit, paires, par=request.user, adresse_ip=adresse_ip(request)
    )
    reponse = HttpResponse(contenu, content_type=audits.XLSX)
    reponse["Content-Disposition"] = f'attachment; filename="{audits.nom_fichier(audit)}"'
    reponse["Cache-Control"] = "no-store"
    return reponse
