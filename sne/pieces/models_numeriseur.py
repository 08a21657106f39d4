"""The industrial scanner's lots (FAQ « Dossier unique - Numériseur industriel »): a ZIP of
scanned pièces and their manifest, sent by a desk's system, checked pièce by pièce by the worker
(`numeriseur.py`). « Seule la pièce défectueuse sera rejetée » : each line of the manifest has
its own result, attached or rejected with its reason; a bad pièce never rejects the lot.

Imported at the bottom of `models.py`, so that Django finds these models in the app `pieces`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from sne.demandes.models import Demande
from sne.organisations.models import Guichet


class LotNumeriseur(models.Model):
    class Etat(models.TextChoices):
        RECU = "recu", "Reçu"
        EN_COURS = "en_cours", "En cours"
        TERMINE = "termine", "Terminé"
        ECHOUE = "echoue", "Échoué"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    guichet = models.ForeignKey(
        Guichet, on_delete=models.PROTECT, related_name="+", verbose_name="guichet qui l'a envoyé"
    )
    compte = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="compte qui l'a envoyé",
        help_text="Le compte technique du guichet, celui du jeton d'API.",
    )
    recu_le = models.DateTimeField("reçu le", default=timezone.now, db_index=True)
    termine_le = models.DateTimeField("terminé le", null=True, blank=True)
    etat = models.CharField("état", max_length=10, choices=Etat.choices, default=Etat.RECU)
    message = models.CharField("message", max_length=300, blank=True)
    fichier = models.CharField(
        "fichier ZIP",
        max_length=200,
        help_text="Relatif au dossier des lots (SNE_DOSSIER_LOTS) ; effacé une fois traité.",
    )
    taille = models.BigIntegerField("taille en octets", default=0)
    total = models.PositiveIntegerField("pièces du manifeste", default=0)
    attachees = models.PositiveIntegerField("pièces attachées", default=0)
    rejetees = models.PositiveIntegerField("pièces rejetées", default=0)

    class Meta:
        verbose_name = "lot du numériseur"
        verbose_name_plural = "lots du numériseur"
        ordering = ["-recu_le"]
        constraints = [
            models.CheckConstraint(
                condition=Q(etat__in=["recu", "en_cours", "termine", "echoue"]),
                name="lot_numeriseur_etat_connu",
            ),
            models.CheckConstraint(
                condition=Q(attachees__lte=F("total") - F("rejetees")),
                name="lot_numeriseur_compteurs_coherents",
            ),
            # Finished (or failed) exactly when it has an end.
            models.CheckConstraint(
                condition=Q(etat__in=["termine", "echoue"], termine_le__isnull=False)
                | (Q(etat__in=["recu", "en_cours"]) & Q(termine_le__isnull=True)),
                name="lot_numeriseur_fin_datee",
            ),
            models.CheckConstraint(
                condition=~Q(etat="echoue") | ~Q(message=""), name="lot_numeriseur_echec_motive"
            ),
        ]

    def __str__(self) -> str:
        return f"Lot du numériseur {self.pk} — {self.guichet.code}"


class LigneNumeriseur(models.Model):
    """One line of a lot's manifest and what became of it."""

    class Resultat(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        ATTACHEE = "attachee", "Attachée"
        REJETEE = "rejetee", "Rejetée"

    lot = models.ForeignKey(LotNumeriseur, on_delete=models.CASCADE, related_name="lignes")
    ligne = models.PositiveIntegerField("ligne du manifeste", help_text="L'en-tête est la ligne 1.")
    numero_unique = models.CharField("numéro unique saisi", max_length=40, blank=True)
    type = models.CharField("type de pièce saisi", max_length=40, blank=True)
    personne = models.CharField("personne saisie", max_length=20, blank=True)
    nom_fichier = models.CharField("fichier dans le ZIP", max_length=255, blank=True)
    resultat = models.CharField(
        "résultat", max_length=10, choices=Resultat.choices, default=Resultat.EN_ATTENTE
    )
    piece_uid = models.UUIDField("identifiant de la pièce", null=True, blank=True)
    code = models.CharField("raison du rejet (code)", max_length=40, blank=True)
    message = models.CharField("raison du rejet", max_length=500, blank=True)
    # The demande, only when the desk that sent the lot may add pièces to it: its registering
    # desk hears about the rejection; otherwise the sender does (nothing revealed).
    demande = models.ForeignKey(
        Demande, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    traitee_le = models.DateTimeField("traitée le", null=True, blank=True)
    # Set once the desk concerned has been e-mailed about this rejected line: a replayed
    # `prevenir_rejets_numeriseur` (Huey retry after a partial failure) skips it.
    prevenu_le = models.DateTimeField("guichet prévenu le", null=True, blank=True)

    class Meta:
        verbose_name = "ligne d'un lot du numériseur"
        verbose_name_plural = "lignes des lots du numériseur"
        ordering = ["lot", "ligne"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "ligne"], name="ligne_numeriseur_unique"),
            models.CheckConstraint(condition=Q(ligne__gte=2), name="ligne_numeriseur_apres_entete"),
            models.CheckConstraint(
                condition=(
                    Q(resultat="en_attente", piece_uid__isnull=True, code="", traitee_le=None)
                    | Q(resultat="attachee", piece_uid__isnull=False, code="", message="")
                    & Q(traitee_le__isnull=False)
                    | (
                        Q(resultat="rejetee", piece_uid__isnull=True, traitee_le__isnull=False)
                        & ~Q(code="")
                        & ~Q(message="")
                    )
                ),
                name="ligne_numeriseur_resultat_coherent",
            ),
        ]
        indexes = [models.Index(fields=["lot", "resultat"], name="ligne_numeriseur_res_idx")]

    def __str__(self) -> str:
        return f"Ligne {self.ligne} du lot {self.lot_id}"
