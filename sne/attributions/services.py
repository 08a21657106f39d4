"""The use cases of the attributions, one function per action, called by the desks' pages and
the API alike (docs/attributions.md):

- `enregistrer_logement`: a dwelling of the landlord, in a commune of a département its desk
  is habilitated on;
- `ouvrir_seance`: a session of the landlord's CAL, its date and who sat (CCH R441-9);
- `inscrire_candidat`: a demande examined for a dwelling at a session, with its rank — only a
  demande the desk may consult, active, registered before the session, wishing the dwelling's
  département (the whole Île-de-France for a demande there);
- `decider`: the CAL's decision on that candidate (CCH R441-3: attribution, attribution by
  rank, attribution under a condition precedent, non-attribution with its motif,
  irrecevabilité with its motif), recorded once the session has taken place;
- `lever_condition`: the awaited pièce was given in time;
- `enregistrer_refus`: the applicant refused the dwelling (kept and counted);
- `signer_bail`: the lease signed strikes the demande off for attribution (`RADATT`) through
  the one `radier` service, with the dwelling named.

Rights: every act is an act of saisie on a desk of the landlord (`exiger_guichet_du_bailleur`);
a candidate is a demande in the person's consultation scope, otherwise `NonAutorise` and an
audit entry « accès refusé ». Each step is written in the demande's history and on the change
feed (`candidature_cal`, `decision_cal`, `refus_logement`; the radiation as usual).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.demandes.models import Demande, HistoriqueDemande
from sne.demandes.nomenclatures import MotifRadiation, Typologie
from sne.demandes.regles import (
    DonneesInvalides,
    departements_souhaitables,
    exiger_guichet_habilite,
    exiger_modifiable,
    exiger_saisie,
)
from sne.demandes.services import radier
from sne.demandes.services.historique import publier_evenement
from sne.exceptions import ErreurMetier, Introuvable, NonAutorise
from sne.organisations.models import Organisation
from sne.referentiels.models import Commune

from .models import ETAGE_MAX, ETAGE_MIN, Candidature, Logement, MembreCAL, SeanceCAL
from .nomenclatures import (
    ATTRIBUTIONS,
    DecisionCAL,
    MotifIrrecevabilite,
    MotifNonAttribution,
    MotifRefusDemandeur,
    QualiteMembre,
    Reservataire,
)
from .services_cotation import cotation_le_jour_de

LOYER_MAX = Decimal("10000")
SURFACE_MIN, SURFACE_MAX = Decimal("9"), Decimal("1000")
SEANCE_ECART_MAX = timedelta(days=366)  # a session recorded at most a year before or after
DELAI_CONDITION_MAX = timedelta(days=92)  # the awaited pièce: within three months
MEMBRES_MAX = 30
RANG_MAX = 50


def _agent(par):
    return par if getattr(par, "is_authenticated", False) else None


def exiger_guichet_du_bailleur(par, guichet, bailleur=None) -> Organisation:
    """A CAL, its dwellings and decisions are recorded by a desk of the landlord, with saisie
    (and a finalised set-up, `exiger_saisie`); `bailleur`, when given, must be its own."""
    exiger_saisie(par, guichet)
    organisation = guichet.organisation
    if organisation.type != Organisation.Type.BAILLEUR:
        raise NonAutorise(
            f"Le guichet {guichet.code} n'est pas celui d'un bailleur : seuls les guichets des "
            "bailleurs saisissent leurs logements et leurs commissions d'attribution.",
            code="guichet_non_bailleur",
        )
    if bailleur is not None and bailleur.pk != organisation.pk:
        raise NonAutorise(
            f"Ce logement ou cette commission est celui de {bailleur.nom} : le guichet "
            f"{guichet.code} ({organisation.nom}) ne peut pas le saisir.",
            code="autre_bailleur",
        )
    return organisation


# ---------------------------------------------------------------------------------------------
# Dwellings


def _texte(donnees: dict, champ: str, libelle: str, longueur: int, requis: bool = True) -> str:
    valeur = str(donnees.get(champ) or "").strip()
    if requis and not valeur:
        raise DonneesInvalides(f"Indiquez {libelle}.", code="champ_requis", champ=champ)
    if len(valeur) > longueur:
        raise DonneesInvalides(
            f"{libelle[0].upper()}{libelle[1:]} : {longueur} caractères au plus.",
            code="trop_long",
            champ=champ,
        )
    return valeur


def _montant(donnees: dict, champ: str, libelle: str, minimum, maximum, requis=True):
    brut = donnees.get(champ)
    if brut in (None, ""):
        if requis:
            raise DonneesInvalides(f"Indiquez {libelle}.", code="champ_requis", champ=champ)
        return None
    try:
        valeur = Decimal(str(brut).replace(",", ".").replace(" ", "").replace("\u202f", ""))
    except InvalidOperation:
        valeur = None
    if valeur is None or not valeur.is_finite() or not minimum <= valeur <= maximum:
        raise DonneesInvalides(
            f"{libelle[0].upper()}{libelle[1:]} : un nombre entre {minimum} et {maximum}.",
            code="montant_invalide",
            champ=champ,
        )
    return valeur.quantize(Decimal("0.01"))


def _etage(donnees: dict):
    brut = donnees.get("etage")
    if brut in (None, ""):
        return None
    try:
        etage = int(str(brut).strip())
    except ValueError:
        etage = None
    if etage is None or not ETAGE_MIN <= etage <= ETAGE_MAX:
        raise DonneesInvalides(
            f"L'étage est un nombre entre {ETAGE_MIN} et {ETAGE_MAX} (0 : rez-de-chaussée).",
            code="etage_invalide",
            champ="etage",
        )
    return etage


def _choix(valeur, valeurs, message: str, champ: str, code: str) -> str:
    valeur = str(valeur or "").strip()
    if valeur not in valeurs:
        raise DonneesInvalides(message, code=code, champ=champ)
    return valeur


@transaction.atomic
def enregistrer_logement(donnees: dict, *, par, guichet) -> Logement:
    """A dwelling of the desk's landlord: `reference`, `adresse`, `commune` (code INSEE),
    `typologie`, `loyer`, and optionally `identifiant_rpls`, `surface`, `charges`, `etage`,
    `ascenseur`, `accessible`, `reservataire`."""
    bailleur = exiger_guichet_du_bailleur(par, guichet)
    code_commune = _texte(donnees, "commune", "la commune (code INSEE)", 5)
    commune = Commune.objects.filter(code_insee=code_commune).first()
    if commune is None:
        raise DonneesInvalides(
            f"Aucune commune n'a le code INSEE « {code_commune} ».",
            code="commune_inconnue",
            champ="commune",
        )
    exiger_guichet_habilite(guichet, commune.departement_id)
    logement = Logement(
        bailleur=bailleur,
        reference=_texte(donnees, "reference", "la référence du logement chez le bailleur", 50),
        identifiant_rpls=_texte(donnees, "identifiant_rpls", "l'identifiant RPLS", 30, False),
        adresse=_texte(donnees, "adresse", "l'adresse du logement", 300),
        commune=commune,
        departement_id=commune.departement_id,
        typologie=_choix(
            donnees.get("typologie"),
            Typologie.values,
            "Choisissez la typologie : " + ", ".join(Typologie.values) + ".",
            "typologie",
            "typologie_inconnue",
        ),
        surface=_montant(donnees, "surface", "la surface", SURFACE_MIN, SURFACE_MAX, False),
        loyer=_montant(donnees, "loyer", "le loyer hors charges", Decimal(0), LOYER_MAX),
        charges=_montant(donnees, "charges", "les charges", Decimal(0), LOYER_MAX, False)
        or Decimal(0),
        etage=_etage(donnees),
        ascenseur=bool(donnees.get("ascenseur")),
        accessible=bool(donnees.get("accessible")),
        reservataire=_choix(
            donnees.get("reservataire") or Reservataire.AUCUN,
            Reservataire.values,
            "Choisissez le contingent : " + ", ".join(Reservataire.values) + ".",
            "reservataire",
            "reservataire_inconnu",
        ),
        guichet=guichet,
    )
    try:
        with transaction.atomic():
            logement.save()
    except IntegrityError as e:
        raise ErreurMetier(
            "Ce logement est déjà enregistré (même référence chez ce bailleur, ou même "
            "identifiant RPLS).",
            code="logement_existant",
            champ="reference",
        ) from e
    journaliser(
        EvenementAudit.Action.CREATION,
        utilisateur=_agent(par),
        guichet=guichet,
        objet=logement,
        resume=f"Logement {logement.reference} enregistré ({logement.commune_id})",
    )
    return logement


# ---------------------------------------------------------------------------------------------
# Sessions and candidates


@transaction.atomic
def ouvrir_seance(*, date_seance: date, membres, par, guichet, lieu: str = "") -> SeanceCAL:
    """A session of the landlord's CAL; `membres` lists `(qualité, organisation)`."""
    bailleur = exiger_guichet_du_bailleur(par, guichet)
    aujourd_hui = timezone.localdate()
    if not isinstance(date_seance, date) or abs(date_seance - aujourd_hui) > SEANCE_ECART_MAX:
        raise DonneesInvalides(
            "La date de la séance est à un an au plus d'aujourd'hui : vérifiez-la.",
            code="date_seance_improbable",
            champ="date",
        )
    membres = list(membres or [])
    if len(membres) > MEMBRES_MAX:
        raise DonneesInvalides(
            f"{MEMBRES_MAX} membres au plus.", code="trop_de_membres", champ="membres"
        )
    lignes = []
    for rang, (qualite, organisation) in enumerate(membres, start=1):
        qualite = _choix(
            qualite,
            QualiteMembre.values,
            f"Membre {rang} : choisissez sa qualité (" + ", ".join(QualiteMembre.values) + ").",
            "membres",
            "qualite_inconnue",
        )
        organisation = str(organisation or "").strip()
        if not organisation or len(organisation) > 200:
            raise DonneesInvalides(
                f"Membre {rang} : indiquez son organisation (200 caractères au plus).",
                code="organisation_requise",
                champ="membres",
            )
        lignes.append((qualite, organisation))
    seance = SeanceCAL.objects.create(
        bailleur=bailleur,
        date=date_seance,
        lieu=str(lieu or "").strip()[:200],
        guichet=guichet,
        utilisateur=_agent(par),
    )
    MembreCAL.objects.bulk_create(
        MembreCAL(seance=seance, qualite=q, organisation=o) for q, o in lignes
    )
    journaliser(
        EvenementAudit.Action.CREATION,
        utilisateur=_agent(par),
        guichet=guichet,
        objet=seance,
        resume=f"Séance de CAL du {date_seance:%d/%m/%Y} saisie",
    )
    return seance


