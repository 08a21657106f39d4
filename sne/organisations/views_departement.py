"""Pages of a département's gestionnaire territorial, and of desks towards them.

- the file of contacts (FAQ « Options de paramétrage »: sent every month to every desk, and
  downloadable at any time, by the desks too);
- the table of associations (`views_associations.py`, which shares the helpers below);
- the requests of desks to their gestionnaire (FAQ: « je ne vois pas la demande suspectée en
  doublon »), answered in the application.

Views are thin: who may come in is decided by the decorators and `droits_de`, what may be done
by the services, which raise `ErreurMetier` with a French message shown on the page.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sne.audit.services import adresse_ip
from sne.comptes.decorateurs import gestionnaire_requis, habilite_requis
from sne.comptes.droits import droits_de
from sne.exceptions import ErreurMetier, NonAutorise
from sne.formulaires import erreur_sur_formulaire
from sne.referentiels.models import Departement

from . import fichier_contacts as contacts
from .forms_departement import (
    ChoixDepartementForm,
    FiltreDemandesForm,
    NouvelleDemandeForm,
    ReponseDemandeForm,
    preremplissage,
)
from .models import DemandeAuGestionnaire, Guichet
from .services import adresser_demande, repondre_demande

GABARIT_GESTION = "gestion/base.html"
GABARIT_GUICHET = "organisations/departement/base_guichet.html"
PAR_PAGE = 25


# --- Helpers --------------------------------------------------------------------------------


def _page(request, elements):
    """A page of `elements`, with what the DSFR pagination tag shows (`pages_list`)."""
    paginator = Paginator(elements, PAR_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    page.pages_list = list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page


def _choisir(request, departements):
    """The département asked for (`?departement=`) among those allowed; the only one when there
    is one. Returns (département or None, refused: bool)."""
    code = request.GET.get("departement", "").strip().upper()
    if not code:
        return (departements[0] if len(departements) == 1 else None), False
    for d in departements:
        if d.code == code:
            return d, False
    return None, True


def _departements_geres(droits):
    if droits.national:
        return list(Departement.objects.filter(date_fermeture=None).order_by("code"))
    return list(Departement.objects.filter(code__in=droits.departements_gestion).order_by("code"))


def _retour_sur(request, adresse: str) -> str:
    """`adresse` when it is a page of this site to come back to (`?retour=`, the wizard's
    duplicate step for instance), else "": never an open redirect to another site."""
    adresse = adresse.strip()
    if (
        adresse.startswith("/")
        and len(adresse) <= 500
        and url_has_allowed_host_and_scheme(
            adresse, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return adresse
    return ""


def _url(nom: str, **parametres) -> str:
    parametres = {k: v for k, v in parametres.items() if v not in (None, "")}
    return reverse(nom) + (f"?{urlencode(parametres)}" if parametres else "")


# --- File of contacts -----------------------------------------------------------------------


@require_GET
@habilite_requis
def fichier_contacts(request):
    """Choose a département, preview its file, download it, or send it now to its desks.

    Agents of a desk may see and download the file of the départements their desk is
    habilitated on: it is sent to them every month anyway (FAQ)."""
    droits = droits_de(request.user)
    departements = list(contacts.departements_du_fichier(request.user))
    departement, refuse = _choisir(request, departements)
    if refuse:
        raise NonAutorise(
            "Vous ne pouvez pas consulter le fichier des contacts de ce département : vous ne "
            "le gérez pas et aucun de vos guichets n'y est habilité."
        )
    lignes = contacts.apercu(departement) if departement else []
    return render(
        request,
        "organisations/departement/fichier_contacts.html",
        {
            "title": "Fichier des contacts",
            "gabarit": GABARIT_GESTION if droits.est_gestionnaire else GABARIT_GUICHET,
            "rubrique": "contacts",
            "form": ChoixDepartementForm(
                initial={"departement": departement.code if departement else ""},
                departements=departements,
            ),
            "departements": departements,
            "departement": departement,
            "colonnes": [titre for titre, _ in contacts.COLONNES],
            "lignes": lignes,
            "nb_guichets": len({ligne["cellules"][0] for ligne in lignes}),
            "peut_envoyer": bool(departement) and droits.gere_departement(departement.code),
        },
    )


@require_GET
@habilite_requis
def telecharger_contacts(request, code):
    departement = get_object_or_404(Departement, code=code)
    contenu = contacts.telecharger_fichier_contacts(
        departement, par=request.user, adresse_ip=adresse_ip(request)
    )
    reponse = HttpResponse(contenu, content_type=contacts.XLSX)
    reponse["Content-Disposition"] = f'attachment; filename="{contacts.nom_fichier(departement)}"'
    return reponse


@require_POST
@gestionnaire_requis
def envoyer_contacts(request, code):
    departement = get_object_or_404(Departement, code=code)
    [rapport] = contacts.envoyer_fichiers_contacts(departement, par=request.user)
    n = len(rapport.envoyes)
    if n:
        messages.success(
            request,
            f"Le fichier des contacts du {departement.code} a été envoyé à {n} "
            f"guichet{'s' if n > 1 else ''}.",
        )
    else:
        messages.info(request, f"Aucun guichet du {departement.code} n'a reçu le fichier.")
    if rapport.sans_adresse:
        messages.warning(
            request,
            "Sans adresse e-mail, donc non prévenus : " + ", ".join(rapport.sans_adresse) + ".",
        )
    if rapport.echecs:
        messages.error(
            request,
            "L'envoi a échoué pour : " + ", ".join(rapport.echecs) + ". Réessayez plus tard.",
        )
    return redirect(_url("departement:fichier_contacts", departement=departement.code))


# --- Requests of desks to their gestionnaire ------------------------------------------------


@require_GET
@habilite_requis
def demandes(request):
    """The gestionnaire's inbox: requests of the desks of their départements, open first.
    A desk agent who comes here is taken to their own requests."""
    droits = droits_de(request.user)
    if not droits.est_gestionnaire:
        return redirect("departement:mes_demandes")
    qs = DemandeAuGestionnaire.objects.select_related("guichet", "auteur", "departement")
    if not droits.national:
        qs = qs.filter(departement__in=droits.departements_gestion)
    filtre = FiltreDemandesForm(request.GET or None)
    statut = filtre.cleaned_data["statut"] if filtre.is_valid() else ""
    nb_ouvertes = qs.filter(statut=DemandeAuGestionnaire.Statut.OUVERTE).count()
    if statut:
        qs = qs.filter(statut=statut)
    qs = qs.annotate(
        rang=Case(
            When(statut=DemandeAuGestionnaire.Statut.OUVERTE, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("rang", "-cree_le", "-pk")
    return render(
        request,
        "organisations/departement/demandes.html",
        {
            "title": "Demandes des guichets",
            "rubrique": "demandes",
            "filtre": FiltreDemandesForm(initial={"statut": statut}),
            "statut": statut,
            "page": _page(request, qs),
            "nb_ouvertes": nb_ouvertes,
        },
    )


@require_http_methods(["GET", "POST"])
@gestionnaire_requis
def demande(request, pk):
    """A request of a desk, and the form to answer it (the author is told by e-mail)."""
    demande = get_object_or_404(
        DemandeAuGestionnaire.objects.select_related(
            "guichet__organisation", "auteur", "departement", "repondu_par"
        ),
        pk=pk,
    )
    if not droits_de(request.user).gere_departement(demande.departement_id):
        raise Http404
    form = ReponseDemandeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            repondre_demande(demande, par=request.user, reponse=form.cleaned_data["reponse"])
        except ErreurMetier as e:
            erreur_sur_formulaire(form, e)
        else:
            messages.success(
                request,
                f"Votre réponse a été enregistrée et envoyée par e-mail à {demande.auteur.email}.",
            )
            return redirect("departement:demande", pk=demande.pk)
    guichet = demande.guichet
    return render(
        request,
        "organisations/departement/demande.html",
        {
            "title": f"Demande du guichet {guichet.code}",
            "rubrique": "demandes",
            "demande": demande,
            "guichet": guichet,
            "consultation_departements": list(guichet.consultation_departements.all()),
            "nb_communes_consultees": guichet.consultation_communes.count(),
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
@habilite_requis
def mes_demandes(request):
    """« Mes demandes au gestionnaire »: the requests of the agent's desks with their answers,
    and the form to send a new one to the gestionnaire of one of the desk's départements.

    The form may be prefilled by the address (`preremplissage`: the wizard's duplicate step
    sends the objet, the numéros suspected and the names typed), and `retour` is the page to
    come back to once it is sent (« Revenir à la saisie »), checked to be of this site."""
    droits = droits_de(request.user)
    guichets = list(
        Guichet.objects.filter(pk__in=droits.guichets_consultation, actif=True)
        .prefetch_related("departements")
        .order_by("code")
    )
    if not guichets:
        if droits.est_gestionnaire:
            return redirect("departement:demandes")
        raise NonAutorise("Vous n'agissez pour aucun guichet enregistreur actif.")
    retour = _retour_sur(request, (request.POST or request.GET).get("retour", ""))
    form = NouvelleDemandeForm(
        request.POST or None,
        guichets=guichets,
        initial=preremplissage(request.GET, guichets),
    )
    if request.method == "POST" and form.is_valid():
        guichet = next(g for g in guichets if g.pk == form.cleaned_data["guichet"])
        code = form.cleaned_data["departement"]
        departement = next((d for d in guichet.departements.all() if d.code == code), None)
        try:
            if code and departement is None:
                raise ErreurMetier(
                    f"Le guichet {guichet.code} n'est pas habilité sur le département {code} : "
                    "choisissez l'un de ses départements.",
                    code="departement_hors_guichet",
                )
            nouvelle = adresser_demande(
                guichet,
                par=request.user,
                objet=form.cleaned_data["objet"],
                message=form.cleaned_data["message"],
                departement=departement,
            )
        except ErreurMetier as e:
            erreur_sur_formulaire(form, e)
        else:
            transmise = (
                "Votre demande a été transmise au gestionnaire territorial du "
                f"{nouvelle.departement_id}. Sa réponse s'affichera dans « Mes demandes au "
                "gestionnaire » et vous sera envoyée par e-mail."
            )
            if retour:
                messages.success(request, f"{transmise} Vous reprenez votre saisie.")
                return redirect(retour)
            messages.success(request, transmise)
            return redirect("departement:mes_demandes")
    qs = (
        DemandeAuGestionnaire.objects.filter(guichet__in=guichets)
        .select_related("guichet", "auteur", "departement")
        .order_by("-cree_le", "-pk")
    )
    return render(
        request,
        "organisations/departement/mes_demandes.html",
        {
            "title": "Mes demandes au gestionnaire",
            "gabarit": GABARIT_GESTION if droits.est_gestionnaire else GABARIT_GUICHET,
            "rubrique": "demandes",
            "form": form,
            "page": _page(request, qs),
            "guichets": guichets,
            "retour": retour,
        },
    )
