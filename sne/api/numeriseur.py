"""The industrial scanner (FAQ « Dossier unique - Numériseur industriel », docs/api.md
« Numériseur industriel »): `POST /api/v1/numeriseur/lots` with a ZIP body (the scanned pièces
and their `manifeste.csv`), processed pièce by pièce by the worker;
`GET /api/v1/numeriseur/lots/{id}` for the state, the counters and each line's result, by
pages.

Everything goes through `sne.pieces.numeriseur` with the token's technical account
(`request.user`) and desk (`request.auth.guichet`): each pièce is added by
`sne.pieces.services.deposer_piece` with the same rights as a pièce added at the desk. The body
is streamed to a file (never `request.body`) under `SNE_API_TAILLE_MAX_NUMERISEUR`;
sne/api/middleware.py refuses first a larger `Content-Length` (413), another content type (415)
and a body sent by chunks (411)."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.conf import settings
from django.http import HttpResponse
from ninja import Field, Path, Query, Router, Schema, Status

from sne.pieces import numeriseur
from sne.pieces.models import LigneNumeriseur, LotNumeriseur

router = Router(tags=["Numériseur industriel"])

LIMITE_MAX = 1000
ID_LOT = Path(
    ...,
    title="Identifiant du lot",
    description="L'`id` rendu à l'envoi du lot (en-tête `Location`)",
    examples=["3f1c2a4e-9b7d-4c1e-8f2a-5d6e7f8a9b0c"],
)


class EtatLotNumeriseur(Schema):
    id: UUID = Field(title="Identifiant du lot", description="À reprendre dans les adresses")
    etat: str = Field(
        title="État",
        description="recu, en_cours, termine, ou echoue (le serveur n'a pas pu relire le ZIP : "
        "renvoyer)",
        examples=["en_cours"],
    )
    total: int = Field(title="Pièces", description="Lignes du manifeste", examples=[120])
    attachees: int = Field(
        title="Pièces attachées", description="Ajoutées au dossier de leur demande"
    )
    rejetees: int = Field(title="Pièces rejetées", description="Chacune avec sa raison")
    recu_le: datetime = Field(title="Reçu le", description="Date et heure de réception")
    termine_le: datetime | None = Field(
        None, title="Terminé le", description="Absent tant que le lot est traité"
    )
    message: str = Field("", title="Message", description="Pour un lot échoué : pourquoi")


class LigneResultat(Schema):
    ligne: int = Field(title="Ligne", description="Dans le manifeste ; l'en-tête est la ligne 1")
    numero_unique: str = Field(title="Numéro unique", description="Tel que saisi")
    type: str = Field(title="Type de pièce", description="Tel que saisi", examples=["identite"])
    personne: str = Field(title="Personne", description="Telle que saisie (vide : le ménage)")
    fichier: str = Field(title="Fichier", description="Le nom du fichier dans le ZIP")
    resultat: str = Field(
        title="Résultat", description="en_attente, attachee ou rejetee", examples=["attachee"]
    )
    piece: UUID | None = Field(None, title="Pièce", description="Pour une pièce attachée")
    code: str = Field("", title="Raison (code)", description="Pour une pièce rejetée, stable")
    message: str = Field("", title="Raison", description="Pour une pièce rejetée, en français")


class PageLotNumeriseur(EtatLotNumeriseur):
    lignes: list[LigneResultat] = Field(
        title="Lignes", description="Par ordre de ligne, après `apres_ligne`"
    )
    suite: int | None = Field(
        None,
        title="Page suivante",
        description="À passer en `apres_ligne` pour la suite ; absent quand il n'y en a pas",
    )


class FiltresLignes(Schema):
    apres_ligne: int = Field(
        0, ge=0, le=2**31 - 1, title="Après la ligne", description="0 : depuis le début"
    )
    limite: int = Field(
        100,
        ge=1,
        le=LIMITE_MAX,
        title="Nombre maximal de lignes",
        description=f"De 1 à {LIMITE_MAX} ; 100 par défaut",
    )
    resultat: Literal["en_attente", "attachee", "rejetee"] | None = Field(
        None, title="Résultat", description="Seulement les lignes de ce résultat"
    )


def _etat(lot: LotNumeriseur) -> dict:
    return {
        "id": lot.pk,
        "etat": lot.etat,
        "total": lot.total,
        "attachees": lot.attachees,
        "rejetees": lot.rejetees,
        "recu_le": lot.recu_le,
        "termine_le": lot.termine_le,
        "message": lot.message,
    }


def _ligne(ligne: LigneNumeriseur) -> dict:
    return {
        "ligne": ligne.ligne,
        "numero_unique": ligne.numero_unique,
        "type": ligne.type,
        "personne": ligne.personne,
        "fichier": ligne.nom_fichier,
        "resultat": ligne.resultat,
        "piece": ligne.piece_uid,
        "code": ligne.code,
        "message": ligne.message,
    }


CORPS = {
    "required": True,
    "description": "Une archive ZIP : les pièces numérisées (PDF, JPEG ou PNG) et, à la racine, "
    "`manifeste.csv` (UTF-8, séparateur `;`, en-tête `numero_unique;type;fichier` et "
    "éventuellement `personne`), une ligne par pièce.",
    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
}


@router.post(
    "/numeriseur/lots",
    response={202: EtatLotNumeriseur},
    summary="Envoyer un lot du numériseur industriel",
    description="Le ZIP est gardé puis chaque pièce est vérifiée seule par le serveur : les "
    "bonnes sont attachées au dossier de leur demande, chaque pièce défectueuse est rejetée avec "
    "sa raison, sans rejeter le lot, et le guichet de la demande en est prévenu par e-mail. "
    "Suivez le lot avec l'adresse de l'en-tête `Location`.",
    openapi_extra={
        "requestBody": CORPS,
        "responses": {
            "202": {"description": "Lot reçu : il sera traité"},
            "411": {"description": "Lot envoyé par morceaux, sans Content-Length"},
            "413": {"description": "Lot trop volumineux (`corps_trop_volumineux`)"},
            "415": {"description": "Pas un ZIP (`type_de_contenu_non_accepte`)"},
            "422": {
                "description": "Lot refusé entier : ZIP illisible (`zip_illisible`), manifeste "
                "absent ou illisible (`manifeste_absent`, `manifeste_invalide`…), trop de pièces "
                "(`trop_de_pieces`) ou de fichiers dans le ZIP (`trop_de_fichiers`)"
            },
        },
    },
)
def envoyer_lot_numeriseur(request, response: HttpResponse):
    lot = numeriseur.recevoir_lot_numeriseur(
        request.auth.guichet,
        request.user,
        request,
        taille_max=settings.SNE_API_TAILLE_MAX_NUMERISEUR,
    )
    response["Location"] = f"/api/v1/numeriseur/lots/{lot.pk}"
    return Status(202, _etat(lot))


@router.get(
    "/numeriseur/lots/{lot_id}",
    response=PageLotNumeriseur,
    summary="L'avancement et le résultat de chaque pièce d'un lot du numériseur",
    description="`attachees` + `rejetees` sur `total` dit l'avancement ; les lignes viennent "
    "par pages (`apres_ligne`, `limite`), dans l'ordre du manifeste. Relisez avec "
    "`apres_ligne` = `suite` tant que `suite` est donné.",
    openapi_extra={"responses": {"404": {"description": "Lot inconnu ou d'un autre guichet"}}},
)
def lire_lot_numeriseur(request, filtres: Query[FiltresLignes], lot_id: UUID = ID_LOT):
    lot = numeriseur.trouver_lot_numeriseur(lot_id, request.auth.guichet)
    lignes, suite = numeriseur.lignes_du_lot(
        lot, apres_ligne=filtres.apres_ligne, limite=filtres.limite, resultat=filtres.resultat or ""
    )
    return {**_etat(lot), "lignes": [_ligne(ligne) for ligne in lignes], "suite": suite}
