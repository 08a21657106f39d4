"""Settings: read from the environment, tests on their own module, nothing created on import."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

RACINE = Path(__file__).resolve().parent.parent


def test_lire_les_reglages_ne_cree_ni_fichier_ni_repertoire(tmp_path):
    donnees = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env["SNE_DATA_DIR"] = str(donnees)

    subprocess.run(
        [sys.executable, "-c", "import sne.settings, sne.settings.test"],
        cwd=RACINE,
        env=env,
        check=True,
    )

    assert not donnees.exists()


def test_manage_py_cree_le_repertoire_de_donnees_et_une_cle_secrete_gardee(tmp_path):
    donnees = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env["SNE_DATA_DIR"] = str(donnees)
    env["DJANGO_SETTINGS_MODULE"] = "sne.settings"
    commande = [sys.executable, "manage.py", "check"]

    subprocess.run(commande, cwd=RACINE, env=env, check=True, capture_output=True)
    cle = (donnees / "secret_key").read_text()
    subprocess.run(commande, cwd=RACINE, env=env, check=True, capture_output=True)

    assert len(cle) >= 50
    assert (donnees / "secret_key").read_text() == cle
    assert (donnees / "secret_key").stat().st_mode & 0o777 == 0o600


def test_les_tests_n_ecrivent_rien_dans_le_depot():
    assert not Path(settings.MEDIA_ROOT).is_relative_to(RACINE)
    assert not Path(settings.DATA_DIR).is_relative_to(RACINE)
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
    assert settings.HUEY["immediate"]


def test_la_suite_lit_la_replique_en_miroir_de_sa_base_de_test():
    """Both passes of the CI (SQLite, PostgreSQL) run the router of production with a replica:
    the same test database through a second connection (tests/statistiques/test_replique.py)."""
    assert settings.DATABASES["replique"]["TEST"]["MIRROR"] == "default"
    assert settings.DATABASE_ROUTERS == ["sne.statistiques.routeur.RouteurReplique"]
