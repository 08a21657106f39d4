"""The attributions through the API (issue 15, docs/api.md « Attributions »): a landlord's system
records its dwellings, its CAL sessions, the candidates examined and the decisions, the
applicant's refusal and the lease that strikes the demande off for attribution; any desk reads
the journey of a demande it may consult.

Each endpoint calls the service the desks' pages call (`sne.attributions.services`) with the
token's technical account and its desk: the rules (a desk of the landlord, a demande in the
scope, an active demande, dates), the history, the audit and the change feed are theirs. A
session, a dwelling or a candidature of another landlord answers 404, as if it did not exist.
"""

import datetime
from datetime import date
from decimal import Decimal
from typing import Annotated

from django.http import HttpResponse
from ninja import Field, Path, Router, Schema, Status
from pydantic import BeforeValidator, StrictBool
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError

from sne.attributions import services
from sne.attributions.models import Candidature, Logement, SeanceCAL
from sne.attributions.nomenclatures import (
    DecisionCAL,
    MotifIrrecevabilite,
    MotifNonAttribution,
    MotifRefusDemandeur,
    QualiteMembre,
    Reservataire,
)
from sne.audit.models import EvenementAudit
from sne.audit.services import adresse_ip, journaliser
from sne.demandes.nomenclatures import Typologie
from sne.demandes.regles import IDENTIFIANT_MAX
from sne.demandes.schemas import DateEntree, MontantLoyer, montant

from .commun import EtatDemande, demande_de, etat_de, guichet_de

router = Router(tags=["Attributions"])

NUMERO = "Le numéro unique de la demande (18 caractères, espaces et minuscules tolérés)"
EXEMPLE_NUMERO = "075112600001275BA1"
REPONSE_403 = {
    "description": "Le guichet du jeton n'est pas celui d'un bailleur (`guichet_non_bailleur`), "
    "n'a pas d'habilitation de saisie ou pas sur ce département (`departement_non_habilite`), "
    "ou la demande est hors de son périmètre de consultation (`demande_hors_perimetre`)"
}


def _entier_json(valeur):
    """A JSON integer (60 or 60.0, the same number for JSON), never its text nor a boolean,
    which pydantic would otherwise read as a number."""
    if isinstance(valeur, (str, bool, bytes)):
        raise PydanticCustomError("int_type", "Un nombre entier est attendu.")
    return valeur


def entier(minimum: int, maximum: int):
    return Annotated[int, PydanticField(ge=minimum, le=maximum), BeforeValidator(_entier_json)]


def _libelles(choix) -> str:
    return ", ".join(f"`{valeur}` ({libelle})" for valeur, libelle in choix)


def _identifiant(description: str):
    return Path(..., ge=1, le=IDENTIFIANT_MAX, description=description, examples=[1])


# The fields the answers share (a dwelling, a session, a candidature, a journey): one
# declaration each, so that they read and document the same everywhere.
Identifiant = Annotated[int, Field(title="Identifiant", examples=[1])]
NomDuBailleur = Annotated[str, Field(title="Bailleur", examples=["Habitat Parisien"])]
NumeroUnique = Annotated[str, Field(title="Numéro unique", examples=[EXEMPLE_NUMERO])]


def _jour_ou_vide(titre: str, description: str):
    """A date of a candidature's course, empty (null) until that step happens."""
    return Field(None, title=titre, description=description)


# --- Dwellings -------------------------------------------------------------------------------

Surface = montant(6)  # Logement.surface (its bounds, 9 to 1,000 m², are the service's rule)


