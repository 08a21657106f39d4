"""API tokens of a desk's connected systems (ADR 0012): create, revoke, authenticate.

A token is `sne_<code du guichet>_<secret>`, the secret drawn by `secrets.token_urlsafe(32)`
(256 bits). Only its SHA-256 is stored: a fast hash is enough for a random secret of this
length (no dictionary to try), and lets the API find a token by an indexed equality. The
token acts as its desk's technical account (« Système connecté du guichet 75BA1 », a saisie
habilitation on the desk), so `droits_de`, the querysets `visibles_par` and the audit log work
unchanged and say which system acted.
"""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.exceptions import ErreurMetier

from .droits import droits_de, exiger, oublier_droits
from .models import Habilitation, JetonApi, Utilisateur

# `utilise_le` is written at most once a minute per token, not on every request.
INTERVALLE_MISE_A_JOUR_UTILISATION = timedelta(minutes=1)
LONGUEUR_VISIBLE_DU_SECRET = 6
LONGUEUR_MAX_JETON = 200  # far above a real token (~53 characters); longer is refused unhashed


def empreinte(jeton: str) -> str:
    return hashlib.sha256(jeton.encode()).hexdigest()


def compte_systeme(guichet) -> Utilisateur:
    """The desk's technical account, created with its saisie habilitation on first use; an
    existing one gets its habilitation back if it had been closed."""
    compte, _ = Utilisateur.objects.get_or_create(
        guichet_systeme=guichet,
        defaults={
            "email": f"systeme.{guichet.code.lower()}@api.sne.invalid",
            "nom": f"Système connecté du guichet {guichet.code}",
            "password": make_password(None),  # unusable: it never logs in on the pages
        },
    )
    habilitation, creee = Habilitation.objects.get_or_create(
        utilisateur=compte,
        guichet=guichet,
        defaults={"role": Habilitation.Role.SAISIE},
    )
    if not creee and (habilitation.date_fin is not None or habilitation.role != "saisie"):
        habilitation.date_fin = None
        habilitation.role = Habilitation.Role.SAISIE
        habilitation.save(update_fields=["date_fin", "role"])
    oublier_droits(compte)
    return compte


@transaction.atomic
def creer_jeton(guichet, *, par=None, libelle: str = "") -> tuple[JetonApi, str]:
    """Create a token for `guichet`; returns it with the token in clear, which is never
    stored nor shown again. `par` is the gestionnaire (their départements, or national);
    None for the command `jeton_api`, run by whoever administers the server."""
    if par is not None:
        exiger(droits_de(par).gere_guichet(guichet), "Ce guichet n'est pas dans vos départements.")
    libelle = " ".join((libelle or "").split())
    if not libelle:
        raise ErreurMetier(
            "Donnez un libellé au jeton : le nom du système qui s'en servira.",
            code="libelle_obligatoire",
            champ="libelle",
        )
    if len(libelle) > 100:
        raise ErreurMetier(
            "Le libellé compte au plus 100 caractères.", code="libelle_trop_long", champ="libelle"
        )
    if not guichet.actif:
        raise ErreurMetier(
            f"Le guichet {guichet.code} est désactivé : il ne peut pas recevoir de jeton.",
            code="guichet_inactif",
        )
    compte_systeme(guichet)
    secret = secrets.token_urlsafe(32)
    jeton_en_clair = f"sne_{guichet.code}_{secret}"
    jeton = JetonApi.objects.create(
        guichet=guichet,
        libelle=libelle,
        prefixe=f"sne_{guichet.code}_{secret[:LONGUEUR_VISIBLE_DU_SECRET]}",
        empreinte=empreinte(jeton_en_clair),
        cree_par=par,
    )
    journaliser(
        EvenementAudit.Action.JETON_API_CREE,
        utilisateur=par,
        guichet=guichet,
        objet=jeton,
        resume=f"Jeton d'API {jeton.prefixe}… « {libelle} » créé",
        details={"prefixe": jeton.prefixe, "origine": "page" if par else "commande"},
    )
    return jeton, jeton_en_clair


@transaction.atomic
def revoquer_jeton(jeton: JetonApi, *, par) -> JetonApi:
    """Revoke a token at once (the next request with it is refused). Revoking one already
    revoked changes nothing (a second click, two gestionnaires at once)."""
    exiger(
        droits_de(par).gere_guichet(jeton.guichet), "Ce guichet n'est pas dans vos départements."
    )
    jeton = JetonApi.objects.select_for_update().get(pk=jeton.pk)
    if jeton.est_revoque:
        return jeton
    jeton.revoque_le = timezone.now()
    jeton.revoque_par = par
    jeton.save(update_fields=["revoque_le", "revoque_par"])
    journaliser(
        EvenementAudit.Action.JETON_API_REVOQUE,
        utilisateur=par,
        guichet=jeton.guichet,
        objet=jeton,
        resume=f"Jeton d'API {jeton.prefixe}… « {jeton.libelle} » révoqué",
        details={"prefixe": jeton.prefixe},
    )
    return jeton


def jeton_valide(jeton_en_clair: str) -> JetonApi | None:
    """The token in force that this text is, with its desk and the desk's technical account;
    None for an unknown or revoked token, or one of a desk closed since. Notes the use (at
    most once a minute)."""
    if not jeton_en_clair or len(jeton_en_clair) > LONGUEUR_MAX_JETON:
        return None
    jeton = (
        JetonApi.objects.actifs()
        .select_related("guichet__compte_systeme")
        .filter(empreinte=empreinte(jeton_en_clair), guichet__actif=True)
        .first()
    )
    if jeton is None or not hasattr(jeton.guichet, "compte_systeme"):
        return None
    maintenant = timezone.now()
    if jeton.utilise_le is None or maintenant - jeton.utilise_le >= (
        INTERVALLE_MISE_A_JOUR_UTILISATION
    ):
        JetonApi.objects.filter(pk=jeton.pk).update(utilise_le=maintenant)
        jeton.utilise_le = maintenant
    return jeton
