"""Double authentification (second factor): the rules and every change of a person's devices.

Rules:
- a gestionnaire territorial, a national administrator or a person with access to the technical
  administration must have a second factor: an authenticator application (TOTP, RFC 6238);
- any other person may add one; once added, it is asked at each login, like for the others;
- single-use backup codes (« codes de secours ») replace the application when it is lost;
  they are shown once, when generated, and only their use removes them;
- every change of devices is written to the audit log (never the secret nor the codes).

The web side is `views_securite.py`; `DoubleFacteurMiddleware` (`middleware.py`) enforces the
verification on every page.
"""

import secrets
from base64 import b32encode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.exceptions import ErreurMetier

from .droits import droits_de, exiger
from .models import Utilisateur, normaliser_email

NOMBRE_CODES_DE_SECOURS = 10
NOM_APPLICATION = "Application d'authentification"
NOM_CODES_DE_SECOURS = "Codes de secours"
# Backup codes are read on paper and typed by hand: no 0/O, 1/l/i ambiguity.
ALPHABET_CODES = "abcdefghjkmnpqrstuvwxyz23456789"


class CodeIncorrect(ErreurMetier):
    code = "code_incorrect"


# --- Lockout after repeated failed logins (django-axes) -----------------------------------


def identifiant_pour_verrouillage(request, credentials=None) -> str | None:
    """The login whose failures django-axes counts (`AXES_USERNAME_CALLABLE`): the e-mail as
    stored, trimmed and lower-cased, so that `Agent@x.fr` and `agent@x.fr` share one counter
    (else each spelling would give five more tries). Read from the credentials (`username`
    from the login form) or, failing that, from the posted form."""
    credentials = credentials or {}
    brut = credentials.get("username") or credentials.get("email")
    if not brut and request is not None:
        brut = getattr(request, "POST", {}).get("username")
    return normaliser_email(brut) or None


def _cle_echecs_par_adresse(adresse_ip: str) -> str:
    return f"connexion:echecs:ip:{adresse_ip}"


def _duree_blocage_secondes() -> int:
    return int(settings.AXES_COOLOFF_TIME * 3600)


def compter_echec_de_connexion(adresse_ip: str | None) -> None:
    """One more failed login from this client address (any login), for `adresse_bloquee`."""
    if not adresse_ip:
        return
    cle = _cle_echecs_par_adresse(adresse_ip)
    if cache.add(cle, 1, timeout=_duree_blocage_secondes()):
        return
    try:
        cache.incr(cle)
    except ValueError:  # expired between add and incr
        cache.set(cle, 1, timeout=_duree_blocage_secondes())


def adresse_bloquee(adresse_ip: str | None) -> bool:
    """Against password spraying (a few common passwords tried on many logins from one
    address): after `SNE_LIMITE_ECHECS_CONNEXION_PAR_ADRESSE_IP` failed logins from one client
    address within the cool-off time (15 minutes), that address may not try any login until
    the window ends. The limit is well above the per-account one (5, per login and address, by
    django-axes) so that the agents of a desk behind one NAT address are not locked together
    by a few typing errors; django-axes has a single failure limit, hence this counter."""
    if not adresse_ip:
        return False
    echecs = cache.get(_cle_echecs_par_adresse(adresse_ip), 0)
    return echecs >= settings.SNE_LIMITE_ECHECS_CONNEXION_PAR_ADRESSE_IP


# --- Who must have a second factor, who has one -------------------------------------------


def double_facteur_obligatoire(utilisateur) -> bool:
    """True for gestionnaires territoriaux and national administrators (their rights reach a
    whole département or the country), and for access to the technical administration."""
    if utilisateur is None or not utilisateur.is_authenticated:
        return False
    return droits_de(utilisateur).est_gestionnaire or utilisateur.is_staff


def application_confirmee(utilisateur) -> TOTPDevice | None:
    """The person's authenticator application, once its first code has been accepted."""
    return TOTPDevice.objects.filter(user=utilisateur, confirmed=True).first()


def appareil_codes_de_secours(utilisateur) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=utilisateur, confirmed=True).first()


def codes_de_secours_restants(utilisateur) -> int:
    return StaticToken.objects.filter(device__user=utilisateur, device__confirmed=True).count()


def a_un_double_facteur(utilisateur) -> bool:
    """True if the person can prove a second factor now: a confirmed application, or at least
    one unused backup code. Such a person is asked for it at each login."""
    if utilisateur is None or not utilisateur.is_authenticated:
        return False
    return (
        application_confirmee(utilisateur) is not None or codes_de_secours_restants(utilisateur) > 0
    )