class LogementEntree(Schema):
    """Un logement du bailleur du guichet."""

    reference: str = Field(
        min_length=1,
        max_length=50,
        title="Référence",
        description="Le numéro du logement chez le bailleur (unique chez lui)",
        examples=["PE-0412-03"],
    )
    identifiant_rpls: str = Field(
        "",
        max_length=30,
        title="Identifiant RPLS",
        description="Son numéro au répertoire des logements locatifs sociaux, s'il est connu",
        examples=["075123456789"],
    )
    adresse: str = Field(
        min_length=1, max_length=300, title="Adresse", examples=["12 rue de Tolbiac"]
    )
    commune: str = Field(
        min_length=5,
        max_length=5,
        title="Commune",
        description="Son code INSEE, dans un département où le guichet est habilité",
        examples=["75113"],
    )
    typologie: Typologie = Field(
        title="Typologie",
        description="L'un de : " + _libelles(Typologie.choices),
        examples=["T3"],
        json_schema_extra={"title": "Typologie"},
    )
    surface: Surface | None = Field(
        None,
        title="Surface habitable (m²)",
        description="Entre 9 et 1 000 m²",
        examples=["64.50"],
    )
    loyer: MontantLoyer = Field(
        title="Loyer mensuel hors charges (€)", description="10 000 € au plus", examples=["612.40"]
    )
    charges: MontantLoyer = Field(
        Decimal(0),
        title="Charges mensuelles (€)",
        description="10 000 € au plus",
        examples=["85"],
    )
    etage: entier(-3, 60) | None = Field(
        None, title="Étage", description="0 : rez-de-chaussée", examples=[3]
    )
    ascenseur: StrictBool = Field(
        False, title="Ascenseur", description="L'immeuble a un ascenseur", examples=[True]
    )
    accessible: StrictBool = Field(
        False,
        title="Accessible",
        description="Accessible à une personne en fauteuil roulant",
        examples=[False],
    )
    reservataire: Reservataire = Field(
        Reservataire.AUCUN,
        title="Contingent",
        description="ListeTypeReservataire : " + _libelles(Reservataire.choices),
        examples=["PPRIOR"],
    )


class LogementSortie(Schema):
    id: Identifiant
    reference: str = Field(
        title="Référence", description="Son numéro chez le bailleur", examples=["PE-0412-03"]
    )
    identifiant_rpls: str = Field(
        title="Identifiant RPLS", description="Vide s'il n'est pas connu", examples=["075123456789"]
    )
    bailleur: NomDuBailleur
    adresse: str = Field(title="Adresse", examples=["12 rue de Tolbiac"])
    commune: str = Field(title="Commune (code INSEE)", examples=["75113"])
    commune_nom: str = Field(
        title="Commune", description="Son nom officiel", examples=["Paris 13e Arrondissement"]
    )
    typologie: str = Field(
        title="Typologie", description=_libelles(Typologie.choices), examples=["T3"]
    )
    surface: Decimal | None = Field(
        None, title="Surface (m²)", description="Vide si elle n'est pas connue", examples=["64.50"]
    )
    loyer: Decimal = Field(title="Loyer hors charges (€)", examples=["612.40"])
    charges: Decimal = Field(title="Charges (€)", description="Mensuelles", examples=["85.00"])
    etage: int | None = Field(
        None,
        title="Étage",
        description="0 : rez-de-chaussée ; vide s'il n'est pas connu",
        examples=[3],
    )
    ascenseur: bool = Field(
        title="Ascenseur", description="L'immeuble a un ascenseur", examples=[True]
    )
    accessible: bool = Field(
        title="Accessible", description="En fauteuil roulant", examples=[False]
    )
    reservataire: str = Field(
        title="Contingent", description=_libelles(Reservataire.choices), examples=["PPRIOR"]
    )


def logement_en_dict(logement: Logement) -> dict:
    return {
        "id": logement.pk,
        "reference": logement.reference,
        "identifiant_rpls": logement.identifiant_rpls,
        "bailleur": logement.bailleur.nom,
        "adresse": logement.adresse,
        "commune": logement.commune_id,
        "commune_nom": logement.commune.nom,
        "typologie": logement.typologie,
        "surface": logement.surface,
        "loyer": logement.loyer,
        "charges": logement.charges,
        "etage": logement.etage,
        "ascenseur": logement.ascenseur,
        "accessible": logement.accessible,
        "reservataire": logement.reservataire,
    }


