"""What the statistics pages and their exports show, read from the snapshots only (`Mesure`):
the latest day's stock of a territory, its flows month by month, its communes. Each figure is
a `Tableau` — the table shown beside its chart, and exactly what its CSV/XLSX export holds.

A territory is France (`FRANCE`, "") or a département's code. Queries are bounded: one day of
one territory (about fifty rows), or twelve months of its flows through the index
`mesure_tendance` (about 9 000 rows summed by the database).

With a read replica (DATABASE_REPLICA_URL), the snapshots are read there (routeur.py). The
communes' names stay on `default`, with the rest of the referential: a few hundred rows read by
primary key, current on the primary (a commune renamed shows its name of today either way),
and joined to nothing here (a `Mesure` names its commune by code), so reading them apart costs
nothing; the router's rule stays one line — what the night writes once is read on the replica,
nothing else."""

from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Sum
from django.db.models.functions import TruncMonth

from sne.attributions.nomenclatures import DecisionCAL, MotifRefusDemandeur
from sne.demandes import nomenclatures as n
from sne.referentiels.models import Commune, Epci

from .models import FRANCE, SANS_EPCI, Indicateur, Mesure
from .services import ANCIENNETES, LIBELLES_TAILLES, NON_PRECISEE, TAILLES, TYPOLOGIES

MOIS = 12
MOIS_FR = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]
LIBELLES_TYPOLOGIES = dict(n.Typologie.choices) | {NON_PRECISEE: "non précisée"}
LIBELLES_ANCIENNETES = {a[0]: a[1] for a in ANCIENNETES}
LIBELLES_MOTIFS = dict(n.MotifRadiation.choices)
LIBELLE_SANS_EPCI = "Sans EPCI (Bréhat, Sein, Ouessant, Yeu)"
LIBELLES_DECISIONS = dict(DecisionCAL.choices)
LIBELLES_REFUS = dict(MotifRefusDemandeur.choices)
# The monthly flows, in the order of the table's columns.
FLUX = [
    (Indicateur.ENREGISTREMENTS, "Enregistrées"),
    (Indicateur.RENOUVELLEMENTS, "Renouvelées"),
    (Indicateur.REACTIVATIONS, "Réactivées"),
    (Indicateur.RADIATIONS, "Radiées"),
    (Indicateur.ATTRIBUTIONS, "Baux signés"),
    (Indicateur.DOUBLONS_CONFIRMES, "Doublons confirmés"),
    (Indicateur.PREAVIS, "Préavis de renouvellement"),
    (Indicateur.AVIS_NON_DISTRIBUES, "Avis non distribués"),
]


@dataclass
class Tableau:
    code: str
    titre: str
    colonnes: list[str]
    lignes: list[list] = field(default_factory=list)
    # The chart: one series per name, each a value per row (the first column is the label).
    series: list[str] = field(default_factory=list)
    note: str = ""


def libelle_du_mois(mois: date) -> str:
    return f"{MOIS_FR[mois.month - 1]} {mois.year}"


def _du_jour(jour: date, territoire: str) -> dict[tuple[str, str], int]:
    return {
        (indicateur, modalite): valeur
        for indicateur, modalite, valeur in Mesure.objects.filter(
            jour=jour, departement=territoire, commune=""
        ).values_list("indicateur", "modalite", "valeur")
    }


def chiffres_cles(jour: date, territoire: str) -> dict:
    valeurs = _du_jour(jour, territoire)
    actives = valeurs.get((Indicateur.ACTIVES, ""), 0)
    anormales = valeurs.get((Indicateur.ACTIVES_DELAI_ANORMAL, ""), 0)
    return {
        "actives": actives,
        "delai_anormal": anormales,
        "part_delai_anormal": round(100 * anormales / actives, 1) if actives else None,
    }


