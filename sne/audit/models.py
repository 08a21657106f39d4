"""Who read or changed what, for which desk, when.

Every consultation and every change of a demande by an agent writes here, as do the changes
of rights and set-up. An entry is never modified or deleted by the application. `details` holds
identifiers and the names of the fields changed, never the personal data of applicants.
"""

from django.conf import settings
from django.db import models


class EvenementAudit(models.Model):
    class Action(models.TextChoices):
        CONNEXION = "connexion", "Connexion"
        CONNEXION_ECHOUEE = "connexion_echouee", "Connexion échouée"
        ACTIVATION_DEMANDEE = "activation_demandee", "Activation demandée"
        COMPTE_ACTIVE = "compte_active", "Compte activé"
        EMAIL_MODIFIE = "email_modifie", "Adresse e-mail modifiée"
        CONSULTATION = "consultation", "Consultation"
        CREATION = "creation", "Création"
        MODIFICATION = "modification", "Modification"
        SUPPRESSION = "suppression", "Suppression"
        HABILITATION = "habilitation", "Habilitation accordée"
        RETRAIT_HABILITATION = "retrait_habilitation", "Habilitation retirée"
        PARAMETRAGE = "parametrage", "Paramétrage d'un guichet"
        IMPORT = "import", "Import d'une fiche collecte"
        EXPORT = "export", "Export"
        JETON_API_CREE = "jeton_api_cree", "Jeton d'API créé"
        JETON_API_REVOQUE = "jeton_api_revoque", "Jeton d'API révoqué"
        TELECHARGEMENT = "telechargement", "Ouverture d'une pièce justificative"
        ACCES_REFUSE = "acces_refuse", "Accès refusé"

    horodatage = models.DateTimeField("date et heure", auto_now_add=True, db_index=True)
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evenements_audit",
    )
    guichet = models.ForeignKey(
        "organisations.Guichet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evenements_audit",
        help_text="Le guichet pour lequel la personne agissait.",
    )
    action = models.CharField("action", max_length=30, choices=Action.choices)
    objet_type = models.CharField("type d'objet", max_length=50, blank=True)
    objet_id = models.CharField("identifiant de l'objet", max_length=50, blank=True)
    resume = models.CharField("résumé", max_length=300, blank=True)
    details = models.JSONField("détails", default=dict, blank=True)
    adresse_ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)

    class Meta:
        verbose_name = "événement d'audit"
        verbose_name_plural = "journal d'audit"
        ordering = ["-horodatage", "-pk"]
        indexes = [
            models.Index(fields=["utilisateur", "-horodatage"], name="audit_par_utilisateur"),
            models.Index(fields=["objet_type", "objet_id", "-horodatage"], name="audit_par_objet"),
        ]

    def __str__(self):
        return f"{self.horodatage:%d/%m/%Y %H:%M} {self.get_action_display()} {self.resume}"
