"""The history of a demande (old → new, who, for which desk), its audit entry and its event in
the change feed, written by every service that changes it: the one place every change goes
through, so pages, API, lots and tasks alike feed the connected systems."""

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser_plusieurs
from sne.doublons.services import indexer_demande, indexer_demandes
from sne.referentiels.models import Commune

from ..models import CommuneSouhaitee, EvenementCommune, EvenementDemande, HistoriqueDemande


def historiser(demande, action, *, agent=None, guichet=None, changements=None, commentaire=""):
    historiser_plusieurs(
        [demande],
        action,
        agent=agent,
        guichet=guichet,
        changements=changements,
        commentaire=commentaire,
    )


def historiser_plusieurs(
    demandes, action, *, agent=None, guichet=None, changements=None, commentaire=""
):
    """The history entry, audit entry, change-feed event and identity index of each of these
    demandes, all changed the same way (one demande; or a batch of the renewal campaign's
    radiations, in a few queries for the batch rather than a dozen per demande)."""
    demandes = list(demandes)
    if not getattr(agent, "is_authenticated", False):
        # The applicant on the portal (`DemandeurEnLigne`) or a task: no agent to record; the
        # desk (the portal's, for the applicant) says who acted.
        agent = None
    # The identity index of duplicate detection follows every change, in its transaction.
    if len(demandes) == 1:
        indexer_demande(demandes[0])
    else:
        indexer_demandes([d.pk for d in demandes])
    HistoriqueDemande.objects.bulk_create(
        HistoriqueDemande(
            demande=demande,
            action=action,
            utilisateur=agent,
            guichet=guichet,
            changements=changements or [],
            commentaire=commentaire,
            version=demande.version,
        )
        for demande in demandes
    )
    libelle = HistoriqueDemande.Action(action).label
    journaliser_plusieurs(
        EvenementAudit.Action.CREATION
        if action.startswith("creation")
        else EvenementAudit.Action.MODIFICATION,
        demandes,
        utilisateur=agent,
        guichet=guichet,
        resume=lambda demande: f"{libelle} de la demande {demande.numero_unique}",
        details={"champs": sorted({c["champ"] for c in (changements or [])})},
    )
    publier_evenements(demandes, action, guichet=guichet, changements=changements)


def publier_evenement(demande, action, *, guichet=None, changements=None) -> EvenementDemande:
    """Write the change-feed event of this change (outbox), in the caller's transaction: it
    exists if and only if the change is committed (docs/adr/0013-flux-des-evenements.md)."""
    return publier_evenements([demande], action, guichet=guichet, changements=changements)[0]


def publier_evenements(demandes, action, *, guichet=None, changements=None):
    """The change-feed events of these demandes, changed the same way (`publier_evenement`).

    Its payload names the changed fields, never their values (no NIR, no personal data):
    a connected system that wants the values reads the demande (copie numérique)."""
    champs = sorted({c["champ"] for c in (changements or [])})
    evenements = EvenementDemande.objects.bulk_create(
        EvenementDemande(
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
                "champs": champs,
            },
        )
        for demande in demandes
    )
    # The wished communes now, and those a modification removed: the desk that consulted the
    # demande only through them is told, by this last event, that it left its scope.
    retirees = set()
    for changement in changements or []:
        if changement["champ"] == "souhaits.communes":
            retirees.update(changement.get("avant") or [])
    codes_par_demande = {d.pk: set(retirees) for d in demandes}
    for demande_id, code in CommuneSouhaitee.objects.filter(
        demande_id__in=list(codes_par_demande)
    ).values_list("demande_id", "commune_id"):
        codes_par_demande[demande_id].add(code)
    departements = dict(
        Commune.objects.filter(pk__in=set().union(*codes_par_demande.values())).values_list(
            "pk", "departement"
        )
    )
    EvenementCommune.objects.bulk_create(
        EvenementCommune(evenement=evenement, commune_id=code, departement_id=departements[code])
        for evenement in evenements
        for code in sorted(codes_par_demande[evenement.demande_id])
        if code in departements
    )
    return evenements


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
