"""The content of a demande as connected systems, the web form and batch lines send it.

One schema validates a synchronous call, a batch line and documents the contract
(API-CONTRACT.md). It checks forms (types, enumerations, e-mail syntax, NIR key); the rules of
the register (what registration requires, rights, duplicates) live in `services.py`.
"""

from datetime import date
from decimal import Decimal
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from ninja import Field, Schema
from pydantic import BeforeValidator, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError
from stdnum.exceptions import InvalidChecksum, InvalidLength
from stdnum.exceptions import ValidationError as StdnumErreur
from stdnum.fr import nir as stdnum_nir

from sne.referentiels.telephones import TelephoneInvalide, normaliser_telephone

from . import nomenclatures as n
from .regles import (
    IDENTIFIANT_MAX,
    REVENU_FISCAL_MAX,
    DonneesInvalides,
    verifier_date_naissance,
)

# email-validator explains in English: each of its explanations, said in French (the first
# that matches), so that no English reaches a person (issue 9).
EXPLICATIONS_EMAIL = (
    ("must have an @-sign", "il manque le @."),
    ("contains invalid characters before the @-sign", "caractère non autorisé avant le @"),
    ("after the @-sign contains invalid characters", "caractère non autorisé après le @"),
    ("should have a period", "le nom de domaine, après le @, doit contenir un point."),
    ("two periods in a row", "deux points de suite."),
    ("cannot start with a period", "elle ne peut pas commencer par un point."),
    ("cannot end with a period", "elle ne peut pas finir par un point."),
    ("period immediately before the @-sign", "un point juste avant le @."),
    ("period immediately after the @-sign", "un point juste après le @."),
    ("hyphen", "un tiret mal placé dans le nom de domaine."),
    ("too long", "elle est trop longue."),
    ("IP address", "une adresse IP n'est pas acceptée après le @."),
    ("There must be something before the @-sign", "il manque ce qui précède le @."),
    ("There must be something after the @-sign", "il manque le nom de domaine après le @."),
)


def valider_email(valeur: str) -> str:
    """Any valid address (the legacy « 19@17.3 » limit of the FAQ is not a rule here), an
    accented one included: the one check of e-mail addresses, for every form and the API."""
    valeur = (valeur or "").strip()
    if not valeur:
        return ""
    try:
        return validate_email(valeur, check_deliverability=False).normalized
    except EmailNotValidError as e:
        explication = str(e)
        for anglais, francais in EXPLICATIONS_EMAIL:
            if anglais in explication:
                if francais.endswith("@"):  # the character at fault is named at the end
                    fautif = explication.rsplit(":", 1)[-1].strip().rstrip(".")
                    francais += f" : {fautif.replace('SPACE', 'espace')}."
                raise ValueError(f"Adresse e-mail invalide : {francais}") from e
        raise ValueError(
            "Adresse e-mail invalide : vérifiez-la (exemple : prenom.nom@exemple.fr)."
        ) from e


def valider_telephone(valeur: str) -> str:
    """French (overseas included) and foreign numbers, stored in E.164 (« +33612345678 »): the
    one check of telephone numbers (`sne.referentiels.telephones`, which the desks' contact
    points use too). Its refusal keeps its own code, `telephone_invalide`, and its French
    message as it is (no « Value error, » in front)."""
    try:
        return normaliser_telephone(valeur)
    except TelephoneInvalide as e:
        raise PydanticCustomError(e.code, "{message}", {"message": e.message}) from e


def valider_nir(valeur: str) -> str:
    """NIR: 13 characters (2A/2B for Corsica) + a 2-digit key, checked by python-stdnum."""
    valeur = stdnum_nir.compact(valeur or "")
    if not valeur:
        return ""
    try:
        return stdnum_nir.validate(valeur)
    except InvalidLength as e:
        raise ValueError(
            "Le numéro de sécurité sociale compte 15 caractères (clé comprise)."
        ) from e
    except InvalidChecksum as e:
        raise ValueError("La clé du numéro de sécurité sociale ne correspond pas.") from e
    except StdnumErreur as e:
        raise ValueError(
            "Le numéro de sécurité sociale ne contient que des chiffres (et 2A/2B)."
        ) from e


def _date_en_texte(valeur):
    """JSON has no date type: a date is the text AAAA-MM-JJ. pydantic would read a number as a
    Unix timestamp, so that a system sending 19870412 for the 12th of April 1987 would have
    1970-08-19 registered without a word: a number is refused instead."""
    if isinstance(valeur, (int, float)):
        raise PydanticCustomError("date_type", "Une date au format AAAA-MM-JJ est attendue.")
    return valeur


# Every date a connected system, a batch line or a form sends (a `date` object from Python).
DateEntree = Annotated[date, BeforeValidator(_date_en_texte)]


def montant(chiffres: int):
    """An amount in euros and cents of at most `chiffres` digits in all (the column's): a JSON
    number or its text (« 820.50 »). Its bounds and its cents are published in the contract,
    which pydantic's `Decimal` leaves as « any number or any text »."""
    entiers = chiffres - 2
    return Annotated[
        Decimal,
        Field(ge=0, max_digits=chiffres, decimal_places=2),
        WithJsonSchema(
            {
                "anyOf": [
                    {
                        "type": "number",
                        "minimum": 0,
                        "maximum": float(10**entiers) - 0.01,
                        "multipleOf": 0.01,
                    },
                    {"type": "string", "pattern": rf"^[0-9]{{1,{entiers}}}(\.[0-9]{{1,2}})?$"},
                ],
                "examples": ["820.50"],
            }
        ),
    ]


