"""The people who log in to the application nationale.

The e-mail address is the login (FAQ: « Votre identifiant est l'email mentionné dans la fiche
collecte »). It is unique whatever its case: the database refuses `Agent@x.fr` beside `agent@x.fr`.
"""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


def normaliser_email(email: str) -> str:
    """The stored form of a login: trimmed and lower-cased as a whole.

    Lower-casing the local part too is deliberate: no French administration distinguishes
    `Jean.Dupont@` from `jean.dupont@`, and two accounts that differ only by case are the
    confusion the FAQ describes.
    """
    return (email or "").strip().lower()


class UtilisateurManager(BaseUserManager):
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
        ]

    def __str__(self):
        return self.nom_complet or self.email

    def clean(self):
        super().clean()
        self.email = normaliser_email(self.email)

    @property
    def nom_complet(self) -> str:
        return " ".join(p for p in (self.prenom, self.nom.upper() if self.nom else "") if p)

    def get_full_name(self):
        return self.nom_complet

    def get_short_name(self):
        return self.prenom or self.email
