"""The admin as plan admins and officers see it, in a real Chromium: the History button beside, never over,
the page's title; the target's title box wide enough for the title; the action form's status block folded
and empty until someone opens it to record a status. Screenshots land in var/screenshots/."""

import pytest

from actions.models import Action, StatusUpdate
from targets.models import Target
from tests.browser.helpers import sign_in
from tests.browser.test_layout import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def screenshot(page, name: str, width: int) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)


@pytest.mark.parametrize("width", [390, 1280])
def test_history_button_does_not_cover_the_title(page, seeded_plan, browser_users, width):
    action = Action.objects.get(number=9)  # a long summary: the title runs the width of the page
    sign_in(page, "planadmin")
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(f"/admin/actions/action/{action.pk}/change/")
    assert response.status == 200
    history = page.get_by_role("link", name="History")
    title = page.locator("#content h2").first
    assert title.inner_text().startswith("Action 9:")
    assert not overlaps(history.bounding_box(), title.bounding_box()), "History covers the title"
    screenshot(page, "admin-action-change", width)


def test_target_title_box_shows_the_whole_title(page, seeded_plan, browser_users):
    longest = max(Target.objects.all(), key=lambda t: len(t.title))
    sign_in(page, "planadmin")
    response = page.goto(f"/admin/targets/target/{longest.pk}/change/")
    assert response.status == 200
    box = page.get_by_label("Title:", exact=True)
    assert box.input_value() == longest.title
    sizes = box.evaluate("el => ({scroll: el.scrollHeight, client: el.clientHeight, width: el.clientWidth})")
    assert sizes["scroll"] <= sizes["client"], f"the title does not fit its box: {sizes}"
    assert sizes["width"] >= 600, f"the title box is narrow: {sizes}"
    screenshot(page, "admin-target-change", 1280)


def test_status_block_is_folded_and_empty_until_opened(page, seeded_plan, browser_users):
    action = Action.objects.get(number=22)
    action.leads.add(browser_users["officer"])
    before = StatusUpdate.objects.filter(action=action).count()
    sign_in(page, "officer")
    page.goto(f"/admin/actions/action/{action.pk}/change/")
    rag = page.get_by_label("RAG:")
    assert not rag.is_visible()  # folded away
    page.get_by_text("Record a status", exact=True).click()
    assert rag.is_visible()
    assert rag.input_value() == ""
    assert page.get_by_label("Delivery status:").input_value() == ""
    assert page.get_by_label("Reporting period:").input_value() == ""
    assert page.get_by_label("Commentary:").input_value() == ""
    screenshot(page, "admin-action-status-block", 1280)
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    assert StatusUpdate.objects.filter(action=action).count() == before
