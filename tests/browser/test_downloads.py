"""A large workbook in Chromium: the list's link offers it, the button (by keyboard) queues it, the progress page
says how far it is, then offers the file. axe clean, no sideways scroll from 320 px, screenshots for a reviewer."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.helpers import assert_every_control_reachable_by_keyboard, focused, sign_in
from tests.browser.test_layout import SCREENSHOTS
from tests.browser.test_open_data import check_every_width

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_large_workbook_is_prepared_in_the_background(page, seeded_plan, browser_users, settings):
    settings.CCES_WORKBOOK_ACTIONS_IN_REQUEST = 5  # the amber and red actions of the seeded plan count as many
    sign_in(page, "manager")
    page.goto("/actions/?rag=amber&rag=red")
    with page.expect_navigation():
        page.get_by_role("link", name="Excel workbook (.xlsx)").click()
    expect(page.locator("h1")).to_have_text("Prepare the action list workbook")
    assert_every_control_reachable_by_keyboard(page)
    check_every_width(page, "download-offer")

    page.get_by_role("button", name="Prepare the workbook").focus()
    assert focused(page)["text"] == "Prepare the workbook"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Preparing your download")
    expect(page.get_by_role("status")).to_have_text("Waiting for the background worker to start on it.")
    assert_every_control_reachable_by_keyboard(page)
    check_every_width(page, "download-waiting")

    call_command("db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0)
    with page.expect_navigation():
        page.get_by_role("link", name="Check progress").click()
    expect(page.locator("h1")).to_have_text("Your download is ready")
    check_every_width(page, "download-ready")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download cces-actions-").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert download.value.suggested_filename.startswith("cces-actions-")


def test_a_large_plans_period_is_closed_in_the_background(page, seeded_plan, browser_users, settings):
    from actions.models import StatusUpdate

    settings.CCES_WORKBOOK_ACTIONS_IN_REQUEST = 50  # the seeded plan's 56 actions count as large
    StatusUpdate.objects.update(review_state="approved")
    sign_in(page, "planadmin")
    page.goto("/reports/2022-23-q4/close/")
    with page.expect_navigation():
        page.get_by_role("button", name="Close and publish 2022/23 Q4").click()
    expect(page.get_by_text("2022/23 Q4 is being closed in the background.", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Close 2022/23 Q4")).to_have_count(0)
    check_every_width(page, "report-being-closed")
    page.set_viewport_size({"width": 390, "height": 1400})
    page.screenshot(path=SCREENSHOTS / "report-being-closed-top-390.png")  # the page's top, where the banner is
    call_command("db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0)
    page.reload()
    expect(page.get_by_text("This period was closed", exact=False)).to_be_visible()
    expect(page.get_by_text("being closed in the background")).to_have_count(0)
