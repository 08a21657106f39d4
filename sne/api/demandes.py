"""The demandes of the API v1: register (basculement), read the copie numérique, modify, and
search duplicates (API-CONTRACT « Demandes », docs/api.md).

Each endpoint calls the one service the agent pages call (`sne.demandes.services`), as the
token's technical account (`request.user`) for the token's desk: the rights, the history,
the audit log and the change feed are those of the pages. The lifecycle actions (renew,
strike off, reactivate, separation, attestation) are in `actions.py`.
"""

import enum
import hashlib
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from ninja import Field, Header, Router, Schema, Status
from pydantic import ConfigDict

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.demandes import nomenclatures as n
from sne.demandes.models import Demande, Personne
from sne.demandes.regles import DonneesInvalides
from sne.demandes.schemas import (
    AdresseEntree,
    DateEntree,
    DemandeEntree,
    MontantLoyer,
    MontantRevenus,
    PieceIdentiteEntree,
)
from sne.demandes.services import (
    consulter,
    enregistrer_demande,
    modifier_demande,
    rechercher_doublons,
)
from sne.demandes.services.entree import adresse as adresse_resolue
from sne.demandes.services.entree import champs_employeur, departements_souhaitables
from sne.notifications.services import messages_de

from .attributions import CandidatureSortie, passages_de_la_copie
from .commun import EtatDemande, demande_de, etat_de, guichet_de
from .pieces import PieceCopie, pieces_de_la_copie

router = Router(tags=["Demandes"])

# ---------------------------------------------------------------------------------------------
# Register


class Forcage(Schema):
    justification: str = Field(
        ...,
        min_length=1,
        max_length=2000,
        title="Justification",
        description="Pourquoi enregistrer malgré la suspicion de doublon (gardée à l'historique)",
        examples=["Homonyme vérifié : autre date de naissance sur la pièce d'identité."],
    )


class DemandeEnregistrement(DemandeEntree):
    forcer: Forcage | None = Field(
        None,
        title="Forcer l'enregistrement",
        description="Seulement après une réponse 409 `suspicion_doublon`, avec la justification",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reference_externe": "OPH-2026-000123",
                    "departement": "75",
                    "demandeur": {
                        "civilite": "MME",
                        "nom": "Martin",
                        "prenom": "Élodie",
                        "date_naissance": "1987-04-12",
                        "piece_identite": {
                            "type": "carte_identite",
                            "numero": "X4RTBPFW4",
                            "date_expiration": "2031-01-01",
                        },
                        "email": "elodie.martin@example.fr",
                        "telephone": "0612345678",
                        "adresse": {
                            "ligne1": "12 rue des Lilas",
                            "code_postal": "75020",
                            "commune": "Paris",
                        },
                        "situation_familiale": "marie",
                    },
                    "co_demandeur": {
                        "civilite": "M",
                        "nom": "Martin",
                        "prenom": "Karim",
                        "date_naissance": "1985-09-30",
                    },
                    "personnes_a_charge": [
                        {
                            "prenom": "Inès",
                            "nom": "Martin",
                            "date_naissance": "2016-02-03",
                            "lien": "enfant",
                        }
                    ],
                    "deja_locataire_hlm": False,
                    "ressources": {"revenu_fiscal_reference": 23150, "annee_revenus": 2024},
                    "motifs": ["logement_trop_petit"],
                    "souhaits": {"communes": ["75120", "93048"], "typologies": ["T3", "T4"]},
                }
            ]
        }
    )


def jeton_d_enregistrement(guichet, reference_externe: str, cle: str) -> str:
    """The registration's submission token (`JetonEnregistrement`): two racing requests with
    the same `reference_externe` (or, without one, the same `Idempotency-Key`) of a desk wait
    for each other and make one demande."""
    if reference_externe:
        source = f"api|{guichet.pk}|reference|{reference_externe}"
    elif cle:
        source = f"api|{guichet.pk}|cle|{cle}"
    else:
        return ""
    return hashlib.sha256(source.encode()).hexdigest()


