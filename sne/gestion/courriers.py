"""The gestionnaire's pages about letters and the renewal campaign (issue 12).

- « Courriers à imprimer » (/gestion/courriers/): the letters waiting in their départements,
  gathered into print runs (one PDF per tournée, rendered by the worker), then marked as
  posted — each letter's « posté » is its proof —, and the letters that came back.
- « Campagne de renouvellement » (/gestion/campagne/): per département and day, the notices
  recorded, e-mails delivered and refused, letters waiting, radiations, with a chart; the
  runs of the campaign; the e-mail addresses refused, to correct.

Views are thin: rights come from `droits_de`, every action from `sne.notifications.services`.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from dsfr.forms import DsfrBaseForm

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser_lecture
from sne.comptes.decorateurs import gestionnaire_requis
from sne.comptes.droits import departements_geres, droits_de
from sne.exceptions import ErreurMetier
from sne.notifications import services
from sne.notifications.models import JourneeCampagne, Message, Tournee
from sne.notifications.tasks import rendre_tournee

PAR_PAGE = 50
JOURS_MAX = 92


class DepartementForm(DsfrBaseForm):
    departement = forms.ChoiceField(label="Département")

    def __init__(self, *args, departements=(), vide=None, **kwargs):
        super().__init__(*args, **kwargs)
        choix = [(d.code, f"{d.code} — {d.nom}") for d in departements]
        self.fields["departement"].choices = [("", vide), *choix] if vide else choix
        self.fields["departement"].required = not vide


class RetourForm(DsfrBaseForm):
    motif = forms.CharField(
        label="Motif du retour (facultatif)",
        required=False,
        max_length=200,
        help_text="Par exemple : « n'habite pas à l'adresse indiquée ».",
    )


# --- Letters --------------------------------------------------------------------------------


@require_GET
@never_cache
@gestionnaire_requis
def courriers(request):
    departements = departements_geres(request.user)
    filtre = DepartementForm(
        request.GET or None, departements=departements, vide="Tous vos départements"
    )
    code = filtre.cleaned_data["departement"] if filtre.is_valid() else ""
    en_attente = services.courriers_a_imprimer(code or None, par=request.user).select_related(
        "attestation"
    )
    page = Paginator(en_attente, PAR_PAGE).get_page(request.GET.get("page"))
    services.lire_courriers(page.object_list, request.user)
    tournees = Tournee.objects.filter(departement__in=[d.code for d in departements])
    if code:
        tournees = tournees.filter(departement=code)
    return render(
        request,
        "gestion/courriers/courriers.html",
        {
            "title": "Courriers à imprimer",
            "rubrique": "courriers",
            "filtre": filtre,
            "page": page,
            "preparer": DepartementForm(
                departements=departements, initial={"departement": code}, auto_id="tournee_%s"
            ),
            "tournees": tournees.select_related("postee_par")[:20],
            "retour": RetourForm(),
        },
    )


@require_POST
@gestionnaire_requis
def preparer(request):
    form = DepartementForm(request.POST, departements=departements_geres(request.user))
    if not form.is_valid():
        messages.error(request, "Choisissez un de vos départements.")
        return redirect("courriers:liste")
    try:
        tournee = services.preparer_tournee(form.cleaned_data["departement"], par=request.user)
    except ErreurMetier as e:
        messages.error(request, e.message)
        return redirect("courriers:liste")
    if tournee is None:
        messages.info(request, "Aucun courrier n'attend dans ce département.")
        return redirect("courriers:liste")
    rendre_tournee(tournee.pk)
    messages.success(
        request,
        f"Tournée n° {tournee.pk} préparée : {tournee.nombre} courrier"
        f"{'s' if tournee.nombre > 1 else ''}. Son PDF se prépare ; "
        "téléchargez-le dans un instant.",
    )
    return redirect("courriers:liste")


def _tournee(request, pk) -> Tournee:
    tournee = get_object_or_404(Tournee, pk=pk)
    if not droits_de(request.user).gere_departement(tournee.departement_id):
        raise Http404  # never tell which runs exist elsewhere
    return tournee


@require_GET
@never_cache
@gestionnaire_requis
def tournee_pdf(request, pk):
    """The print run's PDF: every letter, names and addresses — an export, audited."""
    tournee = _tournee(request, pk)
    if not tournee.fichier:
        messages.info(request, f"Le PDF de la tournée n° {tournee.pk} est en préparation.")
        return redirect("courriers:liste")
    journaliser_lecture(
        [m.demande for m in tournee.courriers.select_related("demande")],
        utilisateur=request.user,
        action=EvenementAudit.Action.EXPORT,
        resume=f"Tournée de courriers n° {tournee.pk} (PDF)",
    )
    tournee.fichier.open("rb")
    try:
        contenu = tournee.fichier.read()
    finally:
        tournee.fichier.close()
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = (
        f'attachment; filename="{tournee.fichier.name.rsplit("/", 1)[-1]}"'
    )
    return reponse