def _exiger_consultable(demande: Demande, par, guichet) -> None:
    if not Demande.objects.visibles_par(par).filter(pk=demande.pk).exists():
        journaliser(
            EvenementAudit.Action.ACCES_REFUSE,
            utilisateur=_agent(par),
            guichet=guichet,
            objet=demande,
            resume=f"Candidature en CAL refusée : demande {demande.numero_unique} hors périmètre",
        )
        raise NonAutorise(
            "Cette demande est hors du périmètre de consultation de votre guichet : elle ne "
            "peut pas être présentée par lui en commission d'attribution.",
            code="demande_hors_perimetre",
        )


def _historiser(demande, action, par, guichet, commentaire: str) -> None:
    HistoriqueDemande.objects.create(
        demande=demande,
        action=action,
        utilisateur=_agent(par),
        guichet=guichet,
        commentaire=commentaire[:500],
    )
    publier_evenement(demande, action, guichet=guichet, changements=[{"champ": "attributions"}])


def inscrire_candidat(
    seance: SeanceCAL, logement: Logement, demande: Demande, *, rang=None, par, guichet
) -> Candidature:
    """Put a demande on the list of candidates examined for a dwelling at a session. The
    scope is checked first, outside the transaction: a refused attempt keeps its audit entry."""
    exiger_guichet_du_bailleur(par, guichet, seance.bailleur)
    if logement.bailleur_id != seance.bailleur_id:
        raise ErreurMetier(
            "Ce logement n'est pas celui du bailleur de cette commission.",
            code="logement_autre_bailleur",
            champ="logement",
        )
    _exiger_consultable(demande, par, guichet)
    return _inscrire(seance, logement, demande, rang, par, guichet)


