"""Pages of accounts: login, « Mot de passe inconnu » (activation), my account, e-mail change.

Views parse, call a service of `services.py`, render; `ErreurMetier` becomes a message.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sne.audit.services import adresse_ip
from sne.exceptions import ErreurMetier
from sne.formulaires import erreur_sur_formulaire

from . import securite, services
from .droits import droits_de
from .forms import ChangementEmailForm, ChoixMotDePasseForm, ConnexionForm, MotDePasseInconnuForm
from .models import Habilitation


class ConnexionView(auth_views.LoginView):
    """Login. django-axes locks a login after 5 wrong passwords from one address; an address
    with too many failures on any login is refused here first (`securite.adresse_bloquee`)."""

    template_name = "comptes/connexion.html"
    form_class = ConnexionForm
    redirect_authenticated_user = True
    extra_context = {"title": "Connexion"}

    def post(self, request, *args, **kwargs):
        if securite.adresse_bloquee(adresse_ip(request)):
            return render(
                request,
                "comptes/verrouille.html",
                {
                    "par_adresse": True,
                    "cooloff_timedelta": timedelta(hours=settings.AXES_COOLOFF_TIME),
                    "title": "Connexion temporairement bloquée",
                },
                status=429,
            )
        return super().post(request, *args, **kwargs)


class DeconnexionView(auth_views.LogoutView):
    pass


@require_http_methods(["GET", "POST"])
def mot_de_passe_inconnu(request):
    """FAQ: « il vous suffit de vous connecter … et de cliquer sur Mot de passe inconnu »."""
    form = MotDePasseInconnuForm(request.POST or None)
    resultat, statut = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            resultat = services.demander_activation(
                form.cleaned_data["email"],
                base_url=settings.SNE_URL_SITE,
                adresse_ip=adresse_ip(request),
            )
        except ErreurMetier as e:
            form.add_error("email", e.message)
            statut = e.statut_http
    return render(
        request,
        "comptes/mot_de_passe_inconnu.html",
        {"form": form, "resultat": resultat, "title": "Mot de passe inconnu"},
        status=statut,
    )


@require_http_methods(["GET", "POST"])
def activation(request, uidb64, jeton):
    """The single-use, time-limited link: choose a password."""
    utilisateur = services.utilisateur_du_lien(uidb64, jeton)
    if utilisateur is None:
        return render(request, "comptes/lien_invalide.html", {"title": "Lien invalide"}, status=400)
    form = ChoixMotDePasseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activer(
                utilisateur, form.cleaned_data["mot_de_passe"], adresse_ip=adresse_ip(request)
            )
        except ErreurMetier as e:
            form.add_error("mot_de_passe", e.message)
        else:
            messages.success(
                request,
                "Votre mot de passe est enregistré : connectez-vous avec votre adresse e-mail.",
            )
            return redirect("comptes:connexion")
    return render(
        request,
        "comptes/activation.html",
        {"form": form, "utilisateur": utilisateur, "title": "Choisir votre mot de passe"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def mon_compte(request):
    """What a person can see and change of their own account (FAQ: the e-mail address)."""
    form = ChangementEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            adresse = services.demander_changement_email(
                request.user,
                form.cleaned_data["nouvel_email"],
                mot_de_passe=form.cleaned_data["mot_de_passe"],
                base_url=settings.SNE_URL_SITE,
            )
        except ErreurMetier as e:
            erreur_sur_formulaire(form, e)
        else:
            messages.success(
                request,
                f"Un lien de confirmation a été envoyé à {adresse}. Votre adresse actuelle reste "
                "votre identifiant jusqu'à ce que vous le suiviez.",
            )
            return redirect("comptes:mon_compte")
    habilitations = (
        Habilitation.objects.valides()
        .filter(utilisateur=request.user)
        .select_related("guichet", "departement")
    )
    return render(
        request,
        "comptes/mon_compte.html",
        {
            "form": form,
            "habilitations": habilitations,
            "droits": droits_de(request.user),
            "gestionnaires": services.gestionnaires_de(request.user),
            "title": "Mon compte",
        },
    )


@require_http_methods(["GET", "POST"])
def confirmer_email(request, jeton):
    """The link sent to the new address: the page says which address replaces which, the
    button confirms (a link followed by a mail scanner changes nothing)."""
    try:
        if request.method == "POST":
            utilisateur = services.confirmer_changement_email(jeton)
            messages.success(request, f"Votre adresse e-mail est désormais {utilisateur.email}.")
            return redirect(
                "comptes:mon_compte" if request.user.is_authenticated else "comptes:connexion"
            )
        utilisateur, nouvel_email = services.changement_email_propose(jeton)
    except ErreurMetier as e:
        return render(
            request,
            "comptes/lien_invalide.html",
            {"message": e.message, "title": "Lien invalide"},
            status=400,
        )
    return render(
        request,
        "comptes/confirmer_email.html",
        {
            "ancien_email": utilisateur.email,
            "nouvel_email": nouvel_email,
            "title": "Confirmer votre nouvelle adresse e-mail",
        },
    )


@require_http_methods(["GET", "POST"])
def accepter_habilitation(request, jeton):
    """The link sent to a person a gestionnaire of another département proposes to habilitate:
    the page says what is proposed (a link followed by a mail scanner changes nothing), the
    button accepts it."""
    try:
        proposee = services.habilitation_proposee(jeton)
        if request.method == "POST":
            habilitation = services.accepter_habilitation(jeton)
            messages.success(
                request,
                f"Habilitation acceptée : {habilitation.get_role_display()} sur "
                f"{habilitation.guichet}.",
            )
            return redirect(
                "comptes:mon_compte" if request.user.is_authenticated else "comptes:connexion"
            )
    except ErreurMetier as e:
        return render(
            request,
            "comptes/lien_invalide.html",
            {"message": e.message, "title": "Lien invalide"},
            status=400,
        )
    return render(
        request,
        "comptes/accepter_habilitation.html",
        {
            "proposee": proposee,
            "role": Habilitation.Role(proposee["role"]).label,
            "title": "Accepter une habilitation",
        },
    )