def repartitions(jour: date, territoire: str) -> list[Tableau]:
    """The stock of the day by typology wished, household size and seniority."""
    valeurs = _du_jour(jour, territoire)

    def tableau(code, titre, entete, indicateur, modalites, libelles, note=""):
        return Tableau(
            code=code,
            titre=titre,
            colonnes=[entete, "Demandes actives"],
            lignes=[[libelles[m], valeurs.get((indicateur, m), 0)] for m in modalites],
            series=["Demandes actives"],
            note=note,
        )

    return [
        tableau(
            "typologie",
            "Demandes actives par typologie souhaitée",
            "Typologie",
            Indicateur.ACTIVES_TYPOLOGIE,
            TYPOLOGIES,
            LIBELLES_TYPOLOGIES,
            note="Une demande qui souhaite plusieurs typologies compte dans chacune : le total "
            "dépasse le nombre de demandes.",
        ),
        tableau(
            "taille",
            "Demandes actives par taille du ménage",
            "Taille du ménage",
            Indicateur.ACTIVES_TAILLE,
            [t[0] for t in TAILLES],
            LIBELLES_TAILLES,
        ),
        tableau(
            "anciennete",
            "Demandes actives par ancienneté",
            "Ancienneté (depuis le dépôt)",
            Indicateur.ACTIVES_ANCIENNETE,
            [a[0] for a in ANCIENNETES],
            LIBELLES_ANCIENNETES,
        ),
    ]


def _mois(jour: date) -> list[date]:
    premier = jour.replace(day=1)
    return [premier - relativedelta(months=i) for i in range(MOIS - 1, -1, -1)]


def _sommes_par_mois(jour: date, territoire: str, indicateurs) -> dict:
    mois = _mois(jour)
    lignes = (
        Mesure.objects.filter(
            departement=territoire,
            commune="",
            indicateur__in=list(indicateurs),
            jour__gte=mois[0],
            jour__lte=jour,
        )
        .annotate(mois=TruncMonth("jour"))
        .values("mois", "indicateur", "modalite")
        .annotate(total=Sum("valeur"))
        .order_by()
    )
    sommes = {}
    for ligne in lignes:
        debut = ligne["mois"]
        debut = debut.date() if hasattr(debut, "date") else debut
        cle = (debut, ligne["indicateur"], ligne["modalite"])
        sommes[cle] = sommes.get(cle, 0) + ligne["total"]
    return sommes


def flux_par_mois(jour: date, territoire: str) -> list[Tableau]:
    """The flows of the last twelve months (the current one up to `jour`), by summing the
    daily snapshots; a day without snapshot counts nothing (written under the table)."""
    indicateurs = [i for i, _ in FLUX] + [Indicateur.DECISIONS_CAL, Indicateur.REFUS_DEMANDEUR]
    sommes = _sommes_par_mois(jour, territoire, indicateurs)
    mois = _mois(jour)

    def total(m, indicateur):
        return sum(v for (d, i, _), v in sommes.items() if d == m and i == indicateur)

    def par_modalite(code, titre, entete, colonne, indicateur, libelles, note=""):
        """The twelve months of one flow, a row per modality (a motif, a decision…)."""
        return Tableau(
            code=code,
            titre=titre,
            colonnes=[entete, colonne],
            lignes=[
                [
                    libelle,
                    sum(v for (_, i, m), v in sommes.items() if i == indicateur and m == modalite),
                ]
                for modalite, libelle in libelles.items()
            ],
            series=[colonne],
            note=note,
        )

    flux = Tableau(
        code="flux",
        titre="Flux des demandes, mois par mois",
        colonnes=["Mois"] + [libelle for _, libelle in FLUX],
        lignes=[[libelle_du_mois(m)] + [total(m, i) for i, _ in FLUX] for m in mois],
        series=["Enregistrées", "Radiées"],
        note="Les douze derniers mois, le mois en cours jusqu'au jour de l'instantané. Les "
        "radiations comptent tous les motifs, dont l'attribution d'un logement et le "
        "non-renouvellement (RADREN) de la campagne.",
    )
    return [
        flux,
        par_modalite(
            "radiations",
            "Radiations des douze derniers mois, par motif",
            "Motif",
            "Demandes radiées",
            Indicateur.RADIATIONS,
            LIBELLES_MOTIFS,
        ),
        par_modalite(
            "decisions",
            "Décisions des commissions d'attribution (CAL) des douze derniers mois",
            "Décision (CCH R441-3)",
            "Candidatures",
            Indicateur.DECISIONS_CAL,
            LIBELLES_DECISIONS,
            note="Chaque candidature examinée compte une fois, au jour où sa décision est "
            "saisie, dans le département de la demande.",
        ),
        par_modalite(
            "refus",
            "Logements attribués refusés par le demandeur, des douze derniers mois, par motif",
            "Motif du refus",
            "Refus",
            Indicateur.REFUS_DEMANDEUR,
            LIBELLES_REFUS,
            note="Au jour où le refus est saisi.",
        ),
        par_modalite(
            "attributions",
            "Baux signés des douze derniers mois, par ancienneté de la demande",
            "Ancienneté de la demande au bail",
            "Baux signés",
            Indicateur.ATTRIBUTIONS,
            LIBELLES_ANCIENNETES,
            note="Le délai d'attribution : de la date de dépôt de la demande au jour où le "
            "bail est saisi.",
        ),
    ]


