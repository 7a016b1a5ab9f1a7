"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

On a developer's machine without Chromium they are skipped; in CI (CI set) a missing
browser is a failure. They use a live server, so they run on a committed database: the
reference data is imported again when an earlier live-server test flushed it.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        message = f"Chromium introuvable ({CHROMIUM}) : apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def reference_data(transactional_db, reference_data_dir):
    """The real reference data, committed, for a live server to read."""
    from cites.models import CiteEducative

    if not CiteEducative.objects.exists():
        call_command("import_referentiels", dir=str(reference_data_dir), verbosity=0)


# Reports every Content-Security-Policy violation of the pages to the test (exposed binding).
CSP_LISTENER = """document.addEventListener('securitypolicyviolation', (e) => window.__violationCSP(
    `${location.pathname}: ${e.violatedDirective} ${e.blockedURI} (${e.sourceFile}:${e.lineNumber}) ${e.sample}`));"""


def listen_to_csp_violations(context) -> list[str]:
    violations: list[str] = []
    context.expose_binding("__violationCSP", lambda source, text: violations.append(text))
    context.add_init_script(CSP_LISTENER)
    return violations


@pytest.fixture
def page(chromium, live_server, reference_data):
    """A page of a fresh browser context. Every test using it also checks that no page it
    visited broke the Content-Security-Policy (DSFR scripts, map, autosave, admin…)."""
    context = chromium.new_context(base_url=live_server.url, locale="fr-FR", accept_downloads=True)
    context.set_default_timeout(15_000)
    violations = listen_to_csp_violations(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    page.csp_violations = violations
    yield page
    context.close()
    assert violations == [], f"Violations de la Content-Security-Policy : {violations}"


@pytest.fixture
def axe_check():
    """Run axe-core (bundled by axe-playwright-python) on the page; fail listing violations."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, label: str = "") -> None:
        # axe-core re-reads stylesheets that @import others (the admin's forms.css) by injecting
        # <style> elements of its own: what it does to the page is not the portal's doing.
        violations = getattr(page, "csp_violations", [])
        before = len(violations)
        results = axe.run(page)
        page.wait_for_timeout(100)  # the violation events of axe's own injections arrive after it returns
        del violations[before:]
        violations = results.response["violations"]
        details = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in violations
        ]
        assert not violations, f"axe-core {label or page.url}: " + "; ".join(details)

    return check
