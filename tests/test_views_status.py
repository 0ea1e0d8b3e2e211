"""Recording status in the browser: the form, its rules, and two people editing at once."""

from datetime import date

import pytest
from django.test import Client

from actions.models import StatusSource, StatusUpdate
from actions.views import StatusUpdateView
from tests.factories import latest_update, make_action, make_update, run_concurrently

pytestmark = pytest.mark.django_db

TODAY = date(2023, 5, 10)  # 2023/24 Q1


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(StatusUpdateView, "today", TODAY)


@pytest.fixture
def action(officer):
    action = make_action(7, text="Install heat pumps in schools")
    make_update(action, "2022-23-q4", rag="green", delivery_status="in_progress", commentary="Surveys done")
    action.leads.add(officer)
    return action


def post_data(based_on, **fields):
    return {
        "period": "2023-24-q1",
        "delivery_status": "in_progress",
        "rag": "green",
        "commentary": "",
        "based_on": based_on.pk if based_on else "",
        **fields,
    }


def test_form_is_prefilled_with_the_current_position_for_the_current_period(client, officer, action):
    client.force_login(officer)
    response = client.get("/actions/7/update/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    form = response.context["form"]
    assert form.initial == {
        "period": "2023-24-q1",
        "delivery_status": "in_progress",
        "rag": "green",
        "commentary": "Surveys done",
        "based_on": action.current_update_id,
    }
    assert [slug for slug, _ in form.fields["period"].choices][:2] == ["2023-24-q1", "2022-23-q4"]
    assert f'name="based_on" value="{action.current_update_id}"' in html
    assert '<option value="2023-24-q1" selected>2023/24 Q1</option>' in html
    assert '<label class="govuk-label govuk-radios__label" for="id_rag_2">Green – on track</label>' in html


def test_saving_appends_an_update_and_moves_the_current_status(client, officer, action):
    before = action.current_update
    client.force_login(officer)
    response = client.post(
        "/actions/7/update/", post_data(before, rag="amber", commentary="Contractor went into administration")
    )
    assert response.status_code == 302
    assert response["Location"] == "/actions/7/"
    saved = latest_update(action)
    assert (saved.period_id, saved.rag, saved.delivery_status, saved.commentary) == (
        "2023-24-q1",
        "amber",
        "in_progress",
        "Contractor went into administration",
    )
    assert (saved.recorded_by, saved.source, saved.based_on) == (officer, StatusSource.WEB, before)
    assert StatusUpdate.objects.filter(action=action).count() == 2
    before.refresh_from_db()
    assert (before.rag, before.commentary) == ("green", "Surveys done")
    page = client.get(response["Location"]).content.decode()
    assert "Status recorded for action 7 and sent for review." in page
    assert saved.review_state == "submitted"
    assert "Contractor went into administration" in page


def test_green_and_unchanged_needs_no_commentary(client, officer, action):
    client.force_login(officer)
    response = client.post("/actions/7/update/", post_data(action.current_update))
    assert response.status_code == 302
    assert latest_update(action).commentary == ""


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rag": "amber"}, "Enter commentary to explain why the RAG status is amber"),
        ({"rag": "red"}, "Enter commentary to explain why the RAG status is red"),
        (
            {"delivery_status": "complete"},
            "Enter commentary to explain the change of delivery status from in progress to complete",
        ),
    ],
)
def test_commentary_is_required_for_amber_red_or_a_change_of_status(client, officer, action, fields, message):
    client.force_login(officer)
    response = client.post("/actions/7/update/", post_data(action.current_update, **fields))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Record status" in html
    assert f'<a href="#id_commentary">{message}</a>' in html
    assert '<p id="id_commentary_error" class="govuk-error-message">' in html
    assert StatusUpdate.objects.filter(action=action).count() == 1


def test_missing_choices_link_to_the_first_option(client, officer, action):
    client.force_login(officer)
    response = client.post("/actions/7/update/", post_data(action.current_update, rag="", delivery_status=""))
    html = response.content.decode()
    assert '<a href="#id_rag_0">Select a RAG status</a>' in html
    assert '<a href="#id_delivery_status_0">Select a delivery status</a>' in html


def test_a_period_outside_the_recent_ones_is_refused(client, officer, action):
    client.force_login(officer)
    response = client.post("/actions/7/update/", post_data(action.current_update, period="2019-20-q1"))
    assert response.status_code == 200
    assert "period" in response.context["form"].errors


def test_someone_elses_update_meanwhile_is_shown_beside_mine_and_nothing_is_saved(client, officer, plan_admin, action):
    based_on = action.current_update
    client.force_login(officer)
    assert client.get("/actions/7/update/").status_code == 200
    other = Client()
    other.force_login(plan_admin)
    other.post("/actions/7/update/", post_data(based_on, rag="red", commentary="Funding withdrawn"))
    theirs = latest_update(action)

    response = client.post("/actions/7/update/", post_data(based_on, rag="amber", commentary="Slipping a month"))
    html = response.content.decode()

    assert response.status_code == 409
    assert html.count("<h1") == 1
    assert "Someone else updated this action while you were editing" in html
    assert "Funding withdrawn" in html and "Slipping a month" in html
    assert '<strong class="govuk-tag app-rag--red">Red</strong>' in html
    assert '<strong class="govuk-tag app-rag--amber">Amber</strong>' in html
    assert StatusUpdate.objects.filter(action=action).count() == 2
    assert latest_update(action) == theirs
    # "Save mine anyway" re-posts my values, now based on theirs.
    assert f'name="based_on" value="{theirs.pk}"' in html
    resubmit = response.context["resubmit"]
    assert resubmit.data["commentary"] == "Slipping a month"

    again = client.post("/actions/7/update/", {**resubmit.data})
    assert again.status_code == 302
    mine = latest_update(action)
    assert (mine.commentary, mine.based_on) == ("Slipping a month", theirs)
    assert StatusUpdate.objects.filter(action=action).count() == 3


