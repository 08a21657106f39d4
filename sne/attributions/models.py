"""From demande to home: the dwellings offered, the sessions of the landlords' commissions
d'attribution (CAL), the candidates each examined for a dwelling and the decision on each, the
applicant's answer and the lease (docs/attributions.md).

A `Candidature` is one candidate examined for one dwelling at one session, with its rank; its
decision is one of the five of CCH R441-3 (`DecisionCAL`). The applicant's refusal is kept on
it (and counted); the lease signed strikes the demande off for attribution (`RADATT`) through
the one `radier` service, the dwelling named in the radiation's comment and kept here. The
database refuses what must never exist: two candidates at the same rank for the same dwelling
and session, two attributions of the same dwelling at one session, a non-attribution or an
irrecevabilité without its motif, a condition precedent without the awaited pièce, a lease
on a candidate that was not given the dwelling or who refused it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from sne.demandes.models import Demande
from sne.demandes.nomenclatures import Typologie
from sne.organisations.models import Guichet, Organisation
from sne.referentiels.models import Commune, Departement

from .cotation import AVEC_SEUIL, Critere, en_clair
from .nomenclatures import (
    ATTRIBUTIONS,
    DecisionCAL,
    MotifIrrecevabilite,
    MotifNonAttribution,
    MotifRefusDemandeur,
    QualiteMembre,
    Reservataire,
)

ETAGE_MIN, ETAGE_MAX = -3, 60


class Logement(models.Model):
    """A dwelling of a landlord, offered to candidates (its RPLS identifier when known)."""

    bailleur = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="logements", verbose_name="bailleur"
    )
    reference = models.CharField(
        "référence du bailleur", max_length=50, help_text="Le numéro du logement chez le bailleur."
    )
    identifiant_rpls = models.CharField(
        "identifiant RPLS",
        max_length=30,
        blank=True,
        help_text="Son numéro au répertoire des logements locatifs sociaux, s'il est connu.",
    )
    adresse = models.CharField("adresse", max_length=300)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="+")
    typologie = models.CharField("typologie", max_length=12, choices=Typologie.choices)
    surface = models.DecimalField(
        "surface habitable (m²)", max_digits=6, decimal_places=2, null=True, blank=True
    )
    loyer = models.DecimalField("loyer mensuel hors charges (€)", max_digits=8, decimal_places=2)
    charges = models.DecimalField(
        "charges mensuelles (€)", max_digits=8, decimal_places=2, default=0
    )
    etage = models.SmallIntegerField(
        "étage", null=True, blank=True, help_text="0 : rez-de-chaussée ; -1 : rez-de-jardin."
    )
    ascenseur = models.BooleanField("ascenseur", default=False)
    accessible = models.BooleanField("accessible à une personne en fauteuil roulant", default=False)
    reservataire = models.CharField(
        "contingent", max_length=6, choices=Reservataire.choices, default=Reservataire.AUCUN
    )
    guichet = models.ForeignKey(
        Guichet, on_delete=models.PROTECT, related_name="+", verbose_name="guichet qui l'a saisi"
    )
    cree_le = models.DateTimeField("saisi le", auto_now_add=True)

    class Meta:
        verbose_name = "logement"
        ordering = ["commune_id", "adresse", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["bailleur", "reference"], name="logement_reference_unique_par_bailleur"
            ),
            models.UniqueConstraint(
                fields=["identifiant_rpls"],
                condition=~Q(identifiant_rpls=""),
                name="logement_rpls_unique",
            ),
            models.CheckConstraint(
                condition=Q(typologie__in=Typologie.values), name="logement_typologie_connue"
            ),
            models.CheckConstraint(
                condition=Q(reservataire__in=Reservataire.values),
                name="logement_reservataire_connu",
            ),
            models.CheckConstraint(
                condition=Q(loyer__gte=0) & Q(charges__gte=0), name="logement_loyer_positif"
            ),
            models.CheckConstraint(
                condition=Q(surface__isnull=True) | Q(surface__gt=0),
                name="logement_surface_positive",
            ),
            models.CheckConstraint(
                condition=Q(etage__isnull=True) | Q(etage__gte=ETAGE_MIN, etage__lte=ETAGE_MAX),
                name="logement_etage_plausible",
            ),
        ]

    def __str__(self):
        return f"{self.get_typologie_display()} {self.adresse}, {self.commune.nom}"


class SeanceCAL(models.Model):
    """A session of a landlord's commission d'attribution, recorded by one of its desks."""

    bailleur = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="seances_cal")
    date = models.DateField("date de la séance")
    lieu = models.CharField("lieu", max_length=200, blank=True)
    guichet = models.ForeignKey(
        Guichet, on_delete=models.PROTECT, related_name="+", verbose_name="guichet qui l'a saisie"
    )
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cree_le = models.DateTimeField("saisie le", auto_now_add=True)

    class Meta:
        verbose_name = "séance de la commission d'attribution"
        verbose_name_plural = "séances des commissions d'attribution"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["bailleur", "date"], name="seance_bailleur_date")]

    def __str__(self):
        return f"CAL du {self.date:%d/%m/%Y} — {self.bailleur}"


class MembreCAL(models.Model):
    """Who sat in the session: the organisation and in what capacity (never a person's name)."""

    seance = models.ForeignKey(SeanceCAL, on_delete=models.CASCADE, related_name="membres")
    qualite = models.CharField("qualité", max_length=15, choices=QualiteMembre.choices)
    organisation = models.CharField("organisation", max_length=200)

    class Meta:
        verbose_name = "membre de la séance"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(qualite__in=QualiteMembre.values), name="membre_cal_qualite_connue"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_qualite_display()})"


