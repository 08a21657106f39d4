"""Départements, communes and postal codes: INSEE's COG and La Poste's base, as loaded by
`charger_referentiels` from the CSV files in `data/` (see data/README.md).

A commune is never deleted: demandes keep pointing to it. One that disappears from a new
vintage (a merger) gets a `date_fermeture` and stops being offered for new entries.
"""

from django.db import models
from django.db.models import Q


class Departement(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    nom = models.CharField("nom", max_length=100)
    code_region = models.CharField("code région", max_length=3)
    zone = models.CharField(
        "zone", max_length=5, choices=[("metro", "Métropole"), ("drom", "Outre-mer (DROM)")]
    )
    chef_lieu = models.CharField("code INSEE du chef-lieu", max_length=5)
    date_fermeture = models.DateField("fermé le", null=True, blank=True)

    class Meta:
        verbose_name = "département"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^([0-9]{2}|2A|2B|97[1-6])$"),
                name="departement_code_valide",
            )
        ]

    def __str__(self):
        return f"{self.nom} ({self.code})"


class Epci(models.Model):
    """An EPCI à fiscalité propre (communauté de communes, d'agglomération, urbaine,
    métropole): the intercommunal territory of the local housing policy (PLH, conférence
    intercommunale du logement, CCH L441-1-5). Identified by its SIREN."""

    class Type(models.TextChoices):
        CC = "CC", "Communauté de communes"
        CA = "CA", "Communauté d'agglomération"
        CU = "CU", "Communauté urbaine"
        METRO = "METRO", "Métropole"
        MET69 = "MET69", "Métropole de Lyon"

    code = models.CharField("SIREN", max_length=9, primary_key=True)
    nom = models.CharField("nom", max_length=150)
    type = models.CharField("type", max_length=5, choices=Type.choices)
    date_fermeture = models.DateField("fermé le", null=True, blank=True)

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["nom"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{9}$"), name="epci_siren")
        ]

    def __str__(self):
        return self.nom


class Commune(models.Model):
    class Type(models.TextChoices):
        COMMUNE = "commune", "Commune"
        ARRONDISSEMENT = "arrondissement", "Arrondissement municipal"

    code_insee = models.CharField("code INSEE", max_length=5, primary_key=True)
    nom = models.CharField("nom officiel", max_length=100)
    type = models.CharField("type", max_length=15, choices=Type.choices, default=Type.COMMUNE)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="communes", verbose_name="département"
    )
    commune_parente = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arrondissements",
        verbose_name="commune (pour un arrondissement municipal)",
    )
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    code_postal_principal = models.CharField(
        "code postal principal", max_length=5, blank=True, help_text="Le premier que cite le COG."
    )
    anciens_codes = models.CharField(
        "anciens codes INSEE", max_length=200, blank=True, help_text="Séparés par « | »."
    )
    epci = models.ForeignKey(
        Epci,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communes",
        verbose_name="EPCI",
        help_text="Vide pour les quatre îles mono-communales qui n'en ont pas.",
    )
    date_fermeture = models.DateField("fermée le", null=True, blank=True)

    class Meta:
        verbose_name = "commune"
        ordering = ["code_insee"]
        indexes = [models.Index(fields=["departement", "nom"], name="commune_dep_nom")]
        constraints = [
            models.CheckConstraint(
                condition=Q(code_insee__regex=r"^([0-9]{2}|2A|2B)[0-9]{3}$"),
                name="commune_code_insee_valide",
            ),
            models.CheckConstraint(
                condition=Q(type="arrondissement", commune_parente__isnull=False)
                | Q(type="commune", commune_parente__isnull=True),
                name="commune_arrondissement_a_une_parente",
            ),
        ]

    def __str__(self):
        return f"{self.nom} ({self.code_insee})"

    @property
    def est_ouverte(self) -> bool:
        return self.date_fermeture is None


class NomAlternatif(models.Model):
    """Another name under which people know a commune: a commune déléguée or associée, or a
    well-known place that is not a commune (`localites.csv`, kept by hand: La Défense)."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="noms_alternatifs")
    nom = models.CharField("nom", max_length=100)
    nature = models.CharField(
        "nature",
        max_length=10,
        choices=[
            ("deleguee", "Commune déléguée"),
            ("associee", "Commune associée"),
            ("localite", "Localité connue hors commune (ex. : La Défense)"),
        ],
    )
    code_origine = models.CharField("code INSEE d'origine", max_length=5, blank=True)

    class Meta:
        verbose_name = "nom alternatif de commune"
        verbose_name_plural = "noms alternatifs de communes"
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "nom", "nature", "code_origine"], name="nom_alternatif_unique"
            )
        ]

    def __str__(self):
        return f"{self.nom} → {self.commune_id}"


class CodePostal(models.Model):
    code = models.CharField("code postal", max_length=5, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="codes_postaux")
    libelle_acheminement = models.CharField("libellé d'acheminement", max_length=100)

    class Meta:
        verbose_name = "code postal"
        verbose_name_plural = "codes postaux"
        ordering = ["code", "commune_id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "commune"], name="code_postal_commune_unique"),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{5}$"), name="code_postal_cinq_chiffres"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.libelle_acheminement}"


class ChargementReferentiel(models.Model):
    """One run of `charger_referentiels`: which vintage was loaded, and what it changed."""

    date = models.DateTimeField("date", auto_now_add=True)
    sources = models.JSONField("sources", default=dict)
    compteurs = models.JSONField("compteurs", default=dict)

    class Meta:
        verbose_name = "chargement de référentiel"
        ordering = ["-date"]
        get_latest_by = "date"

    def __str__(self):
        return f"Chargement du {self.date:%d/%m/%Y %H:%M}"
