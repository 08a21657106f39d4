"""The identity index of duplicate detection: one row per demandeur and co-demandeur of every
demande, with its match keys (`cles.py`), kept by `services.indexer_demande` in the same
transaction as every change of the demande (`demandes.services.historique.historiser`).

It also keeps what a suspicion shows to a desk that may not see the demande — numéro unique,
département, date de dépôt, registering desk — so that a search reads this table alone.
The demande and the person are referenced by name (« demandes.Demande »): this app sits below
`sne.demandes` in the layers (the demandes services call it), and the database keeps the
reference (foreign keys, deleted with the demande)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from sne.comptes.droits import droits_de


class EmpreinteIdentite(models.Model):
    personne = models.OneToOneField(
        "demandes.Personne", on_delete=models.CASCADE, related_name="empreinte_identite"
    )
    demande = models.ForeignKey(
        "demandes.Demande", on_delete=models.CASCADE, related_name="empreintes_identite"
    )
    role = models.CharField("rôle", max_length=15)
    actif = models.BooleanField("demande active", default=True)
    # What a suspicion shows, whatever the desk's scope (never personal data).
    numero_unique = models.CharField("numéro unique", max_length=18)
    departement = models.CharField("département", max_length=3)
    date_depot = models.DateField("date de dépôt")
    guichet = models.CharField("guichet enregistreur", max_length=5)
    # Match keys
    nom = models.CharField("nom plié", max_length=100, blank=True)
    nom_naissance = models.CharField("nom de naissance plié", max_length=100, blank=True)
    prenom = models.CharField("prénom plié", max_length=100, blank=True)
    nom_phonetique = models.CharField(max_length=100, blank=True)
    nom_naissance_phonetique = models.CharField(max_length=100, blank=True)
    prenom_phonetique = models.CharField(max_length=100, blank=True)
    date_naissance = models.DateField(null=True, blank=True)
    nir = models.CharField(max_length=15, blank=True)
    piece_identite = models.CharField(max_length=50, blank=True)
    email = models.CharField(max_length=254, blank=True)
    telephone = models.CharField(max_length=30, blank=True)
    civilite = models.CharField(max_length=3, blank=True)

    class Meta:
        verbose_name = "empreinte d'identité"
        verbose_name_plural = "empreintes d'identité"
        # Partial indexes on the active demandes: each block of the candidate search
        # (`services._candidats`) reads one of them.
        indexes = [
            models.Index(
                fields=["date_naissance"], name="empreinte_naissance", condition=Q(actif=True)
            ),
            models.Index(
                fields=["nom_phonetique", "date_naissance"],
                name="empreinte_nom_date",
                condition=Q(actif=True),
            ),
            models.Index(
                fields=["nom_naissance_phonetique", "date_naissance"],
                name="empreinte_naissance_date",
                condition=Q(actif=True) & ~Q(nom_naissance_phonetique=""),
            ),
            models.Index(
                fields=["prenom_phonetique", "date_naissance"],
                name="empreinte_prenom_date",
                condition=Q(actif=True),
            ),
            models.Index(
                fields=["nir"], name="empreinte_nir", condition=Q(actif=True) & ~Q(nir="")
            ),
            models.Index(
                fields=["piece_identite"],
                name="empreinte_piece",
                condition=Q(actif=True) & ~Q(piece_identite=""),
            ),
            models.Index(
                fields=["email"], name="empreinte_email", condition=Q(actif=True) & ~Q(email="")
            ),
            models.Index(
                fields=["telephone"],
                name="empreinte_telephone",
                condition=Q(actif=True) & ~Q(telephone=""),
            ),
        ]

    def __str__(self):
        return f"{self.numero_unique} ({self.role})"


class ParDepartementQuerySet(models.QuerySet):
    def visibles_par(self, utilisateur):
        """What a gestionnaire may read: their départements (all of them at the national level)."""
        droits = droits_de(utilisateur)
        if droits.national:
            return self
        return self.filter(departement__in=sorted(droits.departements_gestion))


class PaireDoublon(models.Model):
    """Two active demandes that probably hold the same person, for a gestionnaire to decide.
    Never merged or struck off automatically: « doublon confirmé » strikes one off through
    `demandes.services.doublons.confirmer_doublon`; « personnes différentes » is kept so
    that the pair is never proposed again (audits, searches excluding one of the two)."""

    class Statut(models.TextChoices):
        A_EXAMINER = "a_examiner", "À examiner"
        DOUBLON_CONFIRME = "doublon_confirme", "Doublon confirmé"
        PERSONNES_DIFFERENTES = "personnes_differentes", "Personnes différentes"

    demande_a = models.ForeignKey(
        "demandes.Demande", on_delete=models.CASCADE, related_name="+", verbose_name="demande A"
    )
    demande_b = models.ForeignKey(
        "demandes.Demande", on_delete=models.CASCADE, related_name="+", verbose_name="demande B"
    )
    # The département whose gestionnaire decides: the audited one, or the forced demande's.
    departement = models.ForeignKey(
        "referentiels.Departement", on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField("ressemblance (%)")
    raisons = models.JSONField("raisons", default=list)
    statut = models.CharField(
        "statut", max_length=25, choices=Statut.choices, default=Statut.A_EXAMINER
    )
    trouvee_le = models.DateTimeField("trouvée le", default=timezone.now)
    decidee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="décidée par",
    )
    decidee_le = models.DateTimeField("décidée le", null=True, blank=True)
    demande_radiee = models.ForeignKey(
        "demandes.Demande",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="demande radiée",
    )

    objects = ParDepartementQuerySet.as_manager()

    class Meta:
        verbose_name = "paire de doublons"
        verbose_name_plural = "paires de doublons"
        constraints = [
            models.UniqueConstraint(fields=["demande_a", "demande_b"], name="paire_unique"),
            models.CheckConstraint(
                condition=Q(demande_a__lt=F("demande_b")), name="paire_ordonnee"
            ),
            models.CheckConstraint(
                condition=Q(statut="a_examiner")
                | (Q(decidee_le__isnull=False) & Q(decidee_par__isnull=False)),
                name="paire_decidee_par_quelqu_un",
            ),
        ]
        indexes = [
            models.Index(
                fields=["departement", "statut", "-score"], name="paire_departement_statut"
            )
        ]

    def __str__(self):
        return f"{self.demande_a_id} / {self.demande_b_id} ({self.get_statut_display()})"

    @property
    def decidee(self) -> bool:
        return self.statut != self.Statut.A_EXAMINER

    @staticmethod
    def ordonner(x: int, y: int) -> tuple[int, int]:
        return (x, y) if x < y else (y, x)


class AuditDoublons(models.Model):
    """A search of the probable duplicate pairs among the active demandes of a département,
    walked by a Huey task (`tasks.executer_audit`) in chunks of the identity index: each chunk
    commits its pairs and its progress (`curseur`: the last index row done), so that a killed
    worker resumes where it stopped."""

    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        EN_COURS = "en_cours", "En cours"
        TERMINE = "termine", "Terminé"

    departement = models.ForeignKey(
        "referentiels.Departement", on_delete=models.PROTECT, related_name="+"
    )
    lance_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="lancé par",
    )
    statut = models.CharField(
        "statut", max_length=12, choices=Statut.choices, default=Statut.EN_ATTENTE
    )
    total = models.PositiveIntegerField("personnes à examiner", default=0)
    traites = models.PositiveIntegerField("personnes examinées", default=0)
    curseur = models.BigIntegerField("dernière empreinte examinée", default=0)
    paires = models.ManyToManyField(PaireDoublon, related_name="audits", blank=True)
    lance_le = models.DateTimeField("lancé le", default=timezone.now)
    avance_le = models.DateTimeField("dernière avancée", default=timezone.now)
    termine_le = models.DateTimeField("terminé le", null=True, blank=True)

    objects = ParDepartementQuerySet.as_manager()

    class Meta:
        verbose_name = "audit des doublons"
        verbose_name_plural = "audits des doublons"
        constraints = [
            # One audit at a time per département: launching again resumes the running one.
            models.UniqueConstraint(
                fields=["departement"],
                condition=Q(statut__in=["en_attente", "en_cours"]),
                name="un_audit_en_cours_par_departement",
            )
        ]

    def __str__(self):
        return f"Audit des doublons {self.departement_id} du {self.lance_le:%d/%m/%Y}"

    @property
    def termine(self) -> bool:
        return self.statut == self.Statut.TERMINE

    @property
    def pourcentage(self) -> int:
        if self.termine:
            return 100
        return min(99, 100 * self.traites // self.total) if self.total else 0


class CreationForcee(models.Model):
    """A demande registered (or an identity changed) past a suspicion of duplicate, with the
    agent's written justification: listed for the gestionnaire of its département, who
    compares it with each suspected demande (its `paires`)."""

    class Operation(models.TextChoices):
        CREATION = "creation", "Enregistrement"
        MODIFICATION = "modification", "Modification de l'identité"

    demande = models.ForeignKey(
        "demandes.Demande", on_delete=models.CASCADE, related_name="creations_forcees"
    )
    operation = models.CharField(
        "opération", max_length=12, choices=Operation.choices, default=Operation.CREATION
    )
    departement = models.ForeignKey(
        "referentiels.Departement", on_delete=models.PROTECT, related_name="+"
    )
    guichet = models.ForeignKey("organisations.Guichet", on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    justification = models.TextField("justification")
    # What the agent was shown (`Suspicion.en_dict`): numéro, département, date de dépôt,
    # guichet, score, raisons — as it was at that moment.
    suspicions = models.JSONField("suspicions", default=list)
    paires = models.ManyToManyField(PaireDoublon, related_name="creations_forcees", blank=True)
    cree_le = models.DateTimeField("le", default=timezone.now, db_index=True)
    examinee_le = models.DateTimeField("examinée le", null=True, blank=True)

    objects = ParDepartementQuerySet.as_manager()

    class Meta:
        verbose_name = "création forcée"
        verbose_name_plural = "créations forcées"
        ordering = ["-cree_le", "-pk"]

    def __str__(self):
        return f"Création forcée {self.pk}"
