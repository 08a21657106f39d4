"""Organisations, their guichets enregistreurs, contact points, and the départements' tables
(associations) and requests to the gestionnaire territorial.

A guichet's code (5 characters) goes into every numéro unique it gives: it never changes.
A guichet registers demandes only on the départements it is habilitated on, and sees those of
its consultation scope, which may be narrower (FAQ « Options de paramétrage »).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from stdnum.fr import siren as stdnum_siren

from sne.comptes.droits import droits_de
from sne.referentiels.models import Commune, Departement


def siren_valide(siren: str) -> bool:
    """A SIREN as stored: exactly 9 digits, the last one a Luhn check digit (python-stdnum)."""
    return len(siren) == 9 and stdnum_siren.is_valid(siren)


def valider_siren(valeur: str) -> None:
    if not siren_valide(valeur):
        raise ValidationError(
            "Le SIREN doit compter 9 chiffres et être valide (clé de contrôle).", code="siren"
        )


class Organisation(models.Model):
    class Type(models.TextChoices):
        BAILLEUR = "bailleur", "Bailleur social"
        COMMUNE = "commune", "Commune"
        EPCI = "epci", "EPCI"
        ACTION_LOGEMENT = "action_logement", "Action Logement"
        ETAT = "etat", "Service de l'État"
        DEPARTEMENT = "departement", "Conseil départemental"
        ASSOCIATION = "association", "Association"
        AUTRE = "autre", "Autre organisme"

    nom = models.CharField("nom", max_length=200)
    type = models.CharField("type", max_length=20, choices=Type.choices)
    siren = models.CharField(
        "SIREN", max_length=9, unique=True, null=True, blank=True, validators=[valider_siren]
    )
    adresse = models.TextField("adresse", blank=True)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "organisation"
        ordering = ["nom"]
        constraints = [
            models.CheckConstraint(
                condition=Q(siren__isnull=True) | Q(siren__regex=r"^[0-9]{9}$"),
                name="organisation_siren_neuf_chiffres",
            )
        ]

    def __str__(self):
        return self.nom


class GuichetQuerySet(models.QuerySet):
    def visibles_par(self, utilisateur):
        """The desks a person may see: their own, those of their départements, or all."""
        droits = droits_de(utilisateur)
        if droits.national:
            return self.all()
        return self.filter(
            Q(pk__in=droits.guichets_consultation) | Q(departements__in=droits.departements_gestion)
        ).distinct()

    def gerables_par(self, utilisateur):
        """The desks a person may set up: those habilitated on départements they manage."""
        droits = droits_de(utilisateur)
        if droits.national:
            return self.all()
        return self.filter(departements__in=droits.departements_gestion).distinct()


class Guichet(models.Model):
    code = models.CharField(
        "code du guichet",
        max_length=5,
        unique=True,
        validators=[
            RegexValidator(
                r"^[0-9A-Z]{5}$", "Le code compte 5 caractères : chiffres et lettres majuscules."
            )
        ],
        help_text="5 caractères (chiffres, majuscules) ; il entre dans chaque numéro unique.",
    )
    nom = models.CharField("nom", max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="guichets"
    )
    departements = models.ManyToManyField(
        Departement,
        related_name="guichets_habilites",
        verbose_name="départements d'enregistrement",
        help_text="Le guichet n'enregistre de demandes que sur ces départements.",
    )
    consultation_departements = models.ManyToManyField(
        Departement,
        related_name="guichets_en_consultation",
        blank=True,
        verbose_name="consultation : départements entiers",
    )
    consultation_communes = models.ManyToManyField(
        Commune,
        related_name="guichets_en_consultation",
        blank=True,
        verbose_name="consultation : communes",
    )
    email = models.EmailField("e-mail du guichet", blank=True)
    convention_signee_le = models.DateField("convention signée le", null=True, blank=True)
    fiche_collecte = models.FileField(
        "fiche collecte", upload_to="fiches_collecte/%Y/", null=True, blank=True
    )
    fiche_collecte_recue_le = models.DateField("fiche collecte reçue le", null=True, blank=True)
    parametrage_termine_le = models.DateTimeField("paramétrage terminé le", null=True, blank=True)
    actif = models.BooleanField("actif", default=True)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    objects = GuichetQuerySet.as_manager()

    class Meta:
        verbose_name = "guichet enregistreur"
        verbose_name_plural = "guichets enregistreurs"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9A-Z]{5}$"), name="guichet_code_cinq_caracteres"
            ),
            # FAQ: the set-up follows the convention signed by the préfet, never precedes it.
            models.CheckConstraint(
                condition=Q(parametrage_termine_le__isnull=True)
                | Q(convention_signee_le__isnull=False),
                name="guichet_parametre_a_une_convention",
                violation_error_message=(
                    "Un guichet ne peut être paramétré sans la date de signature de sa convention."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.nom} ({self.code})"

    @property
    def est_parametre(self) -> bool:
        """The gestionnaire has finalised the set-up: only then does the desk register
        (`sne.demandes.regles.exiger_guichet_parametre`)."""
        return self.parametrage_termine_le is not None

    def point_contact_principal(self):
        """The contact point printed on the desk's attestations: the first by name that has a
        street address, else the first by name (None without any)."""
        if "contacts" in getattr(self, "_prefetched_objects_cache", {}):
            contacts = list(self.contacts.all())  # prefetched with their commune (a print run)
        else:
            contacts = list(self.contacts.select_related("commune"))
        return next((c for c in contacts if c.adresse.strip()), contacts[0] if contacts else None)

    def adresse_postale(self, contact=None) -> str:
        """The desk's address as its attestations print it (CCH R441-2-4 b): that of its main
        contact point (`contact`, when the caller has it already), else its organisation's;
        "" when it has none."""
        contact = contact or self.point_contact_principal()
        if contact is None or not contact.adresse.strip():
            return self.organisation.adresse.strip()
        ville = " ".join(
            p for p in (contact.code_postal, contact.commune and contact.commune.nom) if p
        )
        return "\n".join(p for p in (contact.adresse.strip(), ville) if p)

    def manques_parametrage(self) -> list[str]:
        """What the set-up still lacks, in the FAQ's order (« l'envoi de la convention signée
        par le préfet et la fiche collecte remplie ») followed by what the desk's documents
        and e-mails need: an address for its attestations (CCH R441-2-4 b) and an address
        where the confirmation e-mail of the set-up is sent. Empty: it can be finalised."""
        manque = []
        if not self.convention_signee_le:
            manque.append("la date de signature de la convention")
        if not self.fiche_collecte_recue_le:
            manque.append("la fiche collecte")
        if not self.adresse_postale():
            manque.append(
                "l'adresse du guichet, imprimée sur les attestations (un point de contact "
                "avec son adresse, ou l'adresse de l'organisation)"
            )
        if not self.destinataires():
            manque.append("une adresse e-mail de contact (du guichet ou d'un point de contact)")
        return manque

    def perimetre_consultation(self) -> Q:
        """The communes this desk may consult, as a filter on `Commune`."""
        return Q(departement__in=self.consultation_departements.all()) | Q(
            pk__in=self.consultation_communes.all()
        )

    def consulte_commune(self, code_insee: str) -> bool:
        return Commune.objects.filter(self.perimetre_consultation(), pk=code_insee).exists()

    def destinataires(self) -> list[str]:
        """The addresses that hear from the SNE about this desk: its own and its contact
        points'."""
        adresses = [self.email] + [c.email for c in self.contacts.all()]
        return sorted({a.strip().lower() for a in adresses if a and a.strip()})


