"""Who reads and records a landlord's CAL on the pages: the desks of a landlord a person
consults for (`sne.comptes.droits`), and among them the one they record for (saisie). A
person may work for several landlords (desks of two organisations of type bailleur): each is
a `Bureau`; the lists show the one chosen (`?bailleur=`), the creation forms offer those they
record for, a session, dwelling or candidate is read with its own landlord's. A landlord's
sessions and dwellings are read only by its own desks; anybody else gets a 404
(`Introuvable`), as for a demande out of scope; a landlord named that the person does not
work for is refused (403)."""

from dataclasses import dataclass

from sne.comptes.droits import droits_de
from sne.exceptions import Introuvable, NonAutorise
from sne.organisations.models import Guichet, Organisation

from .models import Candidature, Logement, SeanceCAL

MESSAGE_REFUS = (
    "Les commissions d'attribution et les logements sont ceux des bailleurs : ces pages sont "
    "réservées aux agents habilités sur un guichet de bailleur."
)
MESSAGE_AUTRE_BAILLEUR = (
    "Vous n'êtes habilité sur aucun guichet de ce bailleur : ses commissions d'attribution et "
    "ses logements ne vous sont pas ouverts."
)


@dataclass(frozen=True)
class Bureau:
    """One landlord the person works for: the landlord, the desk the readings are audited for,
    and the desk they record for (None: consultation only). `plusieurs`: the person works for
    other landlords too, so the pages name the one chosen (`?bailleur=`, `parametre`)."""

    bailleur: Organisation
    guichet: Guichet
    guichet_saisie: Guichet | None
    plusieurs: bool = False

    @property
    def peut_saisir(self) -> bool:
        return self.guichet_saisie is not None

    @property
    def parametre(self) -> str:
        """What the pages' links add to keep this landlord chosen (nothing for one only)."""
        return f"?bailleur={self.bailleur.pk}" if self.plusieurs else ""


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


def bureaux(utilisateur) -> list[Bureau]:
    """Every landlord the person works for (an agent may hold desks of two landlords), those
    they record for first, then by name; for each, its first desk (one with saisie first).
    `NonAutorise` for a person who works for no landlord (a town hall's desk)."""
    guichets = guichets_de_bailleur(utilisateur)
    if not guichets:
        raise NonAutorise(MESSAGE_REFUS, code="guichet_non_bailleur")
    saisie = droits_de(utilisateur).guichets_saisie
    premiers: dict[int, Guichet] = {}
    for g in guichets:  # saisie desks first: the first desk of a landlord is its saisie one
        premiers.setdefault(g.organisation_id, g)
    plusieurs = len(premiers) > 1
    liste = [
        Bureau(
            bailleur=g.organisation,
            guichet=g,
            guichet_saisie=g if g.pk in saisie else None,
            plusieurs=plusieurs,
        )
        for g in premiers.values()
    ]
    return sorted(liste, key=lambda b: (not b.peut_saisir, b.bailleur.nom, b.bailleur.pk))


def bureau(utilisateur, bailleur=None) -> Bureau:
    """The landlord the person chose (`bailleur`: its id, from the pages' selector), or by
    default the first they record for. A landlord they do not work for: `NonAutorise`."""
    liste = bureaux(utilisateur)
    if bailleur is None or str(bailleur).strip() == "":
        return liste[0]
    for b in liste:
        if str(b.bailleur.pk) == str(bailleur).strip():
            return b
    raise NonAutorise(MESSAGE_AUTRE_BAILLEUR, code="autre_bailleur")


def bureaux_de_saisie(utilisateur) -> list[Bureau]:
    """The landlords the person records for: the choices of the creation forms."""
    return [b for b in bureaux(utilisateur) if b.peut_saisir]


def exiger_saisie(b: Bureau) -> Guichet:
    if b.guichet_saisie is None:
        raise NonAutorise(
            "Votre habilitation sur ce guichet de bailleur permet de consulter ses commissions "
            "d'attribution, pas de les saisir : il faut une habilitation de saisie.",
            code="consultation_seule",
        )
    return b.guichet_saisie


def guichet_de_saisie_sur(utilisateur, b: Bureau, departement: str) -> Guichet:
    """The desk of that landlord the person records for on a département (a dwelling is
    recorded by a desk habilitated on its commune's département): with saisie on 75BA1 and
    92BA1 of one landlord, a dwelling of the 92 is 92BA1's. None habilitated there: the
    landlord's first saisie desk, whose refusal the service words."""
    guichet = (
        Guichet.objects.filter(
            pk__in=droits_de(utilisateur).guichets_saisie,
            actif=True,
            organisation=b.bailleur,
            departements=departement,
        )
        .order_by("code")
        .first()
    )
    return guichet or exiger_saisie(b)


def _parmi_ses_bailleurs(utilisateur, queryset, chemin: str, pk, message: str, code: str):
    """The object of that id if it belongs to one of the person's landlords, with the
    `Bureau` of that landlord; else `Introuvable` (another landlord's is not revealed)."""
    par_bailleur = {b.bailleur.pk: b for b in bureaux(utilisateur)}
    objet = queryset.filter(pk=pk, **{f"{chemin}__in": list(par_bailleur)}).first()
    if objet is None:
        raise Introuvable(message, code=code)
    *relations, champ = chemin.split("__")
    porteur = objet
    for relation in relations:
        porteur = getattr(porteur, relation)
    return par_bailleur[getattr(porteur, f"{champ}_id")], objet


def seance(utilisateur, pk) -> tuple[Bureau, SeanceCAL]:
    return _parmi_ses_bailleurs(
        utilisateur,
        SeanceCAL.objects.all(),
        "bailleur",
        pk,
        "Aucune séance de commission d'attribution de votre bailleur ne porte ce numéro.",
        "seance_introuvable",
    )


def logement(utilisateur, pk) -> tuple[Bureau, Logement]:
    return _parmi_ses_bailleurs(
        utilisateur,
        Logement.objects.select_related("commune"),
        "bailleur",
        pk,
        "Aucun logement de votre bailleur ne porte ce numéro.",
        "logement_introuvable",
    )


def candidature(utilisateur, pk) -> tuple[Bureau, Candidature]:
    return _parmi_ses_bailleurs(
        utilisateur,
        Candidature.objects.select_related("seance", "logement__commune", "demande"),
        "seance__bailleur",
        pk,
        "Aucune candidature examinée par la commission de votre bailleur ne porte ce numéro.",
        "candidature_introuvable",
    )
