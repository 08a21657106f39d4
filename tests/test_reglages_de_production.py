"""Production settings: read from the environment as a deployment gives it (docs/deploiement.md).

Each case starts a fresh Python with only the given variables, as a server would: the settings
refuse to start without what production needs, and `manage.py check --deploy` is clean with
the documented production variables.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parent.parent
CLE = "une-cle-de-test-longue-et-aleatoire-" + "k7Qz9-Xw2P_m4Rt8vYb3nL6sJd1FhG0c"

PRODUCTION = {
    "DATABASE_URL": "postgres://sne@db.interne:5432/sne",
    "REDIS_URL": "redis://cache.interne:6379/0",
    "SECRET_KEY": CLE,
    "ALLOWED_HOSTS": "sne.example.fr",
    "SNE_URL_SITE": "https://sne.example.fr",
    "SNE_PROXIES_DE_CONFIANCE": "10.0.0.0/8",
    "EMAIL_URL": "smtp+tls://sne:secret@smtp.example.fr:587",
}


def lancer(variables: dict, *arguments: str, tmp_path) -> subprocess.CompletedProcess:
    """`manage.py` (or `python -c`) in a clean environment: nothing of the test process."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "SNE_DATA_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "sne.settings",
        **variables,
    }
    return subprocess.run(
        [sys.executable, *arguments], cwd=RACINE, env=env, capture_output=True, text=True
    )


def reglages(variables: dict, tmp_path, *noms: str) -> subprocess.CompletedProcess:
    script = "from sne.settings import base\n" + "".join(
        f"print({nom!r}, repr(base.{nom}))\n" for nom in noms
    )
    return lancer(variables, "-c", script, tmp_path=tmp_path)


def test_manage_py_check_deploy_ne_signale_rien_avec_les_variables_de_production(tmp_path):
    resultat = lancer(
        PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path
    )

    assert resultat.returncode == 0, resultat.stdout + resultat.stderr
    assert "no issues" in resultat.stdout


def test_en_production_cookies_securises_hsts_et_redirection_https_par_defaut(tmp_path):
    resultat = reglages(
        PRODUCTION,
        tmp_path,
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
    )

    assert resultat.returncode == 0, resultat.stderr
    assert resultat.stdout.splitlines() == [
        "SESSION_COOKIE_SECURE True",
        "CSRF_COOKIE_SECURE True",
        "SECURE_SSL_REDIRECT True",
        "SECURE_HSTS_SECONDS 31536000",
        "SECURE_PROXY_SSL_HEADER ('HTTP_X_FORWARDED_PROTO', 'https')",
    ]


@pytest.mark.parametrize(
    ("manquante", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY doit être défini en production"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS doit nommer en production les noms d'hôte servis"),
        ("SNE_URL_SITE", "SNE_URL_SITE doit donner en production l'adresse publique du site"),
    ],
)
def test_en_production_le_site_refuse_de_demarrer_sans(manquante, message, tmp_path):
    variables = {k: v for k, v in PRODUCTION.items() if k != manquante}

    resultat = reglages(variables, tmp_path, "SECRET_KEY")

    assert resultat.returncode != 0
    assert "ImproperlyConfigured" in resultat.stderr
    assert message in resultat.stderr


def test_en_production_allowed_hosts_ne_vaut_jamais_etoile(tmp_path):
    resultat = reglages({**PRODUCTION, "ALLOWED_HOSTS": "*"}, tmp_path, "ALLOWED_HOSTS")

    assert resultat.returncode != 0
    assert "jamais « * »" in resultat.stderr


def test_le_mode_embarque_ne_sert_que_cette_machine(tmp_path):
    resultat = reglages({}, tmp_path, "ALLOWED_HOSTS", "SNE_URL_SITE", "SESSION_COOKIE_SECURE")

    assert resultat.returncode == 0, resultat.stderr
    assert resultat.stdout.splitlines() == [
        "ALLOWED_HOSTS ['localhost', '127.0.0.1', '[::1]']",
        "SNE_URL_SITE 'http://localhost:8000'",
        "SESSION_COOKIE_SECURE False",
    ]


def test_un_proxy_de_confiance_mal_ecrit_est_refuse_au_demarrage(tmp_path):
    resultat = reglages(
        {**PRODUCTION, "SNE_PROXIES_DE_CONFIANCE": "10.0.0.0/8,proxy.interne"}, tmp_path, "DEBUG"
    )

    assert resultat.returncode != 0
    assert "« proxy.interne » n'est ni une adresse IP ni un réseau" in resultat.stderr


ROUTAGE = """
import django
django.setup()
from django.conf import settings
from django.db import router
from sne.referentiels.models import Commune
from sne.statistiques.models import Mesure
print(sorted(settings.DATABASES))
print(router.db_for_read(Mesure), router.db_for_write(Mesure), router.db_for_read(Commune))
print(settings.DATABASES.get("replique", {}).get("OPTIONS"))
"""


def test_sans_replique_les_statistiques_se_lisent_sur_la_base_principale(tmp_path):
    resultat = lancer(PRODUCTION, "-c", ROUTAGE, tmp_path=tmp_path)

    assert resultat.returncode == 0, resultat.stderr
    assert resultat.stdout.splitlines() == ["['default']", "default default default", "None"]


def test_avec_une_replique_les_statistiques_s_y_lisent_en_lecture_seule(tmp_path):
    variables = {**PRODUCTION, "DATABASE_REPLICA_URL": "postgres://sne@replique.interne:5432/sne"}

    resultat = lancer(variables, "-c", ROUTAGE, tmp_path=tmp_path)

    assert resultat.returncode == 0, resultat.stderr
    assert resultat.stdout.splitlines() == [
        "['default', 'replique']",
        "replique default default",
        "{'options': '-c default_transaction_read_only=on'}",
    ]


def test_gunicorn_sort_l_application_chargee_des_passes_du_ramasse_miettes():
    """gunicorn.conf.py (read by gunicorn from the project's root): once a worker has loaded
    Django and its URLs, those objects are frozen out of the collector's full passes."""
    import gc
    import importlib.util

    spec = importlib.util.spec_from_file_location("gunicorn_conf", RACINE / "gunicorn.conf.py")
    configuration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(configuration)
    try:
        configuration.post_worker_init(worker=None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
