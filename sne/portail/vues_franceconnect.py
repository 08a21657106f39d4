"""Logging in with FranceConnect on the portal (docs/franceconnect.md), when `SNE_FRANCECONNECT`
is on; every page here is a 404 otherwise.

`connexion` sends the person to FranceConnect; `retour` receives the answer: a FranceConnect
identity already linked opens its demande, a new one waits in the portal's session (never the
agents') for `lier` — the applicant's numéro unique and code télédemandeur. `deconnexion` ends
the portal's session and FranceConnect's. Whatever goes wrong with the provider, the applicant
reads a French page telling them they can still log in with their code, never a 500.
"""

from functools import wraps

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from dsfr.forms import DsfrBaseForm

from sne.audit.services import adresse_ip
from sne.exceptions import ErreurMetier
from sne.formulaires import resume_erreurs

from . import franceconnect as fc
from . import services_franceconnect as services
from .commun import cle_ip
from .session import PREFIXE, fermer_session, ouvrir_session

# The FranceConnect identity waiting for its link (expires with the portal's session).
CLE_IDENTITE = "franceconnect_identite"
# The portal's page the applicant was going to (`?suivant=`, as `demandeur_requis` gives it).
CLE_SUIVANT = "franceconnect_suivant"


def _franceconnect_actif(vue):
    """A 404 when FranceConnect is off; never cached (the pages show the person's identity
    or lead to it)."""

    @wraps(vue)
    @never_cache
    def _vue(request, *args, **kwargs):
        if not fc.active():
            raise Http404("FranceConnect n'est pas proposé sur ce site.")
        return vue(request, *args, **kwargs)

    return _vue


def _page_erreur(request, erreur: fc.ErreurFranceConnect):
    """What the applicant reads when FranceConnect did not identify them: 200 when they
    declined, 503 when the provider is down, 400 for an answer that does not hold."""
    if isinstance(erreur, fc.ConnexionAnnulee):
        status = 200
    elif isinstance(erreur, fc.FournisseurIndisponible):
        status = 503
    else:
        status = 400
    return render(
        request,
        "portail/franceconnect/erreur.html",
        {
            "annulee": isinstance(erreur, fc.ConnexionAnnulee),
            "etat_invalide": isinstance(erreur, fc.EtatInvalide),
        },
        status=status,
    )


def _page_du_portail(adresse: str) -> bool:
    """A page of the portal on this site (never elsewhere: no open redirection)."""
    return (
        adresse.startswith(PREFIXE)
        and "\\" not in adresse
        and url_has_allowed_host_and_scheme(adresse, allowed_hosts=None)
    )


@require_GET
@_franceconnect_actif
def connexion(request):
    suivant = request.GET.get("suivant", "")
    if _page_du_portail(suivant):
        request.portail[CLE_SUIVANT] = suivant
    else:
        request.portail.pop(CLE_SUIVANT, None)
    try:
        return redirect(fc.url_autorisation(request))
    except fc.ErreurFranceConnect as e:
        return _page_erreur(request, e)


@require_GET
@_franceconnect_actif
def retour(request):
    try:
        identite, id_token = fc.terminer_autorisation(request)
    except fc.ErreurFranceConnect as e:
        return _page_erreur(request, e)
    demande = services.connexion_liee(identite.sub, adresse_ip=adresse_ip(request))
    if demande is not None:
        return _ouvrir(request, demande, id_token)
    request.portail[CLE_IDENTITE] = {**identite.en_session(), "id_token": id_token}
    return redirect("portail:franceconnect_lier")


def _ouvrir(request, demande, id_token: str):
    request.portail.pop(CLE_IDENTITE, None)
    suivant = request.portail.pop(CLE_SUIVANT, "")
    ouvrir_session(request, demande)
    request.portail[fc.CLE_ID_TOKEN] = id_token
    if isinstance(suivant, str) and _page_du_portail(suivant):
        return redirect(suivant)
    return redirect("portail:ma_demande")


class LiaisonForm(DsfrBaseForm):
    numero = forms.CharField(
        label="Numéro unique",
        max_length=40,
        help_text="Il est écrit sur l'attestation de votre demande. Exemple : 093112600012393BA1.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label="Code télédemandeur",
        max_length=40,
        help_text="Le code reçu par courriel, par SMS ou par courrier.",
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "one-time-code", "spellcheck": "false"}
        ),
    )


@require_http_methods(["GET", "POST"])
@_franceconnect_actif
def lier(request):
    """« Lier ma demande »: the FranceConnect identity waiting in the session, the numéro
    unique and the code télédemandeur typed here."""
    en_attente = request.portail.get(CLE_IDENTITE)
    if not isinstance(en_attente, dict):
        return render(request, "portail/franceconnect/expire.html", status=400)
    form = LiaisonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identite = fc.IdentiteFranceConnect.depuis_session(en_attente)
        try:
            demande = services.lier_demande(
                identite,
                form.cleaned_data["numero"],
                form.cleaned_data["code"],
                cle_ip=cle_ip(request),
                adresse_ip=adresse_ip(request),
            )
        except ErreurMetier as e:
            form.add_error(None, e.message)
        else:
            return _ouvrir(request, demande, en_attente["id_token"])
    return render(
        request,
        "portail/franceconnect/lier.html",
        {
            "form": form,
            "resume_erreurs": resume_erreurs(form),
            "prenoms": en_attente.get("prenoms", ""),
        },
    )


@require_POST
@_franceconnect_actif
def deconnexion(request):
    """Out of the portal, then out of FranceConnect (its partners must end both)."""
    id_token = request.portail.get(fc.CLE_ID_TOKEN)
    fermer_session(request)
    if not id_token:
        return redirect("portail:accueil")
    try:
        url = fc.url_deconnexion(id_token)
    except fc.ErreurFranceConnect:
        url = None
    if url is None:
        return render(
            request, "portail/franceconnect/deconnecte.html", {"franceconnect_ouvert": True}
        )
    return redirect(url)


@require_GET
@_franceconnect_actif
def deconnecte(request):
    """Where FranceConnect sends the person back after its logout."""
    return render(request, "portail/franceconnect/deconnecte.html")
