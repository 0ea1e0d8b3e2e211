"""A plan admin's journey in a real Chromium: upload a quarter's spreadsheet in the council's layout,
read the preview (which names the changed actions), confirm, find the import in the history, then undo
it. Done with the mouse, then with the keyboard alone; axe-core checks every page on the way."""

import re

import pytest
from playwright.sync_api import expect

from actions.models import Action, ImportBatch, StatusUpdate
from tests.browser.helpers import assert_accessible, focused, keyboard_sign_in, sign_in, tab_to
from tests.factories import exported_plan_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PERIOD, PERIOD_LABEL = "2023-24-q1", "2023/24 Q1"
FILE_NAME = "cces-progress-2023-24-q1.xlsx"
# The quarter's changes: two actions change RAG (and say why), one only its commentary.
CHANGES = {
    7: {"rag": "red", "commentary": "Contractor went into administration; re-tendering."},
    30: {"rag": "amber", "commentary": "Planning consent delayed to next quarter."},
    44: {"commentary": "Second phase of the survey has started."},
}


@pytest.fixture
def quarter_file(seeded_plan, tmp_path):
    """The plan exported in the council's layout, with CHANGES made as an officer would in Excel."""

    def edit(row):
        for field, value in CHANGES.get(row.number, {}).items():
            setattr(row, field, value)
        return row

    before = {action.number: action.current_rag for action in Action.objects.filter(number__in=CHANGES)}
    assert before[7] != "red" and before[30] != "amber", "the changes must be changes"
    path = tmp_path / FILE_NAME
    path.write_bytes(exported_plan_bytes(edit))
    return path


@pytest.fixture
def plan_before(seeded_plan):
    return plan_state()


def plan_state():
    return (
        list(Action.objects.order_by("number").values_list("number", "current_rag", "current_update_id")),
        StatusUpdate.objects.count(),
    )


def assert_preview_names_the_changes(page) -> None:
    expect(page.locator("h1")).to_have_text("Check the import")
    expect(page.locator(".govuk-caption-l")).to_have_text(f"{FILE_NAME}, for {PERIOD_LABEL}")
    changed = page.locator("table", has=page.locator("caption", has_text="New and changed actions"))
    assert changed.locator("tbody th").all_inner_texts() == [str(number) for number in CHANGES]
    row_7 = changed.locator("tbody tr").first
    expect(row_7.locator("td").first).to_contain_text("Red")  # the new RAG, in words
    summary = page.locator(".govuk-summary-list")
    changed_count = summary.locator(
        ".govuk-summary-list__row", has=page.locator("dt", has_text=re.compile(r"^Changed$"))
    )
    expect(changed_count.locator("dd")).to_have_text(str(len(CHANGES)))
    # Nothing is written until the admin confirms.
    assert not ImportBatch.objects.filter(file_name=FILE_NAME).exists()


def assert_imported(page, plan_before) -> None:
    expect(page).to_have_url(re.compile(r"/imports/$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Imported {FILE_NAME} for {PERIOD_LABEL}"
    )
    first = page.locator("table.govuk-table tbody tr").first
    expect(first).to_contain_text(FILE_NAME)
    expect(first).to_contain_text(PERIOD_LABEL)
    expect(first.get_by_role("link", name=f"Undo the import of {FILE_NAME}")).to_be_visible()
    rags = dict(Action.objects.filter(number__in=CHANGES).values_list("number", "current_rag"))
    assert (rags[7], rags[30]) == ("red", "amber")
    assert Action.objects.get(number=44).current_update.commentary == CHANGES[44]["commentary"]
    assert plan_state() != plan_before


def assert_undone(page, plan_before) -> None:
    expect(page).to_have_url(re.compile(r"/imports/$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Undone: the import of {FILE_NAME} for {PERIOD_LABEL}."
    )
    first = page.locator("table.govuk-table tbody tr").first
    expect(first).to_contain_text(FILE_NAME)
    expect(first.locator(".govuk-tag")).to_have_text("Undone")
    # The plan is as it was before the upload: every action's current status and the history's length.
    assert plan_state() == plan_before


def test_plan_admin_imports_a_quarter_then_undoes_it(page, browser_users, quarter_file, plan_before):
    page.goto("/accounts/login/")
    assert_accessible(page)
    sign_in(page, "planadmin", next_url="/actions/")

    with page.expect_navigation():
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Imports").click()
    expect(page.locator("h1")).to_have_text("Imports")
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Import a spreadsheet").click()
    expect(page.locator("h1")).to_have_text("Import a spreadsheet")
    assert_accessible(page)

    page.get_by_label("Spreadsheet").set_input_files(quarter_file)
    page.get_by_label("Reporting period").select_option(PERIOD)
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and preview").click()

    assert_preview_names_the_changes(page)
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Confirm import").click()
    assert_imported(page, plan_before)
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("link", name=f"Undo the import of {FILE_NAME}").click()
    expect(page.locator("h1")).to_have_text("Undo this import?")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Undo import").click()

    assert_undone(page, plan_before)
    assert_accessible(page)


def test_plan_admin_journey_with_the_keyboard_alone(page, browser_users, quarter_file, plan_before, live_server):
    keyboard_sign_in(page, "planadmin")
    expect(page).to_have_url(f"{live_server.url}/actions/")

    tab_to(page, lambda el: el["href"] == "/imports/")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Imports")
    assert_accessible(page)

    tab_to(page, lambda el: el["href"] == "/imports/upload/")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Import a spreadsheet")
    assert_accessible(page)

    # The file input is reached with Tab; picking a file happens in the system's own chooser, outside the
    # page, so the test hands the file to the focused input (headless Chromium's chooser event is unreliable
    # under load).
    tab_to(page, lambda el: el["id"] == "id_file")
    page.locator("#id_file:focus").set_input_files(quarter_file)
    tab_to(page, lambda el: el["id"] == "id_period")
    for _ in range(60):  # a closed select steps through its options with the arrow keys
        if page.evaluate("() => document.activeElement.value") == PERIOD:
            break
        page.keyboard.press("ArrowDown")
    assert focused(page)["id"] == "id_period" and page.evaluate("() => document.activeElement.value") == PERIOD
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Upload and preview")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert_preview_names_the_changes(page)
    assert_accessible(page)
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Confirm import", limit=120)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert_imported(page, plan_before)
    assert_accessible(page)
    tab_to(page, lambda el: re.fullmatch(r"/imports/\d+/undo/", el["href"] or "") is not None)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Undo this import?")
    assert_accessible(page)
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Undo import")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert_undone(page, plan_before)
    assert_accessible(page)
