"""Duplication of a demande for the separation of a married or PACS couple (FAQ « Un couple
se sépare »): both keep the seniority."""

from django.db import transaction
from django.utils import timezone

from sne.exceptions import ErreurMetier

from .. import nomenclatures as n
from .. import numero as numeros
from ..models import CommuneSouhaitee, Demande, HistoriqueDemande, Personne
from ..regles import (
    SITUATIONS_COUPLE_SEPARABLE,
    exiger_guichet_habilite,
    exiger_modifiable,
    exiger_saisie,
    un_an_apres,
)
from ..signaux import apres_validation, demande_enregistree, demande_separee
from .historique import enregistrer_version, historiser


def peut_dupliquer_pour_separation(demande: Demande) -> bool:
    """FAQ: only for a married or PACS couple with a co-demandeur."""
    demandeur = demande.demandeur
    return bool(
        demande.est_active
        and demandeur
        and demandeur.situation_familiale in SITUATIONS_COUPLE_SEPARABLE
        and demande.co_demandeur
    )


@transaction.atomic
def dupliquer_pour_separation(demande: Demande, agent, guichet) -> Demande:
    """The former co-demandeur gets their own demande with the same date de dépôt (seniority
    kept); they leave the original one. Both are told (attestation for the new one)."""
    exiger_saisie(agent, guichet)
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    exiger_modifiable(demande)
    if not peut_dupliquer_pour_separation(demande):
        raise ErreurMetier(
            "La duplication pour séparation n'est possible que pour un couple marié ou pacsé "
            "avec un co-demandeur.",
            code="duplication_impossible",
        )
    exiger_guichet_habilite(guichet, demande.departement_id)
    ancien_co = demande.co_demandeur
    demandeur_origine = demande.demandeur
    aujourd_hui = timezone.localdate()
    nouvelle = Demande.objects.get(pk=demande.pk)
    nouvelle.pk = None
    nouvelle.numero_unique = numeros.attribuer(demande.departement_id, aujourd_hui, guichet.code)
    nouvelle.guichet_enregistreur = guichet
    nouvelle.reference_externe = ""
    nouvelle.nombre_personnes = 1
    nouvelle.date_dernier_renouvellement = None
    nouvelle.date_expiration = max(demande.date_expiration, un_an_apres(aujourd_hui))
    nouvelle.version = 1
    nouvelle.save()
    communes = list(demande.communes_souhaitees.all())
    CommuneSouhaitee.objects.bulk_create(
        [CommuneSouhaitee(demande=nouvelle, commune_id=c.commune_id, rang=c.rang) for c in communes]
    )
    ancien_co.demande = nouvelle
    ancien_co.role = Personne.Role.DEMANDEUR
    ancien_co.lien = ""
    ancien_co.situation_familiale = n.SituationFamiliale.SEPARE
    if not ancien_co.adresse_ligne1:
        ancien_co.adresse_ligne1 = demandeur_origine.adresse_ligne1
        ancien_co.adresse_ligne2 = demandeur_origine.adresse_ligne2
        ancien_co.code_postal = demandeur_origine.code_postal
        ancien_co.commune = demandeur_origine.commune
    ancien_co.save()
    demande.nombre_personnes = max(1, demande.nombre_personnes - 1)
    historiser(
        nouvelle,
        HistoriqueDemande.Action.CREATION_SUITE_SEPARATION,
        agent=agent,
        guichet=guichet,
        commentaire=f"Duplication de la demande {demande.numero_unique} pour séparation ; "
        f"ancienneté conservée (dépôt le {demande.date_depot:%d/%m/%Y}).",
    )
    enregistrer_version(
        demande,
        HistoriqueDemande.Action.DUPLICATION_SEPARATION,
        agent=agent,
        guichet=guichet,
        changements=[{"champ": "co_demandeur", "avant": str(ancien_co.pk), "apres": None}],
        commentaire=f"Le co-demandeur a désormais sa propre demande {nouvelle.numero_unique}.",
    )
    apres_validation(demande_enregistree, demande_id=nouvelle.pk)
    apres_validation(demande_separee, demande_id=demande.pk, nouvelle_id=nouvelle.pk)
    return nouvelle
