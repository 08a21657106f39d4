"""The monthly open-data file (docs/open-data.md): for each département, the active demandes
of the month's latest snapshot by commune first wished, under three indicators (smallest
typology wished, household size, seniority), with the statistical confidentiality of
`secret.py` — nothing under 11 households published, no masked figure recomputable.

`publier_mois(jour)` writes one `FichierOuvert` per département for the month of `jour`, from
that snapshot (`Mesure`, the communes' detail); the nightly task calls it after each snapshot,
so the current month's file follows the latest day and a past month's stays that of its last
day. The public pages (`vues_ouvertes.py`) serve them without login, France as the
concatenation of the départements' files. Never any personal data: counts only."""

import csv
import io
import logging
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import DEFAULT_DB_ALIAS, transaction

from sne.referentiels.models import Commune, Departement

from .models import FichierOuvert, Indicateur, Mesure
from .secret import SEUIL, appliquer_secret, lignes_a_regrouper
from .services import ANCIENNETES, TAILLES, TYPOLOGIES

logger = logging.getLogger(__name__)

COLONNES = ["mois", "departement", "niveau", "commune", "nom", "indicateur", "modalite", "valeur"]
# The file's indicators: (name in the file, the snapshot's indicator, its modalities).
INDICATEURS = [
    ("typologie_souhaitee", Indicateur.ACTIVES_COMMUNE_TYPOLOGIE, TYPOLOGIES),
    ("taille_menage", Indicateur.ACTIVES_COMMUNE_TAILLE, [t[0] for t in TAILLES]),
    ("anciennete", Indicateur.ACTIVES_COMMUNE_ANCIENNETE, [a[0] for a in ANCIENNETES]),
]
ENSEMBLE = "ensemble"
AUTRES_COMMUNES = "Autres communes"


def jour_du_mois(mois: date) -> date | None:
    """The month's latest snapshot that has the communes' detail (the one published)."""
    return (
        Mesure.objects.using(DEFAULT_DB_ALIAS)
        .filter(
            jour__gte=mois,
            jour__lt=mois + relativedelta(months=1),
            indicateur=Indicateur.ACTIVES_COMMUNE_TAILLE,
        )
        .order_by("-jour")
        .values_list("jour", flat=True)
        .first()
    )


def publier_mois(jour: date) -> int:
    """The files of the month of `jour` from that day's snapshot, replacing the month's
    earlier ones. Returns the number of départements written."""
    mois = jour.replace(day=1)
    detail = _detail(jour)
    noms_departements = dict(Departement.objects.values_list("code", "nom"))
    noms_communes = dict(
        Commune.objects.filter(code_insee__in={commune for (_, commune) in detail}).values_list(
            "code_insee", "nom"
        )
    )
    fichiers = []
    for departement in sorted({d for (d, _) in detail}):
        communes = {c: v for (d, c), v in detail.items() if d == departement}
        lignes = lignes_du_departement(
            mois,
            departement,
            noms_departements.get(departement, departement),
            communes,
            noms_communes,
        )
        fichiers.append(
            FichierOuvert(
                mois=mois,
                departement=departement,
                jour=jour,
                lignes=len(lignes),
                contenu=_csv(lignes),
            )
        )
    with transaction.atomic():
        FichierOuvert.objects.filter(mois=mois).delete()
        FichierOuvert.objects.bulk_create(fichiers)
    return len(fichiers)


def _detail(jour: date) -> dict[tuple[str, str], dict]:
    """{(département, commune): {indicator: {modality: count}}} of the snapshot of `jour`."""
    detail: dict[tuple[str, str], dict] = {}
    indicateurs = [i for _, i, _ in INDICATEURS]
    # From the primary database: the snapshot was written a moment ago (a replica may lag).
    for departement, commune, indicateur, modalite, valeur in (
        Mesure.objects.using(DEFAULT_DB_ALIAS)
        .filter(jour=jour, commune__gt="", indicateur__in=indicateurs)
        .values_list("departement", "commune", "indicateur", "modalite", "valeur")
    ):
        detail.setdefault((departement, commune), {}).setdefault(indicateur, {})[modalite] = valeur
    return detail


def lignes_du_departement(
    mois: date, departement: str, nom: str, communes: dict, noms_communes: dict
) -> list[list]:
    """The file's rows of one département: each commune of at least 11 demandes, the others
    gathered in « autres communes », then the département; each indicator protected by
    `appliquer_secret` with the rows' totals published (they are shared by the three)."""
    codes = sorted(communes)
    premier = INDICATEURS[1][1]  # the household size: every demande has one
    totaux = [sum(communes[c].get(premier, {}).values()) for c in codes]
    if sum(totaux) < SEUIL:
        return _tout_masque(mois, departement, nom)
    regroupees = set(lignes_a_regrouper(totaux))
    publiees = [c for i, c in enumerate(codes) if i not in regroupees]
    noms_lignes = [("commune", c, noms_communes.get(c, c)) for c in publiees]
    if regroupees:
        noms_lignes.append(("autres_communes", "", AUTRES_COMMUNES))
    sortie = []
    for nom_indicateur, indicateur, modalites in INDICATEURS:
        cases = [[communes[c].get(indicateur, {}).get(m, 0) for m in modalites] for c in publiees]
        if regroupees:
            cases.append(
                [
                    sum(communes[codes[i]].get(indicateur, {}).get(m, 0) for i in regroupees)
                    for m in modalites
                ]
            )
        try:
            publie = appliquer_secret(cases, totaux_lignes_publies=True)
        except ValueError:
            logger.exception("Secret impossible pour %s (%s) : tout est masqué", departement, mois)
            return _tout_masque(mois, departement, nom)

        def ligne(niveau, commune, libelle, modalite, valeur, indicateur=nom_indicateur):
            return [
                f"{mois:%Y-%m}",
                departement,
                niveau,
                commune,
                libelle,
                indicateur,
                modalite,
                valeur,
            ]

        for i, (niveau, commune, libelle) in enumerate(noms_lignes):
            for j, modalite in enumerate(modalites):
                sortie.append(ligne(niveau, commune, libelle, modalite, publie.cases[i][j]))
            sortie.append(ligne(niveau, commune, libelle, ENSEMBLE, publie.totaux_lignes[i]))
        for j, modalite in enumerate(modalites):
            sortie.append(ligne("departement", "", nom, modalite, publie.totaux_colonnes[j]))
        sortie.append(ligne("departement", "", nom, ENSEMBLE, publie.total))
    return sortie


def _tout_masque(mois: date, departement: str, nom: str) -> list[list]:
    """A département of fewer than 11 demandes: its rows, every figure masked."""
    return [
        [f"{mois:%Y-%m}", departement, "departement", "", nom, nom_indicateur, modalite, None]
        for nom_indicateur, _, modalites in INDICATEURS
        for modalite in [*modalites, ENSEMBLE]
    ]


def _csv(lignes: list[list]) -> str:
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, lineterminator="\n")
    for ligne in lignes:
        ecrivain.writerow(["" if v is None else v for v in ligne])
    return tampon.getvalue()


def entete() -> str:
    return ",".join(COLONNES) + "\n"
