"""Every page at five widths in a real Chromium: no page-level sideways scroll (WCAG 2.2 Reflow,
1.4.10), the officer's Record status link on screen at a phone width, axe clean at 390 px as at
desktop, and a screenshot of each page at 390 and 1280 px in var/screenshots/ for a reviewer."""

from pathlib import Path

import pytest

from actions.models import Action
from tests.browser.helpers import assert_accessible, sign_in
from tests.browser.test_pages import PAGES

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTHS = [320, 390, 768, 1280, 1920]
SCREENSHOT_WIDTHS = {390, 1280}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# The data pages the issue names, on top of every page test_pages.py opens.
LAYOUT_PAGES = [
    *PAGES,
    ("action list", "manager", "/actions/"),
    ("action list filtered by RAG", "manager", "/actions/?rag=red"),
    ("action list sorted by RAG descending", "manager", "/actions/?sort=-rag"),
    ("my actions", "officer", "/actions/mine/"),
    ("targets", "manager", "/targets/"),
    ("reports", "manager", "/reports/"),
    ("record a status", "officer", "/actions/22/update/"),
    ("imports", "planadmin", "/imports/"),
    ("action page with wording to be checked, plan admin", "planadmin", "/actions/9/"),
    ("targets, plan admin", "planadmin", "/targets/"),
    ("target page with a reconstructed title, plan admin", "planadmin", "/targets/2/"),
]


def page_width_overflow(page) -> dict:
    """How far the page is wider than the window, and the widest elements that stick out of it."""
    return page.evaluate(
        """() => {
            const width = window.innerWidth;
            const culprits = [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > width + 0.5)
                .filter(el => !el.closest('.app-table-wrapper') || el.classList.contains('app-table-wrapper'))
                .slice(0, 5)
                .map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.'));
            return {scroll: document.documentElement.scrollWidth, inner: width, culprits};
        }"""
    )


@pytest.fixture
def officer_leads_action_22(seeded_plan, browser_users):
    Action.objects.get(number=22).leads.add(browser_users["officer"])


@pytest.mark.parametrize(("name", "who", "url"), LAYOUT_PAGES, ids=[p[0] for p in LAYOUT_PAGES])
def test_page_reflows_at_every_width(page, officer_leads_action_22, name, who, url):
    if who:
        sign_in(page, who)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(url)
        assert response.status in (200, 404), f"{url} answered {response.status}"
        measured = page_width_overflow(page)
        assert measured["scroll"] <= measured["inner"], f"{url} scrolls sideways at {width} px: {measured}"
        if width in SCREENSHOT_WIDTHS:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            slug = name.replace(" ", "-").replace(",", "")
            page.screenshot(path=SCREENSHOTS / f"{slug}-{width}.png", full_page=True)
        if width == 390:
            assert_accessible(page)


def test_record_status_link_is_on_screen_at_phone_width(page, officer_leads_action_22):
    sign_in(page, "officer", next_url="/actions/mine/")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/actions/mine/")
    link = page.get_by_role("link", name="Record status for action 22")
    link.scroll_into_view_if_needed()
    box = link.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"Record status link is off screen: {box}"
