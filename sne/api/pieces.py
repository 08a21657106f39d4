"""The pièces justificatives of the dossier unique through the API (issue 14, docs/api.md
« Pièces justificatives »): list a demande's pièces, add one, read a file.

Each endpoint calls the service the desks' pages call (`sne.pieces.services`) with the token's
technical account (`request.user`) and its desk (`request.auth.guichet`): the content checks,
the antivirus, the rights, the history, the audit and the change feed are theirs. Adding a
pièce is the API's only body that is not JSON: `multipart/form-data`, the file in `fichier`
(its size bound and its content type checked before it is read: `middleware.py`).
"""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from django.http import HttpResponse
from ninja import Field, File, Form, Path, Router, Schema, Status, UploadedFile

from sne.audit.models import EvenementAudit
from sne.audit.services import adresse_ip, journaliser
from sne.demandes.models import Personne
from sne.exceptions import ErreurMetier
from sne.pieces import services
from sne.pieces.models import Piece
from sne.pieces.nomenclatures import OriginePiece, TypePiece

from .commun import demande_de, guichet_de

router = Router(tags=["Pièces justificatives"])

NUMERO = "Le numéro unique de la demande (18 caractères, espaces et minuscules tolérés)"
EXEMPLE_NUMERO = "075112600001275BA1"
EXEMPLE_UID = "5f0c6a2e-8d1b-4c3a-9e7f-2b4d6a8c0e1f"


def _libelles(choix) -> str:
    return ", ".join(f"`{valeur}` ({libelle})" for valeur, libelle in choix)


class PersonneConcernee(Schema):
    """La personne du ménage que la pièce concerne, sans son nom."""

    id: int = Field(
        title="Identifiant",
        description="L'`id` de la personne dans la copie numérique",
        examples=[4211],
    )
    role: str = Field(
        title="Rôle",
        description="demandeur, co_demandeur ou personne_a_charge",
        examples=["demandeur"],
    )
    rang: int = Field(
        title="Rang",
        description="Sa place parmi les personnes de même rôle (1 pour le demandeur ; 2 pour la "
        "deuxième personne à charge)",
        examples=[1],
    )


class PieceSortie(Schema):
    """Une pièce du dossier unique : ce qu'elle est, jamais son contenu."""

    uid: UUID = Field(
        title="Identifiant",
        description="Son adresse : `/api/v1/pieces/{uid}/fichier`",
        examples=[EXEMPLE_UID],
    )
    type: str = Field(
        title="Type", description="L'un de : " + _libelles(TypePiece.choices), examples=["identite"]
    )
    libelle: str = Field(
        title="Libellé du type",
        description="Le type en clair, comme l'arrêté du 22 décembre 2020 le nomme",
        examples=["Pièce d'identité (carte nationale d'identité, passeport)"],
    )
    personne: PersonneConcernee | None = Field(
        None, title="Personne concernée", description="Vide : la pièce concerne tout le ménage"
    )
    statut: str = Field(
        title="Statut",
        description="en_attente_analyse (l'antivirus ne l'a pas encore lue : pas encore "
        "lisible), recue, validee, refusee, remplacee",
        examples=["recue"],
    )
    motif_refus: str = Field(
        "",
        title="Motif du refus",
        description="Pour une pièce refusée : son motif (`virus` si l'antivirus l'a effacée)",
        examples=[""],
    )
    precision_refus: str = Field(
        "",
        title="Précision du refus",
        description="Ce que le guichet a écrit pour expliquer le refus",
        examples=[""],
    )
    origine: str = Field(
        title="Origine",
        description="L'un de : " + _libelles(OriginePiece.choices),
        examples=["api"],
    )
    guichet: str = Field(
        title="Guichet", description="Le code du guichet qui l'a ajoutée", examples=["75BA1"]
    )
    ajoutee_le: datetime = Field(
        title="Ajoutée le",
        description="Date et heure de l'ajout",
        examples=["2026-11-30T09:12:44+01:00"],
    )
    type_contenu: str = Field(
        title="Type de contenu",
        description="application/pdf, image/jpeg ou image/png, lu dans le contenu",
        examples=["application/pdf"],
    )
    taille: int = Field(title="Taille", description="Du fichier gardé, en octets", examples=[48213])
    pages: int = Field(title="Nombre de pages", description="1 pour une image", examples=[2])
    empreinte: str = Field(
        title="Empreinte SHA-256",
        description="Du fichier gardé (une image est normalisée : ce n'est pas toujours celle "
        "du fichier envoyé)",
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    )
    lisible: bool = Field(
        title="Lisible",
        description="Le fichier peut être lu à `fichier_url` (analysé, pas effacé)",
        examples=[True],
    )
    fichier_url: str = Field(
        title="Fichier",
        description="L'adresse du fichier (jeton exigé, lecture journalisée)",
        examples=[f"/api/v1/pieces/{EXEMPLE_UID}/fichier"],
    )
    remplacee_par: UUID | None = Field(
        None,
        title="Remplacée par",
        description="Pour une pièce remplacée : l'`uid` de celle qui la remplace",
        examples=[None],
    )