@transaction.atomic
def _inscrire(seance, logement, demande, rang, par, guichet) -> Candidature:
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    exiger_modifiable(demande)
    if logement.departement_id not in departements_souhaitables(demande.departement_id):
        raise ErreurMetier(
            f"La demande {demande.numero_unique} vaut pour le département "
            f"{demande.departement_id} : le logement, dans le {logement.departement_id}, ne peut "
            "pas lui être attribué.",
            code="logement_hors_territoire",
            champ="logement",
        )
    if seance.date < demande.date_depot:
        raise ErreurMetier(
            f"La séance du {seance.date:%d/%m/%Y} précède le dépôt de la demande "
            f"({demande.date_depot:%d/%m/%Y}) : elle ne peut pas l'avoir examinée.",
            code="seance_avant_depot",
            champ="seance",
        )
    deja = Candidature.objects.filter(seance=seance, logement=logement)
    if rang in (None, ""):
        rang = (max(deja.values_list("rang", flat=True), default=0)) + 1
    try:
        rang = int(rang)
    except (TypeError, ValueError):
        rang = 0
    if not 1 <= rang <= RANG_MAX:
        raise DonneesInvalides(
            f"Le rang est un nombre entre 1 et {RANG_MAX}.", code="rang_invalide", champ="rang"
        )
    if deja.filter(demande=demande).exists():
        raise ErreurMetier(
            f"La demande {demande.numero_unique} est déjà candidate pour ce logement à cette "
            "séance.",
            code="candidature_existante",
            champ="demande",
        )
    if deja.filter(rang=rang).exists():
        raise ErreurMetier(
            f"Le rang {rang} est déjà pris pour ce logement à cette séance.",
            code="rang_pris",
            champ="rang",
        )
    grille, points, detail = cotation_le_jour_de(demande, seance.date)
    candidature = Candidature.objects.create(
        seance=seance,
        logement=logement,
        demande=demande,
        rang=rang,
        guichet=guichet,
        grille=grille,
        points=points if grille else None,
        detail_points=detail,
    )
    _historiser(
        demande,
        HistoriqueDemande.Action.CANDIDATURE_CAL,
        par,
        guichet,
        f"{seance} : candidate au rang {rang} pour le logement {logement.reference} "
        f"({logement.get_typologie_display()}, {logement.commune.nom})",
    )
    return candidature


