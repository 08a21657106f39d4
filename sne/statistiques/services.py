"""The daily snapshot of the register (docs/statistiques.md): `prendre_instantane(jour)` counts,
by SQL aggregates grouped by département (a few scans of the demandes, never a demande
loaded into Python), the stock of active demandes at the end of the day and the flows of the
day, and writes them once as `Mesure` rows for each département, France and, for the active
demandes, each commune first wished. Taken the following night by a Huey periodic task
(`tasks.py`); a day already taken is never taken again (a snapshot is immutable).

Definitions (what a gestionnaire reads on the pages, docs/statistiques.md « Définitions »):
- a demande belongs to the département where it is registered (`Demande.departement`); the
  commune figures count it under the commune it wished first (`CommuneSouhaitee.rang` 1);
- stock: the demandes active when the snapshot is taken (the night after the day), their
  seniority counted from the date de dépôt to the end of the day (CCH R441-2-4);
- a demande wishing several typologies counts once under each (the typology figures do not
  add up to the number of demandes), and under « non précisée » when it wished none;
- délai anormalement long: the département's, fixed by arrêté préfectoral (CCH L441-1-4;
  `attestations.ParametresDepartement`), else the national default of 36 months;
- flows: registrations by their keying date (`enregistree_le`; a separation's new demande
  included), renewals and radiations by their date, reactivations by their history entry,
  leases (attributions) by the day they were keyed in (`bail_saisi_le`: a lease signed on
  Friday and keyed in on Monday counts on Monday, whose snapshot is not yet taken; its
  seniority counted at that day), the CALs' decisions by their keying (`decidee_le`) and the
  applicants' refusals by theirs (`refus_saisi_le`), duplicates by their decision, the renewal
  campaign's notices by their creation and their non-delivery by its report.
"""

import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as heure

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from sne.attestations.models import ParametresDepartement
from sne.attributions.models import Candidature
from sne.attributions.nomenclatures import DecisionCAL, MotifRefusDemandeur
from sne.demandes import nomenclatures as n
from sne.demandes.models import CommuneSouhaitee, Demande, HistoriqueDemande
from sne.doublons.models import PaireDoublon
from sne.notifications.models import EvenementMessage, Message
from sne.referentiels.models import Commune, Departement

from .models import FRANCE, SANS_EPCI, Indicateur, Instantane, Mesure

# Household sizes: (modality, at least, at most — None: no upper bound).
TAILLES = [("1", 1, 1), ("2", 2, 2), ("3", 3, 3), ("4", 4, 4), ("5", 5, 5), ("6_et_plus", 6, None)]
LIBELLES_TAILLES = {
    "1": "1 personne",
    "2": "2 personnes",
    "3": "3 personnes",
    "4": "4 personnes",
    "5": "5 personnes",
    "6_et_plus": "6 personnes ou plus",
}
# Seniority bands: (modality, label, at least months, less than months — None: no bound).
ANCIENNETES = [
    ("moins_6_mois", "moins de 6 mois", 0, 6),
    ("6_12_mois", "6 mois à 1 an", 6, 12),
    ("1_2_ans", "1 à 2 ans", 12, 24),
    ("2_3_ans", "2 à 3 ans", 24, 36),
    ("3_5_ans", "3 à 5 ans", 36, 60),
    ("5_ans_et_plus", "5 ans ou plus", 60, None),
]
NON_PRECISEE = "non_precisee"
TYPOLOGIES = [t.value for t in n.Typologie] + [NON_PRECISEE]
MOTIFS_RADIATION = [m.value for m in n.MotifRadiation]
NON_DISTRIBUES = (
    EvenementMessage.Type.REBOND,
    EvenementMessage.Type.RETOUR_COURRIER,
    EvenementMessage.Type.NON_DISTRIBUABLE,
)
AVIS_DE_CAMPAGNE = (Message.Type.PREAVIS_RENOUVELLEMENT, Message.Type.AVIS_RADIATION)


def hier() -> date:
    return timezone.localdate() - timedelta(days=1)