MOTIFS_DE_DECISION = set(MotifNonAttribution.values) | set(MotifIrrecevabilite.values)


class Candidature(models.Model):
    """One candidate examined for one dwelling at one session, its rank, the decision, the
    applicant's answer and the lease."""

    Decision = DecisionCAL

    seance = models.ForeignKey(SeanceCAL, on_delete=models.PROTECT, related_name="candidatures")
    logement = models.ForeignKey(Logement, on_delete=models.PROTECT, related_name="candidatures")
    demande = models.ForeignKey(Demande, on_delete=models.PROTECT, related_name="candidatures")
    rang = models.PositiveSmallIntegerField("rang")

    decision = models.CharField("décision", max_length=30, choices=DecisionCAL.choices, blank=True)
    motif = models.CharField(
        "motif",
        max_length=30,
        blank=True,
        help_text="Motif de la non-attribution ou de l'irrecevabilité.",
    )
    precision = models.CharField("précision", max_length=500, blank=True)
    condition = models.CharField(
        "pièce attendue",
        max_length=300,
        blank=True,
        help_text="Attribution sous condition suspensive : la pièce justificative manquante.",
    )
    condition_avant = models.DateField("à fournir avant le", null=True, blank=True)
    condition_levee_le = models.DateField("condition levée le", null=True, blank=True)
    decidee_le = models.DateTimeField("décision saisie le", null=True, blank=True)
    decidee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    refusee_le = models.DateField("refusée par le demandeur le", null=True, blank=True)
    motif_refus = models.CharField(
        "motif du refus", max_length=20, choices=MotifRefusDemandeur.choices, blank=True
    )
    precision_refus = models.CharField("précision du refus", max_length=500, blank=True)
    bail_signe_le = models.DateField("bail signé le", null=True, blank=True)
    # When the refusal and the lease were keyed in: a date given by the desk may be days
    # before; the statistics count a flow on the day it entered the register (an immutable
    # daily snapshot cannot count a day already taken again).
    refus_saisi_le = models.DateTimeField("refus saisi le", null=True, blank=True)
    bail_saisi_le = models.DateTimeField("bail saisi le", null=True, blank=True)

    guichet = models.ForeignKey(
        Guichet, on_delete=models.PROTECT, related_name="+", verbose_name="guichet qui l'a saisie"
    )
    cree_le = models.DateTimeField("inscrite le", auto_now_add=True)
    # The cotation of the demande on the day of the session, kept as it was (reproducible).
    grille = models.ForeignKey(
        "GrilleCotation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    points = models.PositiveIntegerField("cotation le jour de la séance", null=True, blank=True)
    detail_points = models.JSONField("détail de la cotation", default=list, blank=True)

    class Meta:
        verbose_name = "candidature examinée en CAL"
        ordering = ["seance", "logement", "rang"]
        constraints = [
            models.UniqueConstraint(
                fields=["seance", "logement", "demande"], name="candidature_une_fois_par_logement"
            ),
            models.UniqueConstraint(
                fields=["seance", "logement", "rang"], name="candidature_rang_unique"
            ),
            models.UniqueConstraint(
                fields=["seance", "logement"],
                condition=Q(
                    decision__in=[DecisionCAL.ATTRIBUTION, DecisionCAL.ATTRIBUTION_SOUS_CONDITION]
                ),
                name="candidature_une_attribution_par_logement",
            ),
            models.UniqueConstraint(
                fields=["logement", "seance"],
                condition=Q(bail_signe_le__isnull=False),
                name="candidature_un_bail_par_logement",
            ),
            models.CheckConstraint(condition=Q(rang__gte=1), name="candidature_rang_positif"),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decision__in=DecisionCAL.values),
                name="candidature_decision_connue",
            ),
            models.CheckConstraint(
                condition=~Q(decision=DecisionCAL.NON_ATTRIBUTION)
                | Q(motif__in=MotifNonAttribution.values),
                name="candidature_non_attribution_motivee",
            ),
            models.CheckConstraint(
                condition=~Q(decision=DecisionCAL.IRRECEVABILITE)
                | Q(motif__in=MotifIrrecevabilite.values),
                name="candidature_irrecevabilite_motivee",
            ),
            models.CheckConstraint(
                condition=Q(motif="")
                | Q(decision__in=[DecisionCAL.NON_ATTRIBUTION, DecisionCAL.IRRECEVABILITE]),
                name="candidature_motif_seulement_si_refus",
            ),
            models.CheckConstraint(
                condition=~Q(decision=DecisionCAL.ATTRIBUTION_SOUS_CONDITION)
                | (~Q(condition="") & Q(condition_avant__isnull=False)),
                name="candidature_condition_designee",
            ),
            models.CheckConstraint(
                condition=Q(refusee_le__isnull=True)
                | (Q(decision__in=ATTRIBUTIONS) & ~Q(motif_refus="")),
                name="candidature_refus_motive",
            ),
            models.CheckConstraint(
                condition=Q(bail_signe_le__isnull=True)
                | (Q(decision__in=ATTRIBUTIONS) & Q(refusee_le__isnull=True)),
                name="candidature_bail_si_attribuee",
            ),
            models.CheckConstraint(
                condition=Q(refusee_le__isnull=True, refus_saisi_le__isnull=True)
                | Q(refusee_le__isnull=False, refus_saisi_le__isnull=False),
                name="candidature_refus_date_de_saisie",
            ),
            models.CheckConstraint(
                condition=Q(bail_signe_le__isnull=True, bail_saisi_le__isnull=True)
                | Q(bail_signe_le__isnull=False, bail_saisi_le__isnull=False),
                name="candidature_bail_date_de_saisie",
            ),
        ]

    def __str__(self):
        return f"{self.demande.numero_unique} — rang {self.rang} — {self.seance}"

    @property
    def cotation_en_clair(self) -> str:
        return en_clair(self.detail_points)