# ---------------------------------------------------------------------------------------------
# Decisions


def _verrouiller(candidature: Candidature, par, guichet) -> Candidature:
    exiger_guichet_du_bailleur(par, guichet, candidature.seance.bailleur)
    return (
        Candidature.objects.select_for_update()
        .select_related("seance", "logement__commune", "demande")
        .get(pk=candidature.pk)
    )


@transaction.atomic
def decider(
    candidature: Candidature,
    decision: str,
    *,
    motif: str = "",
    precision: str = "",
    condition: str = "",
    condition_avant: date | None = None,
    par,
    guichet,
) -> Candidature:
    """The CAL's decision on this candidate (CCH R441-3), once the session has taken place."""
    candidature = _verrouiller(candidature, par, guichet)
    seance, demande = candidature.seance, candidature.demande
    if candidature.decision:
        raise ErreurMetier(
            f"La décision de la commission sur cette candidature est déjà enregistrée "
            f"({candidature.get_decision_display().lower()}).",
            code="decision_existante",
        )
    if seance.date > timezone.localdate():
        raise ErreurMetier(
            f"La séance du {seance.date:%d/%m/%Y} n'a pas encore eu lieu : sa décision se saisit "
            "après.",
            code="seance_a_venir",
        )
    exiger_modifiable(demande)
    decision = _choix(
        decision,
        DecisionCAL.values,
        "Choisissez la décision : " + ", ".join(DecisionCAL.values) + ".",
        "decision",
        "decision_inconnue",
    )
    motif, precision, condition = (str(v or "").strip() for v in (motif, precision, condition))
    if decision == DecisionCAL.NON_ATTRIBUTION:
        _choix(
            motif,
            MotifNonAttribution.values,
            "Une non-attribution est motivée : " + ", ".join(MotifNonAttribution.values) + ".",
            "motif",
            "motif_requis",
        )
    elif decision == DecisionCAL.IRRECEVABILITE:
        _choix(
            motif,
            MotifIrrecevabilite.values,
            "Une irrecevabilité a son motif : " + ", ".join(MotifIrrecevabilite.values) + ".",
            "motif",
            "motif_requis",
        )
    elif motif:
        raise DonneesInvalides(
            "Seules la non-attribution et l'irrecevabilité ont un motif.",
            code="motif_interdit",
            champ="motif",
        )
    if motif == MotifNonAttribution.AUTRE and not precision:
        raise DonneesInvalides("Précisez le motif.", code="precision_requise", champ="precision")
    if decision == DecisionCAL.ATTRIBUTION_SOUS_CONDITION:
        if not condition:
            raise DonneesInvalides(
                "Indiquez la pièce justificative attendue.",
                code="condition_requise",
                champ="condition",
            )
        if not isinstance(condition_avant, date) or not (
            seance.date < condition_avant <= seance.date + DELAI_CONDITION_MAX
        ):
            raise DonneesInvalides(
                "Indiquez avant quelle date la pièce doit être fournie : après la séance, et "
                "dans les trois mois.",
                code="date_condition_invalide",
                champ="condition_avant",
            )
    elif condition or condition_avant:
        raise DonneesInvalides(
            "Seule l'attribution sous condition suspensive attend une pièce.",
            code="condition_interdite",
            champ="condition",
        )
    candidature.decision = decision
    candidature.motif = motif
    candidature.precision = precision[:500]
    candidature.condition = condition[:300]
    candidature.condition_avant = condition_avant
    candidature.decidee_le = timezone.now()
    candidature.decidee_par = _agent(par)
    try:
        with transaction.atomic():
            candidature.save()
    except IntegrityError as e:
        raise ErreurMetier(
            "Ce logement est déjà attribué à un autre candidat à cette séance : pour plusieurs "
            "candidats, la commission les classe (attribution par classement).",
            code="logement_deja_attribue",
            champ="decision",
        ) from e
    _historiser(
        demande,
        HistoriqueDemande.Action.DECISION_CAL,
        par,
        guichet,
        f"{seance} : {resume_decision(candidature)}",
    )
    return candidature