@router.post(
    "/logements",
    response={201: LogementSortie},
    summary="Enregistrer un logement du bailleur",
    description="Un logement du bailleur du guichet du jeton, dans une commune d'un département "
    "où il est habilité. **201** : le logement et son `id`, à donner pour présenter des "
    "candidats en commission. Une même `reference` chez ce bailleur, ou un même "
    "`identifiant_rpls`, est refusée (`logement_existant`).",
    openapi_extra={
        "responses": {
            "403": REPONSE_403,
            "422": {
                "description": "Commune inconnue (`commune_inconnue`), logement déjà enregistré "
                "(`logement_existant`), valeur hors des bornes (`donnees_invalides`)"
            },
        }
    },
)
def enregistrer_logement(request, response: HttpResponse, entree: LogementEntree):
    donnees = entree.model_dump()
    donnees["typologie"] = entree.typologie.value
    donnees["reservataire"] = entree.reservataire.value
    logement = services.enregistrer_logement(donnees, par=request.user, guichet=guichet_de(request))
    response["Location"] = f"/api/v1/logements/{logement.pk}"
    return Status(201, logement_en_dict(logement))


@router.get(
    "/logements/{logement_id}",
    response=LogementSortie,
    summary="Lire un logement du bailleur",
    description="Un logement du bailleur du guichet du jeton ; celui d'un autre bailleur "
    "répond 404.",
    openapi_extra={
        "responses": {
            "404": {
                "description": "Aucun logement de cet identifiant chez ce bailleur (`introuvable`)"
            }
        }
    },
)
def lire_logement(request, logement_id: int = _identifiant("L'identifiant du logement")):
    logement = services.trouver_logement(logement_id, guichet=guichet_de(request))
    return logement_en_dict(logement)


# --- Sessions --------------------------------------------------------------------------------


class Membre(Schema):
    qualite: QualiteMembre = Field(
        title="Qualité", description="L'un de : " + _libelles(QualiteMembre.choices)
    )
    organisation: str = Field(
        min_length=1,
        max_length=200,
        title="Organisation",
        description="Celle que le membre représente",
        examples=["Ville de Paris"],
    )


class SeanceEntree(Schema):
    """Une séance de la commission d'attribution du bailleur du guichet."""

    date: DateEntree = Field(
        title="Date de la séance",
        description="À un an au plus d'aujourd'hui ; les décisions se saisissent à partir de "
        "ce jour",
        examples=["2026-11-24"],
    )
    lieu: str = Field(
        "", max_length=200, title="Lieu", description="Facultatif", examples=["Siège, salle 2"]
    )
    membres: list[Membre] = Field(
        [],
        max_length=30,
        title="Membres",
        description="Qui a siégé : leur qualité (CCH L441-2) et leur organisation, jamais un nom",
    )


class CandidatureSortie(Schema):
    id: Identifiant
    seance: int = Field(title="Séance", description="Son `id`", examples=[1])
    date_seance: date = Field(
        title="Date de la séance", description="Le jour où la CAL a siégé", examples=["2026-11-24"]
    )
    bailleur: NomDuBailleur
    logement: LogementSortie = Field(title="Logement", description="Le logement examiné")
    numero_unique: NumeroUnique
    rang: int = Field(title="Rang", description="1 : le premier classé", examples=[1])
    decision: str = Field(
        title="Décision",
        description="Vide tant qu'elle n'est pas saisie ; sinon l'un de : "
        + _libelles(DecisionCAL.choices),
        examples=["attribution"],
    )
    motif: str = Field(title="Motif", description="D'une non-attribution ou d'une irrecevabilité")
    precision: str = Field(title="Précision du motif", description="Écrite par le guichet")
    condition: str = Field(title="Pièce attendue", description="Attribution sous condition")
    condition_avant: date | None = _jour_ou_vide(
        "À fournir avant le", "Pour une attribution sous condition"
    )
    condition_levee_le: date | None = _jour_ou_vide(
        "Condition levée le", "Le jour où la pièce attendue est arrivée"
    )
    resume: str = Field(
        title="Résumé",
        description="La décision en une ligne, telle que l'historique de la demande la garde",
    )
    refusee_le: date | None = _jour_ou_vide(
        "Refusé le", "Le jour où le demandeur a refusé le logement"
    )
    motif_refus: str = Field(
        title="Motif du refus", description=_libelles(MotifRefusDemandeur.choices)
    )
    bail_signe_le: date | None = _jour_ou_vide(
        "Bail signé le", "La demande est alors radiée pour attribution"
    )


