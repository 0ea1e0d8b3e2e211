"""The open data page (published) and the API tokens page in Chromium: axe clean, keyboard reachable, no
sideways scroll from 320 px up (a token is 69 characters with no space), screenshots for a reviewer."""

import pytest
from playwright.sync_api import expect

from actions.models import ReportingPeriod, StatusUpdate
from reports.closing import close_period
from tests.browser.helpers import assert_accessible, assert_every_control_reachable_by_keyboard, sign_in
from tests.browser.test_layout import SCREENSHOT_WIDTHS, SCREENSHOTS, WIDTHS, page_width_overflow

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def check_every_width(page, name):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        measured = page_width_overflow(page)
        assert measured["scroll"] <= measured["inner"], f"{name} scrolls sideways at {width} px: {measured}"
        if width in SCREENSHOT_WIDTHS:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
        if width in (390, 1280):
            assert_accessible(page)


def test_the_published_open_data_page(page, seeded_plan, browser_users):
    StatusUpdate.objects.update(review_state="approved")
    close_period(period=ReportingPeriod.objects.get(slug="2022-23-q4"), by=browser_users["planadmin"])
    response = page.goto("/public/data/")
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Open data")
    expect(page.get_by_role("link", name="Actions and their published positions as CSV file")).to_be_visible()
    assert_every_control_reachable_by_keyboard(page)
    check_every_width(page, "public-open-data")


def test_creating_an_api_token(page, seeded_plan, browser_users):
    sign_in(page, "manager", next_url="/accounts/api-tokens/")
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Create a token").click()
    token = page.locator("#new-token").inner_text()
    assert token.startswith("cces_")
    expect(page.get_by_text("Copy it now: it is shown only this once.")).to_be_visible()
    assert_accessible(page)
    assert_every_control_reachable_by_keyboard(page)
    # The page as it was posted (the new token shown) at every width: re-posting would make another token.
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        measured = page_width_overflow(page)
        assert measured["scroll"] <= measured["inner"], f"token page scrolls sideways at {width} px: {measured}"
        if width in SCREENSHOT_WIDTHS:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"api-tokens-{width}.png", full_page=True)
    page.goto("/accounts/api-tokens/")
    expect(page.get_by_role("button", name=f"Revoke token {token[:15]}")).to_be_visible()


def test_the_api_documentation_renders_from_this_site_under_the_content_security_policy(page, seeded_plan):
    """Swagger UI from drf-spectacular-sidecar's files: the page fixture fails on any CSP violation or a request
    to another site."""
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    assert page.goto("/api/v1/docs/").status == 200
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("CCES action plan API")
    expect(page.get_by_text("/api/v1/actions/", exact=True).first).to_be_visible()
    assert requested and all(url.startswith(page.url.split("/api/")[0]) for url in requested), requested
