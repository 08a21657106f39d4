"""The cotation's use cases (docs/attributions.md « Cotation »): a territory publishes its grid,
each active demande's score is computed with its breakdown and stored, recomputed when the
demande or the grid changes, and every night (seniority grows by the month).

- `publier_grille`: a gestionnaire of the département (or the national level) publishes a new
  version; published versions never change;
- `grille_en_vigueur`: the latest version published (on a given day, for a past session);
- `coter`: one demande's score, stored (`Cotation`), and its place in the candidates' order of
  each commune it wishes (`classer`, `Classement`); `cotation_actuelle` reads it back;
- `recalculer_departement`: every active demande of a département, by batches of primary keys
  (memory flat in the number of demandes), written with one upsert per batch;
- `retirer`: demandes struck off leave the scores and the candidates' order.
"""

from datetime import date, datetime, time

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.comptes.droits import droits_de
from sne.demandes.models import CommuneSouhaitee, Demande
from sne.demandes.regles import DonneesInvalides
from sne.exceptions import NonAutorise
from sne.referentiels.models import Departement

from .cotation import AVEC_SEUIL, PAR_UNITE, Critere, RegleDeGrille, calculer
from .models import Classement, Cotation, CritereGrille, GrilleCotation

POINTS_MAX = 1000
SEUIL_MAX = 1_000_000
# What `calculer` reads of a demande: the batches load these columns only.
CHAMPS_LUS = (
    "pk",
    "statut",
    "date_depot",
    "statut_dalo",
    "motifs",
    "logement_actuel",
    "logement_adapte_handicap",
    "nombre_personnes",
    "nombre_pieces_actuel",
    "revenu_fiscal_reference",
)


def _agent(par):
    return par if getattr(par, "is_authenticated", False) else None


def _entier(valeur, champ: str, rang: int, minimum: int, maximum: int, requis: bool):
    if valeur in (None, ""):
        if requis:
            raise DonneesInvalides(
                f"Critère {rang} : indiquez {champ}.", code="champ_requis", champ=champ
            )
        return None
    try:
        nombre = int(str(valeur).strip())
    except ValueError:
        nombre = None
    if nombre is None or not minimum <= nombre <= maximum:
        raise DonneesInvalides(
            f"Critère {rang} : {champ} est un nombre entier entre {minimum} et {maximum}.",
            code="nombre_invalide",
            champ=champ,
        )
    return nombre


@transaction.atomic
def publier_grille(departement: str, criteres, *, par, presentation: str = "") -> GrilleCotation:
    """Publish a new version of the grid of `departement`: `criteres` lists dicts
    `{"critere", "points", "plafond", "seuil"}` in the order shown to the public. The scores
    of the département are recomputed once the publication is committed."""
    if not droits_de(par).gere_departement(departement):
        raise NonAutorise(
            f"Seul un gestionnaire du département {departement} publie sa grille de cotation.",
            code="gestion_non_autorisee",
        )
    dep = Departement.objects.filter(code=departement).first()
    if dep is None:
        raise DonneesInvalides(f"Département inconnu : {departement}.", code="departement_inconnu")
    lignes, vus = [], set()
    for rang, donnees in enumerate(criteres or [], start=1):
        code = str(donnees.get("critere") or "").strip()
        if code not in Critere.values:
            raise DonneesInvalides(
                f"Critère {rang} : choisissez-le dans la liste ({', '.join(Critere.values)}).",
                code="critere_inconnu",
                champ="critere",
            )
        if code in vus:
            raise DonneesInvalides(
                f"Critère {rang} : « {Critere(code).label} » est déjà dans la grille.",
                code="critere_en_double",
                champ="critere",
            )
        vus.add(code)
        points = _entier(donnees.get("points"), "les points", rang, 1, POINTS_MAX, True)
        plafond = _entier(donnees.get("plafond"), "le plafond", rang, 1, 100 * POINTS_MAX, False)
        if plafond is not None and code not in PAR_UNITE:
            plafond = None  # a criterion counted once is its own cap
        seuil = _entier(donnees.get("seuil"), "le seuil", rang, 1, SEUIL_MAX, code in AVEC_SEUIL)
        lignes.append(
            CritereGrille(
                critere=code,
                points=points,
                plafond=plafond,
                seuil=seuil if code in AVEC_SEUIL else None,
                ordre=rang,
            )
        )
    if not lignes:
        raise DonneesInvalides(
            "Une grille a au moins un critère.", code="grille_vide", champ="criteres"
        )
    derniere = (
        GrilleCotation.objects.select_for_update()
        .filter(departement=dep)
        .aggregate(Max("version"))["version__max"]
        or 0
    )
    grille = GrilleCotation.objects.create(
        departement=dep,
        version=derniere + 1,
        publiee_le=timezone.now(),
        publiee_par=_agent(par),
        presentation=str(presentation or "").strip()[:5000],
    )
    for ligne in lignes:
        ligne.grille = grille
    CritereGrille.objects.bulk_create(lignes)
    journaliser(
        EvenementAudit.Action.PARAMETRAGE,
        utilisateur=_agent(par),
        objet=grille,
        resume=f"Grille de cotation du {departement} publiée (version {grille.version})",
    )
    transaction.on_commit(lambda: _recalculer_plus_tard(departement))
    return grille


def _recalculer_plus_tard(departement: str) -> None:
    from .tasks import recalculer_cotations

    recalculer_cotations(departement)


def grille_en_vigueur(departement: str, le: date | None = None) -> GrilleCotation | None:
    """The latest version published (by the end of `le`, for a past session)."""
    grilles = GrilleCotation.objects.filter(departement_id=departement)
    if le is not None:
        fin = timezone.make_aware(datetime.combine(le, time.max))
        grilles = grilles.filter(publiee_le__lte=fin)
    return grilles.order_by("-version").first()


