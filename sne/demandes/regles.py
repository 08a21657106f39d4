"""The rules of the register that more than one entry point checks, each written once.

A form checks them as the person types (its `clean_*` calls the rule and shows its message on
the field), and the service checks them again, because the API, the batch lots and the portal
call the service without any form. Each rule raises an `ErreurMetier` with one message and a
stable code; `champ` names the entry field it concerns (dotted, as in `DemandeEntree`).
"""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from sne.comptes.droits import droits_de
from sne.comptes.services import gestionnaires_des_departements
from sne.exceptions import ErreurMetier, NonAutorise

from . import nomenclatures as n

DUREE_VALIDITE_ANS = 1  # CCH R441-2-7
LIMITE_COMMUNES_SOUHAITEES = 8  # the CERFA's table of wished communes (ADR 0005)
ANCIENNETE_MAX_SAISIE_JOURS = 365  # a paper form keyed in later: at most a year old
DELAI_AVERTISSEMENT = timedelta(days=30)  # registered letter → radiation (CCH R441-2-8)
FENETRE_REACTIVATION_NON_RENOUVELLEMENT_MOIS = 18
PREAVIS_RENOUVELLEMENT_MOIS = 1  # the notice, at least one month before expiry (R441-2-7)
DELAI_RADIATION_NON_RENOUVELLEMENT_MOIS = 1  # struck off one month after expiry (R441-2-8)
FENETRE_REACTIVATION_JOURS = 365  # other motifs: while the data is kept (one year)
SITUATIONS_COUPLE_SEPARABLE = {n.SituationFamiliale.MARIE, n.SituationFamiliale.PACSE}
# In Île-de-France one demande covers the whole region: its wished communes may lie in any of
# the eight départements (the contract's example: a Paris demande wishing Montreuil, 93).
ILE_DE_FRANCE = {"75", "77", "78", "91", "92", "93", "94", "95"}

# Bounds of what a person may type: what the columns hold, and what is plausible.
REVENU_FISCAL_MAX = 9_999_999  # euros a year
DATE_NAISSANCE_MIN = date(1900, 1, 1)
IDENTIFIANT_MAX = 2_147_483_647  # an integer primary key (PostgreSQL `integer`)

MESSAGE_SUSPICION_DOUBLON = (
    "Une demande active existe déjà pour cette personne : vérifiez-la, et ne forcez la "
    "création qu'avec une justification écrite."
)


class DonneesInvalides(ErreurMetier):
    statut_http = 422
    code = "donnees_invalides"


class SuspicionDoublon(ErreurMetier):
    statut_http = 409
    code = "suspicion_doublon"

    def __init__(self, message: str = MESSAGE_SUSPICION_DOUBLON, **kwargs):
        super().__init__(message, **kwargs)


class ModificationConcurrente(ErreurMetier):
    """The demande changed since the person read it: their change would silently revert it."""

    statut_http = 409
    code = "modification_concurrente"

    def __init__(self, demande, version_lue: int):
        entrees = demande.historique.filter(version__gt=version_lue).order_by("horodatage", "pk")
        super().__init__(
            f"La demande {demande.numero_unique} a été modifiée pendant que vous la modifiiez "
            f"(version {version_lue} → {demande.version}) : rien n'a été enregistré. Voici ce "
            "qui a changé entre-temps ; vos saisies sont gardées, vérifiez-les puis "
            "enregistrez à nouveau.",
            details={
                "version_lue": version_lue,
                "version_actuelle": demande.version,
                "historique": [e.pk for e in entrees],
            },
        )


# --- Durations ----------------------------------------------------------------------------


def un_an_apres(jour: date, ans: int = DUREE_VALIDITE_ANS) -> date:
    """The same day `ans` years later; 29 February gives 28 February."""
    return jour + relativedelta(years=ans)


def mois_apres(jour: date, mois: int) -> date:
    """The same day `mois` months later, or the last day of that month (31 January → 28 or 29
    February)."""
    return jour + relativedelta(months=mois)


def departements_souhaitables(departement: str) -> set[str]:
    """The départements whose communes a demande of `departement` may wish."""
    return ILE_DE_FRANCE if departement in ILE_DE_FRANCE else {departement}


# --- Validators ---------------------------------------------------------------------------


def verifier_date_naissance(jour: date | None) -> None:
    if jour and jour > timezone.localdate():
        raise DonneesInvalides(
            "La date de naissance ne peut pas être dans le futur.", code="date_naissance_future"
        )
    if jour and jour < DATE_NAISSANCE_MIN:
        raise DonneesInvalides(
            f"La date de naissance ne peut pas être antérieure au "
            f"{DATE_NAISSANCE_MIN:%d/%m/%Y} : vérifiez l'année.",
            code="date_naissance_improbable",
        )


def verifier_date_depot(jour: date | None, aujourd_hui: date | None = None) -> None:
    """A date de dépôt is never in the future, and a paper form is keyed in within a year."""
    if jour is None:
        return
    aujourd_hui = aujourd_hui or timezone.localdate()
    if jour > aujourd_hui:
        raise DonneesInvalides(
            "La date de dépôt ne peut pas être dans le futur.",
            code="date_future",
            champ="date_depot",
        )
    if (aujourd_hui - jour).days > ANCIENNETE_MAX_SAISIE_JOURS:
        raise DonneesInvalides(
            "La date de dépôt remonte à plus d'un an : vérifiez-la.",
            code="date_trop_ancienne",
            champ="date_depot",
        )


