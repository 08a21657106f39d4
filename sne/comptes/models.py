"""The people who log in to the application nationale.

The e-mail address is the login (FAQ: « Votre identifiant est l'email mentionné dans la fiche
collecte »). It is unique whatever its case: the database refuses `Agent@x.fr` beside `agent@x.fr`.
"""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from .droits import droits_de


def normaliser_email(email: str) -> str:
    """The stored form of a login: trimmed and lower-cased as a whole.

    Lower-casing the local part too is deliberate: no French administration distinguishes
    `Jean.Dupont@` from `jean.dupont@`, and two accounts that differ only by case are the
    confusion the FAQ describes.
    """
    return (email or "").strip().lower()


class UtilisateurQuerySet(models.QuerySet):
    def visibles_par(self, utilisateur):
        """The accounts a person may see: all (national); for a gestionnaire, their own and
        those with a habilitation in force today on a desk or a département they manage (a
        habilitation withdrawn or ended no longer shows the person); else only their own."""
        droits = droits_de(utilisateur)
        if droits.national:
            return self.all()
        if droits.departements_gestion:
            deps = droits.departements_gestion
            habilitee_ici = (
                Habilitation.objects.valides()
                .filter(utilisateur=models.OuterRef("pk"))
                .filter(models.Q(guichet__departements__in=deps) | models.Q(departement__in=deps))
            )
            return self.filter(models.Exists(habilitee_ici) | models.Q(pk=utilisateur.pk))
        return self.filter(pk=utilisateur.pk)


class UtilisateurManager(BaseUserManager.from_queryset(UtilisateurQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=normaliser_email(username))

    def _creer(self, email, password, **champs):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        utilisateur = self.model(email=normaliser_email(email), **champs)
        utilisateur.set_password(password)
        utilisateur.full_clean(exclude=["password"])
        utilisateur.save(using=self._db)
        return utilisateur

    def create_user(self, email, password=None, **champs):
        champs.setdefault("is_staff", False)
        champs.setdefault("is_superuser", False)
        return self._creer(email, password, **champs)

    def create_superuser(self, email, password=None, **champs):
        champs["is_staff"] = True
        champs["is_superuser"] = True
        return self._creer(email, password, **champs)


class Utilisateur(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("adresse e-mail", max_length=254, unique=True)
    prenom = models.CharField("prénom", max_length=150, blank=True)
    nom = models.CharField("nom", max_length=150, blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration technique", default=False)
    date_creation = models.DateTimeField("créé le", default=timezone.now)
    guichet_systeme = models.OneToOneField(
        "organisations.Guichet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compte_systeme",
        verbose_name="compte technique du guichet",
        help_text="Renseigné pour le compte par lequel agissent les jetons d'API d'un guichet "
        "(ADR 0012) : il n'a pas de mot de passe et ne se connecte pas aux pages.",
    )

    objects = UtilisateurManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["nom", "prenom", "email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="utilisateur_email_unique_sans_casse",
                violation_error_message="Un compte existe déjà avec cette adresse e-mail.",
            ),
            models.CheckConstraint(
                condition=~models.Q(email=""), name="utilisateur_email_renseigne"
            ),
            # A desk's technical account acts only through its API tokens: no usable password
            # (Django marks an unusable one with a leading "!"), never staff nor superuser.
            models.CheckConstraint(
                condition=models.Q(guichet_systeme__isnull=True)
                | models.Q(password__startswith="!", is_staff=False, is_superuser=False),
                name="utilisateur_compte_systeme_sans_connexion",
                violation_error_message=(
                    "Le compte technique d'un guichet n'a ni mot de passe ni accès à "
                    "l'administration."
                ),
            ),
        ]

    def __str__(self):
        return self.nom_complet or self.email

    def clean(self):
        super().clean()
        self.email = normaliser_email(self.email)

    @property
    def est_compte_systeme(self) -> bool:
        """The technical account of a desk's connected systems (its API tokens)."""
        return self.guichet_systeme_id is not None

    @property
    def nom_complet(self) -> str:
        if self.est_compte_systeme:
            return self.nom  # « Système connecté du guichet 75BA1 », not upper-cased
        return " ".join(p for p in (self.prenom, self.nom.upper() if self.nom else "") if p)

    def get_full_name(self):
        return self.nom_complet

    def get_short_name(self):
        return self.prenom or self.email


class HabilitationQuerySet(models.QuerySet):
    def valides(self, le=None):
        """Habilitations in force on a date (today by default)."""
        le = le or timezone.localdate()
        return self.filter(models.Q(date_fin__isnull=True) | models.Q(date_fin__gte=le)).filter(
            date_debut__lte=le
        )


class Habilitation(models.Model):
    """A person's right to act: for a desk (saisie or consultation), over a département
    (gestionnaire territorial), or nationally. The database refuses an incoherent one."""

    class Role(models.TextChoices):
        SAISIE = "saisie", "Saisie (enregistrer, modifier, renouveler, radier)"
        CONSULTATION = "consultation", "Consultation seule"
        GESTIONNAIRE = "gestionnaire", "Gestionnaire territorial"
        NATIONAL = "national", "Administrateur national"

    utilisateur = models.ForeignKey(
        Utilisateur, on_delete=models.CASCADE, related_name="habilitations"
    )
    role = models.CharField("rôle", max_length=15, choices=Role.choices)
    guichet = models.ForeignKey(
        "organisations.Guichet",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="habilitations",
    )
    departement = models.ForeignKey(
        "referentiels.Departement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="habilitations",
    )
    date_debut = models.DateField("à partir du", default=timezone.localdate)
    date_fin = models.DateField("jusqu'au", null=True, blank=True)
    cree_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cree_le = models.DateTimeField("créée le", auto_now_add=True)

    objects = HabilitationQuerySet.as_manager()

    class Meta:
        verbose_name = "habilitation"
        ordering = ["utilisateur", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        role__in=["saisie", "consultation"],
                        guichet__isnull=False,
                        departement__isnull=True,
                    )
                    | models.Q(role="gestionnaire", guichet__isnull=True, departement__isnull=False)
                    | models.Q(role="national", guichet__isnull=True, departement__isnull=True)
                ),
                name="habilitation_coherente",
                violation_error_message=(
                    "Une habilitation de saisie ou de consultation vise un guichet ; celle d'un "
                    "gestionnaire, un département ; celle d'un administrateur national, rien."
                ),
            ),
            models.UniqueConstraint(
                fields=["utilisateur", "guichet"],
                condition=models.Q(guichet__isnull=False),
                name="habilitation_unique_par_guichet",
                violation_error_message="Cette personne est déjà habilitée sur ce guichet.",
            ),
            models.UniqueConstraint(
                fields=["utilisateur", "departement"],
                condition=models.Q(role="gestionnaire"),
                name="habilitation_gestionnaire_unique_par_departement",
            ),
            models.UniqueConstraint(
                fields=["utilisateur"],
                condition=models.Q(role="national"),
                name="habilitation_nationale_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(date_fin__isnull=True)
                | models.Q(date_fin__gte=models.F("date_debut")),
                name="habilitation_dates_ordonnees",
            ),
        ]

    def __str__(self):
        cible = self.guichet or self.departement or "national"
        return f"{self.utilisateur} — {self.get_role_display()} — {cible}"