class PieceCopie(PieceSortie):
    """Une pièce dans la copie numérique de la demande : ce qu'elle est et ce qui lui est
    arrivé (nom du fichier envoyé, analyse, décision, effacement), jamais son contenu."""

    nom_fichier: str = Field(
        "",
        title="Nom du fichier envoyé",
        description="Tel que l'expéditeur l'a nommé (sans son dossier)",
        examples=["carte-identite.pdf"],
    )
    analysee_le: datetime | None = Field(
        None,
        title="Analysée le",
        description="Quand l'antivirus l'a lue ; vide : en attente d'analyse",
        examples=["2026-11-30T09:12:45+01:00"],
    )
    decidee_le: datetime | None = Field(
        None,
        title="Validée ou refusée le",
        description="Quand un guichet l'a validée ou refusée ; vide : pas encore examinée",
        examples=[None],
    )
    effacee_le: datetime | None = Field(
        None,
        title="Fichier effacé le",
        description="Pour une pièce dont le fichier a été effacé (virus)",
        examples=[None],
    )


class ListePieces(Schema):
    numero_unique: str = Field(
        title="Numéro unique", description="Celui de la demande", examples=[EXEMPLE_NUMERO]
    )
    pieces: list[PieceSortie] = Field(
        title="Pièces", description="De la plus récente à la plus ancienne"
    )


def _rangs(demande) -> dict[int, tuple[str, int]]:
    rangs: dict[int, tuple[str, int]] = {}
    compte: dict[str, int] = {}
    for pk, role in demande.personnes.order_by("ordre", "pk").values_list("pk", "role"):
        compte[role] = compte.get(role, 0) + 1
        rangs[pk] = (role, compte[role])
    return rangs


def piece_en_dict(piece: Piece, rangs: dict[int, tuple[str, int]]) -> dict:
    personne = None
    if piece.personne_id in rangs:
        role, rang = rangs[piece.personne_id]
        personne = {"id": piece.personne_id, "role": role, "rang": rang}
    return {
        "uid": piece.uid,
        "type": piece.type,
        "libelle": piece.get_type_display(),
        "personne": personne,
        "statut": piece.statut,
        "motif_refus": piece.motif_refus,
        "precision_refus": piece.precision_refus,
        "origine": piece.origine,
        "guichet": piece.guichet.code,
        "ajoutee_le": piece.ajoutee_le,
        "type_contenu": piece.type_contenu,
        "taille": piece.taille,
        "pages": piece.pages,
        "empreinte": piece.empreinte,
        "lisible": piece.lisible,
        "fichier_url": f"/api/v1/pieces/{piece.uid}/fichier",
        "remplacee_par": piece.remplacee_par.uid if piece.remplacee_par_id else None,
    }


def pieces_de_la_copie(demande) -> list[dict]:
    """The pièces of the copie numérique (`GET /demandes/{numero}`), newest first, replaced
    and refused ones included: what each is and what happened to it, never its content. The
    caller checked the right to consult the demande and audited the reading."""
    rangs = _rangs(demande)
    pieces = Piece.objects.filter(demande=demande).select_related("guichet", "remplacee_par")
    return [
        {
            **piece_en_dict(p, rangs),
            "nom_fichier": p.nom_fichier,
            "analysee_le": p.analysee_le,
            "decidee_le": p.decidee_le,
            "effacee_le": p.effacee_le,
        }
        for p in pieces.order_by("-ajoutee_le", "-pk")
    ]


REPONSE_404 = {
    "description": "Aucune demande de ce numéro dans le périmètre de consultation du guichet "
    "(`demande_introuvable`, numéros proches dans `suggestions`)"
}