def communes(jour: date, departement: str) -> Tableau:
    """The communes of a département by active demandes wishing them first, most first."""
    lignes = list(
        Mesure.objects.filter(
            jour=jour,
            departement=departement,
            commune__gt="",
            indicateur=Indicateur.ACTIVES_COMMUNE,
        )
        .order_by("-valeur", "commune")
        .values_list("commune", "valeur")
    )
    noms = dict(
        Commune.objects.filter(code_insee__in=[c for c, _ in lignes]).values_list(
            "code_insee", "nom"
        )
    )
    return Tableau(
        code="communes",
        titre="Demandes actives par commune souhaitée en premier",
        colonnes=["Commune", "Code INSEE", "Demandes actives"],
        lignes=[[noms.get(code, code), code, valeur] for code, valeur in lignes],
        note="Chaque demande compte une fois, sous la première commune qu'elle souhaite.",
    )


def epci(jour: date, territoire: str) -> Tableau:
    """The EPCI (communautés, métropoles) by active demandes wishing one of their communes
    first, most first: counted by the snapshot under each commune's EPCI of that day."""
    lignes = list(
        Mesure.objects.filter(
            jour=jour, departement=territoire, commune="", indicateur=Indicateur.ACTIVES_EPCI
        )
        .order_by("-valeur", "modalite")
        .values_list("modalite", "valeur")
    )
    noms = dict(Epci.objects.filter(code__in=[c for c, _ in lignes]).values_list("code", "nom"))
    note = (
        "Chaque demande compte une fois, sous l'EPCI de la première commune qu'elle souhaite "
        "(appartenance du jour de l'instantané, d'après le Code officiel géographique)."
    )
    if territoire != FRANCE:
        note += (
            " Un EPCI à cheval sur plusieurs départements ne compte ici que ses communes de ce "
            "département."
        )
    return Tableau(
        code="epci",
        titre="Demandes actives par EPCI de la commune souhaitée en premier",
        colonnes=["EPCI", "SIREN", "Demandes actives"],
        lignes=[
            [LIBELLE_SANS_EPCI, "", valeur]
            if code == SANS_EPCI
            else [noms.get(code, code), code, valeur]
            for code, valeur in lignes
        ],
        note=note,
    )


def tous_les_tableaux(jour: date, territoire: str) -> list[Tableau]:
    """The page's tables (kept in the cache by `pages.tableaux`, which every page and export
    reads through)."""
    tableaux = repartitions(jour, territoire) + flux_par_mois(jour, territoire)
    tableaux.append(epci(jour, territoire))
    if territoire != FRANCE:
        tableaux.append(communes(jour, territoire))
    return tableaux
