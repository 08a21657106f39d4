"""Registrations in progress (« saisies en cours »): a desk agent's wizard, kept per agent in the
database until the demande is registered, the draft abandoned, or it expires.

Why the database and not the session (which kept the 5 newest wizards and silently dropped the
sixth): an agent interrupted by phone calls opens several tabs, logs out at noon, or sees their
8-hour session end; a desk expects to find what it typed. Nothing typed is ever dropped because
newer wizards were started: the only bounds are an age (`DUREE_BROUILLON` after the last
change, then purged, since a draft holds personal data, the NIR included) and a generous count
per agent (`BROUILLONS_MAX`), reached only by misuse, with a message that says what to do;
drafts where nothing was validated yet make room first (nothing is lost with them). Two wizards
are two rows: saving one never overwrites another (the session was one row for all of them).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from sne.exceptions import ErreurMetier

from ..models import BrouillonDemande

DUREE_BROUILLON = timedelta(days=7)
BROUILLONS_MAX = 50


def saisies_en_cours(agent):
    """The agent's registrations in progress, the most recently changed first."""
    return BrouillonDemande.objects.de(agent).en_cours().order_by("-modifie_le", "-pk")


def trouver_saisie(agent, identifiant: str) -> BrouillonDemande | None:
    """A registration in progress of this agent (never another's), or None (registered,
    abandoned, expired, or not theirs: the same answer, nothing is disclosed)."""
    return saisies_en_cours(agent).filter(identifiant=identifiant).first()


@transaction.atomic
def commencer_saisie(agent, donnees: dict) -> BrouillonDemande:
    """A new registration in progress for `agent`, starting with `donnees`.

    Never drops a draft with something typed in it: past `BROUILLONS_MAX`, the empty ones
    (no step validated) make room, then the agent is asked to finish or abandon some."""
    maintenant = timezone.now()
    BrouillonDemande.objects.de(agent).filter(expire_le__lte=maintenant).delete()
    en_cours = list(
        BrouillonDemande.objects.de(agent).order_by("modifie_le", "pk").values("pk", "donnees")
    )
    exces = len(en_cours) - BROUILLONS_MAX + 1
    if exces > 0:
        vides = [b["pk"] for b in en_cours if not (b["donnees"] or {}).get("etapes")]
        BrouillonDemande.objects.filter(pk__in=vides[:exces]).delete()
        if exces > len(vides):
            raise ErreurMetier(
                f"Vous avez déjà {BROUILLONS_MAX} saisies en cours : terminez ou abandonnez "
                "celles qui ne servent plus (liste « Saisies en cours » de la page Demandes) "
                "avant d'en commencer une nouvelle.",
                code="trop_de_saisies_en_cours",
            )
    return BrouillonDemande.objects.create(
        auteur=agent,
        donnees=donnees,
        cree_le=maintenant,
        modifie_le=maintenant,
        expire_le=maintenant + DUREE_BROUILLON,
    )


def sauver_saisie(brouillon: BrouillonDemande) -> bool:
    """Keep what was typed; the draft lives `DUREE_BROUILLON` more from now. False when it is
    no longer there (registered or abandoned meanwhile in another tab): it is not recreated,
    and the next page says the registration is no longer in progress."""
    brouillon.modifie_le = timezone.now()
    brouillon.expire_le = brouillon.modifie_le + DUREE_BROUILLON
    return bool(
        BrouillonDemande.objects.filter(pk=brouillon.pk).update(
            donnees=brouillon.donnees,
            modifie_le=brouillon.modifie_le,
            expire_le=brouillon.expire_le,
        )
    )


def abandonner_saisie(agent, identifiant: str) -> bool:
    """The agent abandons one of their registrations in progress: what was typed is erased.
    False when there was nothing to abandon (already registered, abandoned or expired)."""
    supprimees, _ = BrouillonDemande.objects.de(agent).filter(identifiant=identifiant).delete()
    return bool(supprimees)


def terminer_saisie(brouillon: BrouillonDemande) -> None:
    """The demande is registered: the draft, and the personal data it held, go."""
    BrouillonDemande.objects.filter(pk=brouillon.pk).delete()


def purger_brouillons_expires(maintenant=None) -> int:
    """Erase every draft past its expiry (daily task `purger_saisies_expirees`); how many."""
    maintenant = maintenant or timezone.now()
    supprimes, _ = BrouillonDemande.objects.filter(expire_le__lte=maintenant).delete()
    return supprimes