def resume_decision(candidature: Candidature) -> str:
    """The decision in a line a desk and the applicant read (history, pages, copie numérique)."""
    logement = candidature.logement
    texte = (
        f"{candidature.get_decision_display().lower()} du logement {logement.reference} "
        f"({logement.get_typologie_display()}, {logement.commune.nom}), rang {candidature.rang}"
    )
    if candidature.motif:
        texte += f" — motif : {libelle_du_motif(candidature).lower()}"
    if candidature.condition:
        texte += (
            f" — pièce attendue avant le {candidature.condition_avant:%d/%m/%Y} : "
            f"{candidature.condition}"
        )
    return texte


def libelle_du_motif(candidature: Candidature) -> str:
    """The motif of a non-attribution or an irrecevabilité in words, with its precision."""
    libelles = dict(MotifNonAttribution.choices) | dict(MotifIrrecevabilite.choices)
    texte = str(libelles.get(candidature.motif, candidature.motif))
    return f"{texte} ({candidature.precision})" if candidature.precision else texte


def _verifier_jour(le, apres: date, libelle: str, champ: str) -> date:
    if not isinstance(le, date) or not apres <= le <= timezone.localdate():
        raise DonneesInvalides(
            f"{libelle} se situe entre le {apres:%d/%m/%Y} et aujourd'hui : vérifiez la date.",
            code="date_improbable",
            champ=champ,
        )
    return le


@transaction.atomic
def lever_condition(candidature: Candidature, *, le: date, par, guichet) -> Candidature:
    """The pièce awaited by an attribution under condition was given in time."""
    candidature = _verrouiller(candidature, par, guichet)
    if candidature.decision != DecisionCAL.ATTRIBUTION_SOUS_CONDITION:
        raise ErreurMetier("Cette candidature n'attend aucune pièce.", code="pas_de_condition")
    _verifier_jour(le, candidature.seance.date, "La réception de la pièce", "le")
    if le > candidature.condition_avant:
        raise ErreurMetier(
            f"La pièce devait être fournie avant le {candidature.condition_avant:%d/%m/%Y} : "
            "la condition n'est pas levée, le logement peut être proposé à un autre candidat.",
            code="condition_hors_delai",
            champ="le",
        )
    candidature.condition_levee_le = le
    candidature.save(update_fields=["condition_levee_le"])
    _historiser(
        candidature.demande,
        HistoriqueDemande.Action.DECISION_CAL,
        par,
        guichet,
        f"{candidature.seance} : condition levée le {le:%d/%m/%Y} ({candidature.condition})",
    )
    return candidature


