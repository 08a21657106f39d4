"""The change feed read by connected systems (`GET /api/v1/evenements?apres=`): the events of
the demandes a desk may see, oldest first, from a cursor that never skips one
(docs/adr/0013-flux-des-evenements.md, API-CONTRACT « Change feed »).

The events themselves are written by `historique.publier_evenement`, in the transaction of
each change; they are kept `DUREE_CONSERVATION` (`purger_evenements`, a nightly task)."""

import time
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from sne.comptes.droits import Droits

from ..models import EvenementCommune, EvenementDemande, _zones_consultees

LIMITE_MAX = 1000
CURSEUR_MAX = 2**63 - 1  # a bigint
# Thirteen months: a connected system that stopped for a whole yearly cycle (renewals come
# back every twelve months) can still catch up; beyond, it starts again from a copie
# numérique of its demandes.
DUREE_CONSERVATION = timedelta(days=396)
# How long a reader waits, at most, for the writing transactions that were running when it
# looked at the sequence (they may hold an event id below the ones already visible).
ATTENTE_MAX_SECONDES = 2.0


def evenement_en_dict(evenement: EvenementDemande) -> dict:
    """An event as the API contract shows it (`GET /api/v1/evenements`, docs/api.md): no
    personal data, only what a connected system needs to know which demande to read again."""
    return {
        "curseur": evenement.id,
        "type": evenement.type,
        "code_fichier": evenement.code_fichier or None,
        "date": evenement.horodatage.isoformat(),
        "numero_unique": evenement.donnees.get("numero_unique"),
        "version": evenement.donnees.get("version"),
        "statut": evenement.donnees.get("statut"),
        "champs": evenement.donnees.get("champs", []),
        "departement": evenement.departement_id,
        "guichet": evenement.guichet.code if evenement.guichet else None,
    }


def droits_du_guichet(guichet) -> Droits:
    """What a desk itself may see (an API token acts for its desk): its consultation scope
    and the demandes it registered — the same branches as `Demande.objects.visibles_par`."""
    return Droits(
        guichets_saisie=frozenset({guichet.pk}), guichets_consultation=frozenset({guichet.pk})
    )


def evenements_pour(
    guichet_ou_droits, apres: int | None = None, limite: int = 100
) -> tuple[list[EvenementDemande], int]:
    """The events after the cursor `apres` (None or 0: from the oldest kept) on the demandes
    that the desk (or the holder of `Droits`) may see, oldest first, at most `limite`, and the
    cursor to send next time.

    Scope: the rule of `Demande.objects.visibles_par` (`_branches_du_perimetre`), applied to
    what each event copied at the time of the change — a wished commune or its département
    that the desk consults, the desk that registered the demande, a département that a
    gestionnaire manages; everything at the national level.

    Order without a gap: on PostgreSQL ids are taken from a sequence when each transaction
    inserts, not when it commits, so a reader could see id 12 committed while id 11 is still
    in flight, advance past 11 and never see it. Only events up to `borne_sure()` are served:
    every transaction that may hold an id below it has ended. The cursor returned is the last
    event served when the page is full, else that bound (nothing below it can appear any
    more), so a desk with a narrow scope does not scan the national feed again."""
    droits = (
        guichet_ou_droits
        if isinstance(guichet_ou_droits, Droits)
        else droits_du_guichet(guichet_ou_droits)
    )
    apres = min(max(apres or 0, 0), CURSEUR_MAX)  # a cursor from a client is any integer
    limite = max(1, min(limite, LIMITE_MAX))
    borne = borne_sure()
    if borne is not None and borne <= apres:
        return [], apres
    ids = set()
    for branche, cle in _branches(droits):
        branche = branche.filter(**{f"{cle}__gt": apres})
        if borne is not None:
            branche = branche.filter(**{f"{cle}__lte": borne})
        # The first `limite` of each branch hold the first `limite` of their union.
        ids.update(branche.order_by(cle).values_list(cle, flat=True).distinct()[:limite])
    retenus = sorted(ids)[:limite]
    evenements = list(
        EvenementDemande.objects.filter(id__in=retenus).select_related("guichet").order_by("id")
    )
    if len(retenus) == limite:
        return evenements, retenus[-1]
    if borne is None:  # SQLite: writers are serialised, what is visible is final
        return evenements, retenus[-1] if retenus else apres
    return evenements, borne