@router.get(
    "/demandes/{numero_unique}/pieces",
    response=ListePieces,
    url_name="pieces",
    summary="Les pièces d'une demande",
    description="Les pièces du dossier unique de la demande, toutes origines confondues "
    "(guichets, numériseur, portail, API), de la plus récente à la plus ancienne, remplacées "
    "et refusées comprises : leur type, la personne concernée (sans son nom), leur statut et "
    "leur empreinte, jamais leur contenu (`fichier_url`). Si le guichet du jeton peut "
    "consulter la demande (sinon **404**, comme sur les pages) ; chaque lecture est inscrite "
    "au journal d'audit.",
    openapi_extra={"responses": {"404": REPONSE_404}},
)
def lister(
    request,
    numero_unique: str = Path(..., description=NUMERO, examples=[EXEMPLE_NUMERO]),
):
    demande = demande_de(request, numero_unique)
    pieces = list(services.pieces_visibles(demande, par=request.user))
    journaliser(
        EvenementAudit.Action.CONSULTATION,
        utilisateur=request.user,
        guichet=guichet_de(request),
        objet=demande,
        resume=f"Consultation des pièces de la demande {demande.numero_unique} par l'API",
        details={"pieces": len(pieces)},
        adresse_ip=adresse_ip(request),
    )
    rangs = _rangs(demande)
    return {
        "numero_unique": demande.numero_unique,
        "pieces": [piece_en_dict(p, rangs) for p in pieces],
    }


CHAMPS_DU_FORMULAIRE = {"type", "personne"}


def _refuser_les_champs_inconnus(request) -> None:
    """A field the form does not know is refused, never silently ignored: the sending system
    would believe it said something (a misspelt `personne`, a second file)."""
    inconnus = sorted(
        {*request.POST.keys()} - CHAMPS_DU_FORMULAIRE | {*request.FILES.keys()} - {"fichier"}
    )
    if inconnus or len(request.FILES.getlist("fichier")) > 1:
        erreurs = [
            {"champ": nom[:100], "code": "champ_inconnu", "message": "Ce champ est inconnu."}
            for nom in inconnus
        ] or [
            {"champ": "fichier", "code": "un_seul_fichier", "message": "Un seul fichier par appel."}
        ]
        raise ErreurMetier(
            "Le formulaire ne contient que fichier, type et personne.",
            code="donnees_invalides",
            details={"erreurs": erreurs},
        )


CHAMP_TYPE = Form(
    ...,
    title="Type de pièce",
    description="L'un de : " + _libelles(TypePiece.choices),
    examples=["identite"],
)
CHAMP_PERSONNE = Form(
    None,
    ge=1,
    le=2**62,
    title="Personne concernée",
    description="L'`id` de la personne dans la copie numérique ; absent : tout le ménage",
    examples=[4211],
)


