"""Settings of the test suite (pyproject.toml: `DJANGO_SETTINGS_MODULE = "sne.settings.test"`).

The embedded settings, with what tests need to be fast, to see their side effects and to
leave nothing behind: every file the suite writes goes under a temporary directory of the test
process (tests/conftest.py removes it at the end), never under ./var.
"""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, HUEY, PASSWORD_HASHERS, STORAGES, en_lecture_seule

SECRET_KEY = "cle-des-tests-seulement"

# Not created here (importing settings creates nothing): Django creates what it writes to.
DATA_DIR = Path(tempfile.gettempdir()) / f"sne-tests-{os.getpid()}"
MEDIA_ROOT = DATA_DIR / "media"
SNE_DOSSIER_LOTS = DATA_DIR / "lots"
# A test's data live in its transaction, which other threads' connections do not see: the
# lots' lines are registered one after the other (tests/lots/test_fils.py checks the threads).
SNE_LOTS_FILS = 1
# No collectstatic in tests: WhiteNoise serves the apps' static files through the finders.
STATIC_ROOT = None
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # pytest-django tests on an in-memory database; the file name is never opened.
    DATABASES = {"default": {**DATABASES["default"], "NAME": DATA_DIR / "sne.sqlite3"}}
# The read replica, always, as a test mirror of `default` (Django's « Testing primary/replica
# configurations »): a second connection to the same test database, read-only on PostgreSQL,
# so that both passes of the CI run the router of production. A test that reads it lists it
# (`django_db(databases=["default", "replique"])`) and is transactional: the mirror does not
# see the uncommitted writes of a TestCase, and on SQLite (one shared in-memory database,
# IMMEDIATE transactions) a TestCase cannot even open its transaction on both
# (tests/statistiques/test_replique.py). Other tests, each in its transaction on `default`,
# read there (sne/statistiques/routeur.py).
DATABASES = {
    **DATABASES,
    "replique": {**en_lecture_seule(DATABASES["default"]), "TEST": {"MIRROR": "default"}},
}

# Tasks run at once, in the test's process (in memory), so tests see their effects.
HUEY = {**HUEY, "immediate": True}
if "filename" in HUEY:
    HUEY["filename"] = str(DATA_DIR / "huey.sqlite3")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "sne.notifications.sms.MemoireSms"
ANYMAIL = {"WEBHOOK_SECRET": "sne-test:secret-du-webhook"}

# Argon2 costs ~50 ms a hash by design; tests that create many users need not pay for it
# (tests/comptes/test_securite.py checks that production hashes with Argon2).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

# The pièces and the antivirus under the temporary directory too: tests that need the daemon
# start one there (tests/conftest.py, fixture `antivirus`); without it, nothing listens there
# and pièces wait « en attente d'analyse », as in production when ClamAV is down.
SNE_PIECES_DOSSIER = DATA_DIR / "pieces"
STORAGES["pieces"] = {**STORAGES["pieces"], "OPTIONS": {"location": SNE_PIECES_DOSSIER}}
SNE_CLAMAV = f"unix:{DATA_DIR / 'clamav' / 'clamd.sock'}"