class SeanceSortie(Schema):
    id: Identifiant
    bailleur: NomDuBailleur
    date: datetime.date = Field(title="Date", examples=["2026-11-24"])
    lieu: str = Field(title="Lieu", description="Vide s'il n'est pas dit", examples=["Siège"])
    membres: list[Membre] = Field(title="Membres", description="Qui a siégé")
    candidatures: list[CandidatureSortie] = Field(
        title="Candidatures", description="Par logement puis par rang"
    )


def candidature_en_dict(c: Candidature) -> dict:
    return {
        "id": c.pk,
        "seance": c.seance_id,
        "date_seance": c.seance.date,
        "bailleur": c.seance.bailleur.nom,
        "logement": logement_en_dict(c.logement),
        "numero_unique": c.demande.numero_unique,
        "rang": c.rang,
        "decision": c.decision,
        "motif": c.motif,
        "precision": c.precision,
        "condition": c.condition,
        "condition_avant": c.condition_avant,
        "condition_levee_le": c.condition_levee_le,
        "resume": services.resume_decision(c) if c.decision else "",
        "refusee_le": c.refusee_le,
        "motif_refus": c.motif_refus,
        "bail_signe_le": c.bail_signe_le,
    }


def seance_en_dict(seance: SeanceCAL) -> dict:
    return {
        "id": seance.pk,
        "bailleur": seance.bailleur.nom,
        "date": seance.date,
        "lieu": seance.lieu,
        "membres": [
            {"qualite": m.qualite, "organisation": m.organisation} for m in seance.membres.all()
        ],
        "candidatures": [
            candidature_en_dict(c)
            for c in seance.candidatures.select_related(
                "seance__bailleur", "logement__commune", "logement__bailleur", "demande"
            ).order_by("logement_id", "rang")
        ],
    }


@router.post(
    "/cal/seances",
    response={201: SeanceSortie},
    summary="Enregistrer une séance de commission d'attribution",
    description="Une séance de la CAL du bailleur du guichet du jeton : sa date, son lieu, "
    "qui a siégé. **201** : la séance et son `id`, pour y présenter des candidats.",
    openapi_extra={
        "responses": {
            "403": REPONSE_403,
            "422": {"description": "Date improbable (`date_seance_improbable`)"},
        }
    },
)
def ouvrir_seance(request, response: HttpResponse, entree: SeanceEntree):
    seance = services.ouvrir_seance(
        date_seance=entree.date,
        membres=[(m.qualite.value, m.organisation) for m in entree.membres],
        lieu=entree.lieu,
        par=request.user,
        guichet=guichet_de(request),
    )
    response["Location"] = f"/api/v1/cal/seances/{seance.pk}"
    return Status(201, seance_en_dict(seance))