@router.post(
    "/demandes/{numero_unique}/pieces",
    response={201: PieceSortie},
    summary="Ajouter une pièce à une demande",
    description="Envoie un fichier au dossier unique de la demande, en "
    "**`multipart/form-data`** (le seul appel dont le corps n'est pas du JSON) : le fichier "
    "dans `fichier`, son `type`, et `personne` (l'`id` de la copie numérique) s'il concerne "
    "une personne du ménage. Le fichier est vérifié par son contenu (PDF, JPEG ou PNG, "
    "10 Mo au plus, un PDF sans JavaScript ni fichier joint), analysé par l'antivirus, puis "
    "gardé sous un nom aléatoire ; une image est normalisée (redressée, réduite, sans ses "
    "métadonnées). **201** : la pièce, en-tête `Location` : la liste des pièces. Si "
    "l'antivirus ne répond pas, la pièce est gardée `en_attente_analyse` et analysée plus "
    "tard. L'événement `piece_ajoutee` part sur le flux.",
    openapi_extra={
        # Exactly the three fields: another one is refused (`champ_inconnu`), as a PATCH does.
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "additionalProperties": False,
                        # An empty part is not a file (Django drops it; `fichier_vide` else).
                        "properties": {
                            "fichier": {
                                "minLength": 1,
                                "description": "Le fichier : PDF, JPEG ou PNG, 10 Mo au plus",
                            }
                        },
                    }
                }
            }
        },
        "responses": {
            "403": {
                "description": "Le guichet peut lire la demande mais n'est pas habilité sur son "
                "département (`departement_non_habilite`)"
            },
            "404": REPONSE_404,
            "409": {
                "description": "Ce fichier est déjà au dossier (`piece_deja_deposee`, son `uid` "
                "dans `piece`)"
            },
            "413": {
                "description": "Corps de la requête trop volumineux (`corps_trop_volumineux`) : "
                "10 Mo par fichier"
            },
            "415": {
                "description": "Corps qui n'est pas `multipart/form-data` "
                "(`type_de_contenu_non_accepte`)"
            },
            "422": {
                "description": "Fichier refusé : `fichier_vide`, `fichier_trop_gros`, "
                "`type_non_accepte` (ni PDF, ni JPEG, ni PNG, d'après son contenu), "
                "`fichier_illisible`, `pdf_protege`, `pdf_actif` (JavaScript, programme ou "
                "fichier joint), `trop_de_pages`, `image_trop_grande`, `virus` ; personne "
                "hors du ménage (`personne_hors_menage`) ; demande radiée (`demande_radiee`) ; "
                "champ manquant ou type inconnu (`donnees_invalides`)"
            },
        },
    },
)
def deposer(
    request,
    response: HttpResponse,
    fichier: File[UploadedFile],
    type: Annotated[TypePiece, CHAMP_TYPE],
    # Not `int | None`: the form has no null, a field left out is the whole household.
    personne: Annotated[int, CHAMP_PERSONNE] = None,  # noqa: RUF013
    numero_unique: str = Path(..., description=NUMERO, examples=[EXEMPLE_NUMERO]),
):
    demande = demande_de(request, numero_unique)
    _refuser_les_champs_inconnus(request)
    concernee = None
    if personne is not None:
        # Another demande's person is refused by the service itself; an unknown one here,
        # with the same code.
        concernee = Personne.objects.filter(pk=personne).first()
        if concernee is None:
            raise ErreurMetier(
                f"Aucune personne n'a l'identifiant {personne} : donnez celui d'une personne du "
                "ménage, lu dans la copie numérique (id).",
                code="personne_hors_menage",
                champ="personne",
            )
    piece = services.deposer_piece(
        demande,
        fichier,
        type=type.value,
        par=request.user,
        guichet=guichet_de(request),
        origine=OriginePiece.API,
        personne=concernee,
    )
    response["Location"] = f"/api/v1/demandes/{demande.numero_unique}/pieces"
    return Status(201, piece_en_dict(piece, _rangs(demande)))


@router.get(
    "/pieces/{uid}/fichier",
    url_name="fichier_piece",
    summary="Le fichier d'une pièce",
    description="Le fichier tel qu'il est gardé (PDF, JPEG ou PNG), si le guichet du jeton peut "
    "consulter sa demande. Chaque lecture est inscrite au journal d'audit, une tentative "
    "hors du périmètre aussi. Une pièce `en_attente_analyse` ne se lit pas encore (**422** "
    "`piece_en_attente_analyse`) ; celle dont le fichier a été effacé répond **404** "
    "`piece_effacee`.",
    openapi_extra={
        "responses": {
            "200": {
                "description": "Le fichier",
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}}
                    for t in ("application/pdf", "image/jpeg", "image/png")
                },
            },
            "403": {
                "description": "La pièce appartient à une demande hors du périmètre de "
                "consultation du guichet (`non_autorise`)"
            },
            "404": {
                "description": "Aucune pièce de cet identifiant (`piece_introuvable`), ou "
                "fichier effacé (`piece_effacee`)"
            },
            "422": {
                "description": "Pièce pas encore analysée par l'antivirus "
                "(`piece_en_attente_analyse`), ou identifiant mal formé (`donnees_invalides`)"
            },
        }
    },
)
def fichier(
    request,
    uid: Annotated[
        UUID, Path(..., description="L'identifiant de la pièce", examples=[EXEMPLE_UID])
    ],
):
    ip = adresse_ip(request)
    guichet = guichet_de(request)
    piece = services.trouver_piece(uid, par=request.user, guichet=guichet, adresse_ip=ip)
    contenu = services.lire_piece(piece, par=request.user, guichet=guichet, adresse_ip=ip)
    reponse = HttpResponse(contenu, content_type=piece.type_contenu)
    reponse["Content-Disposition"] = (
        f'attachment; filename="{services.nom_de_telechargement(piece)}"'
    )
    reponse["X-Content-Type-Options"] = "nosniff"
    reponse["Cache-Control"] = "no-store, private"
    return reponse
