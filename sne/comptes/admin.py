from axes.admin import IsLockedOutFilter as AxesIsLockedOutFilter
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin, StaticTokenInline
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import JetonApi, Utilisateur


@admin.register(Utilisateur)
class UtilisateurAdmin(UserAdmin):
    ordering = ["email"]
    list_display = ["email", "prenom", "nom", "is_active", "is_staff"]
    search_fields = ["email", "prenom", "nom"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["prenom", "nom", "telephone"]}),
        ("Droits techniques", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_creation"]}),
        ("Système connecté", {"fields": ["guichet_systeme"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_creation", "guichet_systeme"]

    def user_change_password(self, request, id, form_url=""):
        # A desk's technical account never has a password (ADR 0012; the database refuses it).
        if Utilisateur.objects.filter(pk=id, guichet_systeme__isnull=False).exists():
            raise PermissionDenied("Le compte technique d'un guichet n'a pas de mot de passe.")
        return super().user_change_password(request, id, form_url)


@admin.register(JetonApi)
class JetonApiAdmin(admin.ModelAdmin):
    """Read only: a token is created where its secret can be shown once and the creation
    logged (the desk's page « Jetons d'API », or `manage.py jeton_api`), and revoked there."""

    list_display = ["prefixe", "guichet", "libelle", "cree_le", "utilise_le", "revoque_le"]
    list_filter = [("revoque_le", admin.EmptyFieldListFilter)]
    search_fields = ["prefixe", "libelle", "guichet__code"]
    list_select_related = ["guichet"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- The technical administration in French -------------------------------------------------
# django-otp writes its names in English without marking them for translation (a catalogue
# could not translate them), and django-axes' French catalogue misses a few. The names below
# are set once, here, on the models' `_meta` and fields: only the display changes, neither the
# tables nor the migrations (which record the names declared in the libraries' code, never
# these). The help texts are given by the admin forms.

APPLICATIONS = {
    "otp_static": "Double authentification : codes de secours",
    "otp_totp": "Double authentification : applications",
    "axes": "Verrouillage après échecs de connexion",
}
MODELES = {
    StaticDevice: ("jeu de codes de secours", "jeux de codes de secours"),
    StaticToken: ("code de secours", "codes de secours"),
    TOTPDevice: ("application d'authentification", "applications d'authentification"),
}
CHAMPS = {
    "user": "utilisateur",
    "name": "nom",
    "confirmed": "confirmé",
    "created_at": "créé le",
    "last_used_at": "dernière utilisation le",
    "throttling_failure_timestamp": "dernier échec le",
    "throttling_failure_count": "échecs successifs",
    "device": "jeu de codes",
    "token": "code",
    "key": "clé secrète",
    "step": "durée d'un code (secondes)",
    "t0": "origine du temps (t0)",
    "digits": "nombre de chiffres",
    "tolerance": "tolérance (pas de temps)",
    "drift": "décalage d'horloge (pas de temps)",
    "last_t": "dernier pas de temps vérifié",
    "user_agent": "navigateur (user agent)",
}
AIDES = {
    "user": "La personne à qui appartient ce moyen d'authentification.",
    "name": "Un nom pour le reconnaître.",
    "confirmed": "Utilisable pour se connecter.",
    "throttling_failure_timestamp": "Moment du dernier échec ; vide si le dernier essai a réussi.",
    "throttling_failure_count": "Nombre d'échecs successifs (chacun allonge l'attente).",
    "key": "Secret partagé avec l'application, en hexadécimal (40 octets au plus).",
    "step": "Durée de validité d'un code, en secondes.",
    "t0": "Instant Unix à partir duquel les pas de temps sont comptés.",
    "digits": "Nombre de chiffres d'un code.",
    "tolerance": "Nombre de pas de temps acceptés avant ou après l'heure du serveur.",
    "drift": "Décalage connu entre l'horloge du téléphone et celle du serveur.",
    "last_t": "Pas de temps du dernier code accepté : le suivant doit être plus récent.",
}


def _noms_en_francais() -> None:
    for label, nom in APPLICATIONS.items():
        apps.get_app_config(label).verbose_name = nom
    for modele, (singulier, pluriel) in MODELES.items():
        modele._meta.verbose_name = singulier
        modele._meta.verbose_name_plural = pluriel
    for modele in [*MODELES, *apps.get_app_config("axes").get_models()]:
        for champ in modele._meta.get_fields():
            if champ.name in CHAMPS and hasattr(champ, "verbose_name"):
                champ.verbose_name = CHAMPS[champ.name]
    AxesIsLockedOutFilter.title = "verrouillé"
    # Shown above each backup code of a set (« StaticToken object (3) » otherwise).
    StaticToken.__str__ = lambda code: f"Code de secours n° {code.pk}"


_noms_en_francais()


class AidesEnFrancais:
    """The help texts of django-otp's fields, in French, on the admin forms."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        champ = super().formfield_for_dbfield(db_field, request, **kwargs)
        if champ is not None and db_field.name in AIDES:
            champ.help_text = AIDES[db_field.name]
        return champ

    # Read-only, without django-otp's English help texts.
    @admin.display(description="créé le")
    def cree_le(self, appareil):
        return _date_heure(appareil.created_at)

    @admin.display(description="dernière utilisation le")
    def utilise_le(self, appareil):
        return _date_heure(appareil.last_used_at)


def _date_heure(moment) -> str:
    return date_format(localtime(moment), "DATETIME_FORMAT") if moment else "—"


RECHERCHE = "Recherche par adresse e-mail de l'utilisateur."
IDENTITE = ("Identité", {"fields": ["user", "name", "confirmed"]})
DATES = ("Dates", {"fields": ["cree_le", "utilise_le"]})


class CodeDeSecoursEnLigne(StaticTokenInline):
    verbose_name = "code de secours"
    verbose_name_plural = "codes de secours"


class JeuDeCodesDeSecoursAdmin(AidesEnFrancais, StaticDeviceAdmin):
    search_help_text = RECHERCHE
    readonly_fields = ["cree_le", "utilise_le"]
    fieldsets = [IDENTITE, DATES]
    inlines = [CodeDeSecoursEnLigne]


class ApplicationAuthentificationAdmin(AidesEnFrancais, TOTPDeviceAdmin):
    search_help_text = RECHERCHE
    readonly_fields = ["cree_le", "utilise_le", "qrcode_link"]

    def get_fieldsets(self, request, obj=None):
        titres = {
            "Identity": "Identité",
            "Timestamps": "Dates",
            "Configuration": "Paramètres",
            "State": "État",
            "Throttling": "Limitation des essais",
        }
        fieldsets = []
        for titre, options in super().get_fieldsets(request, obj):
            champs = [
                {"created_at": "cree_le", "last_used_at": "utilise_le"}.get(c, c)
                for c in options["fields"]
            ]
            fieldsets.append((titres.get(titre, titre), {**options, "fields": champs}))
        return fieldsets


for _modele, _admin in (
    (StaticDevice, JeuDeCodesDeSecoursAdmin),
    (TOTPDevice, ApplicationAuthentificationAdmin),
):
    if admin.site.is_registered(_modele):
        admin.site.unregister(_modele)
    admin.site.register(_modele, _admin)
