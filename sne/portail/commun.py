"""What every part of the portal shares: its desk, the applicant as an actor of the demande's
services, and the rate limits of its attempts."""

import secrets
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from sne.audit.services import adresse_ip, journaliser
from sne.comptes.droits import DemandeurEnLigne
from sne.demandes.numero import normaliser
from sne.organisations.models import Guichet, Organisation

from .models import CodeTeledemandeur, Tentative

CHIFFRES_DU_CODE = 8


def guichet_du_portail(code_departement: str | None = None) -> Guichet:
    """The portal's desk (`SNE_GUICHET_PORTAIL`, 5 characters, in the numéro unique of every
    demande registered online): created on first use, set up (a national service of the
    State), and habilitated on the département it registers or acts in. It is the « desk »
    the history and the audit log show for what the applicant did themselves."""
    code = settings.SNE_GUICHET_PORTAIL
    guichet = Guichet.objects.filter(code=code).first()
    if guichet is None:
        with transaction.atomic():
            organisation, _ = Organisation.objects.get_or_create(
                nom="Portail grand public de la demande de logement social",
                type=Organisation.Type.ETAT,
            )
            maintenant = timezone.now()
            guichet, _ = Guichet.objects.get_or_create(
                code=code,
                defaults={
                    "nom": "Portail grand public (le demandeur en ligne)",
                    "organisation": organisation,
                    "convention_signee_le": maintenant.date(),
                    "parametrage_termine_le": maintenant,
                },
            )
    if code_departement and not guichet.departements.filter(code=code_departement).exists():
        guichet.departements.add(code_departement)
    return guichet


def le_demandeur(demande=None, code_departement: str | None = None) -> tuple:
    """`(agent, guichet)` for the demande's services when the applicant acts on the portal."""
    departement = demande.departement_id if demande is not None else code_departement
    guichet = guichet_du_portail(departement)
    return DemandeurEnLigne(guichet_id=guichet.pk, demande_id=getattr(demande, "pk", None)), guichet


def journaliser_demandeur(action: str, demande, resume: str, **autres) -> None:
    """What the applicant did or saw on the portal, in the audit log: the portal's desk, no
    agent (ADR 0020). `autres`: `details`, `adresse_ip`."""
    journaliser(
        action,
        guichet=guichet_du_portail(demande.departement_id),
        objet=demande,
        resume=resume,
        **autres,
    )


def cle_ip(request) -> str:
    """The client's address (behind the trusted proxies only), as a rate-limit key."""
    return f"ip:{adresse_ip(request) or 'inconnue'}"


def cle_numero(numero: str) -> str:
    """A numéro unique as a rate-limit key, as typed or not (spaces, dashes, case)."""
    return f"numero:{normaliser(numero)}"


@cache
def _hache_factice() -> str:
    return make_password(secrets.token_hex(8))


def code_valide(demande, code: str) -> bool:
    """The code télédemandeur typed is the demande's current one: the latest code, neither
    replaced nor expired (`CodeTeledemandeur`). Every way in checks it here — the FAQ's login
    and the linking of a FranceConnect identity. Without a demande or a current code, a hash is
    checked all the same, so that the answer's delay does not tell whether the numéro exists."""
    code = (code or "").strip().replace(" ", "")
    actuel = None
    if demande is not None:
        actuel = (
            CodeTeledemandeur.objects.filter(
                demande=demande, remplace_le__isnull=True, expire_le__gt=timezone.now()
            )
            .order_by("-cree_le", "-pk")
            .first()
        )
    if actuel is None or not code.isdigit() or len(code) != CHIFFRES_DU_CODE:
        check_password(code, _hache_factice())
        return False
    return check_password(code, actuel.code_hache)


def trop_de_tentatives(type_: str, *cles: str) -> bool:
    """More than `SNE_PORTAIL_TENTATIVES_MAX[type]` failed attempts within the window for any
    of these keys (a numéro unique, an IP address). Counted in the database: every worker sees
    the same count."""
    maximum, minutes = settings.SNE_PORTAIL_TENTATIVES_MAX[type_]
    depuis = timezone.now() - timedelta(minutes=minutes)
    for cle in cles:
        if not cle:
            continue
        echecs = Tentative.objects.filter(
            type=type_, cle=cle, horodatage__gte=depuis, reussie=False
        ).count()
        if echecs >= maximum:
            return True
    return False


def noter_tentative(type_: str, *cles: str, reussie: bool = False) -> None:
    Tentative.objects.bulk_create(
        Tentative(type=type_, cle=cle, reussie=reussie) for cle in cles if cle
    )


def purger_tentatives() -> int:
    return Tentative.objects.filter(horodatage__lt=timezone.now() - timedelta(days=1)).delete()[0]