class GrilleCotation(models.Model):
    """A version of the scoring grid of a territory (a département), published once and never
    changed after: a change is a new version. The demandes' scores follow the latest published
    version; a candidature keeps the version of its session."""

    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField("version")
    publiee_le = models.DateTimeField("publiée le")
    publiee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    presentation = models.TextField(
        "présentation",
        blank=True,
        help_text="Ce que le territoire veut dire aux demandeurs de sa grille (page publique).",
    )

    class Meta:
        verbose_name = "grille de cotation"
        verbose_name_plural = "grilles de cotation"
        ordering = ["departement_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["departement", "version"], name="grille_version_unique"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="grille_version_positive"),
        ]

    def __str__(self):
        return f"Grille de cotation du {self.departement_id}, version {self.version}"


class CritereGrille(models.Model):
    grille = models.ForeignKey(GrilleCotation, on_delete=models.CASCADE, related_name="criteres")
    critere = models.CharField("critère", max_length=20, choices=Critere.choices)
    points = models.PositiveSmallIntegerField("points")
    plafond = models.PositiveIntegerField("plafond", null=True, blank=True)
    seuil = models.PositiveIntegerField("seuil (€ par personne et par an)", null=True, blank=True)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "critère d'une grille"
        ordering = ["grille", "ordre", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["grille", "critere"], name="critere_une_fois"),
            models.CheckConstraint(condition=Q(critere__in=Critere.values), name="critere_connu"),
            models.CheckConstraint(
                condition=Q(points__gte=1, points__lte=1000), name="critere_points_bornes"
            ),
            models.CheckConstraint(
                condition=~Q(critere__in=[c.value for c in AVEC_SEUIL]) | Q(seuil__isnull=False),
                name="critere_seuil_si_requis",
            ),
        ]

    def __str__(self):
        return f"{self.get_critere_display()} : {self.points} points"