class JetonApiQuerySet(models.QuerySet):
    def actifs(self):
        return self.filter(revoque_le__isnull=True)


class JetonApi(models.Model):
    """A connected system's access to the API for one desk (ADR 0012).

    Only the SHA-256 of the token is stored (`empreinte`): the token itself is shown once, at
    creation. `prefixe` (« sne_75BA1_ab12cd ») lets a person recognise it in a list or a log.
    The token acts as its desk's technical account (`Utilisateur.guichet_systeme`), so the
    rights layer (`droits_de`) and the audit log see it like an agent of that desk. A token
    is revoked, never deleted: the journal keeps pointing at it."""

    guichet = models.ForeignKey(
        "organisations.Guichet", on_delete=models.PROTECT, related_name="jetons_api"
    )
    libelle = models.CharField(
        "libellé", max_length=100, help_text="Le système qui s'en sert, par exemple « Logiciel X »."
    )
    prefixe = models.CharField("début du jeton", max_length=30)
    empreinte = models.CharField("empreinte SHA-256", max_length=64, unique=True, editable=False)
    cree_par = models.ForeignKey(
        Utilisateur,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="créé par",
        help_text="Vide pour un jeton créé en ligne de commande (`jeton_api`).",
    )
    cree_le = models.DateTimeField("créé le", default=timezone.now)
    utilise_le = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoque_le = models.DateTimeField("révoqué le", null=True, blank=True)
    revoque_par = models.ForeignKey(
        Utilisateur,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="révoqué par",
    )

    objects = JetonApiQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["guichet", "-cree_le", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(empreinte__regex=r"^[0-9a-f]{64}$"),
                name="jeton_api_empreinte_sha256",
            ),
            models.CheckConstraint(
                condition=models.Q(prefixe__startswith="sne_"), name="jeton_api_prefixe_sne"
            ),
            models.CheckConstraint(
                condition=~models.Q(libelle=""), name="jeton_api_libelle_renseigne"
            ),
            models.CheckConstraint(
                condition=models.Q(revoque_par__isnull=True) | models.Q(revoque_le__isnull=False),
                name="jeton_api_revoque_par_avec_date",
            ),
            models.CheckConstraint(
                condition=models.Q(revoque_le__isnull=True)
                | models.Q(revoque_le__gte=models.F("cree_le")),
                name="jeton_api_revoque_apres_creation",
            ),
        ]
        indexes = [models.Index(fields=["guichet", "revoque_le"], name="jeton_api_par_guichet")]

    def __str__(self):
        return f"{self.prefixe}… — {self.libelle}"

    @property
    def est_revoque(self) -> bool:
        return self.revoque_le is not None


class ReponseIdempotente(models.Model):
    """The answer already given to a POST of the API sent with an `Idempotency-Key` header
    (API-CONTRACT « Idempotency »): the same request sent again by the desk's system — a retry
    after a timeout — gets this answer back instead of acting twice. Only successes are kept
    (an error may be retried once corrected); kept 24 hours (`purger_reponses_idempotentes`).
    The row is inserted before the request acts, in the same transaction: a concurrent request
    with the same key waits on the unique index, then replays the stored answer."""

    guichet = models.ForeignKey("organisations.Guichet", on_delete=models.CASCADE, related_name="+")
    cle = models.CharField("clé d'idempotence", max_length=200)
    empreinte = models.CharField(
        "empreinte de la requête",
        max_length=64,
        help_text="SHA-256 de la méthode, de l'adresse et du corps : la même clé pour une autre "
        "requête est refusée.",
    )
    statut = models.PositiveSmallIntegerField("statut HTTP", null=True)
    type_contenu = models.CharField("type de contenu", max_length=100, blank=True)
    corps = models.BinaryField("corps", blank=True, default=b"")
    emplacement = models.CharField("en-tête Location", max_length=300, blank=True)
    cree_le = models.DateTimeField("créée le", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "réponse idempotente"
        verbose_name_plural = "réponses idempotentes"
        constraints = [
            models.UniqueConstraint(fields=["guichet", "cle"], name="reponse_idempotente_unique")
        ]

    def __str__(self):
        return f"{self.guichet_id} {self.cle}"
