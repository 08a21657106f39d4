"""Settings of the SNE, read once from the environment.

Every setting has a safe default for the embedded mode (`make run`): SQLite, SqliteHuey and
media files under SNE_DATA_DIR (./var by default). Production sets DATABASE_URL (PostgreSQL),
REDIS_URL (RedisHuey), SECRET_KEY, ALLOWED_HOSTS, EMAIL_URL. See docs/deploiement.md.

Importing these settings creates no file and no directory: manage.py creates SNE_DATA_DIR and
the embedded mode's secret key before any command; Django creates the media, static, cache and
mail directories when it first writes to them. The test suite runs on `sne.settings.test`.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("SNE_DATA_DIR", BASE_DIR / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    valeur = os.environ.get(name)
    if valeur is None:
        return default
    return valeur.strip().lower() in {"1", "true", "yes", "oui", "on"}


DEBUG = _env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or _env_bool("SNE_MODE_EMBARQUE", True)):
        raise RuntimeError("SECRET_KEY doit être défini en production.")
    # Embedded mode: a key generated once in the data directory by manage.py (the first
    # command of `make run`), never committed.
    fichier_cle = DATA_DIR / "secret_key"
    if fichier_cle.exists():
        SECRET_KEY = fichier_cle.read_text().strip()

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "*").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

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
    "sne.comptes",
    "sne.referentiels",
    "sne.organisations",
    "sne.audit",
    "sne.demandes",
    "sne.attestations",
    "sne.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
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
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "sne.sqlite3",
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
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
# Lockout after repeated failed logins, per login (agents of a desk often share one address
# behind a NAT: locking by IP would lock the whole desk out).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HEURES", 0.25))
AXES_LOCKOUT_PARAMETERS = ["username"]
# The login form posts "username"; fold it as a login (case) so that `Agent@x.fr` and
# `agent@x.fr` count as one account.
AXES_USERNAME_CALLABLE = "sne.comptes.securite.identifiant_pour_verrouillage"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]  # deliberate: see the comment above
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
if _env_bool("SNE_HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
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
WHITENOISE_USE_FINDERS = True

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_URL = os.environ.get("EMAIL_URL", "")
EMAIL_ASSISTANCE = os.environ.get("EMAIL_ASSISTANCE", "assistance@sne.example.fr")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SNE <ne-pas-repondre@sne.example.fr>")
if EMAIL_URL.startswith("smtp"):
    from urllib.parse import unquote, urlparse

    _email = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 25
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = EMAIL_URL.startswith("smtp+tls")
else:
    # Embedded mode: e-mails are written as files a person can open in var/mails/.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mails"

# --- The register --------------------------------------------------------------------------
# Where applicants follow their demande (printed on the attestation).
SNE_URL_PORTAIL = os.environ.get("SNE_URL_PORTAIL", "https://www.demande-logement-social.gouv.fr")
# « Délai anormalement long » (DALO) when the département's arrêté is not entered yet.
SNE_DELAI_ANORMALEMENT_LONG_MOIS_DEFAUT = int(os.environ.get("SNE_DELAI_DALO_MOIS_DEFAUT", 36))

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