class Cotation(models.Model):
    """The current score of an active demande under its territory's latest grid, with its
    breakdown (`cotation.calculer`)."""

    demande = models.OneToOneField(Demande, on_delete=models.CASCADE, related_name="cotation")
    grille = models.ForeignKey(GrilleCotation, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveIntegerField("points")
    detail = models.JSONField("détail", default=list)
    calculee_le = models.DateField("calculée le")

    class Meta:
        verbose_name = "cotation"
        indexes = [models.Index(fields=["grille", "-points"], name="cotation_grille_points")]

    def __str__(self):
        return f"{self.demande.numero_unique} : {self.points} points"


class Classement(models.Model):
    """One row per active demande and commune it wishes: the order in which a commune's
    candidates are listed for a dwelling (points of the cotation, highest first, none last;
    then seniority). The candidates' list reads this index in order and stops at the first
    ones, instead of sorting every demande that wishes the commune (bench/cotation.py).

    A copy kept by the cotation services (`services_cotation.classer`, and by département in
    `recalculer_departement`) each time a demande is registered, renewed, changed, struck off
    or reactivated, and every night; never typed. The list still reads the demande itself
    (active, household size, consultation scope), so a row a few seconds late can only miss a
    candidate until the score task has run, never show one who should not be there."""

    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", db_index=False)
    demande = models.ForeignKey(
        Demande, on_delete=models.CASCADE, related_name="classements", db_index=False
    )
    # A demande without a score (its département has no grid) comes after every scored one:
    # `cotee` rather than a null, which an index can order the same way on both databases.
    cotee = models.BooleanField("cotée")
    points = models.PositiveIntegerField("points", default=0)
    nombre_personnes = models.PositiveSmallIntegerField("personnes au foyer")
    date_depot = models.DateField("date de dépôt")

    class Meta:
        verbose_name = "classement d'une demande dans une commune souhaitée"
        verbose_name_plural = "classements des demandes dans les communes souhaitées"
        constraints = [
            models.UniqueConstraint(fields=["demande", "commune"], name="classement_unique"),
            models.CheckConstraint(
                condition=Q(cotee=True) | Q(points=0), name="classement_points_si_cotee"
            ),
        ]
        indexes = [
            # The candidates' order, read from the index (the household size without
            # reading the row): `services.candidats_pour`.
            models.Index(
                fields=["commune", "-cotee", "-points", "date_depot", "demande"],
                name="classement_ordre",
                include=["nombre_personnes"],
            ),
        ]

    def __str__(self):
        points = f"{self.points} points" if self.cotee else "sans cotation"
        return f"{self.commune_id} : demande {self.demande_id}, {points}"
