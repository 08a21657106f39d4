"""Referentials for connected systems: `GET /api/v1/referentiels/…` (docs/api.md)."""

from typing import Annotated

from ninja import Field, Path, Query, Router, Schema
from pydantic import WithJsonSchema

from sne.exceptions import ErreurMetier, Introuvable

from .services import (
    Candidat,
    Resolution,
    communes_du_code_postal,
    rechercher_communes,
    resoudre_commune,
)

router = Router(tags=["Référentiels"])


class CommuneSortie(Schema):
    code_insee: str = Field(title="Code INSEE", description="Code officiel géographique")
    nom: str = Field(title="Nom", description="Nom officiel")
    departement: str = Field(title="Département", description="Code du département")
    type: str = Field(title="Type", description="`commune` ou `arrondissement` (municipal)")
    codes_postaux: list[str] = Field(
        title="Codes postaux", description="Codes postaux de La Poste qui la desservent"
    )
    code_postal: str | None = Field(
        None,
        title="Code postal retenu",
        description="Code postal retenu pour la saisie (code de référence pour un CEDEX)",
    )
    score: int = Field(title="Score", description="Confiance de 0 à 100")
    raison: str = Field(title="Raison", description="Pourquoi cette commune est proposée")


class RechercheCommunes(Schema):
    statut: str = Field(
        title="Statut",
        description="`trouvee` (une commune certaine), `ambigue` (plusieurs candidates, la "
        "première est la plus probable ; à confirmer) ou `introuvable`",
    )
    message: str = Field(
        title="Message", description="Ce qu'il faut dire à la personne qui a saisi, en français"
    )
    cedex: bool = Field(title="CEDEX", description="La saisie est une adresse CEDEX")
    communes: list[CommuneSortie] = Field(
        title="Communes", description="Les communes proposées, la plus probable d'abord"
    )


class FiltreCommunes(Schema):
    q: str = Field(
        ...,
        min_length=1,
        max_length=200,
        title="Saisie",
        description="Ce que la personne a saisi : nom, code postal, code INSEE, adresse CEDEX…",
    )
    departement: str | None = Field(
        None,
        pattern=r"^([0-9]{2}|2[AB]|97[1-6])$",
        title="Département",
        description="Ne chercher que dans ce département (code : `93`, `2A`, `974`…)",
    )
    limite: int = Field(
        10, ge=1, le=50, title="Limite", description="Nombre maximal de communes proposées"
    )


def _sortie(c: Candidat) -> dict:
    f = c.commune
    return {
        "code_insee": f.code_insee,
        "nom": f.nom,
        "departement": f.departement,
        "type": f.type,
        "codes_postaux": list(f.codes_postaux),
        "code_postal": c.code_postal,
        "score": c.score,
        "raison": c.raison,
    }


def _recherche(resolution: Resolution, suggestions: list[Candidat]) -> dict:
    return {
        "statut": resolution.statut,
        "message": resolution.message,
        "cedex": resolution.cedex,
        "communes": [_sortie(c) for c in suggestions],
    }


@router.get(
    "/communes",
    response=RechercheCommunes,
    summary="Trouver une commune",
    description=(
        "Résout ce qu'une personne a saisi (nom officiel ou courant, « St-Denis », "
        "« Havre (Le) », « Paris 20e », code INSEE, code postal, adresse CEDEX) en communes "
        "classées. `statut` dit si la commune est certaine ; `communes` liste aussi les "
        "suggestions utiles à une autocomplétion."
    ),
)
def communes(request, filtre: Query[FiltreCommunes]):
    resolution = resoudre_commune(filtre.q, filtre.departement)
    suggestions = (
        resolution.candidats
        if resolution.statut == "trouvee"
        else rechercher_communes(filtre.q, filtre.departement, filtre.limite)
    )
    return _recherche(resolution, suggestions[: filtre.limite])


@router.get(
    "/codes-postaux/{code}",
    response=RechercheCommunes,
    summary="Communes d'un code postal",
    description="Les communes desservies par un code postal de La Poste. 404 pour un code "
    "inconnu (un code CEDEX n'est pas un code de commune : utilisez /communes?q= avec le nom).",
    openapi_extra={
        "responses": {
            "404": {"description": "Code postal inconnu de la base des codes postaux"},
            "422": {"description": "Ce n'est pas un code postal (5 chiffres attendus)"},
        }
    },
)
def code_postal(
    request,
    # The pattern is published in the contract and checked below, not by pydantic: its
    # refusal has its own code (`code_postal_invalide`) and a message that names the value.
    code: Annotated[
        str, WithJsonSchema({"type": "string", "pattern": "^[0-9]{5}$", "examples": ["93200"]})
    ] = Path(..., title="Code postal", description="Code postal de La Poste, 5 chiffres : `93200`"),
):
    if not (len(code) == 5 and code.isdigit()):
        raise ErreurMetier(
            f"« {code} » n'est pas un code postal : 5 chiffres sont attendus.",
            code="code_postal_invalide",
        )
    candidats = communes_du_code_postal(code)
    if not candidats:
        raise Introuvable(
            f"Le code postal {code} est inconnu de la base des codes postaux. S'il s'agit d'un "
            "code CEDEX, recherchez la commune par son nom (/referentiels/communes?q=).",
            code="code_postal_inconnu",
        )
    statut = "trouvee" if len(candidats) == 1 else "ambigue"
    message = "" if statut == "trouvee" else f"{len(candidats)} communes partagent ce code postal."
    return {
        "statut": statut,
        "message": message,
        "cedex": False,
        "communes": [_sortie(c) for c in candidats],
    }