class PointContact(models.Model):
    """Where and when applicants can reach a desk (FAQ: points de contact physiques et
    téléphoniques, sent every month to every desk)."""

    guichet = models.ForeignKey(Guichet, on_delete=models.CASCADE, related_name="contacts")
    libelle = models.CharField("libellé", max_length=200, help_text="Ex. : Accueil du public")
    adresse = models.CharField("adresse", max_length=300, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    horaires = models.TextField("horaires d'ouverture", blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("e-mail", blank=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "point de contact"
        verbose_name_plural = "points de contact"
        ordering = ["guichet", "libelle"]

    def __str__(self):
        return f"{self.libelle} — {self.guichet.code}"


class Association(models.Model):
    """The départemental table of associations a demande can be made for (FAQ)."""

    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="associations"
    )
    nom = models.CharField("nom", max_length=200)
    siren = models.CharField("SIREN", max_length=9, blank=True, validators=[valider_siren])
    adresse = models.CharField("adresse", max_length=300, blank=True)
    date_creation = models.DateField("date de création", null=True, blank=True)
    active = models.BooleanField("active", default=True)

    class Meta:
        verbose_name = "association"
        ordering = ["departement", "nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["departement", "nom"], name="association_nom_unique_par_departement"
            )
        ]

    def __str__(self):
        return f"{self.nom} ({self.departement_id})"


class DemandeAuGestionnaire(models.Model):
    """A desk asks its gestionnaire territorial something (FAQ: « je ne vois pas la demande
    suspectée en doublon : élargissez mon périmètre »), and gets an answer in the application."""

    class Objet(models.TextChoices):
        PERIMETRE = "perimetre", "Périmètre de consultation"
        HABILITATION = "habilitation", "Habilitation d'un utilisateur"
        CONTACTS = "contacts", "Points de contact"
        DOUBLON = "doublon", "Suspicion de doublon hors de mon périmètre"
        AUTRE = "autre", "Autre question"

    class Statut(models.TextChoices):
        OUVERTE = "ouverte", "En attente de réponse"
        TRAITEE = "traitee", "Traitée"

    guichet = models.ForeignKey(Guichet, on_delete=models.CASCADE, related_name="demandes_gestion")
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="+")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    objet = models.CharField("objet", max_length=20, choices=Objet.choices)
    message = models.TextField("message")
    statut = models.CharField(
        "statut", max_length=10, choices=Statut.choices, default=Statut.OUVERTE
    )
    reponse = models.TextField("réponse", blank=True)
    repondu_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cree_le = models.DateTimeField("envoyée le", auto_now_add=True)
    repondu_le = models.DateTimeField("répondu le", null=True, blank=True)

    class Meta:
        verbose_name = "demande au gestionnaire"
        verbose_name_plural = "demandes au gestionnaire"
        ordering = ["-cree_le"]
        constraints = [
            models.CheckConstraint(
                condition=Q(statut="ouverte") | ~Q(reponse=""),
                name="demande_gestionnaire_traitee_a_une_reponse",
            )
        ]

    def __str__(self):
        return f"{self.get_objet_display()} — {self.guichet.code}"