@router.post(
    "/demandes",
    response={200: EtatDemande, 201: EtatDemande},
    summary="Enregistrer une demande",
    description="Enregistre une demande (basculement) et lui donne son numéro unique ; "
    "l'attestation d'enregistrement part au demandeur. **201** : créée. **200** : la même "
    "`reference_externe` (ou la même clé `Idempotency-Key`) a déjà été envoyée par ce guichet : "
    "la demande déjà créée, jamais une seconde. **409** `suspicion_doublon` : la même personne a "
    "déjà une demande active (`doublons`) ; renvoyez avec `forcer.justification` si ce n'est pas "
    "elle. **403** `departement_non_habilite`. **422** : pièce d'identité absente, commune "
    "inconnue… (`erreurs`).",
    openapi_extra={
        "responses": {
            "403": {"description": "Le guichet n'est pas habilité sur ce département"},
            "409": {"description": "Suspicion de doublon (`suspicion_doublon`, `doublons`)"},
        }
    },
)
def enregistrer(
    request,
    response: HttpResponse,
    donnees: DemandeEnregistrement,
    idempotency_key: str = Header(
        "",
        alias="Idempotency-Key",
        max_length=200,
        description="Facultative : une clé unique par envoi ; le même envoi répété rend la même "
        "réponse",
    ),
):
    guichet = guichet_de(request)
    justification = donnees.forcer.justification if donnees.forcer else None
    demande = enregistrer_demande(
        guichet,
        request.user,
        DemandeEntree.model_validate(donnees.model_dump(exclude={"forcer"})),
        justification,
        jeton=jeton_d_enregistrement(guichet, donnees.reference_externe, idempotency_key),
    )
    if getattr(demande, "deja_enregistree", False):
        if demande.guichet_enregistreur_id != guichet.pk:  # never: the token is per desk
            raise DonneesInvalides("Cette référence est déjà utilisée.", code="reference_prise")
        return Status(200, etat_de(demande))
    response["Location"] = f"/api/v1/demandes/{demande.numero_unique}"
    return Status(201, etat_de(demande))


# ---------------------------------------------------------------------------------------------
# Read: the copie numérique


class AdresseCopie(Schema):
    ligne1: str = Field("", title="Adresse", examples=["12 rue des Lilas"])
    ligne2: str = Field("", title="Complément d'adresse", examples=[""])
    code_postal: str = Field("", title="Code postal", examples=["75020"])
    commune: str = Field("", title="Commune", examples=["Paris 20e Arrondissement"])
    code_insee: str = Field("", title="Code INSEE", examples=["75120"])


class PieceIdentiteCopie(Schema):
    type: str = Field("", title="Type", examples=["carte_identite"])
    numero: str = Field("", title="Numéro", examples=["X4RTBPFW4"])
    date_expiration: date | None = Field(None, title="Expire le", examples=["2031-01-01"])


class PersonneCopie(Schema):
    id: int = Field(
        title="Identifiant",
        description="À donner dans un PATCH (`personnes_a_charge[].id`, `retraits`)",
        examples=[4211],
    )
    role: str = Field(
        title="Rôle",
        description="demandeur, co_demandeur ou personne_a_charge",
        examples=["demandeur"],
    )
    civilite: str = Field("", examples=["MME"])
    nom: str = Field(examples=["Martin"])
    nom_naissance: str = Field("", examples=[""])
    prenom: str = Field(examples=["Élodie"])
    date_naissance: date | None = Field(None, examples=["1987-04-12"])
    nationalite: str = Field("", examples=["francaise"])
    lien: str = Field("", examples=[""])
    email: str = Field("", examples=["elodie.martin@example.fr"])
    telephone: str = Field("", description="Format E.164", examples=["+33612345678"])
    nir: str = Field("", title="Numéro de sécurité sociale", examples=[""])
    situation_familiale: str = Field("", examples=["marie"])
    situation_professionnelle: str = Field("", examples=["cdi"])
    employeur: str = Field("", examples=[""])
    employeur_adresse: AdresseCopie | None = None
    revenus_mensuels: Decimal | None = Field(None, examples=["1850.00"])
    piece_identite: PieceIdentiteCopie | None = None
    adresse: AdresseCopie | None = None