def prendre_instantane(jour: date | None = None) -> Instantane:
    """The snapshot of `jour` (yesterday by default): taken once, returned as it is after."""
    jour = jour or hier()
    # Asked of the primary database, never of the read replica (routeur.py): a replica late by
    # a few seconds would say « not taken yet » of a day just taken, and the day would be taken
    # again, refused by the uniqueness of `Instantane.jour`.
    deja = Instantane.objects.using(DEFAULT_DB_ALIAS).filter(jour=jour).first()
    if deja is not None:
        return deja
    debut = time.perf_counter()
    departements = list(Departement.objects.order_by("code").values_list("code", flat=True))
    valeurs: dict[tuple[str, str, str, str], int] = {}
    for departement in departements:
        for indicateur, modalites in _MODALITES.items():
            for modalite in modalites:
                valeurs[(departement, "", indicateur, modalite)] = 0
    # The communes' rows (totals and detail) are kept for the month's latest snapshot only:
    # the pages read the latest day's, the open data the month's last (ADR 0024).
    fin_du_mois = jour.replace(day=1) + relativedelta(months=1)
    detail = (
        not Instantane.objects.using(DEFAULT_DB_ALIAS)
        .filter(jour__gt=jour, jour__lt=fin_du_mois)
        .exists()
    )
    for cle, valeur in _compter(jour, departements):
        if cle[1] and not (detail and valeur):
            continue  # a commune's zeros are not written: an absent row counts 0
        valeurs[cle] = valeurs.get(cle, 0) + valeur
    france = defaultdict(int)
    for (_, commune, indicateur, modalite), valeur in valeurs.items():
        if not commune:
            france[(FRANCE, "", indicateur, modalite)] += valeur
    valeurs.update(france)
    with transaction.atomic():
        instantane = Instantane.objects.create(
            jour=jour,
            duree=time.perf_counter() - debut,
            demandes_actives=france[(FRANCE, "", Indicateur.ACTIVES, "")],
        )
        Mesure.objects.bulk_create(
            (
                Mesure(
                    instantane=instantane,
                    jour=jour,
                    departement=departement,
                    commune=commune,
                    indicateur=indicateur,
                    modalite=modalite,
                    valeur=valeur,
                )
                for (departement, commune, indicateur, modalite), valeur in valeurs.items()
            ),
            batch_size=5000,
        )
        if detail:  # the month's earlier days' communes: the latest day's replace them
            Mesure.objects.filter(
                jour__gte=jour.replace(day=1), jour__lt=jour, commune__gt=""
            ).delete()
    return instantane


# Every département has these rows, zeros included (a chart shows every modality).
_MODALITES = {
    Indicateur.ACTIVES: [""],
    Indicateur.ACTIVES_TYPOLOGIE: TYPOLOGIES,
    Indicateur.ACTIVES_TAILLE: [t[0] for t in TAILLES],
    Indicateur.ACTIVES_ANCIENNETE: [a[0] for a in ANCIENNETES],
    Indicateur.ACTIVES_DELAI_ANORMAL: [""],
    Indicateur.ENREGISTREMENTS: [""],
    Indicateur.RENOUVELLEMENTS: [""],
    Indicateur.REACTIVATIONS: [""],
    Indicateur.RADIATIONS: MOTIFS_RADIATION,
    Indicateur.ATTRIBUTIONS: [a[0] for a in ANCIENNETES],
    Indicateur.DECISIONS_CAL: DecisionCAL.values,
    Indicateur.REFUS_DEMANDEUR: MotifRefusDemandeur.values,
    Indicateur.DOUBLONS_CONFIRMES: [""],
    Indicateur.PREAVIS: [""],
    Indicateur.AVIS_NON_DISTRIBUES: [""],
}


def _journee(jour: date) -> tuple[datetime, datetime]:
    debut = timezone.make_aware(datetime.combine(jour, heure.min))
    return debut, timezone.make_aware(datetime.combine(jour + timedelta(days=1), heure.min))


def _anciennete(jour: date, prefixe: str = "") -> dict[str, Q]:
    """Each band as a condition on the date de dépôt, seniority counted at the end of `jour`."""
    conditions = {}
    for modalite, _, au_moins, moins_de in ANCIENNETES:
        q = Q(**{f"{prefixe}date_depot__lte": jour - relativedelta(months=au_moins)})
        if moins_de is not None:
            q &= Q(**{f"{prefixe}date_depot__gt": jour - relativedelta(months=moins_de)})
        conditions[modalite] = q
    return conditions


def _delai_anormal(jour: date, departements: list[str]) -> Q:
    """Active demandes older than their département's délai anormalement long: one condition
    per distinct délai (a few), not one per département."""
    defaut = int(getattr(settings, "SNE_DELAI_ANORMALEMENT_LONG_MOIS_DEFAUT", 36))
    delais = dict.fromkeys(departements, defaut)
    delais.update(
        ParametresDepartement.objects.values_list("departement_id", "delai_anormalement_long_mois")
    )
    par_delai = defaultdict(list)
    for departement, mois in delais.items():
        par_delai[mois].append(departement)
    condition = Q(pk__in=[])
    for mois, codes in par_delai.items():
        condition |= Q(departement_id__in=codes, date_depot__lte=jour - relativedelta(months=mois))
    return condition


