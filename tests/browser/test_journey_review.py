"""The quarterly cycle in a real Chromium: an officer submits an update, a manager returns it with a note,
the officer revises it, the manager approves it, a plan admin closes the quarter, and the public site
shows it (no sign-in). axe-core checks every page on the way."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from actions.models import Action, ReviewState, StatusUpdate
from actions.periods import Quarter
from indicators.models import Indicator
from indicators.services import record_value
from tests.browser.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ACTION = 22
DRAFT = "Survey slipped; new supplier being found."
NOTE = "Say when the new supplier starts."
REVISED = "Survey slipped; the new supplier starts in the spring."
INDICATOR = "council-scope-1-2-emissions"


def sign_in_as(page, who: str, next_url: str) -> None:
    page.context.clear_cookies()
    sign_in(page, who, next_url=next_url)


def test_submit_return_revise_approve_close_and_publish(page, seeded_plan, browser_users, tmp_path):
    screenshots = Path(os.environ.get("CCES_SCREENSHOTS") or tmp_path)  # to look at the public target page
    Action.objects.get(number=ACTION).leads.add(browser_users["officer"])
    quarter = Quarter.current()

    # The officer submits an update for the current quarter.
    sign_in_as(page, "officer", f"/actions/{ACTION}/update/")
    page.get_by_role("group", name="RAG status").get_by_label(re.compile("^Amber")).check()
    page.get_by_label("Progress commentary").fill(DRAFT)
    with page.expect_navigation():
        page.get_by_role("button", name="Save status").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("sent for review")
    expect(page.locator("main")).to_contain_text("Awaiting review")
    assert_accessible(page)

    # The manager returns it with a note.
    sign_in_as(page, "manager", "/actions/review/")
    expect(page.locator("h1")).to_have_text("Updates awaiting review")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(f"^Action {ACTION}:")).click()
    assert_accessible(page)
    page.get_by_label("Note to the officer").fill(NOTE)
    with page.expect_navigation():
        page.get_by_role("button", name="Return to the officer").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Returned to the officer")
    assert StatusUpdate.objects.get(commentary=DRAFT).review_state == ReviewState.RETURNED

    # The officer sees the note on My actions and on the form, and revises.
    sign_in_as(page, "officer", "/actions/mine/")
    expect(page.locator("main")).to_contain_text(NOTE)
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name=f"Revise the update for action {ACTION}").click()
    expect(page.locator("main")).to_contain_text(NOTE)
    assert_accessible(page)
    page.get_by_label("Progress commentary").fill(REVISED)
    with page.expect_navigation():
        page.get_by_role("button", name="Save status").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("sent for review")

    # The manager approves it from the queue, ticking it.
    sign_in_as(page, "manager", "/actions/review/")
    page.get_by_label(f"Select the update for action {ACTION}").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Approve selected updates").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Approved 1 update.")
    expect(page.locator("main")).to_contain_text("Nothing awaits review")
    assert_accessible(page)

    # An owner has recorded the target's indicator values before the quarter closes.
    indicator = Indicator.objects.get(slug=INDICATOR)
    for period, value in [("2019/20", 3100), ("2020/21", 2800), ("2021/22", 2650), ("2022/23", 2400)]:
        record_value(indicator=indicator, period=period, value=value, provisional=period == "2022/23", source="web")

    # The plan admin closes the quarter from its report.
    sign_in_as(page, "planadmin", f"/reports/{quarter.slug}/")
    with page.expect_navigation():
        page.get_by_role("link", name=f"Close {quarter.label}").click()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name=f"Close and publish {quarter.label}").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is closed and published")
    expect(page.locator("main")).to_contain_text("Permanent address")
    assert_accessible(page)

    # The public site shows it to anyone, without names or the draft.
    page.context.clear_cookies()
    page.goto("/public/")
    expect(page.locator("#last-published")).to_contain_text(f"the plan as of the end of {quarter.label}")
    assert_accessible(page)
    target = indicator.targets.get()
    with page.expect_navigation():
        page.get_by_role("link", name=f"Target {target.number}: {target.title}").click()
    expect(page.locator("main")).to_contain_text(indicator.name)
    expect(page.locator("main")).to_contain_text("Latest value 2400 tCO2e for 2022/23 (provisional)")
    expect(page.get_by_role("img", name=f"{indicator.name} (tCO2e)")).to_be_visible()
    assert_accessible(page)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"sideways scroll at {width} px"
        page.screenshot(path=screenshots / f"public-target-{width}.png", full_page=True)
    page.goto(f"/public/actions/{ACTION}/")
    expect(page.locator("main")).to_contain_text(REVISED)
    expect(page.locator("main")).not_to_contain_text(DRAFT)
    expect(page.locator("main")).not_to_contain_text("officer")
    assert_accessible(page)
    page.goto("/public/reports/")
    with page.expect_navigation():
        page.get_by_role("link", name=f"{quarter.label} progress report").click()
    expect(page.locator("h1")).to_have_text(quarter.label)
    assert_accessible(page)
