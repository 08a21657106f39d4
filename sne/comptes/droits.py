"""The one permission layer: what a person may see and do, derived from their habilitations.

Every view, API endpoint and task asks here (`droits_de(utilisateur)`) or uses the querysets
that call it (`Guichet.objects.visibles_par(...)`, `Utilisateur.objects.visibles_par(...)`).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q

from sne.audit.models import EvenementAudit
from sne.exceptions import NonAutorise
from sne.referentiels.models import Departement


@dataclass(frozen=True)
class Droits:
    guichets_saisie: frozenset[int] = frozenset()
    guichets_consultation: frozenset[int] = frozenset()  # includes the saisie ones
    departements_gestion: frozenset[str] = frozenset()
    national: bool = False

    @property
    def est_gestionnaire(self) -> bool:
        return self.national or bool(self.departements_gestion)

    @property
    def a_une_habilitation(self) -> bool:
        return self.national or bool(self.departements_gestion or self.guichets_consultation)

    def gere_departement(self, code: str) -> bool:
        return self.national or code in self.departements_gestion

    def gere_guichet(self, guichet) -> bool:
        if self.national:
            return True
        codes = {d.code for d in guichet.departements.all()}
        return bool(codes & self.departements_gestion)

    def saisit_pour(self, guichet) -> bool:
        return guichet.pk in self.guichets_saisie

    def consulte_pour(self, guichet) -> bool:
        return guichet.pk in self.guichets_consultation


AUCUN_DROIT = Droits()


@dataclass(frozen=True)
class DemandeurEnLigne:
    """The applicant acting on the Portail Grand Public (`sne.portail`): not a `Utilisateur`.

    Passed as the `agent` of the demande's services with the portal's desk as `guichet`, so that
    the portal calls the very services the desks call. Its rights: saisie for the portal's desk
    only, and on one demande only, its own (`demande_id`; None while applying online, before
    the numéro unique exists) — `sne.demandes.regles.exiger_saisie_sur` checks it. It is never
    authenticated as an agent: the history and the audit log record the portal's desk and no
    agent (`utilisateur` empty), and `droits_de` grants it nothing else.
    """

    guichet_id: int
    demande_id: int | None = None

    is_authenticated = False
    is_active = True
    pk = None
    est_demandeur = True

    def get_full_name(self) -> str:
        return "Le demandeur, en ligne"


def droits_de(utilisateur) -> Droits:
    """The rights of a person today, computed once per request (cached on the user object)."""
    if isinstance(utilisateur, DemandeurEnLigne):
        guichet = frozenset({utilisateur.guichet_id})
        return Droits(guichets_saisie=guichet, guichets_consultation=guichet)
    if utilisateur is None or not utilisateur.is_authenticated or not utilisateur.is_active:
        return AUCUN_DROIT
    en_cache = getattr(utilisateur, "_droits_sne", None)
    if en_cache is not None:
        return en_cache
    from .models import Habilitation

    saisie, consultation, departements, national = set(), set(), set(), False
    lignes = (
        Habilitation.objects.valides()
        .filter(utilisateur=utilisateur)
        .filter(Q(guichet__isnull=True) | Q(guichet__actif=True))
        .values_list("role", "guichet_id", "departement_id")
    )
    for role, guichet, departement in lignes:
        if role == Habilitation.Role.SAISIE:
            saisie.add(guichet)
            consultation.add(guichet)
        elif role == Habilitation.Role.CONSULTATION:
            consultation.add(guichet)
        elif role == Habilitation.Role.GESTIONNAIRE:
            departements.add(departement)
        elif role == Habilitation.Role.NATIONAL:
            national = True
    droits = Droits(frozenset(saisie), frozenset(consultation), frozenset(departements), national)
    utilisateur._droits_sne = droits
    return droits


def departements_geres(utilisateur) -> list[Departement]:
    """The open départements a person manages (all of them for the national level), by code:
    the choices of the back-office pages' département filters."""
    droits = droits_de(utilisateur)
    departements = Departement.objects.filter(date_fermeture=None).order_by("code")
    if not droits.national:
        departements = departements.filter(code__in=droits.departements_gestion)
    return list(departements)


def oublier_droits(utilisateur) -> None:
    """After a change of habilitations within the same request."""
    if hasattr(utilisateur, "_droits_sne"):
        del utilisateur._droits_sne


def exiger(condition: bool, message: str = "Vous n'avez pas les droits pour cette action.") -> None:
    if not condition:
        raise NonAutorise(message)


def guichet_agissant(utilisateur, demande):
    """The desk an agent acts for on a demande (to modify, renew, strike off…): the one that
    registered it if they have saisie on it, else their first saisie desk habilitated on its
    département; None when they may only read it."""
    droits = droits_de(utilisateur)
    if not droits.guichets_saisie:
        return None
    if demande.guichet_enregistreur_id in droits.guichets_saisie:
        return demande.guichet_enregistreur
    return _premier_guichet(
        utilisateur, droits.guichets_saisie, guichet__departements=demande.departement_id
    )


def guichet_de_consultation(utilisateur, demande):
    """The desk an agent reads a demande for (written in the audit log with the reading)."""
    droits = droits_de(utilisateur)
    if demande.guichet_enregistreur_id in droits.guichets_consultation:
        return demande.guichet_enregistreur
    return _premier_guichet(utilisateur, droits.guichets_consultation)


def _premier_guichet(utilisateur, guichets: frozenset[int], **filtres):
    from .models import Habilitation

    habilitation = (
        Habilitation.objects.valides()
        .filter(utilisateur=utilisateur, guichet__in=guichets, guichet__actif=True, **filtres)
        .select_related("guichet")
        .order_by("guichet__code")
        .first()
    )
    return habilitation.guichet if habilitation else None


def journal_visible_par(utilisateur):
    """The audit entries a person may read.

    - National: all of them.
    - Gestionnaire: what concerns their départements, and only that. An entry with a desk is
      shown when the desk is habilitated on one of their départements, whoever acted (an
      agent of elsewhere working for that desk included); an entry of another desk is never
      shown, even when its author also works for one of their desks. An entry without a desk
      (a login, a change of second factor, an activation…) is shown when its author is a
      person they may see today (`Utilisateur.objects.visibles_par`: themselves, or someone
      with a habilitation in force today on their desks or département), so withdrawing the
      habilitation ends the reading of that person's trail.
    - Anybody else: none.
    """
    droits = droits_de(utilisateur)
    if droits.national:
        return EvenementAudit.objects.all()
    if not droits.departements_gestion:
        return EvenementAudit.objects.none()
    # Sub-queries rather than joins: a desk habilitated on two managed départements, or a
    # person with several habilitations, must not repeat an entry. The desks are read from
    # the table of `Guichet.departements`, reached from `Departement` (organisations is above).
    departements_des_guichets = Departement.guichets_habilites.through.objects
    deps = droits.departements_gestion
    guichets = departements_des_guichets.filter(departement__in=deps).values("guichet")
    personnes = get_user_model().objects.visibles_par(utilisateur).values("pk")
    return EvenementAudit.objects.filter(
        Q(guichet__in=guichets) | Q(guichet__isnull=True, utilisateur__in=personnes)
    )
