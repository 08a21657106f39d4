"""The pièces justificatives of the dossier unique: given once, shared by every desk that may
see the demande (docs/pieces.md, docs/adr/0021-dossier-unique.md).

A `Piece` is never overwritten: a new file is a new pièce, the old one becomes « remplacée »
and points to its successor; validation and refusal set the status and keep who and when;
every step is an `EvenementPiece` (its own history, append-only). The file lives in the
storage `pieces` (`stockage.py`: the filesystem under SNE_DATA_DIR, or S3), under a random
name; it is only ever read through `services.lire_piece`, which checks the rights and writes
the audit entry.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from sne.demandes.models import Demande, Personne
from sne.organisations.models import Guichet

from .nomenclatures import MotifRefus, OriginePiece, StatutPiece, TypePiece
from .stockage import chemin_de_piece, stockage_des_pieces


class Piece(models.Model):
    Statut = StatutPiece
    Type = TypePiece
    Origine = OriginePiece
    Motif = MotifRefus

    # The identifier shown in addresses (never the sequential id: not guessable, not countable).
    uid = models.UUIDField("identifiant", default=uuid.uuid4, unique=True, editable=False)
    demande = models.ForeignKey(Demande, on_delete=models.PROTECT, related_name="pieces")
    personne = models.ForeignKey(
        Personne,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pieces",
        verbose_name="personne concernée",
        help_text="Vide : la pièce concerne tout le ménage.",
    )
    type = models.CharField("type de pièce", max_length=30, choices=TypePiece.choices)
    fichier = models.FileField(
        "fichier",
        storage=stockage_des_pieces,
        upload_to=chemin_de_piece,
        max_length=200,
        blank=True,
        help_text="Vide une fois effacé (virus, fin de la durée de conservation).",
    )
    nom_fichier = models.CharField("nom du fichier envoyé", max_length=200, blank=True)
    type_contenu = models.CharField("type de contenu", max_length=30)
    taille = models.PositiveIntegerField("taille (octets)")
    pages = models.PositiveSmallIntegerField("nombre de pages", default=1)
    empreinte = models.CharField("empreinte SHA-256", max_length=64, db_index=True)

    origine = models.CharField("origine", max_length=12, choices=OriginePiece.choices)
    guichet = models.ForeignKey(
        Guichet, on_delete=models.PROTECT, related_name="+", verbose_name="guichet qui l'a ajoutée"
    )
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="agent qui l'a ajoutée",
    )
    ajoutee_le = models.DateTimeField("ajoutée le", auto_now_add=True, db_index=True)

    statut = models.CharField(
        "statut", max_length=20, choices=StatutPiece.choices, default=StatutPiece.RECUE
    )
    analysee_le = models.DateTimeField("analysée par l'antivirus le", null=True, blank=True)
    motif_refus = models.CharField(
        "motif de refus", max_length=20, choices=MotifRefus.choices, blank=True
    )
    precision_refus = models.CharField("précision du refus", max_length=500, blank=True)
    decidee_le = models.DateTimeField("validée ou refusée le", null=True, blank=True)
    decidee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="validée ou refusée par",
    )
    # DO_NOTHING: pièces are only deleted all together with their demande's dossier
    # (`services.purger_pieces_expirees`); the database's deferred foreign key still refuses
    # a row pointing to a pièce that no longer exists at commit.
    remplacee_par = models.OneToOneField(
        "self",
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="remplace",
        verbose_name="remplacée par",
    )
    effacee_le = models.DateTimeField("fichier effacé le", null=True, blank=True)

    class Meta:
        verbose_name = "pièce justificative"
        verbose_name_plural = "pièces justificatives"
        ordering = ["demande", "-ajoutee_le", "-pk"]
        indexes = [models.Index(fields=["statut", "ajoutee_le"], name="piece_statut_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=TypePiece.values), name="piece_type_connu"),
            models.CheckConstraint(
                condition=Q(statut__in=StatutPiece.values), name="piece_statut_connu"
            ),
            models.CheckConstraint(
                condition=Q(origine__in=OriginePiece.values), name="piece_origine_connue"
            ),
            # A refused pièce says why; one never refused has no motif (a replaced one keeps
            # the motif of its refusal, if it had one).
            models.CheckConstraint(
                condition=(Q(statut=StatutPiece.REFUSEE) & ~Q(motif_refus=""))
                | Q(statut=StatutPiece.REMPLACEE)
                | Q(motif_refus=""),
                name="piece_refus_motive",
            ),
            # « Autre motif » is always spelt out.
            models.CheckConstraint(
                condition=~Q(motif_refus=MotifRefus.AUTRE) | ~Q(precision_refus=""),
                name="piece_autre_motif_precise",
            ),
            # A replaced pièce points to the one that replaces it, and only then.
            models.CheckConstraint(
                condition=Q(statut=StatutPiece.REMPLACEE, remplacee_par__isnull=False)
                | (~Q(statut=StatutPiece.REMPLACEE) & Q(remplacee_par__isnull=True)),
                name="piece_remplacement_designe",
            ),
            models.CheckConstraint(
                condition=~Q(pk=models.F("remplacee_par")), name="piece_pas_remplacee_par_elle"
            ),
            models.CheckConstraint(condition=Q(taille__gt=0), name="piece_non_vide"),
            # The same file twice on a demande is one pièce (a double click, a lot sent again),
            # unless the first was refused or replaced.
            models.UniqueConstraint(
                fields=["demande", "empreinte"],
                condition=Q(statut__in=["en_attente_analyse", "recue", "validee"]),
                name="piece_unique_par_demande",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} — {self.demande.numero_unique}"

    @property
    def en_vigueur(self) -> bool:
        """Part of the dossier today: not refused, not replaced."""
        return self.statut in (
            StatutPiece.EN_ATTENTE_ANALYSE,
            StatutPiece.RECUE,
            StatutPiece.VALIDEE,
        )

    @property
    def lisible(self) -> bool:
        """May be opened: analysed by the antivirus, file still there."""
        return bool(self.fichier) and self.statut != StatutPiece.EN_ATTENTE_ANALYSE


class EvenementPiece(models.Model):
    """One step of a pièce's life, never changed nor deleted while the pièce exists."""

    class Action(models.TextChoices):
        DEPOT = "depot", "Ajoutée"
        ANALYSE = "analyse", "Analysée par l'antivirus"
        VALIDATION = "validation", "Validée"
        REFUS = "refus", "Refusée"
        REMPLACEMENT = "remplacement", "Remplacée"
        EFFACEMENT = "effacement", "Fichier effacé"

    piece = models.ForeignKey(Piece, on_delete=models.CASCADE, related_name="evenements")
    horodatage = models.DateTimeField("date et heure", auto_now_add=True)
    action = models.CharField("action", max_length=15, choices=Action.choices)
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    guichet = models.ForeignKey(
        Guichet, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    commentaire = models.CharField("commentaire", max_length=500, blank=True)

    class Meta:
        verbose_name = "étape d'une pièce"
        verbose_name_plural = "étapes des pièces"
        ordering = ["horodatage", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.horodatage:%d/%m/%Y %H:%M}"


from .models_numeriseur import LigneNumeriseur, LotNumeriseur  # noqa: E402, F401
