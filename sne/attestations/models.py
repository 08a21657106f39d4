"""The attestations sent to applicants, and what they need to know of each département
(CCH R441-2-4).

The attestation tells the applicant from which date they may seize the commission de médiation
(DALO) if no suitable offer came, and where that commission is. That date is the date de dépôt
plus the « délai anormalement long », fixed in each département by arrêté préfectoral (CCH
L441-1-4, between one and ten years). A département without a row here falls back on the setting
`SNE_DELAI_ANORMALEMENT_LONG_MOIS_DEFAUT` (36 months) and a generic address: see
`sne.attestations.services.parametres_departement`.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from sne.demandes.models import Demande
from sne.referentiels.models import Departement

DELAI_MIN_MOIS = 12  # one year
DELAI_MAX_MOIS = 120  # ten years


class ParametresDepartement(models.Model):
    """The délai anormalement long and the commission de médiation of one département.

    Set by the national support in the Django admin for now; editing them in the
    gestionnaire's back office is still to be done.
    """

    departement = models.OneToOneField(
        Departement,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="parametres_attestation",
        verbose_name="département",
    )
    delai_anormalement_long_mois = models.PositiveSmallIntegerField(
        "délai anormalement long (mois)",
        validators=[MinValueValidator(DELAI_MIN_MOIS), MaxValueValidator(DELAI_MAX_MOIS)],
        help_text="Fixé par arrêté préfectoral (CCH L441-1-4) : entre 12 et 120 mois.",
    )
    commission_mediation_adresse = models.TextField(
        "adresse de la commission de médiation",
        blank=True,
        help_text="Telle qu'elle doit figurer sur l'attestation (plusieurs lignes possibles). "
        "Vide : « Commission de médiation DALO — Préfecture de … ».",
    )
    mis_a_jour_le = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "paramètres d'attestation du département"
        verbose_name_plural = "paramètres d'attestation des départements"
        ordering = ["departement"]
        constraints = [
            models.CheckConstraint(
                condition=Q(delai_anormalement_long_mois__gte=DELAI_MIN_MOIS)
                & Q(delai_anormalement_long_mois__lte=DELAI_MAX_MOIS),
                name="delai_anormalement_long_entre_un_et_dix_ans",
            )
        ]

    def __str__(self):
        return f"{self.departement} : {self.delai_anormalement_long_mois} mois"


class Attestation(models.Model):
    """An attestation d'enregistrement or de renouvellement (CCH R441-2-4), kept as rendered:
    the PDF the desk downloads, the API serves, and `sne.notifications` sends to the applicant
    (the sending, its channel and its delivery are the `Message`s of that app).

    `Type` also names the letters this app renders without keeping them as attestations (the
    notice of a separation, the renewal notice, the radiation notice): their data travel with
    their message."""

    class Type(models.TextChoices):
        ENREGISTREMENT = "enregistrement", "Attestation d'enregistrement"
        RENOUVELLEMENT = "renouvellement", "Attestation de renouvellement"
        SEPARATION = "separation", "Courrier de séparation"

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="attestations")
    type = models.CharField("type", max_length=15, choices=Type.choices)
    creee_le = models.DateTimeField("créée le", auto_now_add=True)
    fichier = models.FileField("PDF", upload_to="attestations/%Y/%m/", blank=True)
    donnees = models.JSONField("données de l'attestation", default=dict)

    class Meta:
        db_table = "demandes_attestation"  # created by the demandes app, moved here (ADR 0007)
        verbose_name = "attestation"
        ordering = ["demande", "-creee_le"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=["enregistrement", "renouvellement"]),
                name="une_attestation_d_enregistrement_ou_de_renouvellement",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} {self.demande_id}"
