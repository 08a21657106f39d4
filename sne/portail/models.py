"""What the portal keeps: the codes télédemandeur (hashed), the activation links of an e-mail
address, the attempts that rate-limit logins, and the online applications in progress."""

import uuid

from django.db import models
from django.db.models import Q

from sne.demandes.models import Demande


class CodeTeledemandeur(models.Model):
    """The code an applicant types to log in (FAQ « Portail Grand Public »), sent by e-mail,
    SMS or letter at their choice. Only its hash is kept; it expires; a new code replaces the
    previous one (`remplace_le`)."""

    class Canal(models.TextChoices):
        EMAIL = "email", "Courriel"
        SMS = "sms", "SMS"
        COURRIER = "courrier", "Courrier postal"

    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="codes_portail")
    code_hache = models.CharField("code (haché)", max_length=200)
    canal = models.CharField("envoyé par", max_length=10, choices=Canal.choices)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    expire_le = models.DateTimeField("expire le")
    remplace_le = models.DateTimeField("remplacé le", null=True, blank=True)

    class Meta:
        verbose_name = "code télédemandeur"
        verbose_name_plural = "codes télédemandeur"
        indexes = [models.Index(fields=["demande", "-cree_le"], name="code_portail_par_demande")]

    def __str__(self):
        return f"Code du {self.cree_le:%d/%m/%Y} ({self.get_canal_display()})"


class AdresseVerifiee(models.Model):
    """The e-mail address an applicant proved to be theirs, by the activation link (FAQ: « il
    doit alors cliquer sur le lien contenu dans ce mail pour activer son adresse mail »)."""

    demande = models.OneToOneField(
        Demande, on_delete=models.CASCADE, related_name="adresse_verifiee_portail"
    )
    email = models.CharField("adresse électronique", max_length=254)
    verifiee_le = models.DateTimeField("vérifiée le")

    class Meta:
        verbose_name = "adresse électronique vérifiée"
        verbose_name_plural = "adresses électroniques vérifiées"

    def __str__(self):
        return f"Adresse vérifiée de la demande {self.demande_id}"


class LienActivation(models.Model):
    """An activation link sent to an e-mail address: single use (`utilise_le`), expires.
    `jeton` holds the SHA-256 of the link's token, never the token itself
    (`services_compte.envoyer_lien_activation`)."""

    jeton = models.CharField("jeton", max_length=64, unique=True)
    demande = models.ForeignKey(
        Demande, on_delete=models.CASCADE, related_name="liens_activation_portail"
    )
    email = models.CharField("adresse électronique", max_length=254)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    expire_le = models.DateTimeField("expire le")
    utilise_le = models.DateTimeField("utilisé le", null=True, blank=True)

    class Meta:
        verbose_name = "lien d'activation"
        verbose_name_plural = "liens d'activation"

    def __str__(self):
        return f"Lien d'activation du {self.cree_le:%d/%m/%Y}"


class Tentative(models.Model):
    """One attempt (code asked for, login tried, code checked) counted for rate limiting, by
    numéro unique and by IP address: kept in the database so that every worker counts the
    same attempts. Purged after a day."""

    class Type(models.TextChoices):
        CODE = "code", "Demande de code"
        CONNEXION = "connexion", "Connexion"
        DEMANDE_EN_LIGNE = "demande_en_ligne", "Demande en ligne"

    type = models.CharField("type", max_length=20, choices=Type.choices)
    cle = models.CharField("numéro unique ou adresse IP", max_length=100)
    horodatage = models.DateTimeField("date et heure", auto_now_add=True)
    reussie = models.BooleanField("réussie", default=False)

    class Meta:
        verbose_name = "tentative"
        verbose_name_plural = "tentatives"
        indexes = [models.Index(fields=["type", "cle", "horodatage"], name="tentative_par_cle")]

    def __str__(self):
        return f"{self.get_type_display()} {self.cle}"


class DemandeEnLigne(models.Model):
    """An application typed by the applicant on the portal, saved at each step (the draft,
    « brouillon »), until it is registered (`demande`) or purged after a stated delay of
    inactivity (`services_demande_en_ligne.purger_brouillons`, with a notice before)."""

    class Statut(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        ENREGISTREE = "enregistree", "Enregistrée"
        A_VOIR_AU_GUICHET = "guichet", "À voir avec un guichet (doublon possible)"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.CharField("adresse électronique", max_length=254)
    email_verifie_le = models.DateTimeField("adresse vérifiée le", null=True, blank=True)
    statut = models.CharField(
        "statut", max_length=20, choices=Statut.choices, default=Statut.BROUILLON
    )
    # The link that proves the address (and opens the draft): only its hash is kept; single
    # use (emptied when opened), replaced by the next one asked for, expires.
    jeton_hache = models.CharField("lien (haché)", max_length=64, blank=True, db_index=True)
    jeton_expire_le = models.DateTimeField("lien valable jusqu'au", null=True, blank=True)
    etape = models.CharField("dernière étape", max_length=40, blank=True)
    donnees = models.JSONField("saisie", default=dict, blank=True)
    piece_identite = models.FileField(
        "pièce d'identité", upload_to="portail/pieces_identite/%Y/%m/", blank=True
    )
    piece_identite_type_contenu = models.CharField(
        "type réel du fichier", max_length=40, blank=True
    )
    piece_identite_nom = models.CharField("nom du fichier envoyé", max_length=200, blank=True)
    demande = models.OneToOneField(
        Demande,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="demande_en_ligne",
    )
    cree_le = models.DateTimeField("commencée le", auto_now_add=True)
    modifie_le = models.DateTimeField("enregistrée le", auto_now=True)
    avertie_purge_le = models.DateTimeField("avertie de la suppression le", null=True, blank=True)

    class Meta:
        verbose_name = "demande en ligne"
        verbose_name_plural = "demandes en ligne"
        indexes = [models.Index(fields=["statut", "modifie_le"], name="brouillon_par_age")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(statut="enregistree") | Q(demande__isnull=False),
                name="demande_en_ligne_enregistree_a_sa_demande",
            )
        ]

    def __str__(self):
        return f"Demande en ligne {self.uuid}"


class LienFranceConnect(models.Model):
    """A FranceConnect identity (`sub`, the provider's stable pseudonymous identifier of the
    person for this site) linked to a demande, once the applicant has proved with their code
    télédemandeur that the demande is theirs (docs/franceconnect.md). Their next FranceConnect
    login opens the portal on it at once. Nothing else of the identity is kept."""

    demande = models.ForeignKey(
        Demande, on_delete=models.CASCADE, related_name="liens_franceconnect"
    )
    sub = models.CharField("identifiant FranceConnect (sub)", max_length=255, unique=True)
    cree_le = models.DateTimeField("lié le", auto_now_add=True)
    derniere_connexion_le = models.DateTimeField("dernière connexion le", null=True, blank=True)

    class Meta:
        verbose_name = "lien FranceConnect"
        verbose_name_plural = "liens FranceConnect"

    def __str__(self):
        return f"Lien FranceConnect de la demande {self.demande_id}"