class EntreeHistorique(Schema):
    date: datetime = Field(title="Date et heure", examples=["2026-11-30T09:12:44+01:00"])
    action: str = Field(
        title="Action",
        description="creation, creation_suite_separation, modification, renouvellement, "
        "radiation, reactivation, duplication_separation",
        examples=["creation"],
    )
    code_fichier: str = Field(
        title="Type de fichier national", description="CRE, CRS, MOD, REN, RAD", examples=["CRE"]
    )
    version: int | None = Field(None, title="Version après ce changement", examples=[1])
    guichet: str | None = Field(None, title="Guichet qui a agi", examples=["75BA1"])
    changements: list[dict] = Field(
        title="Changements",
        description="Chaque champ changé : `champ`, `avant`, `apres` (le NIR masqué)",
        examples=[[{"champ": "demandeur.telephone", "avant": "", "apres": "+33612345678"}]],
    )
    commentaire: str = Field("", title="Commentaire ou justification", examples=[""])


class LogementActuelCopie(Schema):
    type: str = Field("", examples=["locataire_prive"])
    loyer: Decimal | None = Field(None, examples=["820.00"])
    nombre_pieces: int | None = Field(None, examples=[2])
    bailleur: str = Field("", examples=[""])


class RessourcesCopie(Schema):
    revenu_fiscal_reference: int | None = Field(None, examples=[23150])
    annee_revenus: int | None = Field(None, examples=[2024])


class SouhaitsCopie(Schema):
    communes: list[str] = Field(
        title="Communes souhaitées (codes INSEE, dans l'ordre)", examples=[["75120"]]
    )
    typologies: list[str] = Field(examples=[["T3", "T4"]])
    categorie_logement: str = Field("", examples=[""])
    ascenseur_necessaire: bool = Field(False, examples=[False])
    rez_de_chaussee: bool = Field(False, examples=[False])
    logement_adapte_handicap: bool = Field(False, examples=[False])
    precisions_handicap: str = Field("", examples=[""])


class AssociationCopie(Schema):
    id: int | None = Field(None, title="Association de la table départementale", examples=[None])
    nom: str = Field("", examples=["Toit pour tous"])
    date_creation: date | None = Field(None, examples=[None])
    adresse: AdresseCopie | None = None


class EvenementMessageCopie(Schema):
    type: str = Field(
        title="Étape",
        description="cree, envoye, echec_envoi, remis, rebond, ouvert, imprime, poste, "
        "retour_courrier, non_distribuable, annule",
        examples=["envoye"],
    )
    date: datetime = Field(
        title="Date et heure",
        description="Quand l'étape a eu lieu",
        examples=["2026-12-02T06:05:12+01:00"],
    )
    source: str = Field(
        title="Source",
        description="campagne, envoi, fournisseur (accusé), gestionnaire…",
        examples=["envoi"],
    )


class MessageCopie(Schema):
    type: str = Field(
        description="attestation_enregistrement, attestation_renouvellement, avis_separation, "
        "preavis_renouvellement, avis_radiation",
        examples=["preavis_renouvellement"],
    )
    canal: str = Field(description="email, courrier ou sms", examples=["email"])
    statut: str = Field(
        description="a_envoyer, a_imprimer, envoye, remis, poste, echec, annule",
        examples=["remis"],
    )
    date_avis: date = Field(
        title="Date de l'avis",
        description="Le jour où l'avis compte comme donné (jour de campagne, d'envoi)",
        examples=["2026-12-02"],
    )
    echeance: date | None = Field(
        None,
        title="Expiration concernée",
        description="Pour un préavis ou un avis de radiation : l'expiration dont il parle",
        examples=["2027-01-02"],
    )
    evenements: list[EvenementMessageCopie] = Field(
        title="Étapes de la distribution", description="De la plus ancienne à la plus récente"
    )


