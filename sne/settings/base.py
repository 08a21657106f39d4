"""Settings of the SNE, read once from the environment.

Every setting has a safe default for the embedded mode (`make run`): SQLite, SqliteHuey and
media files under SNE_DATA_DIR (./var by default). Production sets DATABASE_URL (PostgreSQL),
REDIS_URL (RedisHuey), SECRET_KEY, ALLOWED_HOSTS, EMAIL_URL. See docs/deploiement.md.

Importing these settings creates no file and no directory: manage.py creates SNE_DATA_DIR and
the embedded mode's secret key before any command; Django creates the media, static, cache and
mail directories when it first writes to them. The test suite runs on `sne.settings.test`.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("SNE_DATA_DIR", BASE_DIR / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    valeur = os.environ.get(name)
    if valeur is None:
        return default
    return valeur.strip().lower() in {"1", "true", "yes", "oui", "on"}


def _env_liste(name: str, default: str = "") -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


DEBUG = _env_bool("DEBUG", False)
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# One rule for production: a deployment on PostgreSQL (DATABASE_URL set) is production unless
# SNE_PRODUCTION=0 says otherwise (a developer's local PostgreSQL); the embedded default
# (SQLite) is not, unless SNE_PRODUCTION=1. Production refuses to start without SECRET_KEY,
# ALLOWED_HOSTS and SNE_URL_SITE, and turns the HTTPS protections on. The test suite's settings
# module (which imports these first, through the package) runs on PostgreSQL too, and is not
# a production.
_SUITE_DE_TESTS = os.environ.get("DJANGO_SETTINGS_MODULE") == "sne.settings.test"
SNE_PRODUCTION = _env_bool("SNE_PRODUCTION", bool(DATABASE_URL) and not _SUITE_DE_TESTS)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if SNE_PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY doit être défini en production (une longue valeur aléatoire, jamais "
            "versionnée) : voir docs/deploiement.md."
        )
    # Embedded mode: a key generated once in the data directory by manage.py (the first
    # command of `make run`), never committed.
    fichier_cle = DATA_DIR / "secret_key"
    if fichier_cle.exists():
        SECRET_KEY = fichier_cle.read_text().strip()

# Never `*`: the embedded default serves only this machine; production names its hosts.
ALLOWED_HOSTS = _env_liste("ALLOWED_HOSTS", "" if SNE_PRODUCTION else "localhost,127.0.0.1,[::1]")
if SNE_PRODUCTION and (not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS doit nommer en production les noms d'hôte servis, séparés par des "
        "virgules (jamais « * ») : voir docs/deploiement.md."
    )
CSRF_TRUSTED_ORIGINS = _env_liste("CSRF_TRUSTED_ORIGINS")

# Links in e-mails (activation, change of address, invitations) are built from this one URL,
# never from the request's Host header (which a client chooses).
SNE_URL_SITE = os.environ.get("SNE_URL_SITE", "" if SNE_PRODUCTION else "http://localhost:8000")
SNE_URL_SITE = SNE_URL_SITE.rstrip("/")
if SNE_PRODUCTION and not SNE_URL_SITE.startswith("https://"):
    raise ImproperlyConfigured(
        "SNE_URL_SITE doit donner en production l'adresse publique du site, en https:// "
        "(par exemple https://sne.example.fr) : les liens des e-mails en partent."
    )

# The reverse proxies in front of the application (addresses or networks, comma-separated):
# X-Forwarded-For is read only from them (sne.audit.services.adresse_ip). Empty: the client
# is the direct peer, whatever the header says.
SNE_PROXIES_DE_CONFIANCE = _env_liste("SNE_PROXIES_DE_CONFIANCE")
for _proxy in SNE_PROXIES_DE_CONFIANCE:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _erreur:
        raise ImproperlyConfigured(
            f"SNE_PROXIES_DE_CONFIANCE : « {_proxy} » n'est ni une adresse IP ni un réseau."
        ) from _erreur

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "widget_tweaks",
    "dsfr",
    "huey.contrib.djhuey",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_htmx",
    "ninja",  # its Swagger UI files, served by the site for /api/v1/docs (no CDN)
    "sne.comptes",
    "sne.referentiels",
    "sne.organisations",
    "sne.audit",
    "sne.demandes",
    "sne.doublons",
    "sne.attestations",
    "sne.notifications",
    "sne.lots",
    "sne.pieces",
    "sne.attributions",
    "sne.statistiques",
    "sne.portail",
    "anymail",
    "sne.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads a body: the API's size limit, and its errors as problem documents.
    "sne.api.middleware.ApiMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Under /portail/: the applicants' own session, in its own cookie (sne/portail/session.py).
    "sne.portail.session.SessionPortailMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sne.middleware.CaracteresNulsMiddleware",
    "sne.middleware.PasDeCacheMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sne.comptes.middleware.DoubleFacteurMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sne.erreurs.ErreursMetierMiddleware",
    # Around the API's endpoints only: a POST sent again with its Idempotency-Key gets the
    # first answer (sne/api/idempotence.py).
    "sne.api.idempotence.IdempotenceMiddleware",
]

ROOT_URLCONF = "sne.urls"
WSGI_APPLICATION = "sne.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sne" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sne.context_processors.site",
                "sne.context_processors.menu_gestion",
                "sne.portail.context_processors.portail",
            ],
        },
    },
]
FORM_RENDERER = "dsfr.forms.DsfrDjangoTemplates"

# --- Database -------------------------------------------------------------------------------
# SQLite (embedded default) is set up for concurrent use: WAL so readers never block the
# writer, a busy timeout so a second writer waits instead of failing with "database is locked",
# and IMMEDIATE transactions so a transaction takes the write lock when it starts rather than
# failing when it upgrades from read to write (the classic SQLITE_BUSY deadlock).
SQLITE_OPTIONS = {
    "timeout": 30,
    "transaction_mode": "IMMEDIATE",
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=30000;"
        "PRAGMA foreign_keys=ON;"
    ),
}
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "sne.sqlite3",
        }
    }


def en_lecture_seule(base: dict) -> dict:
    """The settings of a read replica: on PostgreSQL, its sessions are read-only, as a hot
    standby's are; so a write routed there by mistake fails here too, and in the test suite,
    where the replica is the same database (a test mirror, sne/settings/test.py)."""
    base = {**base, "OPTIONS": dict(base.get("OPTIONS", {}))}
    if base["ENGINE"] == "django.db.backends.postgresql":
        options = base["OPTIONS"].get("options", "")
        base["OPTIONS"]["options"] = f"{options} -c default_transaction_read_only=on".strip()
    return base


# A read replica of the PostgreSQL database (optional): the statistics pages and their exports
# read the snapshots there (sne/statistiques/routeur.py); every write, and every other read,
# stays on `default`. See docs/deploiement.md, « Réplique en lecture ».
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replique"] = en_lecture_seule(
        dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    )
for _base in DATABASES.values():
    if _base["ENGINE"] == "django.db.backends.sqlite3":
        _base.setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    elif _base["ENGINE"] == "django.db.backends.postgresql":
        _base["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ["sne.statistiques.routeur.RouteurReplique"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work (Huey) -----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "sne",
        "url": REDIS_URL,
        "immediate": False,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "sne",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
    }
HUEY["utc"] = False  # periodic tasks (crontab) read in Europe/Paris time

# --- Cache (rate limits, lockouts): shared by every process -----------------------------
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "comptes.Utilisateur"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout after repeated failed logins, per (login, client address): a wrong password typed
# from elsewhere does not lock the account holder out, and agents of a desk sharing one address
# behind a NAT are not locked together. The client address is the one of the audit log
# (trusted proxies only). Against password spraying (a few passwords tried on many logins from
# one address), a second, higher limit counts failures per address alone
# (sne.comptes.securite.adresse_bloquee): django-axes has one failure limit only.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HEURES", 0.25))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "sne.audit.services.adresse_ip"
SNE_LIMITE_ECHECS_CONNEXION_PAR_ADRESSE_IP = int(
    os.environ.get("SNE_LIMITE_ECHECS_CONNEXION_PAR_ADRESSE_IP", 50)
)
# The login form posts "username"; fold it as a login (case) so that `Agent@x.fr` and
# `agent@x.fr` count as one account.
AXES_USERNAME_CALLABLE = "sne.comptes.securite.identifiant_pour_verrouillage"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "comptes/verrouille.html"
AXES_VERBOSE = False
# Time-based one-time passwords (RFC 6238) for the second factor.
OTP_TOTP_ISSUER = "SNE"
# Links sent by e-mail (activation, password, change of e-mail address) expire after 2 days.
PASSWORD_RESET_TIMEOUT = int(os.environ.get("DUREE_LIENS_SECONDES", 2 * 24 * 3600))
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "comptes:connexion"
LOGIN_REDIRECT_URL = "accueil"
LOGOUT_REDIRECT_URL = "accueil"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS: on by default in production (cookies sent only over HTTPS, HSTS, redirection);
# SNE_HTTPS=0 turns it off, SNE_HTTPS=1 turns it on elsewhere.
SNE_HTTPS = _env_bool("SNE_HTTPS", SNE_PRODUCTION)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SNE_HTTPS
SECURE_SSL_REDIRECT = SNE_HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000 if SNE_HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SNE_HTTPS)
# Asking browsers to preload HSTS binds every subdomain of the domain for good: the domain's
# owner decides it (SECURE_HSTS_PRELOAD=1), not the application; hence no warning for it.
SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# The health check is answered over plain HTTP too (load balancers probe it so).
SECURE_REDIRECT_EXEMPT = [r"^api/v1/sante$"]
if SNE_HTTPS and SNE_PROXIES_DE_CONFIANCE:
    # A proxy terminates TLS and says so; read only when there is one (else a client could
    # claim HTTPS over plain HTTP).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Locale ---------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "sne" / "static"]
STATIC_ROOT = DATA_DIR / "static"  # written by collectstatic (`make run`)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Pièces justificatives (sne/pieces, docs/pieces.md) ----------------------------------------
# Their files: the filesystem under SNE_DATA_DIR/pieces/ by default, never under MEDIA_URL (no
# public address: every download goes through a view that checks the rights); S3-compatible
# object storage (django-storages) in production when SNE_PIECES_S3_BUCKET is set.
SNE_PIECES_DOSSIER = Path(os.environ.get("SNE_PIECES_DOSSIER", DATA_DIR / "pieces"))
if os.environ.get("SNE_PIECES_S3_BUCKET"):
    STORAGES["pieces"] = {
        "BACKEND": "sne.pieces.stockage_s3.StockagePriveS3",
        "OPTIONS": {
            "bucket_name": os.environ["SNE_PIECES_S3_BUCKET"],
            "endpoint_url": os.environ.get("SNE_PIECES_S3_ENDPOINT") or None,
            "region_name": os.environ.get("SNE_PIECES_S3_REGION") or None,
            "access_key": os.environ.get("SNE_PIECES_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("SNE_PIECES_S3_SECRET_KEY") or None,
            "location": os.environ.get("SNE_PIECES_S3_PREFIXE", "pieces"),
            # Private objects, never a public or pre-signed address handed out.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }
else:
    STORAGES["pieces"] = {
        "BACKEND": "sne.pieces.stockage.StockagePrive",
        "OPTIONS": {"location": SNE_PIECES_DOSSIER},
    }
# What a file may be (sne/pieces/controles.py).
SNE_PIECES_TAILLE_MAX = int(os.environ.get("SNE_PIECES_TAILLE_MAX", 10 * 1024 * 1024))
SNE_PIECES_PAGES_MAX = int(os.environ.get("SNE_PIECES_PAGES_MAX", 50))
# The antivirus: a ClamAV daemon (clamd) on a Unix socket (`unix:/chemin`) or TCP
# (`tcp:hote:port`). `make run` starts one with the project's test signatures
# (`manage.py antivirus`); production points to Debian's clamav-daemon kept up to date by
# freshclam. Unreachable, pièces wait « en attente d'analyse » and are analysed again later.
SNE_CLAMAV = os.environ.get("SNE_CLAMAV", f"unix:{DATA_DIR / 'clamav' / 'clamd.sock'}")
SNE_CLAMAV_DELAI = float(os.environ.get("SNE_CLAMAV_DELAI", 30))
WHITENOISE_USE_FINDERS = True

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_URL = os.environ.get("EMAIL_URL", "")
EMAIL_ASSISTANCE = os.environ.get("EMAIL_ASSISTANCE", "assistance@sne.example.fr")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SNE <ne-pas-repondre@sne.example.fr>")
# The e-mail provider's delivery webhooks are refused without this shared secret
# (« utilisateur:motdepasse », HTTP basic auth): never open by default.
ANYMAIL = {"WEBHOOK_SECRET": os.environ.get("ANYMAIL_WEBHOOK_SECRET", "")}
if EMAIL_URL.startswith("smtp"):
    from urllib.parse import unquote, urlparse

    _email = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = EMAIL_URL.startswith("smtp+tls")
elif EMAIL_URL.startswith("brevo://"):
    # Production through an e-mail provider (django-anymail): EMAIL_URL=brevo://<clé API>; its
    # delivery events come back to /anymail/brevo/tracking/, protected by the shared secret
    # ANYMAIL_WEBHOOK_SECRET (« utilisateur:motdepasse », HTTP basic auth) — docs/notifications.md.
    EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
    ANYMAIL["BREVO_API_KEY"] = EMAIL_URL.removeprefix("brevo://")
else:
    # Embedded mode: e-mails are written as files a person can open in var/mails/.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mails"

# SMS (renewal notices, later the portal's codes): a file per SMS under SNE_DATA_DIR/sms/ in
# the embedded mode; `sne.notifications.sms.BrevoSms` with SMS_BREVO_CLE_API in production.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "sne.notifications.sms.FichierSms")
SMS_BREVO_CLE_API = os.environ.get("SMS_BREVO_CLE_API", "")
SMS_EXPEDITEUR = os.environ.get("SMS_EXPEDITEUR", "SNE")
# The renewal campaign's notices also go by SMS when a mobile number is known.
SNE_SMS_AVIS = os.environ.get("SNE_SMS_AVIS", "1") == "1"

# --- The register --------------------------------------------------------------------------
# Where applicants follow their demande (printed on the attestation).
# The project's own portal (sne.portail) by default; another address when it is served elsewhere.
SNE_URL_PORTAIL = os.environ.get(
    "SNE_URL_PORTAIL",
    f"{SNE_URL_SITE}/portail/" if SNE_URL_SITE else "https://www.demande-logement-social.gouv.fr",
)

# --- Portail grand public (sne.portail, docs/portail.md) ------------------------------------
# The portal's desk: its code (5 characters) ends the numéro unique of a demande registered online.
SNE_GUICHET_PORTAIL = os.environ.get("SNE_GUICHET_PORTAIL", "PGP00")
# Its own session cookie (never the agents'), ended after this many seconds without activity.
SNE_PORTAIL_COOKIE = "sne_portail"
SNE_PORTAIL_DUREE_SESSION = int(os.environ.get("SNE_PORTAIL_DUREE_SESSION", 30 * 60))
# Failed attempts allowed per numéro unique and per IP address: (number, window in minutes).
SNE_PORTAIL_TENTATIVES_MAX = {
    "code": (5, 60),
    "connexion": (5, 15),
    "demande_en_ligne": (10, 60),
}
# How long a code télédemandeur is valid, by channel (a letter takes days to arrive).
SNE_PORTAIL_VALIDITE_CODE_HEURES = {"email": 24, "sms": 24, "courrier": 30 * 24}
SNE_PORTAIL_VALIDITE_LIEN_HEURES = 48
# An online application left untouched this many days is deleted, after a notice sent
# SNE_PORTAIL_PREAVIS_PURGE_JOURS days before.
SNE_PORTAIL_PURGE_BROUILLON_JOURS = int(os.environ.get("SNE_PORTAIL_PURGE_BROUILLON_JOURS", 90))
SNE_PORTAIL_PREAVIS_PURGE_JOURS = int(os.environ.get("SNE_PORTAIL_PREAVIS_PURGE_JOURS", 14))

# --- FranceConnect on the portal (sne.portail.franceconnect, docs/franceconnect.md) ------------
# An optional way in, off by default: SNE_FRANCECONNECT=1 shows the button and opens
# /portail/franceconnect/. The applicant still links their demande once with their code.
SNE_FRANCECONNECT = _env_bool("SNE_FRANCECONNECT", False)
# The provider's issuer (its discovery document is at <issuer>/.well-known/openid-configuration):
# FranceConnect v2's integration platform is https://fcp-low.sbx.dev-franceconnect.fr/api/v2,
# production https://oidc.franceconnect.gouv.fr/api/v2.
SNE_FRANCECONNECT_ISSUER = os.environ.get("SNE_FRANCECONNECT_ISSUER", "").rstrip("/")
# The client registered with FranceConnect (its partners' space): never committed.
SNE_FRANCECONNECT_CLIENT_ID = os.environ.get("SNE_FRANCECONNECT_CLIENT_ID", "")
SNE_FRANCECONNECT_CLIENT_SECRET = os.environ.get("SNE_FRANCECONNECT_CLIENT_SECRET", "")
# Where the provider sends the applicant back, after login and after logout: built from the
# site's one URL (never the request's Host), to be declared as such in the partners' space.
SNE_FRANCECONNECT_REDIRECT_URI = f"{SNE_URL_SITE}/portail/franceconnect/retour/"
SNE_FRANCECONNECT_POST_LOGOUT_REDIRECT_URI = f"{SNE_URL_SITE}/portail/franceconnect/deconnecte/"
# The identity asked for (FranceConnect names a scope after each claim) and the eIDAS level.
SNE_FRANCECONNECT_SCOPES = os.environ.get(
    "SNE_FRANCECONNECT_SCOPES", "openid given_name family_name birthdate email"
)
SNE_FRANCECONNECT_ACR = os.environ.get("SNE_FRANCECONNECT_ACR", "eidas1")
# Seconds allowed to each call to the provider before the applicant is told it is unavailable.
SNE_FRANCECONNECT_DELAI = float(os.environ.get("SNE_FRANCECONNECT_DELAI", 10))
if (
    SNE_FRANCECONNECT
    and SNE_PRODUCTION
    and not (
        SNE_FRANCECONNECT_ISSUER.startswith("https://")
        and SNE_FRANCECONNECT_CLIENT_ID
        and SNE_FRANCECONNECT_CLIENT_SECRET
    )
):
    raise ImproperlyConfigured(
        "SNE_FRANCECONNECT=1 demande en production SNE_FRANCECONNECT_ISSUER (en https://), "
        "SNE_FRANCECONNECT_CLIENT_ID et SNE_FRANCECONNECT_CLIENT_SECRET : voir "
        "docs/franceconnect.md."
    )
# « Délai anormalement long » (DALO) when the département's arrêté is not entered yet.
SNE_DELAI_ANORMALEMENT_LONG_MOIS_DEFAUT = int(os.environ.get("SNE_DELAI_DALO_MOIS_DEFAUT", 36))

# --- API v1 (docs/api.md, ADR 0012) ---------------------------------------------------------
# Per token: at most SNE_API_REQUETES_PAR_FENETRE requests in each window of
# SNE_API_FENETRE_SECONDES seconds (429 with Retry-After beyond).
SNE_API_REQUETES_PAR_FENETRE = int(os.environ.get("SNE_API_REQUETES_PAR_FENETRE", 600))
SNE_API_FENETRE_SECONDES = int(os.environ.get("SNE_API_FENETRE_SECONDES", 60))
# Largest request body under /api/ (413 beyond): a demande is a few kilobytes.
SNE_API_TAILLE_MAX_CORPS = int(os.environ.get("SNE_API_TAILLE_MAX_CORPS", 1024 * 1024))
# Largest batch lot (POST /api/v1/lots, 413 beyond): streamed to a file, never held in memory;
# ~50,000 demandes of ~2 KB fit in 200 MiB.
SNE_API_TAILLE_MAX_LOT = int(os.environ.get("SNE_API_TAILLE_MAX_LOT", 200 * 1024 * 1024))
# Where the lots' files wait for the worker (deleted once processed): the web and the worker
# processes must both reach it (a shared volume when they run on different machines).
SNE_DOSSIER_LOTS = Path(os.environ.get("SNE_DOSSIER_LOTS", DATA_DIR / "lots"))
# The industrial scanner's lots (POST /api/v1/numeriseur/lots, a ZIP streamed to a file under
# SNE_DOSSIER_LOTS/numeriseur/; 413 beyond) and the pièces a lot may list (422 beyond).
SNE_API_TAILLE_MAX_NUMERISEUR = int(
    os.environ.get("SNE_API_TAILLE_MAX_NUMERISEUR", 500 * 1024 * 1024)
)
SNE_NUMERISEUR_PIECES_MAX = int(os.environ.get("SNE_NUMERISEUR_PIECES_MAX", 5000))
# Lines of a lot registered side by side by the worker (threads, each with its own database
# connection; PostgreSQL only).
SNE_LOTS_FILS = int(os.environ.get("SNE_LOTS_FILS", 4))

# --- Logging: never personal data of applicants in application logs -----------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"simple": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "simple"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Huey's consumer installs its own handler: do not print each line twice.
        "huey": {"handlers": [], "propagate": False},
    },
}
