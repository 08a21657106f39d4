"""Batch lots (API-CONTRACT « Batch lots », docs/adr/0016-lots.md): `POST /api/v1/lots` with a
JSON Lines body (one demande per line, as the body of `POST /api/v1/demandes`), processed by
the worker; `GET /api/v1/lots/{id}` for the progress and the per-line results, by pages;
`GET /api/v1/lots/{id}/attestations.pdf` for the attestations.

Everything goes through `sne.lots.services` with the token's technical account
(`request.user`): a lot of another desk is not found (404). The body is streamed to a file
(`recevoir_lot` reads `request` by blocks, never `request.body`) under its own size limit
`SNE_API_TAILLE_MAX_LOT` (sne/api/middleware.py refuses a larger `Content-Length` first)."""

from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.http import HttpResponse
from ninja import Field, Path, Query, Router, Schema, Status

from sne.lots import services
from sne.lots.models import LigneLot, Lot

router = Router(tags=["Lots"])

LIMITE_MAX_RESULTATS = services.LIMITE_RESULTATS
ID_LOT = Path(
    ...,
    title="Identifiant du lot",
    description="L'`id` rendu à l'envoi du lot (en-tête `Location`)",
    examples=["3f1c2a4e-9b7d-4c1e-8f2a-5d6e7f8a9b0c"],
)


class ErreurLigne(Schema):
    champ: str = Field(
        title="Champ", description="Chemin du champ refusé ; vide pour la ligne entière"
    )
    code: str = Field(title="Code", description="Raison du refus, stable", examples=["missing"])
    message: str = Field(title="Message", description="Explication en français")


class Doublon(Schema):
    numero_unique: str = Field(
        title="Numéro unique",
        description="De la demande active en cause",
        examples=["093112600000493CO1"],
    )
    departement: str = Field(title="Département", description="Le sien", examples=["93"])
    date_depot: str = Field(
        title="Date de dépôt", description="AAAA-MM-JJ", examples=["2026-03-02"]
    )
    guichet: str = Field(
        title="Guichet enregistreur", description="Qui l'a enregistrée", examples=["93CO1"]
    )
    score: int = Field(title="Score", description="Ressemblance, sur 100", examples=[100])
    raisons: list[str] = Field(
        title="Raisons",
        description="Ce qui est semblable",
        examples=[["mêmes nom, prénom et date de naissance"]],
    )


class ResultatLigne(Schema):
    ligne: int = Field(title="Ligne", description="Numéro de la ligne dans le fichier, dès 1")
    reference_externe: str = Field(
        title="Référence externe", description="Celle de la ligne", examples=["DOSSIER-4711"]
    )
    statut: str = Field(
        title="Statut",
        description="enregistree, rejetee ou suspicion_doublon",
        examples=["enregistree"],
    )
    numero_unique: str | None = Field(
        None, title="Numéro unique", description="Pour une ligne enregistrée"
    )
    erreurs: list[ErreurLigne] = Field(
        title="Erreurs", description="Pour une ligne rejetée ou suspecte : pourquoi"
    )
    doublons: list[Doublon] = Field(
        title="Demandes en cause",
        description="Pour une suspicion de doublon ; jamais les données des personnes",
    )


class EtatLot(Schema):
    id: UUID = Field(title="Identifiant du lot", description="À reprendre dans les adresses")
    statut: str = Field(
        title="Statut",
        description="en_attente, en_cours, termine, ou echec (fichier illisible : renvoyer)",
        examples=["en_cours"],
    )
    total: int = Field(title="Lignes", description="Lignes non vides du fichier", examples=[10000])
    traites: int = Field(
        title="Lignes traitées", description="Celles qui ont leur résultat", examples=[4200]
    )
    recu_le: datetime = Field(title="Reçu le", description="Date et heure de réception")
    termine_le: datetime | None = Field(
        None, title="Terminé le", description="Absent tant que le lot est traité"
    )
    message: str = Field("", title="Message", description="Pour un lot en échec : pourquoi")


class PageLot(EtatLot):
    comptes: dict[str, int] = Field(
        title="Lignes par statut",
        description="Nombre de lignes traitées de chaque statut",
        examples=[{"enregistree": 4100, "rejetee": 80, "suspicion_doublon": 20}],
    )
    resultats: list[ResultatLigne] = Field(
        title="Résultats", description="Par ordre de ligne, après `apres_ligne`"
    )
    suite: int | None = Field(
        None,
        title="Page suivante",
        description="À passer en `apres_ligne` pour la suite ; absent quand il n'y en a pas "
        "(encore)",
    )


class ListeLots(Schema):
    lots: list[EtatLot] = Field(title="Lots", description="Du plus récent au plus ancien")


class FiltresResultats(Schema):
    apres_ligne: int = Field(
        0, ge=0, le=2**31 - 1, title="Après la ligne", description="0 : depuis le début"
    )
    limite: int = Field(
        100,
        ge=1,
        le=LIMITE_MAX_RESULTATS,
        title="Nombre maximal de résultats",
        description=f"De 1 à {LIMITE_MAX_RESULTATS} ; 100 par défaut",
    )
    statut: LigneLot.Statut | None = Field(
        None, title="Statut", description="Seulement les lignes de ce statut"
    )


class FiltresLots(Schema):
    limite: int = Field(
        50, ge=1, le=200, title="Nombre maximal de lots", description="De 1 à 200 ; 50 par défaut"
    )