def secret_en_groupes(appareil: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for a person who types it by hand."""
    secret = b32encode(appareil.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- Authenticator application (TOTP) ---------------------------------------------------------


def application_en_attente(utilisateur) -> TOTPDevice | None:
    """The application being added (its QR code shown, its first code not yet typed)."""
    return TOTPDevice.objects.filter(user=utilisateur, confirmed=False).first()


@transaction.atomic
def creer_appareil_totp(utilisateur) -> TOTPDevice:
    """A new, unconfirmed application with a fresh secret. It replaces any other unconfirmed
    one; it is not usable to log in until `confirmer_appareil_totp` accepts its first code."""
    TOTPDevice.objects.filter(user=utilisateur, confirmed=False).delete()
    return TOTPDevice.objects.create(user=utilisateur, name=NOM_APPLICATION, confirmed=False)


def confirmer_appareil_totp(appareil: TOTPDevice, code: str, *, adresse_ip=None) -> TOTPDevice:
    """Accept the first code shown by the application: the application becomes the person's
    second factor and replaces their previous one, if any.

    Raises `CodeIncorrect` if the code is wrong (wrong secret typed, phone's clock off)."""
    code = normaliser_code(code)
    if not (code.isdigit() and len(code) == appareil.digits):
        raise CodeIncorrect(
            f"Saisissez le code à {appareil.digits} chiffres affiché par votre application."
        )
    _exiger_essai_permis(appareil)
    # Verified outside the transaction below: a wrong code must leave its trace (throttling).
    if verify_token(appareil.user, appareil.persistent_id, code) is None:
        raise CodeIncorrect(
            "Ce code n'est pas le bon. Vérifiez que vous avez scanné le QR code de cette page "
            "(ou saisi la clé sans erreur) et que l'heure de votre téléphone est à jour, puis "
            "saisissez le code affiché en ce moment."
        )
    with transaction.atomic():
        return _confirmer(appareil, adresse_ip)


def _confirmer(appareil: TOTPDevice, adresse_ip) -> TOTPDevice:
    appareil.refresh_from_db()
    remplacee = (
        TOTPDevice.objects.filter(user=appareil.user, confirmed=True)
        .exclude(pk=appareil.pk)
        .delete()[0]
        > 0
    )
    appareil.confirmed = True
    appareil.save(update_fields=["confirmed"])
    journaliser(
        EvenementAudit.Action.MODIFICATION,
        utilisateur=appareil.user,
        objet=appareil.user,
        resume=(
            "Double authentification : application d'authentification remplacée"
            if remplacee
            else "Double authentification : application d'authentification ajoutée"
        ),
        details={"double_facteur": "application_ajoutee", "remplace": remplacee},
        adresse_ip=adresse_ip,
    )
    return appareil


# --- Backup codes -----------------------------------------------------------------------------


def _nouveau_code() -> str:
    brut = "".join(secrets.choice(ALPHABET_CODES) for _ in range(8))
    return f"{brut[:4]}-{brut[4:]}"


def _remplacer_codes(utilisateur, codes: list[str]) -> StaticDevice:
    appareil = appareil_codes_de_secours(utilisateur)
    if appareil is None:
        appareil = StaticDevice.objects.create(
            user=utilisateur, name=NOM_CODES_DE_SECOURS, confirmed=True
        )
    appareil.token_set.all().delete()
    StaticToken.objects.bulk_create(StaticToken(device=appareil, token=c) for c in codes)
    appareil.throttle_reset()
    return appareil


@transaction.atomic
def codes_de_secours(utilisateur, *, adresse_ip=None) -> list[str]:
    """Ten new single-use backup codes; the previous ones no longer work. The codes are
    returned to be shown once: only the person keeps them.

    Requires a confirmed application: backup codes stand in for it, not for the password."""
    if application_confirmee(utilisateur) is None:
        raise ErreurMetier(
            "Ajoutez d'abord une application d'authentification : les codes de secours la "
            "remplacent seulement si vous n'y avez plus accès."
        )
    codes = [_nouveau_code() for _ in range(NOMBRE_CODES_DE_SECOURS)]
    _remplacer_codes(utilisateur, codes)
    journaliser(
        EvenementAudit.Action.MODIFICATION,
        utilisateur=utilisateur,
        objet=utilisateur,
        resume="Double authentification : nouveaux codes de secours générés",
        details={"double_facteur": "codes_de_secours", "nombre": len(codes)},
        adresse_ip=adresse_ip,
    )
    return codes


@transaction.atomic
def codes_de_secours_demo(utilisateur, codes: list[str]) -> None:
    """Demo only (`sne/demo/donnees.py`): give a demo account these known backup codes, published in
    the README, so that a newcomer can pass the second factor. Each call puts all of them back,
    the ones already used included. Nothing changes (and nothing is logged) if they are all
    there already."""
    codes = [normaliser_code(c) for c in codes]
    appareil = appareil_codes_de_secours(utilisateur)
    if appareil is not None and set(appareil.token_set.values_list("token", flat=True)) == set(
        codes
    ):
        return
    _remplacer_codes(utilisateur, codes)
    journaliser(
        EvenementAudit.Action.MODIFICATION,
        objet=utilisateur,
        resume="Double authentification : codes de secours de démonstration remis",
        details={"double_facteur": "codes_de_secours_demo", "nombre": len(codes)},
    )


# --- Removal ----------------------------------------------------------------------------------


@transaction.atomic
def retirer_double_facteur(utilisateur, *, par=None, adresse_ip=None) -> None:
    """Remove a person's application and backup codes. Refused when their role requires a
    second factor (`double_facteur_obligatoire`): they replace their application instead."""
    par = par or utilisateur
    if double_facteur_obligatoire(utilisateur):
        raise ErreurMetier(
            "La double authentification est obligatoire pour les gestionnaires territoriaux et "
            "l'assistance nationale : elle ne peut pas être désactivée. Pour changer de "
            "téléphone, ajoutez la nouvelle application, elle remplacera l'ancienne."
        )
    supprimes = TOTPDevice.objects.filter(user=utilisateur).delete()[0]
    supprimes += StaticDevice.objects.filter(user=utilisateur).delete()[0]
    if not supprimes:
        return
    journaliser(
        EvenementAudit.Action.MODIFICATION,
        utilisateur=par,
        objet=utilisateur,
        resume="Double authentification désactivée",
        details={"double_facteur": "desactivee"},
        adresse_ip=adresse_ip,
    )


def reinitialiser_double_facteur(utilisateur, *, par, adresse_ip=None) -> None:
    """A person who lost both their phone and their backup codes cannot log in any more: the
    national support (for anyone) or their gestionnaire territorial (for the desk agents of
    their départements) removes the second factor; a person who must have one sets a new one
    up at their next login. Written to the audit log."""
    droits = droits_de(par)
    if droits.national:
        autorise = True
    else:
        autorise = (
            droits.est_gestionnaire
            and not double_facteur_obligatoire(utilisateur)
            and Utilisateur.objects.visibles_par(par).filter(pk=utilisateur.pk).exists()
        )
    exiger(
        autorise,
        "Seule l'assistance nationale réinitialise la double authentification d'un gestionnaire ; "
        "un gestionnaire le fait pour les agents des guichets de ses départements.",
    )
    supprimes = TOTPDevice.objects.filter(user=utilisateur).delete()[0]
    supprimes += StaticDevice.objects.filter(user=utilisateur).delete()[0]
    journaliser(
        EvenementAudit.Action.MODIFICATION,
        utilisateur=par,
        objet=utilisateur,
        resume="Double authentification réinitialisée (appareil perdu)",
        details={"double_facteur": "reinitialisee", "appareils_supprimes": supprimes},
        adresse_ip=adresse_ip,
    )


# --- Verification at login --------------------------------------------------------------------


def normaliser_code(code: str) -> str:
    """What a person types, as stored: spaces removed (apps show « 123 456 »), lower case."""
    return "".join((code or "").split()).lower()


def _exiger_essai_permis(appareil) -> None:
    """After a wrong code, the next try must wait (1, 2, 4, 8… seconds: django-otp's
    throttling), which makes guessing six digits hopeless."""
    permis, _ = appareil.verify_is_allowed()
    if not permis:
        raise CodeIncorrect(
            "Trop de codes erronés à la suite : patientez quelques secondes avant de réessayer."
        )


def verifier_code(utilisateur, code: str, *, secours: bool = False, adresse_ip=None):
    """The device that accepts this code: the application's six digits, or, with `secours`,
    a backup code (deleted by its use). Raises `CodeIncorrect` with the reason; each wrong
    code makes the next try wait longer."""
    code = normaliser_code(code)
    if secours:
        appareil, moyen = appareil_codes_de_secours(utilisateur), "code_de_secours"
        if not code:
            raise CodeIncorrect("Saisissez un de vos codes de secours.")
        if appareil is None:
            raise CodeIncorrect("Vous n'avez pas de code de secours : utilisez votre application.")
        inconnu = (
            "Ce code de secours n'est pas valable : il est mal saisi ou a déjà servi "
            "(chaque code ne sert qu'une fois)."
        )
    else:
        appareil, moyen = application_confirmee(utilisateur), "application"
        if appareil is None:
            raise CodeIncorrect(
                "Aucune application d'authentification n'est associée à votre compte : "
                "utilisez un code de secours."
            )
        if not (code.isdigit() and len(code) == appareil.digits):
            raise CodeIncorrect(
                f"Le code de votre application a {appareil.digits} chiffres. Pour un code de "
                "secours, utilisez le champ « Code de secours »."
            )
        inconnu = "Ce code n'est pas le bon ou a expiré : saisissez le code affiché en ce moment."
    _exiger_essai_permis(appareil)
    accepte = verify_token(utilisateur, appareil.persistent_id, code)
    if accepte is None:
        journaliser(
            EvenementAudit.Action.CONNEXION_ECHOUEE,
            utilisateur=utilisateur,
            objet=utilisateur,
            resume="Double authentification : code refusé",
            details={"etape": "double_facteur", "moyen": moyen},
            adresse_ip=adresse_ip,
        )
        raise CodeIncorrect(inconnu)
    journaliser(
        EvenementAudit.Action.CONNEXION,
        utilisateur=utilisateur,
        objet=utilisateur,
        resume=(
            "Double authentification réussie (application)"
            if moyen == "application"
            else "Double authentification réussie (code de secours)"
        ),
        details={"etape": "double_facteur", "moyen": moyen},
        adresse_ip=adresse_ip,
    )
    return accepte