def regles_de(grille: GrilleCotation) -> list[RegleDeGrille]:
    return [
        RegleDeGrille(c.critere, c.points, c.plafond, c.seuil)
        for c in grille.criteres.order_by("ordre", "pk")
    ]


def coter(demande: Demande, *, le: date | None = None) -> Cotation | None:
    """Compute and store the score of `demande` under its département's grid (None, and no
    stored score, when the territory has none or the demande is struck off), and its place in
    the candidates' order of each commune it wishes (`Classement`)."""
    grille = grille_en_vigueur(demande.departement_id)
    with transaction.atomic():
        if grille is None or demande.statut != Demande.Statut.ACTIVE:
            Cotation.objects.filter(demande=demande).delete()
            classer([demande], {})
            return None
        aujourd_hui = le or timezone.localdate()
        points, detail = calculer(demande, regles_de(grille), aujourd_hui)
        cotation, _ = Cotation.objects.update_or_create(
            demande=demande,
            defaults={
                "grille": grille,
                "points": points,
                "detail": detail,
                "calculee_le": aujourd_hui,
            },
        )
        classer([demande], {demande.pk: points})
    return cotation


def classer(demandes, points: dict[int, int]) -> None:
    """Rewrite the candidates' order (`Classement`) of `demandes`: one row per commune each
    active one wishes, with its `points` (`cotee` false when it has no score); none for a demande
    struck off. Three queries whatever the number of demandes (a batch of the recomputation)."""
    ids = [d.pk for d in demandes]
    Classement.objects.filter(demande_id__in=ids).delete()
    actives = {d.pk: d for d in demandes if d.statut == Demande.Statut.ACTIVE}
    voeux = (
        CommuneSouhaitee.objects.filter(demande_id__in=list(actives))
        .order_by()  # not the model's ordering, which joins the demandes
        .values_list("demande_id", "commune_id")
    )
    Classement.objects.bulk_create(
        Classement(
            commune_id=commune,
            demande_id=demande_id,
            cotee=demande_id in points,
            points=points.get(demande_id, 0),
            nombre_personnes=actives[demande_id].nombre_personnes,
            date_depot=actives[demande_id].date_depot,
        )
        for demande_id, commune in voeux
    )


def cotation_actuelle(demande: Demande) -> Cotation | None:
    """The stored score of the demande with its grid (None: no grid in its territory, struck
    off, or not computed yet — `grille_en_vigueur` tells which)."""
    return Cotation.objects.filter(demande=demande).select_related("grille").first()


def recalculer_departement(departement: str, *, le: date | None = None, par_paquet: int = 2000):
    """Every active demande of the département, by batches of `par_paquet` primary keys
    (never the whole département in memory): its score under the grid in force (none without
    a grid) and its place in the candidates' order, one upsert and one rewrite per batch.
    Returns how many demandes were scored."""
    grille = grille_en_vigueur(departement)
    regles = regles_de(grille) if grille is not None else None
    aujourd_hui = le or timezone.localdate()
    actives = Demande.objects.filter(departement_id=departement, statut=Demande.Statut.ACTIVE)
    dernier, total = 0, 0
    while True:
        paquet = list(actives.filter(pk__gt=dernier).order_by("pk").only(*CHAMPS_LUS)[:par_paquet])
        if not paquet:
            break
        points, lignes = {}, []
        for demande in paquet:
            if regles is None:
                continue
            points[demande.pk], detail = calculer(demande, regles, aujourd_hui)
            lignes.append(
                Cotation(
                    demande_id=demande.pk,
                    grille=grille,
                    points=points[demande.pk],
                    detail=detail,
                    calculee_le=aujourd_hui,
                )
            )
        with transaction.atomic():
            Cotation.objects.bulk_create(
                lignes,
                update_conflicts=True,
                unique_fields=["demande"],
                update_fields=["grille", "points", "detail", "calculee_le"],
            )
            classer(paquet, points)
        total += len(lignes)
        dernier = paquet[-1].pk
    radiees = Q(demande__departement_id=departement) & ~Q(demande__statut=Demande.Statut.ACTIVE)
    Cotation.objects.filter(radiees).delete()
    Classement.objects.filter(radiees).delete()
    if grille is None:
        Cotation.objects.filter(demande__departement_id=departement).delete()
    if connection.vendor == "postgresql":
        # New scores have no statistics yet: without them PostgreSQL plans the candidates'
        # lists badly until autovacuum passes (bench/cotation.py: 48 ms instead of 20 ms).
        with connection.cursor() as curseur:
            curseur.execute(f"ANALYZE {Cotation._meta.db_table}")
            curseur.execute(f"ANALYZE {Classement._meta.db_table}")
    return total


def retirer(demande_ids) -> None:
    """Demandes struck off: no score, no place in any candidates' order (until reactivated)."""
    ids = list(
        Demande.objects.filter(pk__in=list(demande_ids))
        .exclude(statut=Demande.Statut.ACTIVE)
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        Cotation.objects.filter(demande_id__in=ids).delete()
        Classement.objects.filter(demande_id__in=ids).delete()


def cotation_le_jour_de(demande: Demande, jour: date) -> tuple[GrilleCotation | None, int, list]:
    """The score a demande had on `jour` under the grid then in force (a CAL session's)."""
    grille = grille_en_vigueur(demande.departement_id, le=jour)
    if grille is None:
        return None, 0, []
    points, detail = calculer(demande, regles_de(grille), jour)
    return grille, points, detail
