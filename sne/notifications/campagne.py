"""The renewal campaign: the register's heartbeat (CCH R441-2-7, R441-2-8).

Every day (`sne.notifications.tasks.campagne_du_jour`, or `manage.py campagne_renouvellement
--date AAAA-MM-JJ` for a given day):

1. **Renewal notice** (préavis) to every active demande whose expiry falls within one month
   (`PREAVIS_RENOUVELLEMENT_MOIS`) and that has none yet for this expiry, by the channels of
   CCH R441-2-7 (`services.canaux`). The window has no lower bound: a demande past its expiry
   that was never warned (the campaign was down, an imported demande) is warned now.
2. **Radiation for non-renouvellement** (`RADREN`) of the demandes past expiry by one month
   (`DELAI_RADIATION_NON_RENOUVELLEMENT_MOIS`) whose notice was given at least one month
   before: nobody is struck off without a month's warning, whatever the downtime. Each one
   gets the radiation notice, in the radiation's transaction.

Both steps select by « on or before the day », so a run after days of downtime catches up by
itself; both are idempotent (a notice per expiry and channel, `Message.cle`; a radiated
demande is no longer active), so a run twice, or resumed after a crash, sends nothing twice.
The radiation never waits for a demande an agent holds (`radier_pour_non_renouvellement`, SKIP
LOCKED): the agent's renewal wins.

Work goes by batches of ids (keyset on the primary key), each in its own transaction: memory
stays flat whatever the number of demandes, and a crash loses at most one batch, done again by
the next run.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from sne.attestations import services as documents
from sne.demandes.models import Demande
from sne.demandes.regles import (
    DELAI_RADIATION_NON_RENOUVELLEMENT_MOIS,
    PREAVIS_RENOUVELLEMENT_MOIS,
    mois_apres,
)
from sne.demandes.services import radier_pour_non_renouvellement

from .models import JourneeCampagne, Message
from .services import Avis, notifier_plusieurs

logger = logging.getLogger(__name__)

TAILLE_LOT = 500
TAILLE_LOT_RADIATION = 100  # rows locked together: kept short, an agent never waits long


@dataclass
class Bilan:
    date: date
    a_blanc: bool
    preavis: int = 0
    radiations: int = 0
    messages: int = 0
    injoignables: int = 0
    par_canal: dict = field(default_factory=dict)

    def compter(self, envoi) -> None:
        self.messages += len(envoi.messages)
        self.injoignables += envoi.non_distribuables
        for message in envoi.messages:
            self.par_canal[message.canal] = self.par_canal.get(message.canal, 0) + 1


def a_prevenir(le: date):
    """Active demandes in the notice window on `le` without a notice for their expiry."""
    deja = Message.objects.filter(
        demande=OuterRef("pk"),
        type=Message.Type.PREAVIS_RENOUVELLEMENT,
        cycle=OuterRef("date_expiration"),
    )
    return Demande.objects.filter(
        statut=Demande.Statut.ACTIVE,
        date_expiration__lte=mois_apres(le, PREAVIS_RENOUVELLEMENT_MOIS),
    ).filter(~Exists(deja))


def a_radier(le: date):
    """Active demandes past expiry by the legal delay on `le`, warned at least one month ago.

    The date filter is a few days wide (31 January + one month is 28 February): the exact rule
    is checked again, under lock, by `radier_pour_non_renouvellement`."""
    un_mois_avant = le - relativedelta(months=DELAI_RADIATION_NON_RENOUVELLEMENT_MOIS)
    prevenue = Message.objects.filter(
        demande=OuterRef("pk"),
        type=Message.Type.PREAVIS_RENOUVELLEMENT,
        cycle=OuterRef("date_expiration"),
        date_avis__lte=le - relativedelta(months=PREAVIS_RENOUVELLEMENT_MOIS),
    )
    return Demande.objects.filter(
        statut=Demande.Statut.ACTIVE,
        date_expiration__lte=un_mois_avant + relativedelta(days=3),
    ).filter(Exists(prevenue))


def _par_lots(requete, taille: int):
    """The ids of `requete` in batches, by keyset on the primary key (never an OFFSET, never
    all ids in memory)."""
    dernier = 0
    while True:
        ids = list(
            requete.filter(pk__gt=dernier).order_by("pk").values_list("pk", flat=True)[:taille]
        )
        if not ids:
            return
        yield ids
        dernier = ids[-1]


def _demandes(ids):
    """A batch of demandes with all their letter reads (`sne.attestations.services`), in a
    few queries for the batch rather than a few per demande."""
    return (
        Demande.objects.filter(pk__in=ids)
        .select_related("departement", "guichet_enregistreur__organisation", "association")
        .prefetch_related("personnes__commune", "guichet_enregistreur__contacts__commune")
        .order_by("pk")
    )


def prevenir(le: date, bilan: Bilan, progression: Callable | None = None) -> None:
    for ids in _par_lots(a_prevenir(le), TAILLE_LOT):
        with transaction.atomic():
            envoi = notifier_plusieurs(
                [
                    Avis(
                        demande,
                        Message.Type.PREAVIS_RENOUVELLEMENT,
                        donnees=documents.donnees_preavis_renouvellement(demande),
                        reference=demande.date_expiration.isoformat(),
                        cycle=demande.date_expiration,
                        date_avis=le,
                        source="campagne",
                    )
                    for demande in _demandes(ids)
                ]
            )
            bilan.preavis += len({message.demande_id for message in envoi.messages})
            bilan.compter(envoi)
        if progression:
            progression(bilan)


def radier(le: date, bilan: Bilan, progression: Callable | None = None) -> None:
    commentaire = (
        f"Campagne de renouvellement du {le:%d/%m/%Y} : demande non renouvelée "
        "dans le mois suivant son expiration (CCH R441-2-8)."
    )
    for ids in _par_lots(a_radier(le), TAILLE_LOT_RADIATION):
        with transaction.atomic():
            radiees = radier_pour_non_renouvellement(ids, le=le, commentaire=commentaire)
            envoi = notifier_plusieurs(
                [
                    Avis(
                        demande,
                        Message.Type.AVIS_RADIATION,
                        donnees=documents.donnees_avis_radiation(demande),
                        reference=demande.date_expiration.isoformat(),
                        cycle=demande.date_expiration,
                        date_avis=le,
                        source="campagne",
                    )
                    for demande in _demandes(radiees)
                ]
            )
            bilan.compter(envoi)
            bilan.radiations += len(radiees)
        if progression:
            progression(bilan)


def lancer_campagne(
    le: date | None = None, *, a_blanc: bool = False, progression: Callable | None = None
) -> Bilan:
    """Run the campaign of the day `le` (today by default). `a_blanc`: count what it would do,
    change nothing. Returns what was done (`Bilan`); the day's record (`JourneeCampagne`) keeps
    it for the gestionnaires, with the time it ended."""
    le = le or timezone.localdate()
    bilan = Bilan(date=le, a_blanc=a_blanc)
    if a_blanc:
        bilan.preavis = a_prevenir(le).count()
        bilan.radiations = a_radier(le).count()
        return bilan
    journee, _ = JourneeCampagne.objects.get_or_create(date=le)

    def suivre(b: Bilan) -> None:
        JourneeCampagne.objects.filter(pk=journee.pk).update(
            preavis=journee.preavis + b.preavis,
            radiations=journee.radiations + b.radiations,
            messages=journee.messages + b.messages,
            injoignables=journee.injoignables + b.injoignables,
        )
        if progression:
            progression(b)

    prevenir(le, bilan, suivre)
    radier(le, bilan, suivre)
    suivre(bilan)
    JourneeCampagne.objects.filter(pk=journee.pk).update(terminee_le=timezone.now())
    logger.info(
        "Campagne du %s : %s préavis, %s radiations, %s messages, %s injoignables",
        le,
        bilan.preavis,
        bilan.radiations,
        bilan.messages,
        bilan.injoignables,
    )
    return bilan