class CopieNumerique(EtatDemande):
    """La copie numérique : toute la demande, son historique et ses pièces."""

    enregistree_le: datetime = Field(title="Enregistrée le", examples=["2026-11-30T09:12:44+01:00"])
    commentaire_radiation: str = Field("", title="Commentaire de radiation", examples=[""])
    beneficiaire: str = Field(
        title="Bénéficiaire", description="menage ou association", examples=["menage"]
    )
    association: AssociationCopie | None = None
    nombre_personnes: int = Field(
        title="Nombre de personnes à loger", description="Compté des personnes", examples=[3]
    )
    demandeur: PersonneCopie | None = None
    co_demandeur: PersonneCopie | None = None
    personnes_a_charge: list[PersonneCopie] = Field(default_factory=list)
    deja_locataire_hlm: bool | None = Field(None, examples=[False])
    logement_actuel: LogementActuelCopie
    ressources: RessourcesCopie
    motifs: list[str] = Field(examples=[["logement_trop_petit"]])
    motif_precision: str = Field("", examples=[""])
    souhaits: SouhaitsCopie
    statut_dalo: str = Field(examples=["non"])
    historique: list[EntreeHistorique] = Field(
        title="Historique", description="Du plus ancien au plus récent"
    )
    messages: list[MessageCopie] = Field(
        default_factory=list,
        title="Courriers et messages envoyés au demandeur",
        description="Du plus récent au plus ancien, avec la preuve de leur distribution",
    )
    pieces: list[PieceCopie] = Field(
        default_factory=list,
        title="Pièces du dossier unique",
        description="De la plus récente à la plus ancienne, remplacées et refusées comprises : "
        "type, personne concernée, statut, dates, nom du fichier, motif du refus ; jamais le "
        "contenu, qui se lit à `fichier_url` (lecture journalisée)",
    )
    attributions: list[CandidatureSortie] = Field(
        default_factory=list,
        title="Passages en commission d'attribution",
        description="Du plus ancien au plus récent : la séance, le logement, le rang, la "
        "décision et son motif, le refus du demandeur, le bail",
    )


def _adresse(ligne1, ligne2, code_postal, commune) -> dict | None:
    if not (ligne1 or ligne2 or code_postal or commune):
        return None
    return {
        "ligne1": ligne1 or "",
        "ligne2": ligne2 or "",
        "code_postal": code_postal or "",
        "commune": commune.nom if commune else "",
        "code_insee": commune.code_insee if commune else "",
    }


def _personne(p: Personne) -> dict:
    return {
        "id": p.pk,
        "role": p.role,
        "civilite": p.civilite,
        "nom": p.nom,
        "nom_naissance": p.nom_naissance,
        "prenom": p.prenom,
        "date_naissance": p.date_naissance,
        "nationalite": p.nationalite,
        "lien": p.lien,
        "email": p.email,
        "telephone": p.telephone,
        "nir": p.nir,
        "situation_familiale": p.situation_familiale,
        "situation_professionnelle": p.situation_professionnelle,
        "employeur": p.employeur,
        "employeur_adresse": _adresse(
            p.employeur_adresse, "", p.employeur_code_postal, p.employeur_commune
        ),
        "revenus_mensuels": p.revenus_mensuels,
        "piece_identite": (
            {
                "type": p.piece_identite_type,
                "numero": p.piece_identite_numero,
                "date_expiration": p.piece_identite_expiration,
            }
            if p.piece_identite_type
            else None
        ),
        "adresse": _adresse(p.adresse_ligne1, p.adresse_ligne2, p.code_postal, p.commune),
    }


