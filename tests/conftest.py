import os
import shutil

import pytest

from tests.outils import nous_sommes_le

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
# around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Fixtures shared across folders (the attributions: their pages, services and API).
pytest_plugins = ["tests.attributions.fixtures"]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Transactional tests (browser, concurrency) last, in pytest-randomly's order: their
    teardown empties every table, referentials included, which the other tests read from the
    session's load (pytest-django sorts them so too, but pytest-randomly shuffles after it)."""

    def transactionnel(item) -> bool:
        marque = item.get_closest_marker("django_db")
        noms = getattr(item, "fixturenames", ())
        return bool(
            (marque and (marque.kwargs.get("transaction") or marque.kwargs.get("reset_sequences")))
            or "transactional_db" in noms
            or "live_server" in noms
        )

    items.sort(key=transactionnel)


@pytest.fixture(autouse=True)
def cache_vide():
    """Rate limits live in the cache (one per test process): each test starts with it empty."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def horloge(request):
    """`@pytest.mark.aujourd_hui(date(…))`: the test and every fixture it uses (desks, agents,
    habilitations) run on that day, by time-machine and not by rewriting dates in the database;
    `horloge.move_to(a_midi(date(…)))` turns the calendar. Without the mark, the real clock."""
    marque = request.node.get_closest_marker("aujourd_hui")
    if marque is None:
        yield None
        return
    with nous_sommes_le(*marque.args) as voyage:
        yield voyage


@pytest.fixture(scope="session", autouse=True)
def fichiers_ecrits_hors_du_depot():
    """Every file the suite writes (attestations, courriers, uploads) goes under the temporary
    directory of sne/settings/test.py, removed at the end: a run leaves nothing in ./var."""
    from django.conf import settings

    yield
    shutil.rmtree(settings.DATA_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The real referentials (34,920 communes) are loaded once for the whole session."""
    from django.db import connections

    from sne.referentiels.chargement import charger_referentiels

    with django_db_blocker.unblock():
        charger_referentiels()
    yield
    # The read replica is a test mirror of the test database (sne/settings/test.py): its
    # connection, left open by the last test that read it, would keep PostgreSQL from dropping
    # the test database ("being accessed by other users").
    connections["replique"].close()


@pytest.fixture
def referentiels_charges(django_db_blocker):
    """For transactional tests (browser), whose teardown empties the tables: reload if needed."""
    from sne.referentiels.chargement import charger_referentiels
    from sne.referentiels.index import invalider_index
    from sne.referentiels.models import Commune

    with django_db_blocker.unblock():
        if not Commune.objects.exists():
            charger_referentiels()
    invalider_index()
    yield
    invalider_index()


@pytest.fixture(scope="session")
def clamd():
    """A real ClamAV daemon (Debian's clamd) with the project's test signature (EICAR), started
    once for the session on the socket of the test settings (`SNE_CLAMAV`)."""
    from pathlib import Path

    from django.conf import settings

    from sne.pieces import antivirus

    if not Path(antivirus.CLAMD).exists():
        if os.environ.get("CI"):
            pytest.fail("ClamAV introuvable (clamd) : .ci/run doit installer clamav-daemon.")
        pytest.skip("ClamAV introuvable : apt-get install -y clamav-daemon")
    processus = antivirus.demarrer_clamd(Path(settings.SNE_CLAMAV.partition(":")[2]).parent)
    yield processus
    processus.terminate()
    processus.wait(10)


@pytest.fixture
def antivirus(clamd):
    """The antivirus answers during this test (on the test settings' socket)."""
    return clamd


@pytest.fixture
def antivirus_en_panne(settings, tmp_path):
    """No antivirus answers: pièces wait « en attente d'analyse »."""
    settings.SNE_CLAMAV = f"unix:{tmp_path / 'personne.sock'}"


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def navigateur():
    """Debian's Chromium, headless, driven by Playwright (it cannot download its own here)."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium introuvable ({CHROMIUM}) : .ci/run doit l'installer.")
        pytest.skip(f"Chromium introuvable ({CHROMIUM}) : apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(navigateur, live_server, settings):
    settings.SNE_URL_SITE = live_server.url  # links in e-mails lead to the site under test
    contexte = navigateur.new_context(locale="fr-FR", base_url=live_server.url)
    page = contexte.new_page()
    page.set_default_timeout(15_000)
    yield page
    contexte.close()
