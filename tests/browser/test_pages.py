"""Every page that exists, in a real Chromium: axe-core finds no WCAG 2.2 A/AA violation, the
Content-Security-Policy blocks nothing the page needs, and signing in works with the keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    assert_accessible,
    assert_every_control_reachable_by_keyboard,
    focused,
    keyboard_sign_in,
    sign_in,
    submit_sign_in,
    tab_to,
)

# The data migration's roles must survive the live server's emptying of the database between tests.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# (name, who signs in first or None, url). Add each new page here.
PAGES = [
    ("sign-in", None, "/accounts/login/"),
    ("accessibility statement", None, "/accessibility/"),
    ("plan overview", "manager", "/"),
    ("action page", "manager", "/actions/22/"),
    ("page not found", "manager", "/no-such-page/"),
    ("updates awaiting review", "manager", "/actions/review/"),
    ("close a period", "planadmin", "/reports/2022-23-q4/close/"),
    ("reopen a period", "planadmin", "/reports/2022-23-q4/reopen/"),
    ("public home, nothing published", None, "/public/"),
    ("public actions, nothing published", None, "/public/actions/"),
    ("public reports, nothing published", None, "/public/reports/"),
    ("indicators", "manager", "/indicators/"),
    ("indicator page", "manager", "/indicators/council-scope-1-2-emissions/"),
    ("target page with indicators", "manager", "/targets/2/"),
    ("quarterly report with indicators", "manager", "/reports/2022-23-q4/"),
    ("record an indicator value", "planadmin", "/indicators/council-scope-1-2-emissions/record/"),
    ("indicator value imports", "planadmin", "/indicators/imports/"),
    ("indicator values upload", "planadmin", "/indicators/imports/upload/"),
    ("no access with a council account", None, "/accounts/council/no-access/"),
    ("your downloads, none yet", "manager", "/downloads/"),
]


@pytest.mark.parametrize(("name", "who", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_page_has_no_wcag_22_aa_violations(page, seeded_plan, browser_users, name, who, url):
    if who:
        sign_in(page, who)
    response = page.goto(url)
    assert response.status == (404 if name == "page not found" else 200)
    # GOV.UK Frontend's JavaScript ran: CSP let the module script through.
    assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    assert_every_control_reachable_by_keyboard(page)


def test_sign_in_errors_are_accessible(page, browser_users):
    page.goto("/accounts/login/")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    # GOV.UK Frontend moves focus to the error summary so screen readers announce it first.
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)


def test_sign_in_with_the_keyboard_alone_lands_on_the_plan(page, seeded_plan, browser_users, live_server):
    keyboard_sign_in(page, "manager")
    expect(page).to_have_url(f"{live_server.url}/actions/")
    expect(page.locator(".app-service-navigation__user")).to_have_text("Signed in as manager")
    assert_accessible(page)

    # From the plan, the keyboard reaches an action and opens it.
    link = tab_to(page, lambda el: el["tag"] == "a" and (el["href"] or "").startswith("/actions/"), limit=80)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}{link['href']}")
    expect(page.locator("h1")).to_have_count(1)


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page):
    page.goto("/accessibility/")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()


def test_a_locked_out_account_sees_the_lock_out_page(page, browser_users, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        submit_sign_in(page, "officer", "not-the-password")
    response = submit_sign_in(page, "officer")
    assert response.status == 429
    assert page.locator("h1").inner_text() == "You cannot sign in at the moment"
    assert_accessible(page)


@pytest.mark.parametrize("url", ["/admin/", "/admin/auth/user/", "/admin/auth/user/add/"])
def test_the_admin_works_under_the_content_security_policy(page, seeded_plan, browser_users, url):
    """Django's admin needs no exemption from the policy: the page fixture fails on any violation.
    (Its markup is Django's own, outside the accessibility statement's scope, so axe is not run.)"""
    sign_in(page, "planadmin", next_url=url)
    expect(page.locator("#content h1")).to_have_count(1)


@pytest.mark.parametrize("url", ["/indicators/", "/indicators/council-scope-1-2-emissions/", "/reports/2022-23-q4/"])
def test_indicator_pages_with_values_and_their_charts_are_accessible(page, seeded_plan, browser_users, settings, url):
    """With (demonstration) values the charts carry points, a projection and the demonstration warning."""
    from indicators.seed import add_demo_values

    settings.DEBUG = True
    add_demo_values()
    sign_in(page, "manager", next_url=url)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_text("Demonstration data: some values on this page were made up").first).to_be_visible()
    assert_accessible(page)
    assert_every_control_reachable_by_keyboard(page)
