"""The history of a demande (old → new, who, for which desk), its audit entry and its event in
the change feed, written by every service that changes it: the one place every change goes
through, so pages, API, lots and tasks alike feed the connected systems."""

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.doublons.services import indexer_demande
from sne.referentiels.models import Commune

from ..models import EvenementCommune, EvenementDemande, HistoriqueDemande


def historiser(demande, action, *, agent=None, guichet=None, changements=None, commentaire=""):
    # The identity index of duplicate detection follows every change, in its transaction.
    indexer_demande(demande)
    HistoriqueDemande.objects.create(
        demande=demande,
        action=action,
        utilisateur=agent,
        guichet=guichet,
        changements=changements or [],
        commentaire=commentaire,
        version=demande.version,
    )
    journaliser(
        EvenementAudit.Action.CREATION
        if action.startswith("creation")
        else EvenementAudit.Action.MODIFICATION,
        utilisateur=agent,
        guichet=guichet,
        objet=demande,
        resume=f"{HistoriqueDemande.Action(action).label} de la demande {demande.numero_unique}",
        details={"champs": sorted({c["champ"] for c in (changements or [])})},
    )
    publier_evenement(demande, action, guichet=guichet, changements=changements)


def publier_evenement(demande, action, *, guichet=None, changements=None) -> EvenementDemande:
    """Write the change-feed event of this change (outbox), in the caller's transaction: it
    exists if and only if the change is committed (docs/adr/0013-flux-des-evenements.md).

    Its payload names the changed fields, never their values (no NIR, no personal data):
    a connected system that wants the values reads the demande (copie numérique)."""
    evenement = EvenementDemande.objects.create(
        demande=demande,
        type=action,
        code_fichier=HistoriqueDemande.CODES_FICHIER.get(action, ""),
        guichet=guichet,
        guichet_enregistreur_id=demande.guichet_enregistreur_id,
        departement_id=demande.departement_id,
        donnees={
            "numero_unique": demande.numero_unique,
            "version": demande.version,
            "statut": demande.statut,
            "champs": sorted({c["champ"] for c in (changements or [])}),
        },
    )
    # The wished communes now, and those a modification removed: the desk that consulted the
    # demande only through them is told, by this last event, that it left its scope.
    codes = set(demande.communes_souhaitees.values_list("commune", flat=True))
    for changement in changements or []:
        if changement["champ"] == "souhaits.communes":
            codes.update(changement.get("avant") or [])
    EvenementCommune.objects.bulk_create(
        EvenementCommune(evenement=evenement, commune_id=code, departement_id=departement)
        for code, departement in Commune.objects.filter(pk__in=codes)
        .order_by("pk")
        .values_list("pk", "departement")
    )
    return evenement


def enregistrer_version(
    demande, action, *, agent=None, guichet=None, changements=None, commentaire=""
):
    """Save a changed demande as its next version, with its history entry and audit trace."""
    demande.version += 1
    demande.save()
    historiser(
        demande,
        action,
        agent=agent,
        guichet=guichet,
        changements=changements,
        commentaire=commentaire,
    )
