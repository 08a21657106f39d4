"""The daily snapshots of the register's figures (docs/statistiques.md).

An `Instantane` is the register on one day, taken the following night by
`services.prendre_instantane`: each figure a `Mesure` (an indicator, a modality, a count) for
France, each département and, for the active demandes, each commune first wished. Trends over
months read these rows, never the demandes, which change: a snapshot is never rewritten (the
database refuses an UPDATE, migration 0001), and names its territories by their codes rather
than by keys into the referential, which changes (a commune merged later leaves past
snapshots as they were). The communes' rows — their totals and their detail by modality
(`DETAIL_DES_COMMUNES`), some hundred thousand rows a day at the scale of the country, nine
in ten of a day's rows — are kept for the latest snapshot of each month only: the one the
monthly open-data file publishes (`donnees_ouvertes.py`), and the latest day's, that the
pages read; a commune's zeros are not written (an absent row counts 0); France's and the
départements' rows are kept every day, zeros included (ADR 0024)."""

from django.db import models

FRANCE = ""  # the `departement` of the national figures
SANS_EPCI = "sans_epci"  # the modality of the four island communes that have no EPCI


class Indicateur(models.TextChoices):
    # Stock at the end of the day (active demandes)
    ACTIVES = "actives", "Demandes actives"
    ACTIVES_TYPOLOGIE = "actives_typologie", "Demandes actives par typologie souhaitée"
    ACTIVES_TAILLE = "actives_taille", "Demandes actives par taille du ménage"
    ACTIVES_ANCIENNETE = "actives_anciennete", "Demandes actives par ancienneté"
    ACTIVES_DELAI_ANORMAL = (
        "actives_delai_anormal",
        "Demandes actives plus anciennes que le délai anormalement long",
    )
    ACTIVES_COMMUNE = "actives_commune", "Demandes actives par commune souhaitée en premier"
    # Modality: the SIREN of the EPCI of that commune, on the day (`SANS_EPCI`: none).
    ACTIVES_EPCI = "actives_epci", "Demandes actives par EPCI de la commune souhaitée en premier"
    # The communes' detail (the open data); like their totals, kept for the latest snapshot
    # of each month only
    ACTIVES_COMMUNE_TYPOLOGIE = (
        "actives_commune_typologie",
        "Demandes actives par commune et par typologie souhaitée (la plus petite)",
    )
    ACTIVES_COMMUNE_TAILLE = (
        "actives_commune_taille",
        "Demandes actives par commune et par taille du ménage",
    )
    ACTIVES_COMMUNE_ANCIENNETE = (
        "actives_commune_anciennete",
        "Demandes actives par commune et par ancienneté",
    )
    # Flows of the day
    ENREGISTREMENTS = "enregistrements", "Demandes enregistrées"
    RENOUVELLEMENTS = "renouvellements", "Demandes renouvelées"
    REACTIVATIONS = "reactivations", "Demandes réactivées"
    RADIATIONS = "radiations", "Demandes radiées, par motif"
    ATTRIBUTIONS = "attributions", "Baux signés (attributions), par ancienneté de la demande"
    DECISIONS_CAL = "decisions_cal", "Décisions des commissions d'attribution, par décision"
    REFUS_DEMANDEUR = "refus_demandeur", "Logements attribués refusés par le demandeur, par motif"
    DOUBLONS_CONFIRMES = "doublons_confirmes", "Doublons confirmés"
    PREAVIS = "preavis", "Préavis de renouvellement envoyés"
    AVIS_NON_DISTRIBUES = (
        "avis_non_distribues",
        "Préavis et avis de radiation non distribués",
    )


STOCKS = frozenset(i for i in Indicateur if i.value.startswith("actives"))
DETAIL_DES_COMMUNES = (
    Indicateur.ACTIVES_COMMUNE_TYPOLOGIE,
    Indicateur.ACTIVES_COMMUNE_TAILLE,
    Indicateur.ACTIVES_COMMUNE_ANCIENNETE,
)


class Instantane(models.Model):
    jour = models.DateField("jour", unique=True)
    pris_le = models.DateTimeField("pris le", auto_now_add=True)
    duree = models.FloatField("durée du calcul (secondes)")
    demandes_actives = models.PositiveIntegerField("demandes actives (France)")

    class Meta:
        verbose_name = "instantané du registre"
        verbose_name_plural = "instantanés du registre"
        ordering = ["-jour"]

    def __str__(self):
        return f"Instantané du {self.jour:%d/%m/%Y}"


class Mesure(models.Model):
    instantane = models.ForeignKey(Instantane, on_delete=models.CASCADE, related_name="mesures")
    jour = models.DateField("jour")  # the snapshot's, copied for the trends' index
    departement = models.CharField("département", max_length=3, blank=True)  # "" : France
    commune = models.CharField("commune (code INSEE)", max_length=5, blank=True)
    indicateur = models.CharField("indicateur", max_length=30, choices=Indicateur.choices)
    modalite = models.CharField("modalité", max_length=30, blank=True)
    valeur = models.PositiveIntegerField("valeur")

    class Meta:
        verbose_name = "mesure"
        constraints = [
            models.UniqueConstraint(
                fields=["jour", "departement", "commune", "indicateur", "modalite"],
                name="mesure_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(commune="") | ~models.Q(departement=""),
                name="mesure_commune_dans_un_departement",
            ),
        ]
        indexes = [
            # A territory's trend (months of one indicator) and its latest day.
            models.Index(
                fields=["departement", "commune", "indicateur", "jour"], name="mesure_tendance"
            )
        ]

    def __str__(self):
        territoire = self.commune or self.departement or "France"
        return f"{self.jour} {territoire} {self.indicateur} {self.modalite} = {self.valeur}"


class FichierOuvert(models.Model):
    """One département's part of a month's open-data file (`donnees_ouvertes.py`), as published:
    counts only, protected by the statistical confidentiality of `secret.py`. Rewritten each
    night for the current month (from the latest snapshot), then left as its last day's."""

    mois = models.DateField("mois (premier jour)")
    departement = models.CharField("département", max_length=3)
    jour = models.DateField("instantané publié")
    lignes = models.PositiveIntegerField("lignes")
    contenu = models.TextField("contenu CSV (sans l'en-tête)")
    publie_le = models.DateTimeField("publié le", auto_now_add=True)

    class Meta:
        verbose_name = "fichier de données ouvertes"
        verbose_name_plural = "fichiers de données ouvertes"
        constraints = [
            models.UniqueConstraint(fields=["mois", "departement"], name="fichier_ouvert_unique")
        ]

    def __str__(self):
        return f"Données ouvertes {self.mois:%Y-%m}, {self.departement}"