def _compter(jour: date, departements: list[str]):
    """(département, commune, indicateur, modalité), valeur — from SQL aggregates."""
    debut, fin = _journee(jour)
    active = Q(statut=Demande.Statut.ACTIVE)

    # One scan of the demandes, grouped by département: the stock and the dated flows.
    comptes = {"actives": Count("pk", filter=active)}
    for modalite, au_moins, au_plus in TAILLES:
        taille = Q(nombre_personnes__gte=au_moins)
        if au_plus is not None:
            taille &= Q(nombre_personnes__lte=au_plus)
        comptes[f"taille:{modalite}"] = Count("pk", filter=active & taille)
    for modalite, condition in _anciennete(jour).items():
        comptes[f"anciennete:{modalite}"] = Count("pk", filter=active & condition)
    comptes["delai"] = Count("pk", filter=active & _delai_anormal(jour, departements))
    comptes["sans_typologie"] = Count("pk", filter=active & Q(typologies=[]))
    comptes["enregistrements"] = Count(
        "pk", filter=Q(enregistree_le__gte=debut, enregistree_le__lt=fin)
    )
    comptes["renouvellements"] = Count("pk", filter=Q(date_dernier_renouvellement=jour))
    for motif in MOTIFS_RADIATION:
        comptes[f"radiation:{motif}"] = Count(
            "pk", filter=Q(statut=Demande.Statut.RADIEE, date_radiation=jour, motif_radiation=motif)
        )
    lignes = Demande.objects.order_by().values("departement_id").annotate(**comptes)
    for ligne in lignes:
        dep = ligne["departement_id"]
        yield (dep, "", Indicateur.ACTIVES, ""), ligne["actives"]
        yield (dep, "", Indicateur.ACTIVES_DELAI_ANORMAL, ""), ligne["delai"]
        yield (dep, "", Indicateur.ACTIVES_TYPOLOGIE, NON_PRECISEE), ligne["sans_typologie"]
        yield (dep, "", Indicateur.ENREGISTREMENTS, ""), ligne["enregistrements"]
        yield (dep, "", Indicateur.RENOUVELLEMENTS, ""), ligne["renouvellements"]
        for cle, valeur in ligne.items():
            famille, _, modalite = cle.partition(":")
            indicateur = {
                "taille": Indicateur.ACTIVES_TAILLE,
                "anciennete": Indicateur.ACTIVES_ANCIENNETE,
                "radiation": Indicateur.RADIATIONS,
            }.get(famille)
            if indicateur is not None:
                yield (dep, "", indicateur, modalite), valeur

    # Typologies: a JSON list per demande, unnested by the database.
    yield from _typologies()

    # The commune first wished, under that commune's département: its total, and its detail
    # by household size and seniority (the open data's tables, which add up: one demande, one
    # commune, one modality of each indicator).
    detail = {"total": Count("pk")}
    for modalite, au_moins, au_plus in TAILLES:
        taille = Q(demande__nombre_personnes__gte=au_moins)
        if au_plus is not None:
            taille &= Q(demande__nombre_personnes__lte=au_plus)
        detail[f"taille:{modalite}"] = Count("pk", filter=taille)
    for modalite, condition in _anciennete(jour, "demande__").items():
        detail[f"anciennete:{modalite}"] = Count("pk", filter=condition)
    premieres = (
        CommuneSouhaitee.objects.filter(rang=1, demande__statut=Demande.Statut.ACTIVE)
        .order_by()
        .values("departement_id", "commune_id")
        .annotate(**detail)
    )
    # …and under the EPCI the referential gives that commune on the day (kept every day, with
    # the département's rows: a few per département, 1 255 for France).
    epci_de = dict(Commune.objects.filter(epci__isnull=False).values_list("code_insee", "epci_id"))
    for ligne in premieres:
        dep, commune = ligne["departement_id"], ligne["commune_id"]
        yield (dep, commune, Indicateur.ACTIVES_COMMUNE, ""), ligne["total"]
        yield (dep, "", Indicateur.ACTIVES_EPCI, epci_de.get(commune, SANS_EPCI)), ligne["total"]
        for cle, valeur in ligne.items():
            famille, _, modalite = cle.partition(":")
            indicateur = {
                "taille": Indicateur.ACTIVES_COMMUNE_TAILLE,
                "anciennete": Indicateur.ACTIVES_COMMUNE_ANCIENNETE,
            }.get(famille)
            if indicateur is not None:
                yield (dep, commune, indicateur, modalite), valeur
    yield from _typologie_des_communes()

    yield from _par_departement(
        HistoriqueDemande.objects.filter(
            action=HistoriqueDemande.Action.REACTIVATION, horodatage__gte=debut, horodatage__lt=fin
        ),
        "demande__departement_id",
        Indicateur.REACTIVATIONS,
    )

    baux = {
        f"anciennete:{modalite}": Count("pk", filter=condition)
        for modalite, condition in _anciennete(jour, "demande__").items()
    }
    for ligne in (
        Candidature.objects.filter(bail_saisi_le__gte=debut, bail_saisi_le__lt=fin)
        .order_by()
        .values("demande__departement_id")
        .annotate(**baux)
    ):
        for cle, valeur in ligne.items():
            if cle.startswith("anciennete:"):
                yield (
                    (ligne["demande__departement_id"], "", Indicateur.ATTRIBUTIONS, cle[11:]),
                    valeur,
                )

    # The CALs' decisions (CCH R441-3) and the applicants' refusals, by the day they were
    # keyed in, under the département of the demande.
    for lignes, indicateur, modalite in (
        (
            Candidature.objects.filter(decidee_le__gte=debut, decidee_le__lt=fin),
            Indicateur.DECISIONS_CAL,
            "decision",
        ),
        (
            Candidature.objects.filter(refus_saisi_le__gte=debut, refus_saisi_le__lt=fin),
            Indicateur.REFUS_DEMANDEUR,
            "motif_refus",
        ),
    ):
        for ligne in (
            lignes.order_by().values("demande__departement_id", modalite).annotate(n=Count("pk"))
        ):
            yield (ligne["demande__departement_id"], "", indicateur, ligne[modalite]), ligne["n"]

    yield from _par_departement(
        PaireDoublon.objects.filter(
            statut=PaireDoublon.Statut.DOUBLON_CONFIRME, decidee_le__gte=debut, decidee_le__lt=fin
        ),
        "departement_id",
        Indicateur.DOUBLONS_CONFIRMES,
    )
    yield from _par_departement(
        Message.objects.filter(
            type=Message.Type.PREAVIS_RENOUVELLEMENT, cree_le__gte=debut, cree_le__lt=fin
        ),
        "departement_id",
        Indicateur.PREAVIS,
    )
    yield from _par_departement(
        EvenementMessage.objects.filter(
            type__in=NON_DISTRIBUES,
            survenu_le__gte=debut,
            survenu_le__lt=fin,
            message__type__in=AVIS_DE_CAMPAGNE,
        ),
        "message__departement_id",
        Indicateur.AVIS_NON_DISTRIBUES,
        Count("message", distinct=True),  # a message reported twice counts once
    )


