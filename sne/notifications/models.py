"""Every message to an applicant, with its proof of delivery (CCH R441-2-4, R441-2-7,
R441-2-8; FAQ « Comment vérifier si un demandeur a bien reçu son préavis de renouvellement ? »).

A `Message` is one sending of one document to one applicant by one channel: an attestation,
the renewal notice (préavis), the notice of radiation for non-renouvellement, the notice of a
separation. It keeps its content as sent (subject and text of an e-mail or SMS, the letter's
data from which its PDF is rendered again identically, the attestation's PDF) and every event
of its delivery (`EvenementMessage`: created, sent, delivered, bounced, printed, posted,
returned), each with its date and source — the proof a desk shows without asking anyone.

A `Tournee` is one print run of letters of a département: one PDF, printed, put in window
envelopes and posted; each letter's « posté » is recorded.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from sne.attestations.models import Attestation
from sne.demandes.models import Demande
from sne.referentiels.models import Departement


class Tournee(models.Model):
    """A print run: the letters of a département waiting to be printed, in one PDF."""

    class Statut(models.TextChoices):
        EN_PREPARATION = "en_preparation", "PDF en préparation"
        A_IMPRIMER = "a_imprimer", "À imprimer"
        POSTEE = "postee", "Postée"

    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="+")
    creee_le = models.DateTimeField("préparée le", auto_now_add=True)
    creee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="préparée par",
    )
    statut = models.CharField(
        "statut", max_length=15, choices=Statut.choices, default=Statut.EN_PREPARATION
    )
    nombre = models.PositiveIntegerField("nombre de courriers", default=0)
    fichier = models.FileField("PDF", upload_to="tournees/%Y/%m/", blank=True)
    postee_le = models.DateTimeField("postée le", null=True, blank=True)
    postee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="postée par",
    )

    class Meta:
        verbose_name = "tournée de courriers"
        verbose_name_plural = "tournées de courriers"
        ordering = ["-creee_le", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(statut="postee", postee_le__isnull=False)
                | ~Q(statut="postee") & Q(postee_le__isnull=True),
                name="une_tournee_postee_a_sa_date",
            )
        ]

    def __str__(self):
        return f"Tournée {self.pk} ({self.departement_id}, {self.nombre} courriers)"


class Message(models.Model):
    class Type(models.TextChoices):
        ATTESTATION_ENREGISTREMENT = "attestation_enregistrement", "Attestation d'enregistrement"
        ATTESTATION_RENOUVELLEMENT = "attestation_renouvellement", "Attestation de renouvellement"
        AVIS_SEPARATION = "avis_separation", "Avis de séparation"
        PREAVIS_RENOUVELLEMENT = "preavis_renouvellement", "Préavis de renouvellement"
        AVIS_RADIATION = "avis_radiation", "Avis de radiation pour non-renouvellement"
        # The portal's (sne.portail): their stored text hides the code and the link.
        CODE_TELEDEMANDEUR = "code_teledemandeur", "Code télédemandeur"
        LIEN_ACTIVATION = "lien_activation", "Lien d'activation de l'adresse électronique"

    class Canal(models.TextChoices):
        EMAIL = "email", "Courriel"
        COURRIER = "courrier", "Courrier postal"
        SMS = "sms", "SMS"

    class Statut(models.TextChoices):
        A_ENVOYER = "a_envoyer", "À envoyer"
        A_IMPRIMER = "a_imprimer", "À imprimer"
        ENVOYE = "envoye", "Envoyé"
        REMIS = "remis", "Remis"
        POSTE = "poste", "Posté"
        ECHEC = "echec", "Non distribué"
        ANNULE = "annule", "Annulé"

    EN_ATTENTE = (Statut.A_ENVOYER, Statut.A_IMPRIMER)

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="messages")
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    type = models.CharField("type", max_length=30, choices=Type.choices)
    canal = models.CharField("canal", max_length=10, choices=Canal.choices)
    statut = models.CharField("statut", max_length=12, choices=Statut.choices)
    # Idempotency: one message per document, recipient and channel, whatever the retries of a
    # task or the runs of the campaign (`sne.notifications.services.cle_message`).
    cle = models.CharField("clé d'unicité", max_length=120, unique=True)
    # The date the notice counts as given (the campaign's day; today for an attestation): the
    # radiation waits one month after it, and the figures count by it.
    date_avis = models.DateField("date de l'avis")
    # The expiry the renewal notice or the radiation is about: one per cycle.
    cycle = models.DateField("échéance concernée", null=True, blank=True)

    # The content as sent.
    destinataire = models.CharField(
        "destinataire", max_length=254, blank=True, help_text="Adresse e-mail ou numéro de mobile."
    )
    adresse = models.JSONField("adresse postale", default=list, blank=True)
    objet = models.CharField("objet", max_length=200, blank=True)
    corps = models.TextField("texte", blank=True)
    donnees = models.JSONField("données du courrier", default=dict, blank=True)
    attestation = models.ForeignKey(
        Attestation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name="attestation jointe",
    )
    tournee = models.ForeignKey(
        Tournee, on_delete=models.PROTECT, null=True, blank=True, related_name="courriers"
    )

    # Delivery.
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    envoye_le = models.DateTimeField("envoyé ou posté le", null=True, blank=True)
    tentatives = models.PositiveSmallIntegerField("tentatives d'envoi", default=0)
    prochain_essai = models.DateTimeField("prochain essai", null=True, blank=True)
    derniere_erreur = models.CharField("dernière erreur", max_length=300, blank=True)
    identifiant_fournisseur = models.CharField(
        "identifiant chez le fournisseur", max_length=200, blank=True, db_index=True
    )

    class Meta:
        verbose_name = "message au demandeur"
        verbose_name_plural = "messages aux demandeurs"
        ordering = ["-cree_le", "-pk"]
        indexes = [
            models.Index(fields=["demande", "type", "cycle"], name="message_cycle"),
            models.Index(fields=["statut", "prochain_essai"], name="message_a_envoyer"),
            models.Index(fields=["departement", "date_avis"], name="message_journee"),
            models.Index(fields=["departement", "statut", "canal"], name="message_a_traiter"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(statut="a_imprimer") | Q(canal="courrier"),
                name="seul_un_courrier_s_imprime",
            ),
            models.CheckConstraint(
                condition=~Q(statut="a_envoyer") | ~Q(canal="courrier"),
                name="un_courrier_ne_s_envoie_pas_il_s_imprime",
            ),
            models.CheckConstraint(
                condition=~Q(statut="poste") | Q(canal="courrier", envoye_le__isnull=False),
                name="un_courrier_poste_a_sa_date",
            ),
            models.CheckConstraint(
                condition=~Q(canal="email", statut__in=["envoye", "remis"]) | ~Q(destinataire=""),
                name="un_courriel_envoye_a_son_destinataire",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} ({self.get_canal_display()}) {self.demande_id}"

    @property
    def en_attente(self) -> bool:
        return self.statut in self.EN_ATTENTE


class EvenementMessage(models.Model):
    """One step of a message's delivery, with its date and who or what reported it."""

    class Type(models.TextChoices):
        CREE = "cree", "Créé"
        ENVOYE = "envoye", "Envoyé"
        ECHEC_ENVOI = "echec_envoi", "Échec d'envoi (nouvel essai prévu)"
        REMIS = "remis", "Remis au destinataire"
        REBOND = "rebond", "Rejeté par la messagerie du destinataire"
        OUVERT = "ouvert", "Ouvert"
        IMPRIME = "imprime", "Ajouté à une tournée d'impression"
        POSTE = "poste", "Posté"
        RETOUR_COURRIER = "retour_courrier", "Retour du courrier (pli non distribuable)"
        NON_DISTRIBUABLE = "non_distribuable", "Impossible à envoyer (coordonnées manquantes)"
        ANNULE = "annule", "Annulé"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="evenements")
    type = models.CharField("événement", max_length=20, choices=Type.choices)
    survenu_le = models.DateTimeField("date et heure")
    source = models.CharField(
        "source",
        max_length=60,
        help_text="campagne, envoi, fournisseur (webhook), guichet ou gestionnaire",
    )
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    details = models.JSONField("détails", default=dict, blank=True)

    class Meta:
        verbose_name = "événement de distribution"
        verbose_name_plural = "événements de distribution"
        ordering = ["message", "survenu_le", "pk"]
        indexes = [models.Index(fields=["type", "survenu_le"], name="evenement_message_jour")]

    def __str__(self):
        return f"{self.get_type_display()} {self.survenu_le:%d/%m/%Y %H:%M}"


class JourneeCampagne(models.Model):
    """One run of the renewal campaign for one day: what it did, when it ended (progress and
    the gestionnaires' figures). A run interrupted (a crash) has no `terminee_le`; the next
    run finishes its work, since every step of the campaign is idempotent."""

    date = models.DateField("jour de campagne", unique=True)
    commencee_le = models.DateTimeField("commencée le", auto_now_add=True)
    terminee_le = models.DateTimeField("terminée le", null=True, blank=True)
    preavis = models.PositiveIntegerField("préavis", default=0)
    radiations = models.PositiveIntegerField("radiations", default=0)
    injoignables = models.PositiveIntegerField("demandeurs injoignables", default=0)
    messages = models.PositiveIntegerField("messages créés", default=0)

    class Meta:
        verbose_name = "journée de campagne de renouvellement"
        verbose_name_plural = "journées de campagne de renouvellement"
        ordering = ["-date"]

    def __str__(self):
        return f"Campagne du {self.date:%d/%m/%Y}"
