"""What the demandes endpoints share: finding the demande of a path's numéro with the token's
rights, and the short state of a demande that every action answers (`EtatDemande`)."""

from datetime import date

from ninja import Field, Schema

from sne.demandes.models import Demande
from sne.demandes.services import trouver_demande


class EtatDemande(Schema):
    """L'état d'une demande après une action : ce qu'un système connecté garde de son côté."""

    numero_unique: str = Field(
        title="Numéro unique",
        description="Donné à l'enregistrement",
        examples=["075112600001275BA1"],
    )
    reference_externe: str = Field(
        title="Référence externe",
        description="L'identifiant de la demande dans le système du guichet qui l'a enregistrée "
        "(vide pour une autre)",
        examples=["OPH-2026-000123"],
    )
    statut: str = Field(title="Statut", description="active ou radiee", examples=["active"])
    version: int = Field(
        title="Version",
        description="Augmente à chaque changement ; à renvoyer dans `version` d'un PATCH",
        examples=[1],
    )
    departement: str = Field(
        title="Département", description="Celui où la demande est enregistrée", examples=["75"]
    )
    guichet_enregistreur: str = Field(
        title="Guichet enregistreur",
        description="Le code du guichet qui l'a enregistrée",
        examples=["75BA1"],
    )
    date_depot: date = Field(
        title="Date de dépôt", description="L'ancienneté compte de ce jour", examples=["2026-11-30"]
    )
    date_expiration: date = Field(
        title="Date d'expiration",
        description="Sans renouvellement, la demande est radiée un mois après",
        examples=["2027-11-30"],
    )
    date_dernier_renouvellement: date | None = Field(
        None,
        title="Dernier renouvellement",
        description="Vide si elle n'a jamais été renouvelée",
        examples=[None],
    )
    date_radiation: date | None = Field(
        None, title="Radiée le", description="Vide pour une demande active", examples=[None]
    )
    motif_radiation: str = Field(
        "", title="Motif de radiation", description="Vide pour une demande active", examples=[""]
    )
    sous_motif_radiation: str = Field(
        "",
        title="Sous-motif",
        description="Celui d'une irrecevabilité ; vide sinon",
        examples=[""],
    )
    attestation_url: str = Field(
        title="Attestation",
        description="L'adresse de la dernière attestation (PDF)",
        examples=["/api/v1/demandes/075112600001275BA1/attestation.pdf"],
    )


def etat_de(demande: Demande) -> dict:
    return {
        "numero_unique": demande.numero_unique,
        "reference_externe": demande.reference_externe,
        "statut": demande.statut,
        "version": demande.version,
        "departement": demande.departement_id,
        "guichet_enregistreur": demande.guichet_enregistreur.code,
        "date_depot": demande.date_depot,
        "date_expiration": demande.date_expiration,
        "date_dernier_renouvellement": demande.date_dernier_renouvellement,
        "date_radiation": demande.date_radiation,
        "motif_radiation": demande.motif_radiation,
        "sous_motif_radiation": demande.sous_motif_radiation,
        "attestation_url": f"/api/v1/demandes/{demande.numero_unique}/attestation.pdf",
    }


def demande_de(request, numero_unique: str) -> Demande:
    """The demande of that numéro if the token's desk may see it (its consultation scope,
    `visibles_par`), else 404 `demande_introuvable` (or 422 for a malformed numéro, with the
    visible numéros one typing error away in `suggestions`)."""
    return trouver_demande(numero_unique, request.user)


def guichet_de(request):
    """The token's desk: the one that acts (history, audit, attestation's contact)."""
    return request.auth.guichet