@transaction.atomic
def enregistrer_refus(
    candidature: Candidature, motif: str, precision: str = "", *, le: date, par, guichet
) -> Candidature:
    """The applicant refused the dwelling the CAL gave them: kept and counted
    (`nombre_de_refus`); a ranked candidate after them may then sign."""
    candidature = _verrouiller(candidature, par, guichet)
    if candidature.decision not in ATTRIBUTIONS:
        raise ErreurMetier(
            "Seul un logement attribué peut être refusé par le demandeur.",
            code="pas_d_attribution",
        )
    if candidature.refusee_le or candidature.bail_signe_le:
        raise ErreurMetier(
            "La réponse du demandeur est déjà enregistrée.", code="reponse_existante"
        )
    motif = _choix(
        motif,
        MotifRefusDemandeur.values,
        "Choisissez le motif du refus : " + ", ".join(MotifRefusDemandeur.values) + ".",
        "motif",
        "motif_requis",
    )
    precision = str(precision or "").strip()
    if motif == MotifRefusDemandeur.AUTRE and not precision:
        raise DonneesInvalides("Précisez le motif.", code="precision_requise", champ="precision")
    candidature.refusee_le = _verifier_jour(le, candidature.seance.date, "Le refus", "le")
    candidature.refus_saisi_le = timezone.now()
    candidature.motif_refus = motif
    candidature.precision_refus = precision[:500]
    candidature.save(
        update_fields=["refusee_le", "refus_saisi_le", "motif_refus", "precision_refus"]
    )
    _historiser(
        candidature.demande,
        HistoriqueDemande.Action.REFUS_LOGEMENT,
        par,
        guichet,
        f"Logement {candidature.logement.reference} refusé le {le:%d/%m/%Y} : "
        f"{candidature.get_motif_refus_display().lower()}"
        + (f" ({precision})" if precision else ""),
    )
    return candidature


def nombre_de_refus(demande: Demande) -> int:
    return Candidature.objects.filter(demande=demande, refusee_le__isnull=False).count()


@transaction.atomic
def signer_bail(candidature: Candidature, *, le: date, par, guichet) -> Candidature:
    """The lease is signed: the demande is struck off for attribution (CCH R441-2-8, `RADATT`)
    by `radier`, in the same transaction, with the dwelling named."""
    candidature = _verrouiller(candidature, par, guichet)
    demande = candidature.demande
    if candidature.bail_signe_le:
        raise ErreurMetier("Le bail est déjà enregistré.", code="bail_existant")
    if candidature.decision not in ATTRIBUTIONS:
        raise ErreurMetier(
            "La commission n'a pas attribué ce logement à ce candidat : pas de bail possible.",
            code="pas_d_attribution",
        )
    if candidature.refusee_le:
        raise ErreurMetier(
            "Le demandeur a refusé ce logement : pas de bail possible.", code="logement_refuse"
        )
    if (
        candidature.decision == DecisionCAL.ATTRIBUTION_SOUS_CONDITION
        and not candidature.condition_levee_le
    ):
        raise ErreurMetier(
            f"L'attribution attend encore une pièce ({candidature.condition}) : enregistrez sa "
            "réception avant le bail.",
            code="condition_non_levee",
        )
    avant = Candidature.objects.filter(
        seance=candidature.seance,
        logement=candidature.logement,
        rang__lt=candidature.rang,
        decision__in=ATTRIBUTIONS,
        refusee_le__isnull=True,
    ).first()
    if avant is not None:
        raise ErreurMetier(
            f"Le candidat classé au rang {avant.rang} n'a pas refusé ce logement : il passe avant.",
            code="candidat_prioritaire",
        )
    exiger_modifiable(demande)
    candidature.bail_signe_le = _verifier_jour(le, candidature.seance.date, "Le bail", "le")
    candidature.bail_saisi_le = timezone.now()
    try:
        with transaction.atomic():
            candidature.save(update_fields=["bail_signe_le", "bail_saisi_le"])
    except IntegrityError as e:
        raise ErreurMetier(
            "Un bail est déjà signé pour ce logement à la suite de cette séance.",
            code="logement_deja_loue",
        ) from e
    logement = candidature.logement
    radier(
        demande,
        MotifRadiation.ATTRIBUTION,
        par=par,
        guichet=guichet,
        commentaire=(
            f"Bail signé le {le:%d/%m/%Y} : logement {logement.reference} "
            f"({logement.get_typologie_display()}, {logement.adresse}, {logement.commune.nom}), "
            f"{candidature.seance}."
        ),
    )
    return candidature


# ---------------------------------------------------------------------------------------------
# Reading


def _du_bailleur(queryset, pk, guichet, quoi: str):
    """The object of that id if it is the desk's landlord's; else `Introuvable` (another
    landlord's session or dwelling is not revealed)."""
    objet = queryset.filter(
        pk=pk, **{_CHEMIN_DU_BAILLEUR[queryset.model]: guichet.organisation_id}
    ).first()
    if objet is None:
        raise Introuvable(f"Aucun{quoi} de cet identifiant chez votre bailleur.")
    return objet


def trouver_logement(pk, *, guichet) -> Logement:
    return _du_bailleur(
        Logement.objects.select_related("commune", "bailleur"), pk, guichet, " logement"
    )