def test_keep_theirs_links_back_without_saving(client, officer, action):
    based_on = action.current_update
    make_update(action, "2023-24-q1", rag="red", commentary="Theirs")
    client.force_login(officer)
    html = client.post("/actions/7/update/", post_data(based_on)).content.decode()
    assert 'data-module="govuk-button" href="/actions/7/">Keep their update</a>' in html
    assert StatusUpdate.objects.filter(action=action).count() == 2


def test_an_update_id_from_another_action_is_refused(client, officer, action):
    elsewhere = make_update(make_action(8), "2022-23-q4")
    client.force_login(officer)
    response = client.post("/actions/7/update/", post_data(elsewhere))
    assert response.status_code == 200
    assert "does not match the action" in response.content.decode()


def test_action_page_offers_record_status_only_to_those_who_may(client, officer, manager, action):
    client.force_login(officer)
    response = client.get("/actions/7/")
    assert response.status_code == 200
    assert 'href="/actions/7/update/"' in response.content.decode()
    assert ">Record status</a>" in response.content.decode()
    client.force_login(manager)
    response = client.get("/actions/7/")
    assert response.status_code == 200
    assert '<h2 class="govuk-heading-m">Current position</h2>' in response.content.decode()
    assert 'href="/actions/7/update/"' not in response.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_browsers_posting_at_once_save_one_and_show_the_other_a_conflict(officer, plan_admin, slow_write):
    action = make_action(7)
    based_on = make_update(action, "2022-23-q4")
    action.leads.add(officer)
    browsers = []
    for user in (officer, plan_admin):
        browser = Client()
        browser.force_login(user)
        browsers.append(browser)

    def post(browser, words):
        return lambda: browser.post("/actions/7/update/", post_data(based_on, rag="amber", commentary=words))

    responses = run_concurrently(
        post(browsers[0], "Words of the officer"), post(browsers[1], "Words of the plan admin")
    )

    assert sorted(response.status_code for response in responses) == [302, 409], responses
    assert StatusUpdate.objects.filter(action=action).count() == 2
    conflict = next(response for response in responses if response.status_code == 409)
    saved = latest_update(action)
    assert saved.commentary in conflict.content.decode()


def test_commentary_has_the_same_limit_as_the_import(client, officer, action):
    client.force_login(officer)
    response = client.post("/actions/7/update/", post_data(action.current_update, commentary="x" * 10_001))
    assert response.status_code == 200
    assert "Ensure this value has at most 10000 characters (it has 10001)." in response.content.decode()
    assert StatusUpdate.objects.filter(action=action).count() == 1
    assert 'maxlength="10000"' in client.get("/actions/7/update/").content.decode()


def test_the_longest_commentary_exports_and_imports_back(client, officer, action):
    from actions.imports.reading import read_plan_file
    from actions.imports.rows import target_headings
    from targets.models import Target
    from tests.factories import make_targets

    make_targets()
    client.force_login(officer)
    longest = "Surveyed. " * 1_000
    response = client.post("/actions/7/update/", post_data(action.current_update, commentary=longest))
    assert response.status_code == 302
    export = client.get("/actions/export.xlsx")
    assert export.status_code == 200
    data = b"".join(export.streaming_content) if export.streaming else export.content
    parsed = read_plan_file(data, "export.xlsx", target_headings(Target.objects.all()))
    assert parsed.ok, parsed.problems
    assert parsed.rows[0].commentary == longest.strip()


def test_after_saving_a_link_leads_on_to_the_next_action_awaiting_one(client, officer, action):
    for number in (3, 9, 12):
        other = make_action(number, text=f"Action {number}'s work")
        make_update(other, "2022-23-q4", rag="green")
        other.leads.add(officer)
    make_update(make_action(10, text="Someone else's"), "2022-23-q4", rag="green")  # not led by the officer
    done = make_action(11, text="Already updated")
    make_update(done, "2023-24-q1", rag="green")
    done.leads.add(officer)
    client.force_login(officer)

    response = client.post("/actions/7/update/", post_data(action.current_update), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    # My actions' order is the plan's: after 7 comes 9 (10 is not theirs, 11 is up to date).
    assert (
        'Next awaiting an update for 2023/24 Q1: <a class="govuk-notification-banner__link" '
        'href="/actions/9/update/">record status for action 9'
    ) in page
    assert "(3 left)" in page

    for number in (9, 12):
        client.post(f"/actions/{number}/update/", post_data(latest_update(make_action_ref(number))))
    response = client.post("/actions/3/update/", post_data(latest_update(make_action_ref(3))), follow=True)
    page = response.content.decode()
    assert "Status recorded for action 3" in page
    assert "None of your actions is awaiting an update for 2023/24 Q1." in page
    assert 'href="/actions/mine/">Back to my actions</a>' in page


def test_after_the_last_action_the_next_link_wraps_to_the_first(client, officer, action):
    first = make_action(2, text="Earlier work")
    make_update(first, "2022-23-q4", rag="green")
    first.leads.add(officer)
    client.force_login(officer)
    response = client.post("/actions/7/update/", post_data(action.current_update), follow=True)
    assert response.status_code == 200
    assert 'href="/actions/2/update/">record status for action 2' in response.content.decode()
    assert "(1 left)" in response.content.decode()


def make_action_ref(number):
    from actions.models import Action

    return Action.objects.get(number=number)
