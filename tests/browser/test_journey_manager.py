"""A manager's journey in a real Chromium: sign in, filter the plan to one target's red actions with the
filter form, check the list, and download that list as the council's workbook. Done with the mouse, then
with the keyboard alone; axe-core checks every page on the way."""

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from actions.models import Action
from tests.browser.helpers import assert_accessible, keyboard_sign_in, sign_in, tab_to
from tests.factories import latest_update, make_update

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TARGET = 5


@pytest.fixture
def red_in_target(seeded_plan):
    """The numbers of the target's red actions, as the data has them, after turning one more of them red
    (so the list has more than the seed's two, and the newest update decides, not the seed's)."""
    green = next(
        action
        for action in Action.objects.filter(targets__number=TARGET).in_plan_order()
        if latest_update(action).rag == "green"
    )
    make_update(green, "2023-24-q1", rag="red", commentary="Contractor withdrew; scheme on hold")
    expected = [
        action.number
        for action in Action.objects.filter(targets__number=TARGET).in_plan_order()
        if latest_update(action) and latest_update(action).rag == "red"
    ]
    # The journey only means something if the filter leaves out red actions of other targets.
    other_red = [
        action.number
        for action in Action.objects.exclude(targets__number=TARGET)
        if latest_update(action) and latest_update(action).rag == "red"
    ]
    assert len(expected) >= 3 and other_red and green.number in expected
    return expected


def listed_numbers(page) -> list[int]:
    return [int(text) for text in page.locator("table.govuk-table tbody tr td:first-child").all_inner_texts()]


def assert_list_is(page, expected: list[int]) -> None:
    assert page.locator("h1").inner_text() == "Actions"
    assert listed_numbers(page) == expected
    for row in page.locator("table.govuk-table tbody tr").all():
        # RAG is shown as its word as well as its colour.
        expect(row.locator(".govuk-tag")).to_have_text("Red")
    expect(page.get_by_text(f"Showing 1 to {len(expected)} of {len(expected)} actions")).to_be_visible()


def assert_workbook_holds(download, expected: list[int]) -> None:
    assert download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(download.path().read_bytes()))
    sheet = workbook["Action plan"]
    header = [cell.value for cell in sheet[2]]
    rag_column = header.index("RAG")
    target_column = next(i for i, h in enumerate(header) if (h or "").startswith(f"Target {TARGET}:"))
    rows = [row for row in sheet.iter_rows(min_row=3, values_only=True) if row[0] is not None]
    assert [row[0] for row in rows] == expected
    assert {row[rag_column] for row in rows} == {"Red"}
    assert all(row[target_column] for row in rows), "every exported action contributes to the target"
    # The workbook says which filters made it.
    notes = " ".join(str(cell.value) for cell in workbook["About"]["A"])
    assert "RAG: red" in notes and f"Target: {TARGET}" in notes


def test_manager_filters_to_one_targets_red_actions_and_downloads_them(page, browser_users, red_in_target):
    page.goto("/accounts/login/")
    assert_accessible(page)
    sign_in(page, "manager", next_url="/actions/")
    assert_accessible(page)
    assert len(listed_numbers(page)) == Action.objects.count()

    page.get_by_role("group", name="RAG").get_by_label("Red", exact=True).check()
    page.get_by_role("group", name="Target").get_by_label(re.compile(rf"^{TARGET}: ")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()

    assert_list_is(page, red_in_target)
    # The form shows what was chosen, so the list says what it is.
    expect(page.get_by_role("group", name="RAG").get_by_label("Red", exact=True)).to_be_checked()
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel workbook (.xlsx)").click()
    assert_workbook_holds(download_info.value, red_in_target)


def test_manager_journey_with_the_keyboard_alone(page, browser_users, red_in_target, live_server):
    keyboard_sign_in(page, "manager")
    expect(page).to_have_url(f"{live_server.url}/actions/")
    assert_accessible(page)

    tab_to(page, lambda el: el["name"] == "rag" and el["text"] == "red", limit=40)
    page.keyboard.press("Space")
    tab_to(page, lambda el: el["name"] == "target" and el["text"] == str(TARGET))
    page.keyboard.press("Space")
    # Shift+Tab back to check the first tick held while moving on.
    tab_to(page, lambda el: el["name"] == "rag" and el["text"] == "red", key="Shift+Tab")
    assert page.evaluate("() => document.activeElement.checked")
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Apply filters")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert_list_is(page, red_in_target)
    assert_accessible(page)

    tab_to(page, lambda el: (el["href"] or "").startswith("/actions/export.xlsx"), limit=80)
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    assert_workbook_holds(download_info.value, red_in_target)
