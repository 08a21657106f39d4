import pytest
from playwright.sync_api import Error as ErreurPlaywright
from playwright.sync_api import Page

from tests.navigateur.accessibilite import a_verifier, verifier_accessibilite


class PageVerifiee(Page):
    """The Playwright page of the tests, which runs axe-core on every page it shows.

    Playwright tells when the page has changed (`framenavigated`, as soon as the new document
    is there: before the test can touch it) but its handlers may not call the page back; so
    the change is noted, and the check runs at the test's next use of the page
    (`page.get_by_…`, `page.goto`, …), once the page has loaded, or at the end of the test:
    every page the test sees is checked, as it was when the test started to read it. Still a
    `Page`, so that `expect(page)` works.

    A test that acts on the next page without waiting for it (a click right after a click
    that leaves the page) may act before the new page is there, and that page goes unchecked:
    wait for what the page should show (`expect(…)`), as a test that reads its pages does.
    """

    def __getattribute__(self, nom):
        if not nom.startswith("_"):
            etat = object.__getattribute__(self, "__dict__")
            if etat.get("_axe_a_verifier") and not etat.get("_axe_en_cours"):
                etat["_axe_a_verifier"] = False
                etat["_axe_en_cours"] = True
                try:
                    object.__getattribute__(self, "_axe_verifier")()
                finally:
                    etat["_axe_en_cours"] = False
        return super().__getattribute__(nom)

    def _axe_verifier(self) -> None:
        try:
            self.wait_for_load_state("load")
            if not a_verifier(self):
                return
            verifier_accessibilite(self)
            self.__dict__.setdefault("_axe_pages", []).append(self.url)
        except ErreurPlaywright as erreur:
            # The page left while being checked (a redirection, a form sent by a script):
            # the next page will be checked when it arrives.
            if "context was destroyed" not in str(erreur) and "navigat" not in str(erreur):
                raise


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    rapport = yield
    if call.when == "call":
        item.echec_du_test = rapport.failed
    return rapport


def verifier_chaque_chargement(page) -> PageVerifiee:
    """From now on, axe-core checks each page that `page` loads (see `PageVerifiee`)."""
    page.__class__ = PageVerifiee
    etat = page.__dict__

    def page_changee(cadre):
        if cadre.parent_frame is None:  # the page itself, not an iframe
            etat["_axe_a_verifier"] = True

    page.on("framenavigated", page_changee)
    return page


def verifier_la_derniere_page(page: PageVerifiee) -> None:
    """At the end of a test: the page loaded last, if the test did not look at it again."""
    if page.__dict__.get("_axe_a_verifier"):
        page.__dict__["_axe_a_verifier"] = False
        page._axe_verifier()


def pages_verifiees(page: PageVerifiee) -> list[str]:
    """The addresses of the pages axe-core found without a serious or critical violation."""
    return list(page.__dict__.get("_axe_pages", []))


@pytest.fixture
def page(page, request):
    """The page of tests/conftest.py, checked by axe-core after each load (see `PageVerifiee`)."""
    verifier_chaque_chargement(page)
    yield page
    if not getattr(request.node, "echec_du_test", False):
        verifier_la_derniere_page(page)
