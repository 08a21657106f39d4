"""Referentials for connected systems: `GET /api/v1/referentiels/…` (docs/api.md)."""

from ninja import Field, Query, Router, Schema

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
    code_insee: str
    nom: str
    departement: str
    type: str = Field(description="`commune` ou `arrondissement` (municipal)")
    codes_postaux: list[str]
    code_postal: str | None = Field(
        None, description="Code postal retenu pour la saisie (code de référence pour un CEDEX)"
    )
    score: int = Field(description="Confiance de 0 à 100")
    raison: str = Field(description="Pourquoi cette commune est proposée")


class RechercheCommunes(Schema):
    statut: str = Field(
        description="`trouvee` (une commune certaine), `ambigue` (plusieurs candidates, la "
        "première est la plus probable ; à confirmer) ou `introuvable`"
    )
    message: str
    cedex: bool
    communes: list[CommuneSortie]


class FiltreCommunes(Schema):
    q: str = Field(..., min_length=1, max_length=200, description="Nom, code postal, code INSEE…")
    departement: str | None = Field(None, pattern=r"^([0-9]{2}|2[AB]|97[1-6])$")
    limite: int = Field(10, ge=1, le=50)


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
)
def code_postal(request, code: str):
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