@router.get(
    "/cal/seances/{seance_id}",
    response=SeanceSortie,
    summary="Lire une séance et ses candidatures",
    description="La séance, ses membres et chaque candidat examiné avec sa décision. Une "
    "séance d'un autre bailleur répond 404. La lecture est inscrite au journal d'audit.",
    openapi_extra={
        "responses": {
            "404": {
                "description": "Aucune séance de cet identifiant chez ce bailleur (`introuvable`)"
            }
        }
    },
)
def lire_seance(request, seance_id: int = _identifiant("L'identifiant de la séance")):
    guichet = guichet_de(request)
    seance = services.trouver_seance(seance_id, guichet=guichet)
    journaliser(
        EvenementAudit.Action.CONSULTATION,
        utilisateur=request.user,
        guichet=guichet,
        objet=seance,
        resume=f"Consultation de la séance de CAL du {seance.date:%d/%m/%Y} par l'API",
        adresse_ip=adresse_ip(request),
    )
    return seance_en_dict(seance)


class CandidatureEntree(Schema):
    logement: entier(1, IDENTIFIANT_MAX) = Field(
        title="Logement", description="Son `id`", examples=[1]
    )
    numero_unique: str = Field(
        min_length=1, max_length=40, title="Numéro unique", examples=[EXEMPLE_NUMERO]
    )
    rang: entier(1, 50) | None = Field(
        None,
        title="Rang",
        description="Absent : après le dernier candidat de ce logement",
        examples=[1],
    )


@router.post(
    "/cal/seances/{seance_id}/candidatures",
    response={201: CandidatureSortie},
    summary="Présenter un candidat",
    description="Présente une demande pour un logement à la séance, à son rang. La demande "
    "doit être dans le périmètre de consultation du guichet (sinon 404 comme partout), active, "
    "déposée avant la séance, et valoir pour le département du logement (toute "
    "l'Île-de-France pour une demande francilienne). L'événement `candidature_cal` part sur "
    "le flux.",
    openapi_extra={
        "responses": {
            "403": REPONSE_403,
            "404": {
                "description": "Séance, logement ou demande introuvable (`introuvable`, "
                "`demande_introuvable`)"
            },
            "422": {
                "description": "Demande radiée (`demande_radiee`), déjà candidate "
                "(`candidature_existante`), rang pris (`rang_pris`), logement hors du "
                "territoire de la demande (`logement_hors_territoire`), séance avant le dépôt "
                "(`seance_avant_depot`)"
            },
        }
    },
)
def inscrire_candidat(
    request,
    response: HttpResponse,
    entree: CandidatureEntree,
    seance_id: int = _identifiant("L'identifiant de la séance"),
):
    guichet = guichet_de(request)
    seance = services.trouver_seance(seance_id, guichet=guichet)
    logement = services.trouver_logement(entree.logement, guichet=guichet)
    demande = demande_de(request, entree.numero_unique)
    candidature = services.inscrire_candidat(
        seance, logement, demande, rang=entree.rang, par=request.user, guichet=guichet
    )
    response["Location"] = f"/api/v1/cal/seances/{seance.pk}"
    return Status(201, candidature_en_dict(candidature))


class DecisionEntree(Schema):
    decision: DecisionCAL = Field(
        title="Décision", description="CCH R441-3 : " + _libelles(DecisionCAL.choices)
    )
    motif: str = Field(
        "",
        max_length=30,
        title="Motif",
        description="Obligatoire pour `non_attribution` ("
        + _libelles(MotifNonAttribution.choices)
        + ") et `irrecevabilite` ("
        + _libelles(MotifIrrecevabilite.choices)
        + ") ; interdit sinon",
        examples=[""],
    )
    precision: str = Field(
        "",
        max_length=500,
        title="Précision",
        description="Obligatoire pour le motif `autre`",
        examples=[""],
    )
    condition: str = Field(
        "",
        max_length=300,
        title="Pièce attendue",
        description="Obligatoire pour `attribution_sous_condition`, interdite sinon",
        examples=[""],
    )
    condition_avant: DateEntree | None = Field(
        None,
        title="À fournir avant le",
        description="Pour `attribution_sous_condition` : après la séance, dans les trois mois",
        examples=[None],
    )


class JourEntree(Schema):
    le: DateEntree = Field(
        title="Date", description="Entre la séance et aujourd'hui", examples=["2026-11-28"]
    )