MontantRevenus = montant(9)  # Personne.revenus_mensuels
MontantLoyer = montant(8)  # Demande.loyer_actuel


class PieceIdentiteEntree(Schema):
    type: n.PieceIdentite
    numero: str = Field("", max_length=50)
    date_expiration: DateEntree | None = None


class AdresseEntree(Schema):
    ligne1: str = Field("", max_length=200)
    ligne2: str = Field("", max_length=200)
    code_postal: str = Field("", max_length=5)
    commune: str = Field("", max_length=200, description="Nom, code INSEE ou « 93200 St-Denis »")


class PersonneEntree(Schema):
    civilite: n.Civilite | None = None
    nom: str = Field(..., min_length=1, max_length=100)
    nom_naissance: str = Field("", max_length=100)
    prenom: str = Field(..., min_length=1, max_length=100)
    date_naissance: DateEntree | None = None
    nationalite: n.Nationalite | None = None
    lien: str = Field("", max_length=15)
    email: str = Field("", max_length=254)
    telephone: str = Field(
        "",
        max_length=30,
        description="Numéro français (outre-mer compris) ou étranger avec « + » et l'indicatif ; "
        "enregistré au format E.164 (« +33612345678 »)",
    )
    nir: str = Field("", max_length=30)
    situation_professionnelle: n.SituationProfessionnelle | None = None
    employeur: str = Field("", max_length=200)
    employeur_adresse: AdresseEntree | None = None
    revenus_mensuels: MontantRevenus | None = None
    piece_identite: PieceIdentiteEntree | None = None

    @field_validator("email")
    @classmethod
    def _email_valide(cls, valeur):
        return valider_email(valeur)

    @field_validator("telephone")
    @classmethod
    def _telephone_valide(cls, valeur):
        return valider_telephone(valeur)

    @field_validator("nir")
    @classmethod
    def _nir_valide(cls, valeur):
        return valider_nir(valeur)

    @field_validator("date_naissance")
    @classmethod
    def _pas_dans_le_futur(cls, valeur):
        try:
            verifier_date_naissance(valeur)
        except DonneesInvalides as e:
            raise ValueError(e.message) from e
        return valeur


class DemandeurEntree(PersonneEntree):
    adresse: AdresseEntree | None = None
    situation_familiale: n.SituationFamiliale | None = None


class AssociationEntree(Schema):
    id: int | None = Field(
        None, ge=1, le=IDENTIFIANT_MAX, description="Association de la table départementale"
    )
    nom: str = Field("", max_length=200, description="Nom libre si la table est vide (FAQ)")
    date_creation: DateEntree | None = None
    adresse: AdresseEntree | None = None


class RessourcesEntree(Schema):
    revenu_fiscal_reference: int | None = Field(None, ge=0, le=REVENU_FISCAL_MAX)
    annee_revenus: int | None = Field(None, ge=1990, le=2100)


class LogementActuelEntree(Schema):
    type: n.LogementActuel | None = None
    loyer: MontantLoyer | None = None
    nombre_pieces: int | None = Field(None, ge=0, le=30)
    bailleur: str = Field("", max_length=200)


class SouhaitsEntree(Schema):
    communes: list[str] = Field(default_factory=list, description="Codes INSEE (ou noms)")
    typologies: list[n.Typologie] = Field(default_factory=list)
    categorie_logement: n.CategorieLogement | None = None
    ascenseur_necessaire: bool = False
    rez_de_chaussee: bool = False
    logement_adapte_handicap: bool = False
    precisions_handicap: str = Field("", max_length=2000)


class DemandeEntree(Schema):
    reference_externe: str = Field("", max_length=100)
    departement: str = Field(..., pattern=r"^([0-9]{2}|2[AB]|97[1-6])$")
    date_depot: DateEntree | None = Field(
        None, description="Date de réception ; aujourd'hui par défaut"
    )
    beneficiaire: str = Field("menage", pattern=r"^(menage|association)$")
    association: AssociationEntree | None = None
    demandeur: DemandeurEntree
    co_demandeur: PersonneEntree | None = None
    personnes_a_charge: list[PersonneEntree] = Field(default_factory=list, max_length=20)
    nombre_personnes: int | None = Field(
        None,
        ge=1,
        le=30,
        description="Facultatif : il se déduit des personnes ; s'il est envoyé, il doit leur "
        "être égal (1 + co-demandeur + personnes à charge), sinon la demande est refusée.",
    )
    deja_locataire_hlm: bool | None = None
    logement_actuel: LogementActuelEntree | None = None
    ressources: RessourcesEntree | None = None
    motifs: list[n.MotifDemande] = Field(default_factory=list)
    motif_precision: str = Field("", max_length=300)
    souhaits: SouhaitsEntree = Field(default_factory=SouhaitsEntree)
    statut_dalo: n.StatutDalo = n.StatutDalo.NON