def exiger_saisie_sur(agent, guichet, demande) -> None:
    """The check of every act on an existing demande — modify, renew, strike off for a
    desk, reactivate, separate — whatever calls it (pages, API, lots): `exiger_saisie`, and
    the desk is the one that registered the demande or is habilitated on its département. A
    desk whose consultation scope reaches further only reads (the rule of the pages'
    `pour_agir`, `sne.comptes.droits.guichet_agissant`, here once for every entry point)."""
    exiger_saisie(agent, guichet)
    if getattr(agent, "est_demandeur", False) and agent.demande_id != demande.pk:
        # The applicant on the portal acts on their own demande, never another one.
        raise NonAutorise("Vous ne pouvez agir que sur votre propre demande.")
    if guichet.pk == demande.guichet_enregistreur_id:
        return
    if demande.departement_id not in {d.code for d in guichet.departements.all()}:
        raise NonAutorise(
            f"Le guichet {guichet.code} peut consulter la demande {demande.numero_unique} mais "
            f"pas agir dessus : elle relève du département {demande.departement_id}, sur lequel "
            "il n'est pas habilité. Un guichet habilité sur ce département, ou celui qui l'a "
            "enregistrée, peut le faire.",
            code="departement_non_habilite",
        )


def exiger_guichet_habilite(guichet, departement: str) -> None:
    """A desk registers demandes only in the départements it is habilitated on (FAQ: « vous
    devez réorienter le demandeur vers un guichet enregistreur habilité »)."""
    if departement not in {d.code for d in guichet.departements.all()}:
        raise NonAutorise(
            f"Le guichet {guichet.code} n'est pas habilité sur le département {departement}. "
            f"Réorientez le demandeur vers un guichet enregistreur habilité sur le département "
            f"{departement}.",
            code="departement_non_habilite",
            champ="departement",
        )


def verifier_commune_souhaitee(nom: str, code_insee: str, departement_commune: str, departement):
    """A wished commune lies in the demande's département (its region in Île-de-France)."""
    if departement_commune not in departements_souhaitables(departement):
        raise DonneesInvalides(
            f"{nom} ({code_insee}) n'est pas dans le département {departement} de la demande.",
            code="commune_hors_departement",
            champ="souhaits.communes",
        )


def exiger_saisie(agent, guichet) -> None:
    """The check of every act of saisie on a demande — register, renew, modify, strike off
    for a desk, reactivate, separate — made by each of those services, whatever calls it
    (pages, API, lots): the agent has a saisie habilitation on the desk, and the desk's
    set-up is finalised (`exiger_guichet_parametre`)."""
    if not droits_de(agent).saisit_pour(guichet):
        raise NonAutorise(
            f"Vous n'avez pas d'habilitation de saisie pour le guichet {guichet.code}.",
            code="saisie_non_autorisee",
        )
    exiger_guichet_parametre(guichet)


class GuichetNonParametre(NonAutorise):
    code = "guichet_non_parametre"


def exiger_guichet_parametre(guichet) -> None:
    """A desk acts on demandes only once its set-up is finalised (FAQ « Comment faire pour
    accéder à l'application nationale ? »: convention signed by the préfet, fiche collecte,
    set-up by the gestionnaire territorial, then « un e-mail confirmant la finalisation du
    paramétrage vous est alors adressé »).

    Every act of saisie is refused before, not registration only: without a convention the
    organisation is not a guichet enregistreur (CCH R441-2-1), and renewing, modifying,
    striking off or separating a demande writes the desk's name in its history and, for a
    renewal or a separation, on an attestation that would carry no address. Reading demandes
    (a consultation habilitation) stays open: it produces nothing and is traced.

    The message says what is missing (`Guichet.manques_parametrage`) and whom to contact: the
    gestionnaires territoriaux of the desk's départements, with their e-mail (the national
    support when there is none); `details` carries both for the pages and the API.
    """
    if guichet.est_parametre:
        return
    manque = guichet.manques_parametrage()
    contacts = gestionnaires_des_departements([d.code for d in guichet.departements.all()])
    if manque:
        etat = "Il manque : " + " ; ".join(manque) + "."
    else:
        etat = "Tout est réuni : il reste au gestionnaire territorial à le finaliser."
    qui = ", ".join(f"{c['nom']} ({c['email']})" if c["email"] else c["nom"] for c in contacts)
    role = (
        "le gestionnaire territorial de votre département"
        if any(c["departement"] for c in contacts)
        else "l'assistance nationale"
    )
    raise GuichetNonParametre(
        f"Le guichet {guichet.code} ne peut pas encore enregistrer ni modifier de demandes : "
        f"son paramétrage n'est pas finalisé. {etat} Contactez {role} : {qui}.",
        details={"guichet": guichet.code, "manque": manque, "contacts": contacts},
    )


def exiger_modifiable(demande) -> None:
    """A radiée demande is read-only until it is reactivated."""
    if not demande.est_active:
        raise ErreurMetier(
            f"La demande {demande.numero_unique} est radiée : elle n'est plus modifiable. "
            "Réactivez-la si la radiation peut encore être levée.",
            code="demande_radiee",
        )