@require_POST
@gestionnaire_requis
def tournee_postee(request, pk):
    tournee = _tournee(request, pk)
    try:
        nombre = services.marquer_tournee_postee(tournee, request.user)
    except ErreurMetier as e:
        messages.error(request, e.message)
    else:
        pluriel = "s" if nombre > 1 else ""
        messages.success(
            request,
            f"Tournée n° {tournee.pk} : {nombre} courrier{pluriel} marqué{pluriel} posté{pluriel}.",
        )
    return redirect("courriers:liste")


@require_POST
@gestionnaire_requis
def retour(request, pk):
    """A letter came back (pli non distribuable)."""
    message = get_object_or_404(Message.objects.select_related("demande"), pk=pk)
    form = RetourForm(request.POST)
    motif = form.cleaned_data["motif"] if form.is_valid() else ""
    try:
        services.signaler_retour(message, request.user, motif=motif)
    except ErreurMetier as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            f"Retour du courrier de la demande {message.demande.numero_unique} enregistré : "
            "le guichet le voit dans « Demandeurs à recontacter ».",
        )
    return redirect("courriers:liste")


# --- The renewal campaign -------------------------------------------------------------------


class PeriodeForm(DepartementForm):
    jours = forms.TypedChoiceField(
        label="Période",
        coerce=int,
        required=False,
        initial=30,
        choices=[
            (7, "7 derniers jours"),
            (30, "30 derniers jours"),
            (JOURS_MAX, "3 derniers mois"),
        ],
    )


def _graphique(lignes, debut, fin) -> dict:
    """Bars per day (notices and radiations, all départements of the table), drawn as SVG in
    the template, with the table beside it for those who cannot see it."""
    par_jour = {}
    for ligne in lignes:
        jour = par_jour.setdefault(ligne["date_avis"], {"preavis": 0, "radiations": 0})
        jour["preavis"] += ligne["preavis"]
        jour["radiations"] += ligne["radiations"]
    jours = []
    courant = debut
    while courant <= fin:
        jours.append({"date": courant, **par_jour.get(courant, {"preavis": 0, "radiations": 0})})
        courant += timedelta(days=1)
    maximum = max([j["preavis"] for j in jours] + [j["radiations"] for j in jours] + [1])
    largeur = 600 / max(len(jours), 1)
    for i, jour in enumerate(jours):
        jour["x"] = round(i * largeur, 1)
        jour["largeur"] = round(max(largeur / 2 - 1, 1), 1)
        jour["x2"] = round(jour["x"] + largeur / 2, 1)
        jour["h_preavis"] = round(150 * jour["preavis"] / maximum, 1)
        jour["h_radiations"] = round(150 * jour["radiations"] / maximum, 1)
        jour["y_preavis"] = round(160 - jour["h_preavis"], 1)
        jour["y_radiations"] = round(160 - jour["h_radiations"], 1)
    return {"jours": jours, "maximum": maximum}


@require_GET
@never_cache
@gestionnaire_requis
def campagne(request):
    departements = departements_geres(request.user)
    filtre = PeriodeForm(
        request.GET or None, departements=departements, vide="Tous vos départements"
    )
    valeurs = filtre.cleaned_data if filtre.is_valid() else {}
    code = valeurs.get("departement") or ""
    jours = valeurs.get("jours") or 30
    fin = timezone.localdate()
    debut = fin - timedelta(days=jours - 1)
    choisis = [code] if code else [d.code for d in departements]
    lignes = services.chiffres_campagne(choisis, debut, fin)
    totaux = {
        cle: sum(ligne[cle] for ligne in lignes)
        for cle in ("preavis", "radiations", "envoyes", "remis", "echecs", "courriers_en_attente")
    }
    refuses = (
        services.a_corriger(request.user)
        .filter(departement__in=choisis, canal=Message.Canal.EMAIL)
        .select_related("demande")
    )
    page = Paginator(refuses, PAR_PAGE).get_page(request.GET.get("page"))
    services.lire_a_corriger(page.object_list, request.user)
    return render(
        request,
        "gestion/courriers/campagne.html",
        {
            "title": "Campagne de renouvellement",
            "rubrique": "campagne",
            "filtre": filtre,
            "lignes": lignes,
            "totaux": totaux,
            "graphique": _graphique(lignes, debut, fin),
            "debut": debut,
            "fin": fin,
            "journees": JourneeCampagne.objects.all()[:10],
            "page": page,
        },
    )
