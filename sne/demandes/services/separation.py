"""Duplication of a demande for the separation of a married or PACS couple (FAQ « Un couple
se sépare… que les deux parties conservent l'ancienneté de la demande »).

The former co-demandeur leaves with their own demande, registered like any other: their
identity document (CCH R441-2-3), their address and contact, the personnes à charge who follow
them. Both demandes keep the date de dépôt (seniority); both households are recounted from
their people; both histories say in words what happened; both applicants are told (the new
demande's attestation d'enregistrement, and `demande_separee` for the two of them).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from sne.exceptions import ErreurMetier
from sne.referentiels.models import CodePostal

from .. import nomenclatures as n
from .. import numero as numeros
from ..models import CommuneSouhaitee, Demande, HistoriqueDemande, Personne
from ..regles import (
    SITUATIONS_COUPLE_SEPARABLE,
    DonneesInvalides,
    ModificationConcurrente,
    exiger_guichet_habilite,
    exiger_modifiable,
    exiger_saisie_sur,
    un_an_apres,
)
from ..schemas import valider_email
from ..signaux import apres_validation, demande_enregistree, demande_separee
from .entree import resoudre
from .historique import enregistrer_version, historiser
from .menage import recompter_menage

# After a separation neither is « Marié(e) » or « Pacsé(e) » any more on the demande: separated
# (divorce pending included), divorced, or single again (a dissolved PACS).
SITUATIONS_APRES_SEPARATION = (
    n.SituationFamiliale.SEPARE,
    n.SituationFamiliale.DIVORCE,
    n.SituationFamiliale.CELIBATAIRE,
)
LONGUEUR_TELEPHONE_MAX = 30


@dataclass(frozen=True)
class Separation:
    """What the desk records when a couple separates, about the former co-demandeur (who
    becomes the demandeur of the new demande) and the household's split.

    `commune`: an INSEE code or a name as typed (resolved forgivingly, like any address);
    `partent_avec_le_co_demandeur`: the ids of the personnes à charge who follow the former
    co-demandeur, the others stay with the demandeur."""

    piece_identite_type: str
    adresse_ligne1: str
    commune: str
    piece_identite_numero: str = ""
    piece_identite_expiration: date | None = None
    adresse_ligne2: str = ""
    code_postal: str = ""
    email: str = ""
    telephone: str = ""
    partent_avec_le_co_demandeur: frozenset[int] = field(default_factory=frozenset)
    situation_demandeur: str = n.SituationFamiliale.SEPARE
    situation_co_demandeur: str = n.SituationFamiliale.SEPARE


def peut_dupliquer_pour_separation(demande: Demande) -> bool:
    """FAQ: only for a married or PACS couple with a co-demandeur."""
    demandeur = demande.demandeur
    return bool(
        demande.est_active
        and demandeur
        and demandeur.situation_familiale in SITUATIONS_COUPLE_SEPARABLE
        and demande.co_demandeur
    )


def _verifier(separation: Separation, a_charge: list[Personne]) -> dict:
    """The new demandeur's identity document, address and contact, and the two situations,
    checked all at once (each error names its field); returns the address and e-mail to keep."""
    erreurs: list[dict] = []

    def erreur(champ, code, message):
        erreurs.append({"champ": champ, "code": code, "message": message})

    if separation.piece_identite_type not in n.PieceIdentite.values:
        erreur(
            "piece_identite_type",
            "piece_identite_manquante",
            "Une pièce d'identité du co-demandeur est obligatoire pour enregistrer sa demande : "
            "carte d'identité, passeport ou titre de séjour (une pièce périmée est acceptée).",
        )
    if not separation.adresse_ligne1.strip():
        erreur(
            "adresse_ligne1",
            "obligatoire",
            "La nouvelle adresse du co-demandeur (voie et commune) est obligatoire.",
        )
    commune, code_postal = None, separation.code_postal.strip()
    if not separation.commune.strip():
        erreur("commune", "obligatoire", "La commune de la nouvelle adresse est obligatoire.")
    else:
        probleme_commune: list[dict] = []
        commune, code_resolu = resoudre(
            separation.commune.strip(), None, "commune", probleme_commune
        )
        if commune is None and code_postal:
            # As for any address (`entree.adresse`), the postal code settles namesakes: « St-Denis »
            # alone is four communes, « 93200 St-Denis » one (a connected system sends both).
            commune, code_resolu = resoudre(
                f"{code_postal} {separation.commune.strip()}", None, "commune", []
            )
        if commune is None:
            erreurs.extend(probleme_commune)
        elif code_postal:
            if not CodePostal.objects.filter(code=code_postal, commune=commune).exists():
                erreur(
                    "code_postal",
                    "code_postal_incoherent",
                    f"Le code postal {code_postal} n'est pas celui de {commune.nom}.",
                )
        else:
            code_postal = code_resolu or commune.code_postal_principal or ""
    try:
        email = valider_email(separation.email)
    except ValueError as e:
        erreur("email", "email_invalide", str(e))
        email = ""
    if len(separation.telephone.strip()) > LONGUEUR_TELEPHONE_MAX:
        erreur("telephone", "telephone_invalide", "Ce numéro de téléphone est trop long.")
    libelles = ", ".join(str(s.label) for s in SITUATIONS_APRES_SEPARATION)
    for champ, valeur in (
        ("situation_demandeur", separation.situation_demandeur),
        ("situation_co_demandeur", separation.situation_co_demandeur),
    ):
        if valeur not in SITUATIONS_APRES_SEPARATION:
            erreur(
                champ,
                "situation_apres_separation",
                f"Après une séparation, la situation familiale est l'une de : {libelles}.",
            )
    inconnues = set(separation.partent_avec_le_co_demandeur) - {p.pk for p in a_charge}
    if inconnues:
        erreur(
            "partent_avec_le_co_demandeur",
            "personne_inconnue",
            "Seules les personnes à charge de cette demande peuvent suivre le co-demandeur.",
        )
    if erreurs:
        raise DonneesInvalides(
            "La séparation n'est pas enregistrée : " + erreurs[0]["message"],
            details={"erreurs": erreurs},
        )
    return {
        "adresse_ligne1": separation.adresse_ligne1.strip(),
        "adresse_ligne2": separation.adresse_ligne2.strip(),
        "code_postal": code_postal,
        "commune": commune,
        "email": email,
        "telephone": separation.telephone.strip(),
    }


def _libelle_personne(p: Personne) -> str:
    """« Léa DURAND (enfant) »: a person in words, never by an internal id."""
    lien = p.get_lien_display().lower() if p.lien else ""
    return f"{p} ({lien})" if lien else str(p)


def _situation(avant: str, apres: str) -> str:
    libelle_apres = n.SituationFamiliale(apres).label
    if not avant or avant == apres:
        return libelle_apres
    return f"{n.SituationFamiliale(avant).label} → {libelle_apres}"


def _qui_va_ou(partent: list[Personne], restent: list[Personne], co, demandeur) -> str:
    phrases = [f"{_libelle_personne(p)} part avec {co}" for p in partent]
    phrases += [f"{_libelle_personne(p)} reste avec {demandeur}" for p in restent]
    return " ; ".join(phrases)


@transaction.atomic
def dupliquer_pour_separation(
    demande: Demande, agent, guichet, separation: Separation, *, version: int | None = None
) -> Demande:
    """The former co-demandeur gets their own demande with the same date de dépôt (seniority
    kept — FAQ « Un couple se sépare »); they leave the original one with the personnes à
    charge who follow them.

    Only for a married or PACS couple with a co-demandeur (FAQ). The new demande is a
    registration: its demandeur's identity document is required (CCH R441-2-3), and so is an
    address, as for any registration. Both households are recounted from their people, the
    situation familiale of both is updated, both histories say what happened in words. After
    the commit the new demande gets its attestation d'enregistrement (`demande_enregistree`)
    and both applicants are told (`demande_separee`).

    `version`: the version of the demande the agent read; a change made meanwhile is refused
    (`ModificationConcurrente`) rather than split blindly.
    """
    exiger_saisie_sur(agent, guichet, demande)
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    exiger_modifiable(demande)
    if not peut_dupliquer_pour_separation(demande):
        raise ErreurMetier(
            "La duplication pour séparation n'est possible que pour un couple marié ou pacsé "
            "avec un co-demandeur.",
            code="duplication_impossible",
        )
    exiger_guichet_habilite(guichet, demande.departement_id)
    if version is not None and version != demande.version:
        raise ModificationConcurrente(demande, version)
    demandeur = demande.demandeur
    co = demande.co_demandeur
    a_charge = demande.personnes_a_charge
    valeurs = _verifier(separation, a_charge)
    partent = [p for p in a_charge if p.pk in separation.partent_avec_le_co_demandeur]
    restent = [p for p in a_charge if p.pk not in separation.partent_avec_le_co_demandeur]

    aujourd_hui = timezone.localdate()
    nouvelle = Demande.objects.get(pk=demande.pk)
    nouvelle.pk = None
    nouvelle.numero_unique = numeros.attribuer(demande.departement_id, aujourd_hui, guichet.code)
    nouvelle.guichet_enregistreur = guichet
    nouvelle.reference_externe = ""
    nouvelle.nombre_personnes = 1 + len(partent)
    nouvelle.date_dernier_renouvellement = None
    nouvelle.date_expiration = max(demande.date_expiration, un_an_apres(aujourd_hui))
    nouvelle.version = 1
    nouvelle.save()
    CommuneSouhaitee.objects.bulk_create(
        [
            CommuneSouhaitee(demande=nouvelle, commune_id=c.commune_id, rang=c.rang)
            for c in demande.communes_souhaitees.all()
        ]
    )

    situation_co_avant = co.situation_familiale
    co.demande = nouvelle
    co.role = Personne.Role.DEMANDEUR
    co.lien = ""
    co.ordre = 0
    co.situation_familiale = separation.situation_co_demandeur
    co.piece_identite_type = separation.piece_identite_type
    co.piece_identite_numero = separation.piece_identite_numero.strip()
    co.piece_identite_expiration = separation.piece_identite_expiration
    for champ, valeur in valeurs.items():
        setattr(co, champ, valeur)
    co.save()
    for ordre, enfant in enumerate(partent, start=1):
        enfant.demande, enfant.ordre = nouvelle, ordre
        enfant.save(update_fields=["demande", "ordre"])
    for ordre, enfant in enumerate(restent, start=1):
        if enfant.ordre != ordre:
            enfant.ordre = ordre
            enfant.save(update_fields=["ordre"])
    situation_avant = demandeur.situation_familiale
    demandeur.situation_familiale = separation.situation_demandeur
    demandeur.save(update_fields=["situation_familiale"])

    avant, apres = recompter_menage(demande)
    _, nombre_nouvelle = recompter_menage(nouvelle)
    nouvelle.save(update_fields=["nombre_personnes"])

    depot = f"{demande.date_depot:%d/%m/%Y}"
    qui_va_ou = _qui_va_ou(partent, restent, co, demandeur)
    historiser(
        nouvelle,
        HistoriqueDemande.Action.CREATION_SUITE_SEPARATION,
        agent=agent,
        guichet=guichet,
        commentaire=" ; ".join(
            p
            for p in (
                f"Créée par séparation de la demande {demande.numero_unique}, ancienneté "
                f"conservée (dépôt le {depot}). Demandeur : {co}, pièce d'identité : "
                f"{n.PieceIdentite(co.piece_identite_type).label}",
                " ; ".join(f"{_libelle_personne(p)} part avec {co}" for p in partent),
                f"situation familiale : {_situation(situation_co_avant, co.situation_familiale)}",
                f"personnes à loger : {nombre_nouvelle}",
            )
            if p
        ),
    )
    enregistrer_version(
        demande,
        HistoriqueDemande.Action.DUPLICATION_SEPARATION,
        agent=agent,
        guichet=guichet,
        changements=[
            {"champ": "co_demandeur", "avant": str(co), "apres": None},
            *(
                [
                    {
                        "champ": "demandeur.situation_familiale",
                        "avant": situation_avant,
                        "apres": demandeur.situation_familiale,
                    }
                ]
                if situation_avant != demandeur.situation_familiale
                else []
            ),
            *(
                [{"champ": "nombre_personnes", "avant": avant, "apres": apres}]
                if avant != apres
                else []
            ),
        ],
        commentaire=" ; ".join(
            p
            for p in (
                f"Séparation : {co} a désormais sa propre demande {nouvelle.numero_unique}, "
                f"avec la même ancienneté (dépôt le {depot})",
                qui_va_ou,
                f"situation familiale de {demandeur} : "
                f"{_situation(situation_avant, demandeur.situation_familiale)}",
                f"personnes à loger : {avant} → {apres}",
            )
            if p
        ),
    )
    apres_validation(demande_enregistree, demande_id=nouvelle.pk)
    apres_validation(demande_separee, demande_id=demande.pk, nouvelle_id=nouvelle.pk)
    return nouvelle