def copie_numerique(demande: Demande) -> dict:
    personnes = list(demande.personnes.select_related("commune", "employeur_commune"))
    par_role = {r: [p for p in personnes if p.role == r] for r in Personne.Role.values}
    historique = demande.historique.select_related("guichet").order_by("horodatage", "pk")
    return {
        **etat_de(demande),
        "enregistree_le": demande.enregistree_le,
        "commentaire_radiation": demande.commentaire_radiation,
        "beneficiaire": demande.beneficiaire,
        "association": (
            {
                "id": demande.association_id,
                "nom": demande.association.nom if demande.association else demande.association_nom,
                "date_creation": demande.association_date_creation,
                "adresse": _adresse(
                    demande.association_adresse,
                    "",
                    demande.association_code_postal,
                    demande.association_commune,
                ),
            }
            if demande.beneficiaire == Demande.Beneficiaire.ASSOCIATION
            else None
        ),
        "nombre_personnes": demande.nombre_personnes,
        "demandeur": next(map(_personne, par_role[Personne.Role.DEMANDEUR]), None),
        "co_demandeur": next(map(_personne, par_role[Personne.Role.CO_DEMANDEUR]), None),
        "personnes_a_charge": [_personne(p) for p in par_role[Personne.Role.PERSONNE_A_CHARGE]],
        "deja_locataire_hlm": demande.deja_locataire_hlm,
        "logement_actuel": {
            "type": demande.logement_actuel,
            "loyer": demande.loyer_actuel,
            "nombre_pieces": demande.nombre_pieces_actuel,
            "bailleur": demande.bailleur_actuel,
        },
        "ressources": {
            "revenu_fiscal_reference": demande.revenu_fiscal_reference,
            "annee_revenus": demande.annee_revenus,
        },
        "motifs": list(demande.motifs),
        "motif_precision": demande.motif_precision,
        "souhaits": {
            "communes": list(
                demande.communes_souhaitees.order_by("rang").values_list("commune_id", flat=True)
            ),
            "typologies": list(demande.typologies),
            "categorie_logement": demande.categorie_logement,
            "ascenseur_necessaire": demande.ascenseur_necessaire,
            "rez_de_chaussee": demande.rez_de_chaussee,
            "logement_adapte_handicap": demande.logement_adapte_handicap,
            "precisions_handicap": demande.precisions_handicap,
        },
        "statut_dalo": demande.statut_dalo,
        "historique": [
            {
                "date": h.horodatage,
                "action": h.action,
                "code_fichier": h.code_fichier,
                "version": h.version,
                "guichet": h.guichet.code if h.guichet else None,
                "changements": h.changements,
                "commentaire": h.commentaire,
            }
            for h in historique
        ],
        "messages": [
            {
                "type": m.type,
                "canal": m.canal,
                "statut": m.statut,
                "date_avis": m.date_avis,
                "echeance": m.cycle,
                "evenements": [
                    {"type": e.type, "date": e.survenu_le, "source": e.source}
                    for e in m.evenements.all()
                ],
            }
            for m in messages_de(demande)
        ],
        "pieces": pieces_de_la_copie(demande),
        "attributions": passages_de_la_copie(demande),
    }


@router.get(
    "/demandes/{numero_unique}",
    response=CopieNumerique,
    url_name="copie_numerique",
    summary="La copie numérique d'une demande",
    description="Toute la demande, ses personnes, son historique et ses pièces, si le guichet "
    "du jeton peut la consulter (sinon **404** `demande_introuvable`, comme sur les pages). "
    "Chaque lecture est inscrite au journal d'audit.",
)
def lire(request, numero_unique: str):
    demande = demande_de(request, numero_unique)
    consulter(demande, request.user, guichet_de(request))
    return copie_numerique(demande)


# ---------------------------------------------------------------------------------------------
# Modify


class Strict(Schema):
    """A field a PATCH does not know is refused (`extra_forbidden`), never silently ignored:
    the sending system would believe it changed something."""

    model_config = ConfigDict(extra="forbid")


class AdresseModification(Strict, AdresseEntree):
    pass


class PieceIdentiteModification(Strict, PieceIdentiteEntree):
    pass


class PersonneModification(Strict):
    civilite: n.Civilite | None = None
    nom: str | None = Field(None, min_length=1, max_length=100)
    nom_naissance: str | None = Field(None, max_length=100)
    prenom: str | None = Field(None, min_length=1, max_length=100)
    date_naissance: DateEntree | None = None
    nationalite: n.Nationalite | None = None
    lien: str | None = Field(None, max_length=15)
    email: str | None = Field(None, max_length=254)
    telephone: str | None = Field(None, max_length=30)
    nir: str | None = Field(None, max_length=30)
    situation_professionnelle: n.SituationProfessionnelle | None = None
    employeur: str | None = Field(None, max_length=200)
    employeur_adresse: AdresseModification | None = None
    revenus_mensuels: MontantRevenus | None = None
    piece_identite: PieceIdentiteModification | None = None
    adresse: AdresseModification | None = None
    situation_familiale: n.SituationFamiliale | None = None


class PersonneACharge(PersonneModification):
    id: int = Field(
        ..., ge=1, le=2**62, title="Identifiant", description="`id` de la copie numérique"
    )


class LogementActuelModification(Strict):
    type: n.LogementActuel | None = None
    loyer: MontantLoyer | None = None
    nombre_pieces: int | None = Field(None, ge=0, le=30)
    bailleur: str | None = Field(None, max_length=200)


