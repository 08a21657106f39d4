"""Renewal, radiation and reactivation (déradiation) of a demande (CCH R441-2-7, R441-2-8)."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from sne.comptes.droits import droits_de
from sne.exceptions import ErreurMetier, NonAutorise

from .. import nomenclatures as n
from ..models import Demande, HistoriqueDemande
from ..regles import (
    DELAI_AVERTISSEMENT,
    DELAI_RADIATION_NON_RENOUVELLEMENT_MOIS,
    FENETRE_REACTIVATION_JOURS,
    FENETRE_REACTIVATION_NON_RENOUVELLEMENT_MOIS,
    DonneesInvalides,
    exiger_modifiable,
    exiger_saisie_sur,
    mois_apres,
    un_an_apres,
)
from ..signaux import apres_validation, demande_reactivee, demande_renouvelee, demandes_radiees
from .historique import enregistrer_version, historiser_plusieurs


def _prolonger(demande: Demande, aujourd_hui: date) -> None:
    """Renewed today: valid one more year from today (CCH R441-2-7), seniority unchanged."""
    demande.date_dernier_renouvellement = aujourd_hui
    demande.date_expiration = un_an_apres(aujourd_hui)


@transaction.atomic
def renouveler(demande: Demande, agent, guichet) -> Demande:
    """Renew for one year from today (CCH R441-2-7); seniority (date de dépôt) is kept; the
    attestation de renouvellement is sent to the applicant.

    A renewal always wins over the renewal campaign: a demande the campaign has just struck
    off for non-renouvellement (the agent's page was opened before) is reactivated and renewed
    at once, with the same numéro and seniority (`reactiver`)."""
    exiger_saisie_sur(agent, guichet, demande)
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    if (
        not demande.est_active
        and demande.motif_radiation == n.MotifRadiation.NON_RENOUVELLEMENT
        and reactivable(demande)
    ):
        return reactiver(demande, agent, guichet, commentaire="Renouvelée par le guichet.")
    exiger_modifiable(demande)
    aujourd_hui = timezone.localdate()
    avant = demande.date_expiration
    _prolonger(demande, aujourd_hui)
    enregistrer_version(
        demande,
        HistoriqueDemande.Action.RENOUVELLEMENT,
        agent=agent,
        guichet=guichet,
        changements=[
            {
                "champ": "date_expiration",
                "avant": avant.isoformat(),
                "apres": demande.date_expiration.isoformat(),
            }
        ],
    )
    apres_validation(demande_renouvelee, demande_id=demande.pk)
    return demande


@transaction.atomic
def radier(
    demande: Demande,
    motif: str,
    sous_motif: str = "",
    *,
    par,
    guichet=None,
    commentaire: str = "",
    date_avertissement: date | None = None,
) -> Demande:
    """Strike a demande off (CCH R441-2-8; REFERENCE-CODES.md « Radiation rules »):
    attribution as soon as the lease is signed; renonciation at once; impossibility to contact
    and irrecevabilité (decided by the CAL) one month after a warning by registered letter;
    non-renewal one month after expiry. A radiée demande is read-only."""
    if guichet is not None:
        exiger_saisie_sur(par, guichet, demande)
    elif not droits_de(par).gere_departement(demande.departement_id):
        raise NonAutorise("Vous ne pouvez pas radier cette demande.")
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    exiger_modifiable(demande)
    if motif not in n.MotifRadiation.values:
        raise DonneesInvalides(
            f"Motif de radiation inconnu : {motif}.", code="motif_inconnu", champ="motif"
        )
    aujourd_hui = timezone.localdate()
    if motif == n.MotifRadiation.IRRECEVABILITE:
        if sous_motif not in n.SousMotifIrrecevabilite.values:
            raise DonneesInvalides(
                "Une irrecevabilité se radie avec son sous-motif : irrégularité de séjour, "
                "ressources supérieures au plafond ou pièce d'identité falsifiée.",
                code="sous_motif_requis",
                champ="sous_motif",
            )
    elif sous_motif:
        raise DonneesInvalides(
            "Seule l'irrecevabilité a des sous-motifs.",
            code="sous_motif_interdit",
            champ="sous_motif",
        )
    if motif in (n.MotifRadiation.IRRECEVABILITE, n.MotifRadiation.IMPOSSIBILITE_CONTACT):
        if not date_avertissement:
            raise DonneesInvalides(
                "Indiquez la date du courrier recommandé d'avertissement : la radiation n'est "
                "possible qu'un mois après.",
                code="avertissement_requis",
                champ="date_avertissement",
            )
        if not demande.date_depot <= date_avertissement <= aujourd_hui:
            raise DonneesInvalides(
                f"Le courrier d'avertissement est daté entre le dépôt de la demande "
                f"({demande.date_depot:%d/%m/%Y}) et aujourd'hui : vérifiez la date.",
                code="date_avertissement_improbable",
                champ="date_avertissement",
            )
        if aujourd_hui < date_avertissement + DELAI_AVERTISSEMENT:
            raise ErreurMetier(
                f"La radiation ne sera possible qu'à partir du "
                f"{(date_avertissement + DELAI_AVERTISSEMENT):%d/%m/%Y}, un mois après le courrier "
                "recommandé d'avertissement.",
                code="delai_avertissement",
                champ="date_avertissement",
            )
    if motif == n.MotifRadiation.NON_RENOUVELLEMENT and aujourd_hui < mois_apres(
        demande.date_expiration, 1
    ):
        raise ErreurMetier(
            f"La demande expire le {demande.date_expiration:%d/%m/%Y} : la radiation pour "
            f"non-renouvellement n'est possible qu'un mois après.",
            code="delai_non_renouvellement",
            champ="motif",
        )
    demande.statut = Demande.Statut.RADIEE
    demande.date_radiation = aujourd_hui
    demande.motif_radiation = motif
    demande.sous_motif_radiation = sous_motif
    demande.commentaire_radiation = commentaire
    enregistrer_version(
        demande,
        HistoriqueDemande.Action.RADIATION,
        agent=par,
        guichet=guichet,
        changements=[
            {"champ": "statut", "avant": "active", "apres": "radiee"},
            {"champ": "motif_radiation", "avant": "", "apres": motif},
        ]
        + (
            [{"champ": "sous_motif_radiation", "avant": "", "apres": sous_motif}]
            if sous_motif
            else []
        ),
        commentaire=commentaire,
    )
    apres_validation(demandes_radiees, demande_ids=[demande.pk])
    return demande


def fin_fenetre_reactivation(demande: Demande) -> date | None:
    if demande.est_active:
        return None
    if demande.motif_radiation == n.MotifRadiation.NON_RENOUVELLEMENT:
        base = demande.date_dernier_renouvellement or demande.date_depot
        return mois_apres(base, FENETRE_REACTIVATION_NON_RENOUVELLEMENT_MOIS)
    return demande.date_radiation + timedelta(days=FENETRE_REACTIVATION_JOURS)


def reactivable(demande: Demande) -> bool:
    """A radiée demande whose reactivation window is still open today."""
    fin = fin_fenetre_reactivation(demande)
    return fin is not None and timezone.localdate() <= fin


@transaction.atomic
def reactiver(demande: Demande, agent, guichet, commentaire: str = "") -> Demande:
    """Déradiation: within the window, the demande comes back with the same numéro and
    seniority. After a non-renewal it is renewed at the same time (attestation sent)."""
    exiger_saisie_sur(agent, guichet, demande)
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    if demande.est_active:
        raise ErreurMetier(
            "Cette demande est active : il n'y a rien à réactiver.", code="deja_active"
        )
    fin = fin_fenetre_reactivation(demande)
    aujourd_hui = timezone.localdate()
    if not reactivable(demande):
        raise ErreurMetier(
            f"La réactivation était possible jusqu'au {fin:%d/%m/%Y} : une nouvelle demande doit "
            "être enregistrée.",
            code="fenetre_reactivation_depassee",
        )
    motif = demande.motif_radiation
    demande.statut = Demande.Statut.ACTIVE
    demande.date_radiation = None
    demande.motif_radiation = ""
    demande.sous_motif_radiation = ""
    demande.commentaire_radiation = ""
    renouvelee = (
        motif == n.MotifRadiation.NON_RENOUVELLEMENT or demande.date_expiration <= aujourd_hui
    )
    if renouvelee:
        _prolonger(demande, aujourd_hui)
    enregistrer_version(
        demande,
        HistoriqueDemande.Action.REACTIVATION,
        agent=agent,
        guichet=guichet,
        changements=[
            {"champ": "statut", "avant": "radiee", "apres": "active"},
            {"champ": "motif_radiation", "avant": motif, "apres": ""},
        ],
        commentaire=commentaire,
    )
    apres_validation(demande_renouvelee if renouvelee else demande_reactivee, demande_id=demande.pk)
    return demande


def radiation_non_renouvellement_due(demande: Demande, le: date) -> bool:
    """Whether a demande is past its expiry by the legal delay on `le` (CCH R441-2-8)."""
    return demande.est_active and le >= mois_apres(
        demande.date_expiration, DELAI_RADIATION_NON_RENOUVELLEMENT_MOIS
    )


def radier_pour_non_renouvellement(demande_ids, *, le: date, commentaire: str) -> list[int]:
    """Strike off for non-renouvellement (`RADREN`, CCH R441-2-8) the demandes among
    `demande_ids` still active and past expiry by one month on `le`: the renewal campaign's
    radiation, with no agent (the history says « campagne de renouvellement »). Returns the ids
    struck off, in the caller's transaction (the campaign writes their notice in the same one).

    Never waits for a demande an agent is changing: the rows are locked with SKIP LOCKED, so
    a demande being renewed at this very moment is left alone (its renewal commits a new
    expiry, and the next run finds nothing to do); the condition is checked again under the
    lock. SQLite serialises writers: there, the renewal simply comes before or after."""
    maintenant = timezone.now()
    radiees = []
    verrouillees = (
        Demande.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in=list(demande_ids), statut=Demande.Statut.ACTIVE)
        .order_by("pk")
    )
    for demande in verrouillees:
        if not radiation_non_renouvellement_due(demande, le):
            continue
        demande.statut = Demande.Statut.RADIEE
        demande.date_radiation = le
        demande.motif_radiation = n.MotifRadiation.NON_RENOUVELLEMENT
        demande.sous_motif_radiation = ""
        demande.commentaire_radiation = commentaire
        demande.version += 1
        demande.modifiee_le = maintenant
        radiees.append(demande)
    if radiees:
        # The batch in a few queries (its history, audit and change-feed events too): the
        # campaign strikes off thousands a day, each as `enregistrer_version` would.
        Demande.objects.bulk_update(radiees, CHAMPS_RADIATION)
        historiser_plusieurs(
            radiees,
            HistoriqueDemande.Action.RADIATION,
            changements=[
                {"champ": "statut", "avant": "active", "apres": "radiee"},
                {
                    "champ": "motif_radiation",
                    "avant": "",
                    "apres": n.MotifRadiation.NON_RENOUVELLEMENT,
                },
            ],
            commentaire=commentaire,
        )
        apres_validation(demandes_radiees, demande_ids=[demande.pk for demande in radiees])
    return [demande.pk for demande in radiees]


CHAMPS_RADIATION = [
    "statut",
    "date_radiation",
    "motif_radiation",
    "sous_motif_radiation",
    "commentaire_radiation",
    "version",
    "modifiee_le",
]