def _par_departement(lignes, departement: str, indicateur, compte=None):
    """A flow of the day counted by département (one GROUP BY)."""
    for ligne in lignes.order_by().values(departement).annotate(n=compte or Count("pk")):
        yield (ligne[departement], "", indicateur, ""), ligne["n"]


# JSON arrays unnested by each database's own table function (the ORM has none).
_TYPOLOGIES_SQL = {
    "postgresql": (
        "SELECT d.departement_id, t.valeur, COUNT(*) FROM demandes_demande d "
        "CROSS JOIN LATERAL jsonb_array_elements_text(d.typologies) AS t(valeur) "
        "WHERE d.statut = %s GROUP BY d.departement_id, t.valeur"
    ),
    "sqlite": (
        "SELECT d.departement_id, t.value, COUNT(*) FROM demandes_demande d, "
        "json_each(d.typologies) AS t WHERE d.statut = %s GROUP BY d.departement_id, t.value"
    ),
}


# The smallest typology a demande wished (« non précisée » when none), for the communes'
# detail: each database tests the JSON list with its own operator.
_CONTIENT = {
    "postgresql": "d.typologies ? '{0}'",
    "sqlite": "EXISTS (SELECT 1 FROM json_each(d.typologies) WHERE value = '{0}')",
}


def _typologie_des_communes():
    contient = _CONTIENT[connection.vendor]
    cas = " ".join(f"WHEN {contient.format(t)} THEN '{t}'" for t in TYPOLOGIES if t != NON_PRECISEE)
    sql = (
        f"SELECT v.departement_id, v.commune_id, CASE {cas} ELSE '{NON_PRECISEE}' END AS t, "
        "COUNT(*) FROM demandes_communesouhaitee v "
        "JOIN demandes_demande d ON d.id = v.demande_id "
        "WHERE v.rang = 1 AND d.statut = %s GROUP BY v.departement_id, v.commune_id, t"
    )
    with connection.cursor() as curseur:
        curseur.execute(sql, [Demande.Statut.ACTIVE])
        for departement, commune, typologie, nombre in curseur.fetchall():
            yield (departement, commune, Indicateur.ACTIVES_COMMUNE_TYPOLOGIE, typologie), nombre


def _typologies():
    with connection.cursor() as curseur:
        curseur.execute(_TYPOLOGIES_SQL[connection.vendor], [Demande.Statut.ACTIVE])
        for departement, typologie, nombre in curseur.fetchall():
            if typologie in TYPOLOGIES:
                yield (departement, "", Indicateur.ACTIVES_TYPOLOGIE, typologie), nombre