class RessourcesModification(Strict):
    revenu_fiscal_reference: int | None = Field(None, ge=0, le=99_999_999)
    annee_revenus: int | None = Field(None, ge=1990, le=2100)


class SouhaitsModification(Strict):
    communes: list[str] | None = Field(
        None, max_length=50, description="Toute la liste, dans l'ordre (codes INSEE)"
    )
    typologies: list[n.Typologie] | None = None
    categorie_logement: n.CategorieLogement | None = None
    ascenseur_necessaire: bool | None = None
    rez_de_chaussee: bool | None = None
    logement_adapte_handicap: bool | None = None
    precisions_handicap: str | None = Field(None, max_length=2000)


class Ajout(Strict):
    role: str = Field(
        ..., pattern=r"^(co_demandeur|personne_a_charge)$", examples=["personne_a_charge"]
    )
    personne: dict = Field(
        ...,
        title="La personne",
        description="Comme à l'enregistrement (`co_demandeur`, `personnes_a_charge[]`)",
        examples=[
            {"prenom": "Léa", "nom": "Martin", "date_naissance": "2026-10-03", "lien": "enfant"}
        ],
    )


class DemandeModification(Strict):
    """Seuls les champs envoyés changent ; un champ inconnu est refusé."""

    version: int | None = Field(
        None,
        ge=1,
        le=2**31,
        title="Version lue",
        description="La `version` de la copie numérique lue avant de modifier : si la demande "
        "a changé depuis, rien n'est écrit (**409** `modification_concurrente`)",
        examples=[3],
    )
    demandeur: PersonneModification | None = None
    co_demandeur: PersonneModification | None = None
    personnes_a_charge: list[PersonneACharge] | None = Field(None, max_length=20)
    ajouts: list[Ajout] | None = Field(None, max_length=20, title="Personnes qui arrivent")
    retraits: list[int] | None = Field(
        None, max_length=20, title="Personnes qui partent", description="Leurs `id`"
    )
    deja_locataire_hlm: bool | None = None
    logement_actuel: LogementActuelModification | None = None
    ressources: RessourcesModification | None = None
    motifs: list[n.MotifDemande] | None = None
    motif_precision: str | None = Field(None, max_length=300)
    souhaits: SouhaitsModification | None = None
    statut_dalo: n.StatutDalo | None = None
    justification_doublon: str | None = Field(
        None,
        max_length=2000,
        description="Après un **409** `suspicion_doublon` sur un changement d'identité",
    )


class ResultatModification(Schema):
    demande: EtatDemande
    changements: list[dict] = Field(
        title="Changements enregistrés",
        description="Vide si rien n'a changé",
        examples=[[{"champ": "demandeur.telephone", "avant": "", "apres": "+33612345678"}]],
    )


DEMANDE_GROUPES = {
    "logement_actuel": {
        "type": "logement_actuel",
        "loyer": "loyer_actuel",
        "nombre_pieces": "nombre_pieces_actuel",
        "bailleur": "bailleur_actuel",
    },
    "ressources": {
        "revenu_fiscal_reference": "revenu_fiscal_reference",
        "annee_revenus": "annee_revenus",
    },
    "souhaits": {
        "typologies": "typologies",
        "categorie_logement": "categorie_logement",
        "ascenseur_necessaire": "ascenseur_necessaire",
        "rez_de_chaussee": "rez_de_chaussee",
        "logement_adapte_handicap": "logement_adapte_handicap",
        "precisions_handicap": "precisions_handicap",
    },
}
CHAMPS_TEXTE_PERSONNE = {
    "civilite",
    "nom_naissance",
    "nationalite",
    "lien",
    "email",
    "telephone",
    "nir",
    "situation_professionnelle",
    "situation_familiale",
    "employeur",
}


def _valeur(v):
    return v.value if isinstance(v, enum.Enum) else v


