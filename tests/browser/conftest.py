"""Browser tests: Playwright for Python driving the system's Chromium against Django's live server.

Playwright's own browser download is never used: the tests launch Debian's `chromium` package
(CCES_CHROMIUM, default /usr/bin/chromium). Without it the tests are skipped with the reason shown
in pytest's summary; CI sets CCES_REQUIRE_BROWSER=1, which turns that skip into a failure.

Every page a test opens is watched for Content-Security-Policy violations and console errors; a
test that caused any fails at teardown. Helpers for journeys are in tests/browser/helpers.py.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.required import skip_or_fail

# Playwright's sync API runs an event loop in this thread; Django refuses database access from a
# thread with a running loop unless told it is safe, as it is here (one test at a time).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CCES_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

# Headless, and nothing that talks to the network on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    browser_dir = Path(__file__).parent
    for item in items:
        if browser_dir in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable_reason() -> str | None:
    if not Path(CHROMIUM).is_file() or not os.access(CHROMIUM, os.X_OK):
        return f"Chromium not found at {CHROMIUM} (install Debian's chromium package, or set CCES_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -r requirements-dev.txt)"
    return None


@pytest.fixture(scope="session")
def browser(django_db_setup):
    reason = _unavailable_reason()
    if reason:
        skip_or_fail(f"browser tests skipped: {reason}")

    from playwright.sync_api import sync_playwright

    # Never let Playwright fetch a browser of its own, even by accident.
    os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
    from django.db import connections

    serialized = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    with sync_playwright() as playwright:
        # While Playwright's event loop runs in this thread, asgiref hands Django a second set of
        # connection objects (kept in contextvars, not thread-locals). Give them the database contents
        # saved at test database setup, or serialized_rollback would have nothing to restore.
        for alias, contents in serialized.items():
            if contents is not None:
                connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) on the live server; fails the test on CSP violations or JS errors."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message):
        # A failed load is reported below with its address; a 404 page itself is no problem.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console: {message.text}")

    def on_response(response):
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"{response.status} for {response.request.resource_type} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)

    def on_request_failed(request):
        # ERR_ABORTED is the browser dropping a load (a favicon, say) because the page navigated on.
        if "ERR_ABORTED" not in (request.failure or ""):
            problems.append(f"request failed: {request.url} {request.failure}")

    page.on("requestfailed", on_request_failed)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    yield page
    context.close()
    assert problems == [], "The browser reported problems (CSP violations show here):\n" + "\n".join(problems)


@pytest.fixture
def browser_users(db):
    """One account per role, made fresh for each test (the live server's database is emptied after each)."""
    from actions import roles
    from tests.factories import make_user

    return {
        "officer": make_user("officer", role=roles.OFFICER, is_staff=True),
        "manager": make_user("manager", role=roles.MANAGER),
        "planadmin": make_user("planadmin", role=roles.PLAN_ADMIN, is_staff=True),
    }
