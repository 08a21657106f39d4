"""Logging in with FranceConnect: the two actions of the portal (docs/franceconnect.md).

FranceConnect tells who the person is, not which demande is theirs. A FranceConnect identity is
linked to a demande once (`lier_demande`), after the very proof the portal asks of everyone (FAQ
« Portail Grand Public »: numéro unique and code télédemandeur), plus the birth date FranceConnect
certifies, which must be the demandeur's. Then every FranceConnect login opens that demande at
once (`connexion_liee`). Both write the audit log (`sne.audit.services.journaliser`), with the
portal's desk and no agent, like every action of the applicant online (ADR 0020).
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from sne.audit.models import EvenementAudit
from sne.demandes.models import Demande
from sne.demandes.numero import normaliser
from sne.exceptions import ErreurMetier

from .commun import (
    cle_numero,
    code_valide,
    journaliser_demandeur,
    noter_tentative,
    trop_de_tentatives,
)
from .franceconnect import IdentiteFranceConnect
from .models import LienFranceConnect, Tentative

MOYEN = {"moyen": "franceconnect"}


class LiaisonRefusee(ErreurMetier):
    """One message whatever failed (unknown numéro, another person's birth date, wrong or
    expired code): it must not tell a stranger which numéros exist or whose they are."""

    code = "franceconnect_liaison_refusee"

    def __init__(self):
        super().__init__(
            "Nous n'avons pas pu relier votre compte FranceConnect à une demande. Vérifiez le "
            "numéro unique et le code télédemandeur. Votre date de naissance doit aussi être "
            "celle de la demande."
        )


class TropDeTentatives(ErreurMetier):
    code = "franceconnect_trop_de_tentatives"

    def __init__(self):
        super().__init__(
            "Trop d'essais ont échoué. Pour votre sécurité, attendez 15 minutes avant de réessayer."
        )


def connexion_liee(sub: str, *, adresse_ip: str | None = None) -> Demande | None:
    """The demande this FranceConnect identity is linked to, its login recorded; None when it
    is linked to none yet."""
    lien = LienFranceConnect.objects.select_related("demande").filter(sub=sub).first()
    if lien is None:
        return None
    with transaction.atomic():
        lien.derniere_connexion_le = timezone.now()
        lien.save(update_fields=["derniere_connexion_le"])
        _journaliser(EvenementAudit.Action.CONNEXION, lien.demande, adresse_ip)
    return lien.demande


def _meme_date_de_naissance(demande: Demande, date_naissance: str) -> bool:
    demandeur = demande.demandeur
    if demandeur is None or demandeur.date_naissance is None:
        return False
    try:
        return date.fromisoformat(date_naissance) == demandeur.date_naissance
    except (TypeError, ValueError):
        return False


def lier_demande(
    identite: IdentiteFranceConnect,
    numero: str,
    code: str,
    *,
    cle_ip: str,
    adresse_ip: str | None = None,
) -> Demande:
    """Link this FranceConnect identity to the demande `numero`, when the code télédemandeur is
    its current one and FranceConnect's birth date is the demandeur's. Rate limited per numéro
    and per IP address (`SNE_PORTAIL_TENTATIVES_MAX["connexion"]`, the same count as the code
    login). Raises `LiaisonRefusee` (one message for every failure) or `TropDeTentatives`."""
    numero = normaliser(numero)
    cles = (cle_numero(numero), cle_ip)
    type_ = Tentative.Type.CONNEXION
    if trop_de_tentatives(type_, *cles):
        raise TropDeTentatives()
    demande = Demande.objects.prefetch_related("personnes").filter(numero_unique=numero).first()
    bon = code_valide(demande, code) and _meme_date_de_naissance(demande, identite.date_naissance)
    if not bon:
        noter_tentative(type_, *cles)
        if demande is not None:
            _journaliser(
                EvenementAudit.Action.CONNEXION_ECHOUEE,
                demande,
                adresse_ip,
                resume="Liaison FranceConnect refusée (code ou date de naissance)",
            )
        raise LiaisonRefusee()
    try:
        with transaction.atomic():
            LienFranceConnect.objects.create(demande=demande, sub=identite.sub)
    except IntegrityError:
        # Linked meanwhile (a second tab, a double submission): fine if to this very demande.
        if not LienFranceConnect.objects.filter(sub=identite.sub, demande=demande).exists():
            noter_tentative(type_, *cles)
            raise LiaisonRefusee() from None
    with transaction.atomic():
        LienFranceConnect.objects.filter(sub=identite.sub).update(
            derniere_connexion_le=timezone.now()
        )
        noter_tentative(type_, *cles, reussie=True)
        _journaliser(
            EvenementAudit.Action.CONNEXION,
            demande,
            adresse_ip,
            resume="Compte FranceConnect relié à la demande, connexion au portail",
        )
    return demande


def _journaliser(action, demande, adresse_ip, resume="Connexion au portail par FranceConnect"):
    journaliser_demandeur(action, demande, resume, details=MOYEN, adresse_ip=adresse_ip)