def trouver_seance(pk, *, guichet) -> SeanceCAL:
    return _du_bailleur(SeanceCAL.objects.select_related("bailleur"), pk, guichet, "e séance")


def trouver_candidature(pk, *, guichet) -> Candidature:
    return _du_bailleur(
        Candidature.objects.select_related(
            "seance__bailleur", "logement__commune", "logement__bailleur", "demande"
        ),
        pk,
        guichet,
        "e candidature",
    )


_CHEMIN_DU_BAILLEUR = {
    Logement: "bailleur_id",
    SeanceCAL: "bailleur_id",
    Candidature: "seance__bailleur_id",
}


def parcours(demande: Demande):
    """Every CAL passage of a demande, oldest first, with its session and dwelling (the
    demande's page and its copie numérique; the caller has checked the right to read it)."""
    return (
        Candidature.objects.filter(demande=demande)
        .select_related("seance__bailleur", "logement__commune", "guichet", "grille")
        .order_by("seance__date", "pk")
    )


@dataclass(frozen=True)
class PassageDuDemandeur:
    """One CAL passage as its applicant reads it on the portal: their own candidature and
    nothing else — no member of the commission, no other candidate, not even how many there
    were (docs/attributions.md « Ce que voit le demandeur »). The address of the dwelling only
    once it is theirs (attributed to them, or their lease): before, it may be another
    household's home."""

    date_seance: date
    bailleur: str
    commune: str
    typologie: str
    loyer: Decimal
    charges: Decimal
    adresse: str
    rang: int
    decision: str  # `resume_decision`, or "" while the commission has not decided
    explication: str
    refus: str
    bail_signe_le: date | None
    points: int | None  # the cotation on the day of the session, with its grid's version
    version_grille: int | None
    detail_points: tuple[str, ...]


def _explication(candidature: Candidature, aujourd_hui: date) -> str:
    """What the decision means for the applicant, in a sentence addressed to them ("" once
    they have answered: their refusal or their lease says what followed)."""
    c = candidature
    if not c.decision:
        if c.seance.date > aujourd_hui:
            return (
                f"La commission examinera votre demande pour ce logement le "
                f"{c.seance.date:%d/%m/%Y} ; sa décision apparaîtra ici."
            )
        return "La décision de la commission n'est pas encore enregistrée."
    if c.bail_signe_le or c.refusee_le:
        return ""  # their answer says what followed
    if c.decision == DecisionCAL.ATTRIBUTION:
        return (
            "La commission vous a attribué ce logement. Le bailleur vous le propose par écrit ; "
            "vous disposez d'au moins dix jours pour lui répondre (CCH R441-10)."
        )
    if c.decision == DecisionCAL.ATTRIBUTION_CLASSEMENT:
        if c.rang == 1:
            return "La commission vous a classé en premier : le logement vous est proposé."
        return (
            f"La commission vous a classé au rang {c.rang} : le logement vous sera proposé si "
            "les candidats classés avant vous le refusent. Le bailleur vous préviendra."
        )
    if c.decision == DecisionCAL.ATTRIBUTION_SOUS_CONDITION:
        if c.condition_levee_le:
            return (
                f"Vous avez fourni la pièce attendue le {c.condition_levee_le:%d/%m/%Y} : le "
                "logement vous est attribué."
            )
        return (
            f"Le logement vous est attribué si vous fournissez au bailleur, avant le "
            f"{c.condition_avant:%d/%m/%Y}, la pièce attendue : {c.condition}."
        )
    active = c.demande.est_active
    if c.decision == DecisionCAL.NON_ATTRIBUTION:
        texte = "La commission ne vous a pas attribué ce logement."
        return texte + (" Votre demande reste examinée pour d'autres logements." if active else "")
    texte = "La commission a jugé votre demande irrecevable."
    if active:
        # CCH R441-2-8: the radiation for irrecevabilité comes a month after a registered letter.
        texte += (
            " Avant de la radier, le guichet vous écrit par courrier recommandé : vous aurez "
            "un mois pour lui répondre."
        )
    return texte


def _refus_en_clair(candidature: Candidature) -> str:
    c = candidature
    if not c.refusee_le:
        return ""
    texte = f"Vous avez refusé ce logement le {c.refusee_le:%d/%m/%Y} : "
    texte += c.get_motif_refus_display().lower()
    return texte + (f" ({c.precision_refus})." if c.precision_refus else ".")


