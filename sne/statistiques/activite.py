"""The activity of a desk (/statistiques/guichet/): over the last twelve months, its
registrations month by month and by agent, and how long after the date de dépôt they were keyed
in. Read from the register itself (a desk's own figures are not in the snapshots), by SQL
aggregates bounded by the index `demande_recentes` (guichet_enregistreur, -enregistree_le):
one desk, one year — never the demandes loaded one by one.

The registration delay: a demande is registered, and its attestation sent, within one month
of its dépôt (CCH R441-2-4). It is counted here in calendar days, from the date de dépôt to the
day of the saisie; « au-delà d'un mois » means later than the same day of the following month.
Only colleagues' names are shown: no applicant's data."""

from collections import defaultdict
from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from sne.comptes.models import Utilisateur
from sne.demandes.models import Demande, HistoriqueDemande

from .lecture import MOIS, Tableau, libelle_du_mois

# The entry of the history that says who registered a demande (a separation's new demande too,
# as the snapshots' flows count it).
CREATIONS = [
    HistoriqueDemande.Action.CREATION,
    HistoriqueDemande.Action.CREATION_SUITE_SEPARATION,
]
DELAI_LEGAL = relativedelta(months=1)  # CCH R441-2-4
SANS_AGENT = "Sans agent (le demandeur en ligne)"


def mois_de_la_periode(aujourd_hui: date) -> list[date]:
    """The first day of each of the twelve months up to the current one, oldest first."""
    premier = aujourd_hui.replace(day=1)
    return [premier - relativedelta(months=i) for i in range(MOIS - 1, -1, -1)]


def _debut(mois: list[date]) -> datetime:
    return timezone.make_aware(datetime.combine(mois[0], time.min))


def _mediane(effectifs: dict[int, int]) -> float | None:
    """The median of values given with their counts ({delay in days: demandes})."""
    total = sum(effectifs.values())
    if not total:
        return None
    rangs = ((total - 1) // 2, total // 2)  # the middle one, or the two middle ones
    valeurs, vus = [], 0
    for valeur in sorted(effectifs):
        suivants = vus + effectifs[valeur]
        valeurs += [valeur for rang in rangs if vus <= rang < suivants]
        vus = suivants
    return sum(valeurs) / 2


def delais_par_mois(guichet, aujourd_hui: date) -> Tableau:
    """Registrations of each month, their mean and median delay, and those later than a month.

    One query: the demandes of the desk since the first month, counted by (day of the saisie,
    date de dépôt) — a few hundred rows a year for a busy desk — then read by month here."""
    mois = mois_de_la_periode(aujourd_hui)
    lignes = (
        Demande.objects.filter(guichet_enregistreur=guichet, enregistree_le__gte=_debut(mois))
        .annotate(jour=TruncDate("enregistree_le"))
        .values("jour", "date_depot")
        .annotate(nombre=Count("id"))
        .order_by()
    )
    effectifs = defaultdict(lambda: defaultdict(int))  # month → {delay in days: demandes}
    en_retard = defaultdict(int)
    for ligne in lignes:
        jour, depot, nombre = ligne["jour"], ligne["date_depot"], ligne["nombre"]
        debut = jour.replace(day=1)
        effectifs[debut][(jour - depot).days] += nombre
        if jour > depot + DELAI_LEGAL:
            en_retard[debut] += nombre

    def ligne_du_mois(m):
        delais = effectifs.get(m, {})
        nombre = sum(delais.values())
        if not nombre:
            return [libelle_du_mois(m), 0, "—", "—", 0, "—"]
        moyenne = sum(d * n for d, n in delais.items()) / nombre
        return [
            libelle_du_mois(m),
            nombre,
            round(moyenne, 1),
            _mediane(delais),
            en_retard[m],
            round(100 * en_retard[m] / nombre, 1),
        ]

    return Tableau(
        code="delais",
        titre="Enregistrements et délai d'enregistrement, mois par mois",
        colonnes=[
            "Mois",
            "Demandes enregistrées",
            "Délai moyen (jours)",
            "Délai médian (jours)",
            "Enregistrées au-delà d'un mois",
            "Part au-delà d'un mois (%)",
        ],
        lignes=[ligne_du_mois(m) for m in mois],
        series=["Demandes enregistrées", "Enregistrées au-delà d'un mois"],
        note="Le délai d'enregistrement court de la date de dépôt de la demande au jour de sa "
        "saisie : la demande est enregistrée, et son attestation envoyée, dans le mois qui "
        "suit son dépôt (CCH R441-2-4). Les douze derniers mois, le mois en cours jusqu'à "
        "aujourd'hui ; une demande compte au mois de sa saisie.",
    )


def par_agent(guichet, aujourd_hui: date) -> Tableau:
    """The desk's registrations of each month by the agent who keyed them in (the history's
    creation entry), most active first. One query grouped by (day of saisie, agent), then the
    agents' names in a second one."""
    mois = mois_de_la_periode(aujourd_hui)
    lignes = (
        HistoriqueDemande.objects.filter(
            action__in=CREATIONS,
            demande__guichet_enregistreur=guichet,
            demande__enregistree_le__gte=_debut(mois),
        )
        .annotate(jour=TruncDate("demande__enregistree_le"))
        .values("jour", "utilisateur")
        .annotate(nombre=Count("id"))
        .order_by()
    )
    comptes = defaultdict(lambda: defaultdict(int))  # agent → month → demandes
    for ligne in lignes:
        comptes[ligne["utilisateur"]][ligne["jour"].replace(day=1)] += ligne["nombre"]
    noms = {
        u.pk: u.nom_complet or u.email
        for u in Utilisateur.objects.filter(pk__in=[pk for pk in comptes if pk is not None])
    }

    def nom(pk):
        return SANS_AGENT if pk is None else noms.get(pk, "")

    rangees = [
        [nom(pk), *(par_mois.get(m, 0) for m in mois), sum(par_mois.values())]
        for pk, par_mois in comptes.items()
    ]
    rangees.sort(key=lambda r: (-r[-1], r[0]))
    return Tableau(
        code="agents",
        titre="Enregistrements par agent, mois par mois",
        colonnes=["Agent", *(libelle_du_mois(m) for m in mois), "Total"],
        lignes=rangees,
        series=["Total"],
        note="Chaque demande compte pour l'agent qui l'a saisie, au mois de sa saisie ; une "
        "demande déposée en ligne par le demandeur compte sans agent.",
    )


def tableaux_du_guichet(guichet, aujourd_hui: date) -> list[Tableau]:
    return [delais_par_mois(guichet, aujourd_hui), par_agent(guichet, aujourd_hui)]