def _valeurs_personne(entree: PersonneModification, champ: str, departements, erreurs) -> dict:
    """The model fields of a person from what was sent (only what was sent)."""
    valeurs = {}
    envoye = entree.model_fields_set - {"id"}
    for nom in envoye - {"piece_identite", "adresse", "employeur_adresse"}:
        valeur = _valeur(getattr(entree, nom))
        if valeur is None and nom in CHAMPS_TEXTE_PERSONNE:
            valeur = ""  # null empties a text field
        if valeur is None and nom in ("nom", "prenom"):
            erreurs.append(
                {
                    "champ": f"{champ}.{nom}",
                    "code": "obligatoire",
                    "message": "Ce champ est obligatoire.",
                }
            )
            continue
        valeurs[nom] = valeur
    if "piece_identite" in envoye:
        piece = entree.piece_identite
        if piece is None:
            valeurs.update(
                piece_identite_type="", piece_identite_numero="", piece_identite_expiration=None
            )
        else:
            cles = {
                "type": "piece_identite_type",
                "numero": "piece_identite_numero",
                "date_expiration": "piece_identite_expiration",
            }
            for nom in piece.model_fields_set:
                valeurs[cles[nom]] = _valeur(getattr(piece, nom))
    if "adresse" in envoye:
        lue = adresse_resolue(entree.adresse, f"{champ}.adresse", erreurs, departements)
        valeurs.update(
            lue or {"adresse_ligne1": "", "adresse_ligne2": "", "code_postal": "", "commune": None}
        )
    if "employeur_adresse" in envoye:
        valeurs.update(
            champs_employeur(
                entree.employeur_adresse, f"{champ}.employeur_adresse", erreurs, departements
            )
        )
    return valeurs


@router.patch(
    "/demandes/{numero_unique}",
    response=ResultatModification,
    summary="Modifier une demande",
    description="Modification partielle : seuls les champs envoyés changent, les autres sont "
    "gardés (un champ inconnu est refusé). Les personnes à charge se désignent par leur `id` "
    "(copie numérique) ; `ajouts` et `retraits` changent le ménage, dont le nombre se recompte. "
    "Aucune attestation n'est envoyée. Envoyez `version` (lue dans la copie numérique) pour ne "
    "jamais écraser un changement fait entre-temps (**409** `modification_concurrente`).",
    openapi_extra={
        "responses": {
            "409": {
                "description": "Modifiée entre-temps (`modification_concurrente`) ou suspicion "
                "de doublon (`suspicion_doublon`)"
            }
        }
    },
)
def modifier(request, numero_unique: str, modification: DemandeModification):
    demande = demande_de(request, numero_unique)
    envoye = modification.model_fields_set
    erreurs: list[dict] = []
    ici = departements_souhaitables(demande.departement_id)

    demande_valeurs = {}
    for nom in ("deja_locataire_hlm", "motif_precision", "statut_dalo"):
        if nom in envoye:
            valeur = _valeur(getattr(modification, nom))
            demande_valeurs[nom] = "" if valeur is None and nom != "deja_locataire_hlm" else valeur
    if "motifs" in envoye:
        demande_valeurs["motifs"] = list(
            dict.fromkeys(_valeur(m) for m in modification.motifs or [])
        )
    communes = None
    for groupe, champs in DEMANDE_GROUPES.items():
        if groupe not in envoye or getattr(modification, groupe) is None:
            continue
        valeurs = getattr(modification, groupe)
        for nom in valeurs.model_fields_set:
            if nom == "communes":
                communes = valeurs.communes or []
                continue
            valeur = getattr(valeurs, nom)
            if isinstance(valeur, list):
                valeur = list(dict.fromkeys(_valeur(v) for v in valeur))
            else:
                valeur = _valeur(valeur)
            if valeur is None and nom in (
                "type",
                "bailleur",
                "categorie_logement",
                "precisions_handicap",
            ):
                valeur = ""
            if valeur is None and nom in (
                "ascenseur_necessaire",
                "rez_de_chaussee",
                "logement_adapte_handicap",
            ):
                valeur = False
            demande_valeurs[champs[nom]] = valeur

    personnes: dict[int, dict] = {}
    presentes = {p.role: p for p in demande.personnes.exclude(role=Personne.Role.PERSONNE_A_CHARGE)}
    for role in ("demandeur", "co_demandeur"):
        entree = getattr(modification, role)
        if entree is None:
            continue
        p = presentes.get(role)
        if p is None:
            erreurs.append(
                {
                    "champ": role,
                    "code": "co_demandeur_absent",
                    "message": "La demande n'a pas de co-demandeur : ajoutez-le avec `ajouts`.",
                }
            )
            continue
        personnes[p.pk] = _valeurs_personne(entree, role, ici, erreurs)
    for i, entree in enumerate(modification.personnes_a_charge or []):
        personnes.setdefault(entree.id, {}).update(
            _valeurs_personne(entree, f"personnes_a_charge[{i}]", ici, erreurs)
        )
    if erreurs:
        raise DonneesInvalides(erreurs[0]["message"], details={"erreurs": erreurs})

    changements = modifier_demande(
        demande,
        request.user,
        guichet_de(request),
        demande_valeurs=demande_valeurs,
        personnes=personnes,
        communes=communes,
        version=modification.version,
        ajouts=[{"role": a.role, **a.personne} for a in modification.ajouts or []],
        retraits=modification.retraits or [],
        justification_doublon=modification.justification_doublon,
    )
    demande.refresh_from_db()
    return {"demande": etat_de(demande), "changements": changements}


