"""Who reads and records a landlord's CAL on the pages: the desks of a landlord a person
consults for (`sne.comptes.droits`), and among them the one they record for (saisie). A
landlord's sessions and dwellings are read only by its own desks; anybody else gets a 404
(`Introuvable`), as for a demande out of scope."""

from dataclasses import dataclass

from sne.comptes.droits import droits_de
from sne.exceptions import Introuvable, NonAutorise
from sne.organisations.models import Guichet, Organisation

from .models import Candidature, Logement, SeanceCAL

MESSAGE_REFUS = (
    "Les commissions d'attribution et les logements sont ceux des bailleurs : ces pages sont "
    "réservées aux agents habilités sur un guichet de bailleur."
)


@dataclass(frozen=True)
class Bureau:
    """The landlord whose CAL the person reads, the desk the readings are audited for, and
    the desk they record for (None: consultation only)."""

    bailleur: Organisation
    guichet: Guichet
    guichet_saisie: Guichet | None

    @property
    def peut_saisir(self) -> bool:
        return self.guichet_saisie is not None


def guichets_de_bailleur(utilisateur):
    """The active desks of a landlord the person consults for (saisie ones first)."""
    droits = droits_de(utilisateur)
    if not droits.guichets_consultation:
        return []
    guichets = list(
        Guichet.objects.filter(
            pk__in=droits.guichets_consultation,
            actif=True,
            organisation__type=Organisation.Type.BAILLEUR,
        )
        .select_related("organisation")
        .order_by("code")
    )
    return sorted(guichets, key=lambda g: g.pk not in droits.guichets_saisie)


def voit_les_attributions(utilisateur) -> bool:
    """For the main menu: does the person work for a landlord's desk?"""
    droits = droits_de(utilisateur)
    return (
        bool(droits.guichets_consultation)
        and Guichet.objects.filter(
            pk__in=droits.guichets_consultation,
            actif=True,
            organisation__type=Organisation.Type.BAILLEUR,
        ).exists()
    )


def bureau(utilisateur) -> Bureau:
    """The landlord of the person's first landlord desk (one with saisie first), or
    `NonAutorise` for a person who works for no landlord (a town hall's desk)."""
    guichets = guichets_de_bailleur(utilisateur)
    if not guichets:
        raise NonAutorise(MESSAGE_REFUS, code="guichet_non_bailleur")
    droits = droits_de(utilisateur)
    premier = guichets[0]
    saisie = premier if premier.pk in droits.guichets_saisie else None
    return Bureau(bailleur=premier.organisation, guichet=premier, guichet_saisie=saisie)


def exiger_saisie(b: Bureau) -> Guichet:
    if b.guichet_saisie is None:
        raise NonAutorise(
            "Votre habilitation sur ce guichet de bailleur permet de consulter ses commissions "
            "d'attribution, pas de les saisir : il faut une habilitation de saisie.",
            code="consultation_seule",
        )
    return b.guichet_saisie


def seance_du_bailleur(b: Bureau, pk) -> SeanceCAL:
    seance = SeanceCAL.objects.filter(bailleur=b.bailleur, pk=pk).first()
    if seance is None:
        raise Introuvable(
            "Aucune séance de commission d'attribution de votre bailleur ne porte ce numéro.",
            code="seance_introuvable",
        )
    return seance


def logement_du_bailleur(b: Bureau, pk) -> Logement:
    logement = Logement.objects.filter(bailleur=b.bailleur, pk=pk).select_related("commune").first()
    if logement is None:
        raise Introuvable(
            "Aucun logement de votre bailleur ne porte ce numéro.", code="logement_introuvable"
        )
    return logement


def candidature_du_bailleur(b: Bureau, pk):
    candidature = (
        Candidature.objects.filter(seance__bailleur=b.bailleur, pk=pk)
        .select_related("seance", "logement__commune", "demande")
        .first()
    )
    if candidature is None:
        raise Introuvable(
            "Aucune candidature examinée par la commission de votre bailleur ne porte ce numéro.",
            code="candidature_introuvable",
        )
    return candidature
