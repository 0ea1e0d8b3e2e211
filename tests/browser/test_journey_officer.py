"""An officer's journey in a real Chromium: sign in, open My actions, record a quarter's status for an
action they lead (first leaving out the commentary amber needs, then correcting it), and see the new
update at the top of the action's history. Done with the mouse, then with the keyboard alone; axe-core
checks every page on the way, the form with its errors included."""

import re

import pytest
from playwright.sync_api import expect

from actions.forms import period_choices
from actions.models import Action, StatusUpdate
from tests.browser.helpers import assert_accessible, focused, keyboard_sign_in, sign_in, tab_to
from tests.factories import latest_update, make_update

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ACTION = 22
COMMENTARY = "Survey delayed by the supplier; a new date is agreed for next quarter."


@pytest.fixture
def lead_officer(seeded_plan, browser_users):
    officer = browser_users["officer"]
    for number in (ACTION, 40):
        Action.objects.get(number=number).leads.add(officer)
    return officer


@pytest.fixture
def previous_quarter():
    """The quarter before the current one, as the form offers it: (slug, label)."""
    return period_choices()[1]


def assert_error_summary_shown(page) -> None:
    expect(page).to_have_title(re.compile(r"^Error: Record status"))
    summary = page.locator(".govuk-error-summary")
    # GOV.UK Frontend moves focus to the summary, so a screen reader announces it first.
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text("Enter commentary to explain why the RAG status is amber")
    expect(page.locator("#id_commentary_error")).to_contain_text("Enter commentary")
    assert StatusUpdate.objects.filter(action__number=ACTION, commentary=COMMENTARY).count() == 0


def assert_newest_in_history(page, live_server, period_label: str) -> None:
    expect(page).to_have_url(f"{live_server.url}/actions/{ACTION}/")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"Status recorded for action {ACTION}")
    first = page.locator("table.govuk-table").last.locator("tbody tr").first
    cells = first.locator("td")
    expect(cells.nth(0)).to_have_text(period_label)
    expect(cells.nth(1)).to_have_text("Amber")
    expect(cells.nth(2)).to_have_text("In delivery")
    expect(cells.nth(3)).to_have_text(COMMENTARY)
    expect(cells.nth(4)).to_contain_text("by officer (web form)")
    saved = latest_update(Action.objects.get(number=ACTION))
    assert (saved.period.slug, saved.rag, saved.delivery_status, saved.commentary, saved.recorded_by.username) == (
        period_choices()[1][0],
        "amber",
        "in_delivery",
        COMMENTARY,
        "officer",
    )


def test_officer_records_a_quarters_status_and_sees_it_in_the_history(
    page, lead_officer, previous_quarter, live_server
):
    page.goto("/accounts/login/")
    assert_accessible(page)
    sign_in(page, "officer", next_url="/actions/mine/")
    expect(page.locator("h1")).to_have_text("My actions")
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("link", name=f"Record status for action {ACTION}").click()
    expect(page.locator("h1")).to_have_text("Record status")
    assert_accessible(page)

    slug, label = previous_quarter
    page.get_by_label("Reporting period").select_option(slug)
    page.get_by_role("group", name="Delivery status").get_by_label("In delivery").check()
    page.get_by_role("group", name="RAG status").get_by_label(re.compile("^Amber")).check()
    page.get_by_label("Progress commentary").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Save status").click()

    assert_error_summary_shown(page)
    assert_accessible(page)
    # What was chosen is kept; only the commentary is missing.
    expect(page.get_by_label("Reporting period")).to_have_value(slug)
    expect(page.get_by_role("group", name="RAG status").get_by_label(re.compile("^Amber"))).to_be_checked()

    page.get_by_label("Progress commentary").fill(COMMENTARY)
    with page.expect_navigation():
        page.get_by_role("button", name="Save status").click()

    assert_newest_in_history(page, live_server, label)
    assert_accessible(page)


def choose_radio(page, name: str, value: str) -> None:
    """Tab into a radio group, then arrow through it (arrows select as they move) until `value` is chosen."""
    tab_to(page, lambda el: el["name"] == name)
    for _ in range(6):
        if focused(page)["text"] == value:
            break
        page.keyboard.press("ArrowDown")
    assert focused(page)["text"] == value and page.evaluate("() => document.activeElement.checked")


def test_officer_journey_with_the_keyboard_alone(page, lead_officer, previous_quarter, live_server):
    keyboard_sign_in(page, "officer")
    expect(page).to_have_url(f"{live_server.url}/actions/mine/")
    assert_accessible(page)

    tab_to(page, lambda el: el["href"] == f"/actions/{ACTION}/update/", limit=80)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Record status")
    assert_accessible(page)

    slug, label = previous_quarter
    tab_to(page, lambda el: el["id"] == "id_period")
    page.keyboard.press("ArrowDown")  # a closed select steps to the next option, the quarter before
    assert page.evaluate("() => document.activeElement.value") == slug
    choose_radio(page, "delivery_status", "in_delivery")
    choose_radio(page, "rag", "amber")
    tab_to(page, lambda el: el["id"] == "id_commentary")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Save status")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert_error_summary_shown(page)
    assert_accessible(page)
    # From the summary, the error's link takes the keyboard to the field that needs fixing.
    tab_to(page, lambda el: el["href"] == "#id_commentary", limit=5)
    page.keyboard.press("Enter")
    expect(page.locator("#id_commentary")).to_be_focused()
    page.keyboard.type(COMMENTARY)
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Save status")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert_newest_in_history(page, live_server, label)
    assert_accessible(page)


def test_an_officer_whose_action_changed_meanwhile_sees_an_accessible_conflict_page(
    page, lead_officer, browser_users, live_server
):
    sign_in(page, "officer", next_url=f"/actions/{ACTION}/update/")
    page.get_by_role("group", name="RAG status").get_by_label(re.compile("^Amber")).check()
    page.get_by_label("Progress commentary").fill(COMMENTARY)
    # Someone else records a status while the form is open.
    make_update(
        Action.objects.get(number=ACTION),
        period_choices()[0][0],
        rag="green",
        commentary="Recorded by the plan admin meanwhile.",
        recorded_by=browser_users["planadmin"],
    )
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save status").click()
    assert navigation.value.status == 409
    expect(page.locator("h1")).to_have_text("Someone else updated this action while you were editing")
    expect(page.get_by_text("Recorded by the plan admin meanwhile.")).to_be_visible()
    expect(page.get_by_text(COMMENTARY)).to_be_visible()
    assert_accessible(page)

    # The keyboard chooses to save theirs and then this one, which becomes the latest.
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Save my update as well")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/actions/{ACTION}/")
    history = page.locator("table.govuk-table").last.locator("tbody tr")
    expect(history.nth(0).locator("td").nth(3)).to_have_text(COMMENTARY)
    expect(history.nth(1).locator("td").nth(3)).to_have_text("Recorded by the plan admin meanwhile.")
    assert_accessible(page)
