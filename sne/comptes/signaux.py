"""Every login, successful or not, is written to the audit log with the client's address.

A failure is attached to the account when the typed e-mail is one; nothing typed is kept but
the e-mail's domain (never the password, never a mistyped address that may be someone's name).
Connected by `ComptesConfig.ready()`.
"""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from sne.audit.models import EvenementAudit
from sne.audit.services import adresse_ip, journaliser

from .models import Utilisateur, normaliser_email
from .securite import compter_echec_de_connexion


def _adresse_ip(request) -> str | None:
    return adresse_ip(request) if request is not None and hasattr(request, "META") else None


@receiver(user_logged_in, dispatch_uid="sne_audit_connexion")
def journaliser_connexion(sender, request, user, **kwargs):
    journaliser(
        EvenementAudit.Action.CONNEXION,
        utilisateur=user,
        objet=user,
        resume="Connexion",
        adresse_ip=_adresse_ip(request),
    )


@receiver(user_login_failed, dispatch_uid="sne_audit_connexion_echouee")
def journaliser_connexion_echouee(sender, credentials, request=None, **kwargs):
    """Wrong password, unknown address, or an attempt refused because of the lockout
    (django-axes has already flagged the request: its receiver runs first)."""
    identifiant = normaliser_email(credentials.get("username") or credentials.get("email") or "")
    compte = Utilisateur.objects.filter(email=identifiant).first() if identifiant else None
    verrouille = bool(getattr(request, "axes_locked_out", False))
    if verrouille:
        resume = "Connexion refusée : trop d'essais erronés, compte temporairement bloqué"
    elif compte is not None:
        resume = "Connexion échouée : mot de passe erroné ou compte désactivé"
    else:
        resume = "Connexion échouée : adresse e-mail inconnue"
    details = {"domaine": identifiant.rpartition("@")[2] if "@" in identifiant else ""}
    if verrouille:
        details["verrouillage"] = True
    journaliser(
        EvenementAudit.Action.CONNEXION_ECHOUEE,
        utilisateur=compte,
        objet=compte,
        resume=resume,
        details=details,
        adresse_ip=_adresse_ip(request),
    )
    compter_echec_de_connexion(_adresse_ip(request))