def parcours_du_demandeur(demande: Demande) -> list[PassageDuDemandeur]:
    """Every CAL passage of the demande as its applicant reads it (the portal's « Mon
    parcours »), oldest first: the session's date and landlord, the dwelling (commune,
    typology, rent), the decision in words with its motif, the awaited pièce and its date
    (`resume_decision`), what it means for them, their refusal, their lease, and their own
    cotation that day. Their rank is the one the CAL gave them (CCH R441-3 b: the
    notification says it); the other candidates are never named nor counted."""
    aujourd_hui = timezone.localdate()
    passages = []
    for c in parcours(demande):
        c.demande = demande  # the one the page already holds (no query per passage)
        logement = c.logement
        a_soi = bool(c.bail_signe_le) or (
            c.decision in (DecisionCAL.ATTRIBUTION, DecisionCAL.ATTRIBUTION_SOUS_CONDITION)
            and not c.refusee_le
        )
        decision = resume_decision(c) if c.decision else ""
        passages.append(
            PassageDuDemandeur(
                date_seance=c.seance.date,
                bailleur=c.seance.bailleur.nom,
                commune=logement.commune.nom,
                typologie=logement.get_typologie_display(),
                loyer=logement.loyer,
                charges=logement.charges,
                adresse=logement.adresse if a_soi else "",
                rang=c.rang,
                decision=decision[:1].upper() + decision[1:],
                explication=_explication(c, aujourd_hui),
                refus=_refus_en_clair(c),
                bail_signe_le=c.bail_signe_le,
                points=c.points if c.grille_id else None,
                version_grille=c.grille.version if c.grille_id else None,
                detail_points=tuple(ligne["calcul"] for ligne in c.detail_points or ()),
            )
        )
    return passages


# ---------------------------------------------------------------------------------------------
# Candidates for a dwelling

# The household sizes a typology suits (a wider band than any local rule, so that the CAL sees
# every plausible candidate; the page lets it narrow).
TAILLES_PAR_TYPOLOGIE = {
    "chambre": (1, 1),
    "T1": (1, 2),
    "T2": (1, 3),
    "T3": (2, 5),
    "T4": (3, 6),
    "T5": (4, 8),
    "T6_et_plus": (5, 99),
}
CANDIDATS_MAX = 200
# What the candidates' page and its exports show of each (`candidats.py`): up to 200 demandes
# built for one page, the other columns are not read (half the time, bench/cotation.py).
CHAMPS_DES_CANDIDATS = (
    "numero_unique",
    "departement",
    "date_depot",
    "nombre_personnes",
    "logement_adapte_handicap",
    "statut_dalo",
    "typologies",
    "cotation__points",
    "cotation__detail",
)


def candidats_pour(logement: Logement, *, par, dalo_seulement=False, typologie_souhaitee=False):
    """The candidates a CAL may examine for `logement`: the active demandes in `par`'s
    consultation scope that wish its commune, whose household suits its typology
    (`TAILLES_PAR_TYPOLOGIE`), ordered by cotation (highest first, none last) then seniority.
    `dalo_seulement`: only the households recognised priority DALO; `typologie_souhaitee`:
    only those who wished this typology (or none). At most `CANDIDATS_MAX`.

    Read in the order of the commune's `Classement` index (points, date de dépôt), which
    PostgreSQL walks from the top and leaves at the last candidate shown (bench/cotation.py);
    the demande itself is still checked (active, household size, scope)."""
    minimum, maximum = TAILLES_PAR_TYPOLOGIE.get(logement.typologie, (1, 99))
    candidats = (
        Demande.objects.visibles_par(par)
        .filter(
            statut=Demande.Statut.ACTIVE,
            nombre_personnes__gte=minimum,
            nombre_personnes__lte=maximum,
            classements__commune_id=logement.commune_id,
            classements__nombre_personnes__gte=minimum,
            classements__nombre_personnes__lte=maximum,
        )
        .select_related("cotation")
        .only(*CHAMPS_DES_CANDIDATS)
        .order_by(
            "-classements__cotee",
            "-classements__points",
            "classements__date_depot",
            "classements__demande_id",
        )
    )
    if dalo_seulement:
        candidats = candidats.filter(statut_dalo="actif")
    demandes = list(candidats[: CANDIDATS_MAX * (3 if typologie_souhaitee else 1)])
    if typologie_souhaitee:
        # `typologies` is a JSON list: filtered here (SQLite and PostgreSQL alike).
        demandes = [d for d in demandes if not d.typologies or logement.typologie in d.typologies][
            :CANDIDATS_MAX
        ]
    return demandes