class RefusEntree(Schema):
    motif: MotifRefusDemandeur = Field(
        title="Motif", description="L'un de : " + _libelles(MotifRefusDemandeur.choices)
    )
    precision: str = Field(
        "", max_length=500, title="Précision", description="Obligatoire pour `autre`"
    )
    le: DateEntree = Field(
        title="Refusé le", description="Entre la séance et aujourd'hui", examples=["2026-11-28"]
    )


class BailSortie(Schema):
    candidature: CandidatureSortie = Field(title="Candidature", description="Avec la date du bail")
    demande: EtatDemande = Field(title="Demande", description="Radiée pour attribution")


REPONSES_CANDIDATURE = {
    "403": REPONSE_403,
    "404": {
        "description": "Aucune candidature de cet identifiant chez ce bailleur (`introuvable`)"
    },
}


def _candidature(request, candidature_id: int) -> Candidature:
    return services.trouver_candidature(candidature_id, guichet=guichet_de(request))


@router.post(
    "/cal/candidatures/{candidature_id}/decision",
    response=CandidatureSortie,
    summary="Saisir la décision de la commission",
    description="La décision de la CAL sur ce candidat, une fois la séance passée : "
    "attribution, attribution par classement (le logement va au suivant si ceux classés "
    "avant refusent), attribution sous condition suspensive (la pièce attendue et sa date), "
    "non-attribution (motivée), irrecevabilité (motivée ; la radiation suit un mois après le "
    "courrier recommandé, par `/radiation`). Une décision saisie ne se réécrit pas. "
    "L'événement `decision_cal` part sur le flux.",
    openapi_extra={
        "responses": {
            **REPONSES_CANDIDATURE,
            "422": {
                "description": "Décision déjà saisie (`decision_existante`), séance à venir "
                "(`seance_a_venir`), motif requis ou interdit (`motif_requis`, "
                "`motif_interdit`), pièce attendue requise (`condition_requise`, "
                "`date_condition_invalide`), logement déjà attribué "
                "(`logement_deja_attribue`), demande radiée (`demande_radiee`)"
            },
        }
    },
)
def decider(
    request,
    entree: DecisionEntree,
    candidature_id: int = _identifiant("L'identifiant de la candidature"),
):
    candidature = services.decider(
        _candidature(request, candidature_id),
        entree.decision.value,
        motif=entree.motif,
        precision=entree.precision,
        condition=entree.condition,
        condition_avant=entree.condition_avant,
        par=request.user,
        guichet=guichet_de(request),
    )
    return candidature_en_dict(candidature)


@router.post(
    "/cal/candidatures/{candidature_id}/condition-levee",
    response=CandidatureSortie,
    summary="La pièce attendue est arrivée",
    description="Pour une attribution sous condition suspensive : la pièce a été fournie ce "
    "jour-là, avant la date fixée ; le bail peut être signé.",
    openapi_extra={
        "responses": {
            **REPONSES_CANDIDATURE,
            "422": {
                "description": "Pas de condition (`pas_de_condition`), hors délai "
                "(`condition_hors_delai`), date improbable "
                "(`date_improbable`)"
            },
        }
    },
)
def lever_condition(
    request,
    entree: JourEntree,
    candidature_id: int = _identifiant("L'identifiant de la candidature"),
):
    candidature = services.lever_condition(
        _candidature(request, candidature_id),
        le=entree.le,
        par=request.user,
        guichet=guichet_de(request),
    )
    return candidature_en_dict(candidature)