class FiltresAttestations(Schema):
    apres_ligne: int = Field(
        0,
        ge=0,
        le=2**31 - 1,
        title="Après la ligne",
        description=f"Un PDF porte au plus {services.ATTESTATIONS_PAR_PDF} attestations : "
        "l'en-tête `Link` (rel=next) donne l'adresse de la partie suivante",
    )


def _etat(lot: Lot) -> dict:
    return {
        "id": lot.pk,
        "statut": lot.statut,
        "total": lot.total,
        "traites": lot.traites,
        "recu_le": lot.recu_le,
        "termine_le": lot.termine_le,
        "message": lot.message,
    }


def _resultat(ligne: LigneLot) -> dict:
    return {
        "ligne": ligne.ligne,
        "reference_externe": ligne.reference_externe,
        "statut": ligne.statut,
        "numero_unique": ligne.numero_unique or None,
        "erreurs": ligne.erreurs,
        "doublons": ligne.doublons,
    }


CORPS_LOT = {
    "required": True,
    "description": "Une demande par ligne (le corps de `POST /api/v1/demandes`), chacune avec "
    "sa `reference_externe` ; encodé en UTF-8.",
    "content": {
        type_: {
            "schema": {"type": "string", "format": "binary"},
            "example": '{"reference_externe": "DOSSIER-1", "departement": "75", …}\n'
            '{"reference_externe": "DOSSIER-2", "departement": "75", …}\n',
        }
        for type_ in services.TYPES_DE_CONTENU
    },
}


@router.post(
    "/lots",
    response={200: EtatLot, 202: EtatLot},
    summary="Envoyer un lot de demandes",
    description="Le corps (JSON Lines) est gardé puis traité ligne à ligne par le serveur ; "
    "suivez-le avec l'adresse de l'en-tête `Location`. Le même contenu renvoyé par le même "
    "guichet rend le premier lot (200) : rien n'est enregistré deux fois.",
    openapi_extra={
        "requestBody": CORPS_LOT,
        "responses": {
            "202": {"description": "Lot reçu : il sera traité"},
            "200": {"description": "Ce lot a déjà été reçu : le voici"},
            "411": {"description": "Lot envoyé par morceaux, sans Content-Length"},
            "413": {"description": "Lot trop volumineux (`corps_trop_volumineux`)"},
            "415": {"description": "Type de contenu non pris en charge"},
            "422": {"description": "Lot vide (`lot_vide`)"},
        },
    },
)
def envoyer_lot(request, response: HttpResponse):
    # The content type (415) and an announced size (413) are checked by sne/api/middleware.py
    # before anything reads the body.
    lot, nouveau = services.recevoir_lot(
        request.auth.guichet,
        request.user,
        request,
        taille_max=settings.SNE_API_TAILLE_MAX_LOT,
        jeton=request.auth,
    )
    response["Location"] = f"/api/v1/lots/{lot.pk}"
    return Status(202 if nouveau else 200, _etat(lot))


@router.get(
    "/lots",
    response=ListeLots,
    summary="Les lots du guichet",
    description="Les lots envoyés par le guichet du jeton, du plus récent au plus ancien.",
)
def lister_lots(request, filtres: Query[FiltresLots]):
    lots = services.lots_visibles_par(request.user).filter(guichet=request.auth.guichet)
    return {"lots": [_etat(lot) for lot in lots[: filtres.limite]]}


@router.get(
    "/lots/{lot_id}",
    response=PageLot,
    summary="L'avancement et les résultats d'un lot",
    description="`traites` sur `total` dit l'avancement ; les résultats viennent par pages "
    "(`apres_ligne`, `limite`), dans l'ordre des lignes : un lot de 50 000 lignes ne tient pas "
    "dans une réponse. Relisez avec `apres_ligne` = `suite` tant que `suite` est donné.",
    openapi_extra={"responses": {"404": {"description": "Lot inconnu ou d'un autre guichet"}}},
)
def lire_lot(request, filtres: Query[FiltresResultats], lot_id: UUID = ID_LOT):
    lot = services.trouver_lot(lot_id, request.user)
    lignes, suite = services.resultats(
        lot, apres_ligne=filtres.apres_ligne, limite=filtres.limite, statut=filtres.statut or ""
    )
    return {
        **_etat(lot),
        "comptes": services.compter_par_statut(lot),
        "resultats": [_resultat(ligne) for ligne in lignes],
        "suite": suite,
    }


@router.get(
    "/lots/{lot_id}/attestations.pdf",
    summary="Les attestations d'un lot, en un PDF",
    description="Les attestations d'enregistrement des demandes enregistrées par le lot, dans "
    f"l'ordre des lignes, au plus {services.ATTESTATIONS_PAR_PDF} par PDF (en-tête `Link` "
    "rel=next pour la suite). 409 `lot_en_cours` tant que le lot n'est pas terminé, "
    "`attestations_en_preparation` tant que le serveur les produit.",
    openapi_extra={
        "responses": {
            "200": {
                "description": "Le PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            },
            "404": {"description": "Lot inconnu, d'un autre guichet, ou sans demande enregistrée"},
            "409": {"description": "Lot en cours ou attestations en préparation"},
        }
    },
)
def attestations_du_lot(request, filtres: Query[FiltresAttestations], lot_id: UUID = ID_LOT):
    lot = services.trouver_lot(lot_id, request.user)
    contenu, suite = services.attestations_du_lot(
        lot, request.user, apres_ligne=filtres.apres_ligne
    )
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="attestations-lot-{lot.pk}.pdf"'
    if suite is not None:
        suivante = f"/api/v1/lots/{lot.pk}/attestations.pdf?apres_ligne={suite}"
        reponse["Link"] = f'<{suivante}>; rel="next"'
    return reponse
