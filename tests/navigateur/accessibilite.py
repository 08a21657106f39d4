"""axe-core, run in the browser on the pages the tests visit (issue 9: « no serious or critical
violation on every page of the agents' and gestionnaires' flows »).

`verifier_accessibilite(page)` checks the page as it is now. The `page` fixture of
`tests/navigateur/conftest.py` calls it by itself after every page load (a `goto`, a link
followed, a form submitted), so every browser test checks every page it sees.

axe-core comes from npm (`package.json`, installed by `make test` into `node_modules/`), at the
exact version of `package-lock.json`: a new axe-core release can add rules, so it is a change
made on purpose.
"""

from pathlib import Path

from playwright.sync_api import Error as ErreurPlaywright
from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0, 2.1 and 2.2, levels A and AA: what the RGAA (the French reference) is built on.
NORMES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
IMPACTS_BLOQUANTS = {"serious", "critical"}

# Pages that the project does not write: Django's admin and the Swagger UI of the API docs.
CHEMINS_NON_VERIFIES = ("/admin/", "/api/")


class ViolationsAccessibilite(AssertionError):
    pass


def _charger_axe(page: Page) -> None:
    if not AXE.exists():
        raise ViolationsAccessibilite(
            f"axe-core introuvable ({AXE}) : lancez les tests par `make test`, qui l'installe "
            "(npm ci)."
        )
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))


def violations(page: Page) -> list[dict]:
    """axe-core's violations of WCAG 2.x A/AA on the page as it is now, all impacts."""
    _charger_axe(page)
    resultat = page.evaluate(
        """async (normes) => {
            const r = await window.axe.run(document, {
                runOnly: {type: "tag", values: normes},
                resultTypes: ["violations"],
            });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                noeuds: v.nodes.map(n => ({
                    cible: n.target.join(" "), html: n.html.slice(0, 160),
                    resume: n.failureSummary,
                })),
            }));
        }""",
        NORMES,
    )
    return resultat


def decrire(liste: list[dict], adresse: str) -> str:
    """A list a person can act on: rule, impact, help, and each element at fault."""
    lignes = [f"Accessibilité : {len(liste)} violation(s) grave(s) sur {adresse}"]
    for v in liste:
        lignes.append(f"- [{v['impact']}] {v['id']} : {v['help']} ({v['helpUrl']})")
        for n in v["noeuds"][:8]:
            lignes.append(f"    · {n['cible']} — {n['html']}")
            if n["resume"]:
                lignes.append("      " + n["resume"].replace("\n", "\n      "))
        if len(v["noeuds"]) > 8:
            lignes.append(f"    · … et {len(v['noeuds']) - 8} autre(s) élément(s)")
    return "\n".join(lignes)


def verifier_accessibilite(page: Page) -> None:
    """Fails with the list of the page's serious or critical WCAG A/AA violations, if any."""
    graves = [v for v in violations(page) if v["impact"] in IMPACTS_BLOQUANTS]
    if graves:
        raise ViolationsAccessibilite(decrire(graves, page.url))


def a_verifier(page: Page) -> bool:
    """An HTML page of the project (not the admin, not the API docs, not a PDF or JSON)."""
    chemin = page.url.split("://", 1)[-1].partition("/")[2]
    if ("/" + chemin).startswith(CHEMINS_NON_VERIFIES):
        return False
    try:
        return page.evaluate("() => document.contentType") == "text/html"
    except ErreurPlaywright:
        return False