@router.post(
    "/cal/candidatures/{candidature_id}/refus",
    response=CandidatureSortie,
    summary="Le demandeur refuse le logement",
    description="Le refus du logement attribué, avec son motif : il est gardé et compté ; la "
    "demande reste active. Un candidat classé après lui peut alors signer. L'événement "
    "`refus_logement` part sur le flux.",
    openapi_extra={
        "responses": {
            **REPONSES_CANDIDATURE,
            "422": {
                "description": "Pas d'attribution (`pas_d_attribution`), réponse déjà "
                "saisie (`reponse_existante`), précision requise "
                "(`precision_requise`), date improbable (`date_improbable`)"
            },
        }
    },
)
def enregistrer_refus(
    request,
    entree: RefusEntree,
    candidature_id: int = _identifiant("L'identifiant de la candidature"),
):
    candidature = services.enregistrer_refus(
        _candidature(request, candidature_id),
        entree.motif.value,
        entree.precision,
        le=entree.le,
        par=request.user,
        guichet=guichet_de(request),
    )
    return candidature_en_dict(candidature)


@router.post(
    "/cal/candidatures/{candidature_id}/bail",
    response=BailSortie,
    summary="Le bail est signé",
    description="Le bail signé radie la demande pour attribution (`RADATT`, CCH R441-2-8) dans "
    "la même transaction, le logement nommé dans la radiation. Exige une attribution non "
    "refusée, la condition levée pour une attribution sous condition, et pour un classement "
    "le refus de chaque candidat classé avant.",
    openapi_extra={
        "responses": {
            **REPONSES_CANDIDATURE,
            "422": {
                "description": "Pas d'attribution (`pas_d_attribution`), logement refusé "
                "(`logement_refuse`), condition non levée (`condition_non_levee`), candidat "
                "mieux classé (`candidat_prioritaire`), bail déjà signé (`bail_existant`, "
                "`logement_deja_loue`), demande radiée (`demande_radiee`), date improbable "
                "(`date_improbable`)"
            },
        }
    },
)
def signer_bail(
    request,
    entree: JourEntree,
    candidature_id: int = _identifiant("L'identifiant de la candidature"),
):
    candidature = services.signer_bail(
        _candidature(request, candidature_id),
        le=entree.le,
        par=request.user,
        guichet=guichet_de(request),
    )
    candidature.demande.refresh_from_db()
    return {
        "candidature": candidature_en_dict(candidature),
        "demande": etat_de(candidature.demande),
    }


# --- A demande's journey ---------------------------------------------------------------------


def passages_de_la_copie(demande) -> list[dict]:
    """The CAL passages of a demande, for its copie numérique and its journey."""
    return [
        candidature_en_dict(c)
        for c in services.parcours(demande).select_related("logement__bailleur", "demande")
    ]


class Parcours(Schema):
    numero_unique: NumeroUnique
    refus: int = Field(title="Refus", description="Logements attribués refusés par le demandeur")
    passages: list[CandidatureSortie] = Field(
        title="Passages en commission", description="Du plus ancien au plus récent"
    )


@router.get(
    "/demandes/{numero_unique}/attributions",
    response=Parcours,
    summary="Le parcours d'une demande en commission",
    description="Chaque passage de la demande en commission d'attribution : la séance, le "
    "logement, le rang, la décision, le refus du demandeur, le bail. Pour une demande du "
    "périmètre de consultation du guichet (sinon 404) ; la lecture est journalisée.",
    openapi_extra={
        "responses": {
            "404": {
                "description": "Aucune demande de ce numéro dans le périmètre de "
                "consultation du guichet (`demande_introuvable`)"
            }
        }
    },
)
def parcours(
    request,
    numero_unique: str = Path(..., description=NUMERO, examples=[EXEMPLE_NUMERO]),
):
    demande = demande_de(request, numero_unique)
    passages = passages_de_la_copie(demande)
    journaliser(
        EvenementAudit.Action.CONSULTATION,
        utilisateur=request.user,
        guichet=guichet_de(request),
        objet=demande,
        resume=f"Consultation du parcours en CAL de la demande {demande.numero_unique} par l'API",
        adresse_ip=adresse_ip(request),
    )
    return {
        "numero_unique": demande.numero_unique,
        "refus": sum(1 for c in passages if c["refusee_le"]),
        "passages": passages,
    }