# ---------------------------------------------------------------------------------------------
# Duplicate search


class RechercheDoublons(Schema):
    nom: str = Field(..., min_length=1, max_length=100, examples=["Martin"])
    prenom: str = Field(..., min_length=1, max_length=100, examples=["Élodie"])
    date_naissance: DateEntree | None = Field(
        None,
        description="Au format AAAA-MM-JJ ; sans elle, seuls le NIR, la pièce d'identité, "
        "l'e-mail ou le téléphone peuvent trouver la personne",
        examples=["1987-04-12"],
    )
    nom_naissance: str = Field("", max_length=100, examples=[""])
    civilite: n.Civilite | None = Field(None, examples=["MME"])
    nir: str = Field("", max_length=30, examples=[""])
    piece_identite_numero: str = Field(
        "",
        max_length=50,
        title="Numéro de pièce d'identité",
        description="Le numéro de la carte d'identité, du passeport ou du titre de séjour",
        examples=["X4RTBPFW4"],
    )
    email: str = Field("", max_length=254, examples=[""])
    telephone: str = Field("", max_length=30, examples=["0612345678"])


class SuspicionSortie(Schema):
    numero_unique: str = Field(examples=["075112600001275BA1"])
    departement: str = Field(examples=["75"])
    date_depot: date = Field(examples=["2026-11-30"])
    guichet: str = Field(title="Guichet enregistreur", examples=["75BA1"])
    score: int = Field(
        title="Score", description="De 0 à 100 : 100 pour le même NIR", examples=[96]
    )
    raisons: list[str] = Field(
        examples=[["même date de naissance", "nom de même prononciation", "prénom identique"]]
    )


class ResultatDoublons(Schema):
    suspicions: list[SuspicionSortie]


@router.post(
    "/doublons/recherche",
    response=ResultatDoublons,
    summary="Rechercher les doublons d'une personne",
    description="Les demandes actives où cette personne est probablement demandeur ou "
    "co-demandeur (fautes de frappe, graphies, nom de naissance, date à un chiffre près, NIR, "
    "pièce d'identité…), dans "
    "toute la France et quel que soit le périmètre de consultation du guichet : seulement le "
    "numéro, le département, la date de dépôt et le guichet, jamais les données de la personne. "
    "La recherche est inscrite au journal d'audit.",
)
def doublons(request, recherche: RechercheDoublons):
    suspicions = rechercher_doublons(
        recherche.nom,
        recherche.prenom,
        recherche.date_naissance,
        nom_naissance=recherche.nom_naissance,
        civilite=recherche.civilite.value if recherche.civilite else "",
        nir=recherche.nir,
        piece_identite_numero=recherche.piece_identite_numero,
        email=recherche.email,
        telephone=recherche.telephone,  # read by the engine whatever the typing
    )
    journaliser(
        EvenementAudit.Action.CONSULTATION,
        utilisateur=request.user,
        guichet=guichet_de(request),
        resume=f"Recherche de doublons par l'API : {len(suspicions)} suspicion(s)",
    )
    return {"suspicions": [s.en_dict() for s in suspicions]}
