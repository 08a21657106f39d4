"""A batch lot: a JSON Lines file of demandes sent by a connected system, registered line by
line by the Huey worker (API-CONTRACT « Batch lots », docs/adr/0016-lots.md).

The file is kept under `SNE_DOSSIER_LOTS` while the lot is processed; each line's outcome is a
`LigneLot`, written in the same transaction as the registration it records, so that a worker
stopped at any moment neither loses nor repeats a line."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class LotQuerySet(models.QuerySet):
    def du_guichet(self, guichet):
        return self.filter(guichet=guichet)

    def a_reprendre(self, maintenant=None):
        """Lots not finished whose worker is gone: never started, or whose lease expired."""
        maintenant = maintenant or timezone.now()
        return self.filter(statut__in=[Lot.Statut.EN_ATTENTE, Lot.Statut.EN_COURS]).filter(
            models.Q(bail_jusqu_au__isnull=True) | models.Q(bail_jusqu_au__lt=maintenant)
        )


class Lot(models.Model):
    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        EN_COURS = "en_cours", "En cours"
        TERMINE = "termine", "Terminé"
        ECHEC = "echec", "Échec"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    guichet = models.ForeignKey(
        "organisations.Guichet", on_delete=models.PROTECT, related_name="lots"
    )
    jeton = models.ForeignKey(
        "comptes.JetonApi",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lots",
        verbose_name="jeton d'API",
    )
    envoye_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="envoyé par",
        help_text="Le compte technique du guichet pour un lot reçu par l'API.",
    )
    empreinte = models.CharField("empreinte SHA-256 du contenu", max_length=64)
    fichier = models.CharField(
        "fichier", max_length=200, help_text="Relatif au dossier des lots (SNE_DOSSIER_LOTS)."
    )
    taille = models.BigIntegerField("taille en octets", default=0)
    total = models.PositiveIntegerField("lignes", default=0)
    traites = models.PositiveIntegerField("lignes traitées", default=0)
    statut = models.CharField(
        "statut", max_length=12, choices=Statut.choices, default=Statut.EN_ATTENTE
    )
    message = models.CharField("message", max_length=300, blank=True)
    recu_le = models.DateTimeField("reçu le", default=timezone.now)
    commence_le = models.DateTimeField("commencé le", null=True, blank=True)
    termine_le = models.DateTimeField("terminé le", null=True, blank=True)
    reprise_octet = models.BigIntegerField(
        "reprise à l'octet",
        default=0,
        help_text="Début de la première ligne du paquet suivant : un worker repris y lit.",
    )
    reprise_ligne = models.PositiveIntegerField(
        "reprise après la ligne", default=0, help_text="Numéro de la ligne qui précède."
    )
    bail_par = models.CharField(
        "bail du worker", max_length=32, blank=True, help_text="Jeton du bail en cours."
    )
    bail_jusqu_au = models.DateTimeField(
        "traité par un worker jusqu'au",
        null=True,
        blank=True,
        help_text="Un worker arrêté en cours de lot le laisse expirer : le lot est alors repris.",
    )

    objects = LotQuerySet.as_manager()

    class Meta:
        verbose_name = "lot"
        verbose_name_plural = "lots"
        ordering = ["-recu_le"]
        constraints = [
            models.UniqueConstraint(
                fields=["guichet", "empreinte"],
                name="lot_unique_par_contenu_et_guichet",
                violation_error_message="Ce guichet a déjà envoyé ce lot.",
            ),
            models.CheckConstraint(
                condition=models.Q(traites__lte=models.F("total")),
                name="lot_traites_au_plus_total",
            ),
        ]
        indexes = [models.Index(fields=["guichet", "-recu_le"], name="lot_guichet_recu")]

    def __str__(self):
        return f"Lot {self.pk} ({self.guichet_id}, {self.total} lignes)"

    @property
    def est_fini(self) -> bool:
        return self.statut in (self.Statut.TERMINE, self.Statut.ECHEC)

    @property
    def pourcentage(self) -> int:
        return 100 if not self.total else self.traites * 100 // self.total


class LigneLot(models.Model):
    class Statut(models.TextChoices):
        ENREGISTREE = "enregistree", "Enregistrée"
        REJETEE = "rejetee", "Rejetée"
        SUSPICION_DOUBLON = "suspicion_doublon", "Suspicion de doublon"

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="lignes")
    ligne = models.PositiveIntegerField("numéro de ligne")
    reference_externe = models.CharField("référence du système privatif", max_length=100)
    statut = models.CharField("statut", max_length=20, choices=Statut.choices)
    numero_unique = models.CharField("numéro unique", max_length=18, blank=True)
    erreurs = models.JSONField(
        "erreurs",
        default=list,
        blank=True,
        help_text="[{champ, code, message}], en français.",
    )
    doublons = models.JSONField(
        "demandes en cause",
        default=list,
        blank=True,
        help_text="Pour une suspicion de doublon : numéro, département, date de dépôt, guichet, "
        "raisons ; jamais les données des personnes.",
    )
    demande = models.ForeignKey(
        "demandes.Demande",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "ligne de lot"
        verbose_name_plural = "lignes de lot"
        ordering = ["lot", "ligne"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "ligne"], name="ligne_lot_unique"),
        ]
        indexes = [models.Index(fields=["lot", "statut", "ligne"], name="ligne_lot_statut")]

    def __str__(self):
        return f"Ligne {self.ligne} du lot {self.lot_id}"
