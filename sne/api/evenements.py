"""`GET /api/v1/evenements?apres=`: the change feed of the demandes the token's desk may see
(API-CONTRACT « Change feed », docs/adr/0013-flux-des-evenements.md).

Reads through `sne.demandes.services.evenements_pour` with the rights of the token's
technical account (`droits_de(request.user)`): the same scope as the pages. An event holds no
personal data (numéro, version, names of changed fields), so the feed writes no audit entry
per event; reading a demande afterwards does."""

from datetime import datetime

from ninja import Field, Query, Router, Schema

from sne.comptes.droits import droits_de
from sne.demandes.services.evenements import (
    CURSEUR_MAX,
    LIMITE_MAX,
    evenement_en_dict,
    evenements_pour,
)

router = Router(tags=["Flux des événements"])


class Evenement(Schema):
    curseur: int = Field(title="Curseur", description="Position de l'événement", examples=[48211])
    type: str = Field(
        title="Type",
        description="creation, creation_suite_separation, modification, renouvellement, "
        "radiation, reactivation, duplication_separation, piece_ajoutee ; d'autres peuvent "
        "s'ajouter",
        examples=["renouvellement"],
    )
    code_fichier: str | None = Field(
        title="Type de fichier national", description="CRE, CRS, MOD, REN, RAD", examples=["REN"]
    )
    date: datetime = Field(
        title="Date et heure", description="Du changement", examples=["2026-11-30T09:12:44+00:00"]
    )
    numero_unique: str = Field(
        title="Numéro unique", description="De la demande changée", examples=["075112600001275BA1"]
    )
    version: int = Field(
        title="Version", description="De la demande après ce changement", examples=[3]
    )
    statut: str = Field(
        title="Statut", description="active ou radiee, après ce changement", examples=["active"]
    )
    champs: list[str] = Field(
        title="Champs changés",
        description="Leurs noms, jamais leurs valeurs",
        examples=[["date_expiration"]],
    )
    departement: str = Field(
        title="Département", description="Celui de la demande", examples=["75"]
    )
    guichet: str | None = Field(
        title="Guichet", description="Qui a agi ; vide pour une tâche", examples=["75BA1"]
    )


class PageEvenements(Schema):
    evenements: list[Evenement] = Field(
        title="Événements", description="Du plus ancien au plus récent"
    )
    curseur: int = Field(
        title="Curseur suivant",
        description="À renvoyer dans `apres` ; il peut avancer sans événement",
        examples=[48211],
    )


class FiltresEvenements(Schema):
    apres: int | None = Field(
        None,
        ge=0,
        le=CURSEUR_MAX,
        title="Après le curseur",
        description="Le curseur rendu par l'appel précédent ; absent : depuis le plus ancien",
        examples=[48200],
    )
    limite: int = Field(
        100,
        ge=1,
        le=LIMITE_MAX,
        title="Nombre maximal d'événements",
        description=f"De 1 à {LIMITE_MAX} ; 100 par défaut",
        examples=[500],
    )


@router.get(
    "/evenements",
    response=PageEvenements,
    summary="Le flux des événements",
    description="Les changements des demandes que le guichet peut voir, du plus ancien au "
    "plus récent, après le curseur `apres` ; aucun n'est sauté ni répété. Gardez le curseur "
    "rendu et renvoyez-le à l'appel suivant.",
)
def evenements(request, filtres: Query[FiltresEvenements]):
    page, curseur = evenements_pour(droits_de(request.user), filtres.apres, filtres.limite)
    return {"evenements": [evenement_en_dict(e) for e in page], "curseur": curseur}
