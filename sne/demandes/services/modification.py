"""Modifying a demande: any field, with its history old → new."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import CommuneSouhaitee, Demande, HistoriqueDemande, Personne
from ..regles import DonneesInvalides, ModificationConcurrente, exiger_modifiable, exiger_saisie
from ..schemas import valider_email, valider_nir
from .entree import communes_souhaitees
from .historique import enregistrer_version

CHAMPS_DEMANDE_MODIFIABLES = (
    "nombre_personnes",
    "deja_locataire_hlm",
    "logement_actuel",
    "loyer_actuel",
    "nombre_pieces_actuel",
    "bailleur_actuel",
    "motifs",
    "motif_precision",
    "revenu_fiscal_reference",
    "annee_revenus",
    "typologies",
    "categorie_logement",
    "ascenseur_necessaire",
    "rez_de_chaussee",
    "logement_adapte_handicap",
    "precisions_handicap",
    "statut_dalo",
    "association_nom",
    "association_date_creation",
)
CHAMPS_PERSONNE_MODIFIABLES = (
    "civilite",
    "nom",
    "nom_naissance",
    "prenom",
    "date_naissance",
    "nationalite",
    "lien",
    "piece_identite_type",
    "piece_identite_numero",
    "piece_identite_expiration",
    "nir",
    "email",
    "telephone",
    "adresse_ligne1",
    "adresse_ligne2",
    "code_postal",
    "commune",
    "situation_familiale",
    "situation_professionnelle",
    "employeur",
    "employeur_adresse",
    "employeur_code_postal",
    "employeur_commune",
    "revenus_mensuels",
)
CHAMPS_SECRETS = {"nir"}  # never written in clear in the history


def _valeur(v):
    """A value as the history keeps it (JSON)."""
    if hasattr(v, "pk"):
        return str(v.pk)
    if isinstance(v, date):
        return v.isoformat()
    return v if isinstance(v, (int, bool, list, type(None))) else str(v)


@transaction.atomic
def modifier_demande(
    demande: Demande,
    agent,
    guichet,
    *,
    demande_valeurs: dict | None = None,
    personnes: dict | None = None,
    communes: list[str] | None = None,
    version: int | None = None,
) -> list[dict]:
    """Change any field; the history keeps old → new. No attestation (FAQ: « il n'y a plus
    d'obligation de délivrer au demandeur une attestation après chaque modification »).

    `personnes` maps a Personne's pk to its new values. Returns the changes recorded.

    `version`: the version of the demande the agent (or the connected system) read before
    changing it. If someone changed it since, nothing is written: `ModificationConcurrente`
    lists what changed meanwhile, so that a stale form never silently reverts a change.
    """
    exiger_saisie(agent, guichet)
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    exiger_modifiable(demande)
    if version is not None and version != demande.version:
        raise ModificationConcurrente(demande, version)
    changements, erreurs = [], []
    for champ, valeur in (demande_valeurs or {}).items():
        if champ not in CHAMPS_DEMANDE_MODIFIABLES:
            raise DonneesInvalides(
                f"Le champ {champ} ne se modifie pas ainsi.", code="champ_non_modifiable"
            )
        if getattr(demande, champ) != valeur:
            changements.append(
                {
                    "champ": champ,
                    "avant": _valeur(getattr(demande, champ)),
                    "apres": _valeur(valeur),
                }
            )
            setattr(demande, champ, valeur)
    for pk, valeurs in (personnes or {}).items():
        personne = demande.personnes.filter(pk=pk).first()
        if personne is None:
            raise DonneesInvalides(
                "Cette personne ne fait pas partie de la demande.", code="personne_inconnue"
            )
        for champ, valeur in valeurs.items():
            if champ == "nir" and valeur:
                try:
                    valeur = valider_nir(valeur)
                except ValueError as e:
                    raise DonneesInvalides(str(e), code="nir_invalide") from e
            if champ == "email" and valeur:
                try:
                    valeur = valider_email(valeur)
                except ValueError as e:
                    raise DonneesInvalides(str(e), code="email_invalide") from e
            if champ not in CHAMPS_PERSONNE_MODIFIABLES:
                raise DonneesInvalides(
                    f"Le champ {champ} ne se modifie pas ainsi.", code="champ_non_modifiable"
                )
            if getattr(personne, champ) != valeur:
                secret = champ in CHAMPS_SECRETS
                changements.append(
                    {
                        "champ": f"{personne.role}.{champ}",
                        "avant": "•••" if secret else _valeur(getattr(personne, champ)),
                        "apres": "•••" if secret else _valeur(valeur),
                    }
                )
                setattr(personne, champ, valeur)
        if personne.role == Personne.Role.DEMANDEUR and not personne.piece_identite_type:
            erreurs.append(
                {
                    "champ": "demandeur.piece_identite",
                    "code": "piece_identite_manquante",
                    "message": "La pièce d'identité du demandeur ne peut pas être retirée.",
                }
            )
        try:
            personne.full_clean(exclude=["demande"])
        except ValidationError as e:
            raise DonneesInvalides(" ".join(e.messages), code="donnees_invalides") from e
        personne.save()
    if communes is not None:
        nouvelles = communes_souhaitees(communes, demande.departement_id, erreurs)
        if not nouvelles and not erreurs:
            erreurs.append(
                {
                    "champ": "souhaits.communes",
                    "code": "obligatoire",
                    "message": "Gardez au moins une commune souhaitée.",
                }
            )
        anciennes = list(demande.communes_souhaitees.values_list("commune_id", flat=True))
        if [c.code_insee for c in nouvelles] != anciennes and not erreurs:
            changements.append(
                {
                    "champ": "souhaits.communes",
                    "avant": anciennes,
                    "apres": [c.code_insee for c in nouvelles],
                }
            )
            demande.communes_souhaitees.all().delete()
            CommuneSouhaitee.objects.bulk_create(
                [
                    CommuneSouhaitee(demande=demande, commune=c, rang=i)
                    for i, c in enumerate(nouvelles, 1)
                ]
            )
    if erreurs:
        raise DonneesInvalides(erreurs[0]["message"], details={"erreurs": erreurs})
    if changements:
        enregistrer_version(
            demande,
            HistoriqueDemande.Action.MODIFICATION,
            agent=agent,
            guichet=guichet,
            changements=changements,
        )
    return changements