def _branches(droits: Droits):
    """The branches of the scope (`models._branches_du_perimetre`): (queryset of events or of
    their communes, the column holding the event id)."""
    if droits.national:
        return [(EvenementDemande.objects.all(), "id")]
    branches = []
    if droits.departements_gestion:
        deps = sorted(droits.departements_gestion)
        branches.append((EvenementDemande.objects.filter(departement__in=deps), "id"))
    if droits.guichets_consultation:
        guichets = sorted(droits.guichets_consultation)
        departements, communes = _zones_consultees(guichets)
        if departements:
            par_dep = EvenementCommune.objects.filter(departement__in=departements)
            branches.append((par_dep, "evenement"))
        if communes:
            branches.append((EvenementCommune.objects.filter(commune__in=communes), "evenement"))
        par_guichet = EvenementDemande.objects.filter(guichet_enregistreur__in=guichets)
        branches.append((par_guichet, "id"))
    return branches


def borne_sure() -> int | None:
    """The highest event id below which no event can appear any more; None when every
    visible event is final (SQLite: one writer at a time, BEGIN IMMEDIATE — ADR 0002).

    PostgreSQL: read the sequence's last value V, then the transactions in progress (of this
    database: `pg_snapshot_xip` lists those of the whole server). Any
    transaction holding an id ≤ V took it before that look, after its first write (the
    history row is written before the event), so it already had a transaction id and is
    listed in progress — or has ended. Once all of those have ended (committed or rolled
    back), every id ≤ V is final. Waits at most `ATTENTE_MAX_SECONDES` (a change lasts
    milliseconds); if a writing transaction lasts longer, serves nothing new this time
    (returns 0 — the caller keeps its cursor) rather than risk a skip."""
    if connection.vendor != "postgresql":
        return None
    table = EvenementDemande._meta.db_table
    with connection.cursor() as curseur:
        curseur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = curseur.fetchone()[0]  # a name given by PostgreSQL itself
        curseur.execute(f"SELECT last_value, is_called FROM {sequence}")
        derniere, appelee = curseur.fetchone()
        if not appelee:
            return 0
        # Transaction ids are shared by the whole server: those of another database (tests,
        # another application) cannot hold an event and are not waited for. An id whose
        # database is not known (another role's session, hidden) is waited for.
        curseur.execute(
            "SELECT array_agg(x::text) FROM pg_snapshot_xip(pg_current_snapshot()) AS x "
            "WHERE x IS DISTINCT FROM pg_current_xact_id_if_assigned() "
            "AND NOT EXISTS (SELECT 1 FROM pg_stat_activity AS a WHERE a.backend_xid = x::xid "
            "AND a.datname IS DISTINCT FROM current_database())"
        )
        en_cours = curseur.fetchone()[0] or []
        fin = time.monotonic() + ATTENTE_MAX_SECONDES
        while en_cours:
            curseur.execute(
                "SELECT array_agg(x) FROM unnest(%s::text[]) AS x "
                "WHERE pg_xact_status(x::xid8) = 'in progress'",
                [en_cours],
            )
            en_cours = curseur.fetchone()[0] or []
            if en_cours and time.monotonic() > fin:
                return 0
            if en_cours:
                time.sleep(0.01)
    return derniere


def purger_evenements(maintenant=None, par_paquet: int = 10_000) -> int:
    """Erase the events older than `DUREE_CONSERVATION` (13 months), by batches so that the
    nightly run never holds a long transaction (which would make the feed's readers wait)."""
    limite = (maintenant or timezone.now()) - DUREE_CONSERVATION
    total = 0
    while True:
        ids = list(
            EvenementDemande.objects.filter(horodatage__lt=limite)
            .order_by("id")
            .values_list("id", flat=True)[:par_paquet]
        )
        if not ids:
            return total
        EvenementCommune.objects.filter(evenement__in=ids).delete()
        total += (
            EvenementDemande.objects.filter(id__in=ids)
            .delete()[1]
            .get(EvenementDemande._meta.label, 0)
        )
