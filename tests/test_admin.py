"""The admin: officers record status for the actions they lead and see nothing else; plan admins keep the plan."""

import re

import pytest
from django.test import Client

from actions.models import Action, StatusSource, StatusUpdate
from tests.factories import admin_form_data, latest_update, make_action, make_update, run_concurrently

pytestmark = pytest.mark.django_db


def change_url(action):
    return f"/admin/actions/action/{action.pk}/change/"


def status(page, **changes) -> dict:
    """The "Record a status" block filled in as someone choosing to record one would: the current period,
    in progress, green, unless `changes` say otherwise."""
    period = page.context["adminform"].form.fields["period"].choices[1][0]  # [0] is the empty choice
    return {"period": period, "delivery_status": "in_progress", "rag": "green", "commentary": "", **changes}


@pytest.fixture
def led(officer):
    action = make_action(1, text="Retrofit the county hall")
    make_update(action, "2022-23-q4", rag="green", delivery_status="in_progress", commentary="Designs agreed")
    action.leads.add(officer)
    return action


@pytest.fixture
def other(officer):
    action = make_action(2, text="Plant hedgerows")
    make_update(action, "2022-23-q4", rag="amber", commentary="Late planting season")
    return action


def test_officer_sees_only_the_actions_they_lead(client, officer, led, other):
    client.force_login(officer)
    response = client.get("/admin/actions/action/")
    assert response.status_code == 200
    assert [action.number for action in response.context["cl"].result_list] == [1]
    assert "Plant hedgerows" not in response.content.decode()


def test_officer_cannot_reach_another_officers_action(client, officer, led, other):
    client.force_login(officer)
    response = client.get(change_url(other))
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    post = client.post(change_url(other), {"rag": "red", "commentary": "Sabotage"})
    assert post.status_code == 302
    assert StatusUpdate.objects.filter(action=other).count() == 1


def test_officer_admin_index_offers_actions_only(client, officer, led):
    client.force_login(officer)
    apps = client.get("/admin/").context["app_list"]
    assert [(app["app_label"], [m["object_name"] for m in app["models"]]) for app in apps] == [("actions", ["Action"])]


def test_officer_change_page_shows_status_fields_and_reads_the_rest(client, officer, led):
    client.force_login(officer)
    response = client.get(change_url(led))
    html = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["adminform"].form.fields) == [
        "period",
        "delivery_status",
        "rag",
        "commentary",
        "based_on",
    ]
    assert 'name="text"' not in html
    assert "Retrofit the county hall" in html
    assert "Designs agreed" in html  # history, shown read-only
    assert 'name="status_updates-0-commentary"' not in html


def test_officer_status_change_in_the_admin_appends_an_update(client, officer, led):
    before = led.current_update
    client.force_login(officer)
    page = client.get(change_url(led))
    response = client.post(
        change_url(led),
        admin_form_data(page, **status(page, rag="amber", commentary="Asbestos found"), text="Tampered", number="99"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    saved = latest_update(led)
    assert (saved.rag, saved.commentary, saved.source, saved.recorded_by, saved.based_on) == (
        "amber",
        "Asbestos found",
        StatusSource.ADMIN,
        officer,
        before,
    )
    led.refresh_from_db()
    assert (led.number, led.text, led.current_update) == (1, "Retrofit the county hall", saved)
    before.refresh_from_db()
    assert before.commentary == "Designs agreed"


def test_the_status_block_opens_empty_and_folded(client, officer, plan_admin, led):
    for user in (officer, plan_admin):
        client.force_login(user)
        response = client.get(change_url(led))
        assert response.status_code == 200
        form = response.context["adminform"].form
        assert [form[name].value() for name in ("period", "delivery_status", "rag", "commentary")] == ["", "", "", ""]
        assert form["based_on"].value() == led.current_update_id
        html = response.content.decode()
        assert re.search(r"<details><summary>\s*<h2[^>]*>Record a status</h2>\s*</summary>", html)
        assert "Leave this empty to save the action without recording a status." in html
        assert "selected>Green</option>" not in html  # nothing chosen for them


@pytest.mark.parametrize("who", ["officer", "plan_admin"])
def test_saving_without_choosing_to_record_a_status_records_nothing(client, request, led, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(change_url(led))
    response = client.post(change_url(led), admin_form_data(page))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert StatusUpdate.objects.filter(action=led).count() == 1
    assert "a status was recorded" not in client.get(response["Location"]).content.decode()


def test_a_status_block_filled_in_part_says_what_else_to_choose_and_opens(client, officer, led):
    client.force_login(officer)
    page = client.get(change_url(led))
    response = client.post(change_url(led), admin_form_data(page, rag="amber", commentary="Asbestos found"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "period": ["Select the reporting period this status is for."],
        "delivery_status": ["Select a delivery status to record a new status."],
    }
    html = response.content.decode()
    assert re.search(r"<h2[^>]*>Record a status</h2>", html)
    assert not re.search(r"<summary>\s*<h2[^>]*>Record a status", html)  # open, its errors in view
    assert StatusUpdate.objects.filter(action=led).count() == 1


def test_blanking_the_status_in_the_admin_says_what_to_choose_and_is_not_a_server_error(client, officer, led):
    client.force_login(officer)
    page = client.get(change_url(led))
    response = client.post(
        change_url(led), admin_form_data(page, **status(page, rag="", delivery_status="", commentary="Why"))
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["rag"] == ["Select a RAG status to record a new status."]
    assert errors["delivery_status"] == ["Select a delivery status to record a new status."]


def test_the_commentary_rule_holds_in_the_admin(client, officer, led):
    client.force_login(officer)
    page = client.get(change_url(led))
    response = client.post(change_url(led), admin_form_data(page, **status(page, rag="red", commentary="")))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["commentary"] == [
        "Enter commentary to explain why the RAG status is red"
    ]
    assert StatusUpdate.objects.filter(action=led).count() == 1


def test_a_stale_admin_change_is_refused_with_an_explanation(client, officer, plan_admin, led):
    client.force_login(officer)
    page = client.get(change_url(led))
    theirs = make_update(led, "2023-24-q1", rag="red", commentary="Budget cut", recorded_by=plan_admin)

    response = client.post(change_url(led), admin_form_data(page, **status(page, rag="amber", commentary="Mine")))

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert "Someone else recorded a status for this action after you opened this page" in errors[0]
    assert "Nothing was saved" in errors[0]
    assert "Budget cut" in response.content.decode()  # their update, in the history
    assert latest_update(led) == theirs
    assert StatusUpdate.objects.filter(action=led).count() == 2


def test_plan_admin_edits_the_action_without_recording_a_status(client, plan_admin, led):
    client.force_login(plan_admin)
    page = client.get(change_url(led))
    response = client.post(change_url(led), admin_form_data(page, text="Retrofit county hall and libraries"))
    assert response.status_code == 302
    led.refresh_from_db()
    assert led.text == "Retrofit county hall and libraries"
    assert StatusUpdate.objects.filter(action=led).count() == 1


def test_plan_admin_saving_the_action_keeps_a_status_recorded_meanwhile(client, plan_admin, officer, led):
    client.force_login(plan_admin)
    page = client.get(change_url(led))
    meanwhile = make_update(led, "2023-24-q1", rag="red", commentary="Meanwhile", recorded_by=officer)
    response = client.post(change_url(led), admin_form_data(page, text="New wording"))
    assert response.status_code == 302
    led.refresh_from_db()
    assert (led.text, led.current_update, led.current_rag) == ("New wording", meanwhile, "red")


def test_plan_admin_assigns_leads(client, plan_admin, officer, other):
    client.force_login(plan_admin)
    page = client.get(change_url(other))
    response = client.post(change_url(other), admin_form_data(page, leads=[str(officer.pk)]))
    assert response.status_code == 302
    assert list(other.leads.all()) == [officer]
    assert Action.objects.editable_by(officer).filter(pk=other.pk).exists()


def test_admin_action_list_filters_and_searches(client, plan_admin, led, other):
    client.force_login(plan_admin)

    def numbers(query):
        return [a.number for a in client.get(f"/admin/actions/action/?{query}").context["cl"].result_list]

    assert numbers("") == [1, 2]
    assert numbers("current_rag__exact=amber") == [2]
    assert numbers("q=planting") == [2]
    assert numbers("q=hedgerows") == [2]
    Action.objects.filter(pk=other.pk).update(target_year=2021)
    assert numbers("overdue=yes") == [2]
    assert numbers("overdue=no") == [1]


def test_import_batches_and_history_are_read_only_for_plan_admins(client, plan_admin, led):
    client.force_login(plan_admin)
    assert client.get("/admin/actions/importbatch/").status_code == 200
    assert client.get("/admin/actions/importbatch/add/").status_code == 403
    assert client.get("/admin/actions/statusupdate/add/").status_code == 403
    update = led.current_update
    assert client.post(f"/admin/actions/statusupdate/{update.pk}/delete/", {"post": "yes"}).status_code == 403
    assert StatusUpdate.objects.filter(pk=update.pk).exists()


def test_plan_admin_cannot_make_a_superuser(client, plan_admin, officer):
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from actions import roles

    client.force_login(plan_admin)
    url = f"/admin/auth/user/{officer.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="is_superuser"' not in html
    assert 'name="groups"' in html
    # A hand-made post with is_superuser set: the change is saved, the flag is ignored.
    manager_group = Group.objects.get(name=roles.MANAGER)
    data = admin_form_data(page, is_superuser="on", groups=[str(manager_group.pk)], first_name="Olive")
    joined = timezone.localtime(data.pop("date_joined") and officer.date_joined)  # a split date and time field
    data.update(date_joined_0=f"{joined:%Y-%m-%d}", date_joined_1=f"{joined:%H:%M:%S}")
    response = client.post(url, data)
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.first_name == "Olive", "the post was accepted"
    assert list(officer.groups.all()) == [manager_group]
    assert officer.is_superuser is False


def test_managers_have_no_admin_even_as_staff(client, manager):
    manager.is_staff = True
    manager.save()
    client.force_login(manager)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_admin_saves_at_once_on_the_same_status_save_one(officer, plan_admin, slow_write):
    action = make_action(1)
    make_update(action, "2022-23-q4", rag="green")
    action.leads.add(officer)
    browsers, pages = [], []
    for user in (officer, plan_admin):
        browser = Client()
        browser.force_login(user)
        browsers.append(browser)
        pages.append(browser.get(change_url(action)))

    def save(index, words):
        return lambda: browsers[index].post(
            change_url(action), admin_form_data(pages[index], **status(pages[index], rag="amber", commentary=words))
        )

    responses = run_concurrently(save(0, "From the officer"), save(1, "From the plan admin"))

    assert sorted(response.status_code for response in responses) == [200, 302], responses
    assert StatusUpdate.objects.filter(action=action).count() == 2
    refused = next(response for response in responses if response.status_code == 200)
    assert "Nothing was saved" in refused.content.decode()


@pytest.mark.parametrize("plan_size", ["small", "large"])
def test_admin_action_list_runs_a_fixed_number_of_queries(
    client, plan_admin, officer, plan_size, request, django_assert_num_queries
):
    if plan_size == "large":
        request.getfixturevalue("seeded_plan")
        for action in Action.objects.all():
            action.leads.add(officer)
    else:
        make_update(make_action(1), "2022-23-q4")
    client.force_login(plan_admin)
    with django_assert_num_queries(9):
        assert client.get("/admin/actions/action/").status_code == 200


def test_plan_admin_adds_an_action_with_its_first_status(client, plan_admin, officer):
    client.force_login(plan_admin)
    page = client.get("/admin/actions/action/add/")
    data = admin_form_data(
        page,
        number="57",
        text="Trial electric gritters",
        target_date_text="2025",
        leads=[str(officer.pk)],
        **status(page, rag="red", delivery_status="not_started", commentary="Awaiting funding"),
    )
    response = client.post("/admin/actions/action/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    action = Action.objects.get(number=57)
    assert (action.target_year, list(action.leads.all()), action.current_rag) == (2025, [officer], "red")
    assert action.current_update.source == StatusSource.ADMIN


def test_plan_admin_adds_a_reporting_period_from_year_and_quarter(client, plan_admin):
    from actions.models import ReportingPeriod

    client.force_login(plan_admin)
    response = client.post("/admin/actions/reportingperiod/add/", {"year": "2024", "quarter": "2"})
    assert response.status_code == 302
    period = ReportingPeriod.objects.get(slug="2024-25-q2")
    assert (str(period.start), str(period.end)) == ("2024-07-01", "2024-09-30")


def test_a_circular_merge_is_refused_in_the_admin(client, plan_admin, led, other):
    client.force_login(plan_admin)
    page = client.get(change_url(led))
    assert client.post(change_url(led), admin_form_data(page, merged_into=str(other.pk))).status_code == 302
    page = client.get(change_url(other))
    response = client.post(change_url(other), admin_form_data(page, merged_into=str(led.pk)))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["merged_into"]
    assert errors == [
        "Action 1 is merged, directly or through others, into action 2: merging 2 into it would make a circle."
    ]
    other.refresh_from_db()
    assert other.merged_into is None


@pytest.mark.parametrize("number", ["2147483648", "99999999999999999999"])
def test_the_admin_refuses_an_action_number_beyond_the_databases_range(client, plan_admin, led, number):
    client.force_login(plan_admin)
    page = client.get(change_url(led))
    response = client.post(change_url(led), admin_form_data(page, number=number))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["number"] == [
        "Ensure this value is less than or equal to 2147483647."
    ]


def test_commentary_longer_than_the_import_allows_is_refused_in_the_admin(client, officer, led):
    client.force_login(officer)
    page = client.get(change_url(led))
    response = client.post(change_url(led), admin_form_data(page, rag="amber", commentary="x" * 10_001))
    assert response.status_code == 200
    assert "Ensure this value has at most 10000 characters (it has 10001)." in str(
        response.context["adminform"].form.errors
    )
    assert StatusUpdate.objects.filter(action=led).count() == 1


@pytest.mark.parametrize("year", ["1900", "2202"])
def test_an_implausible_reporting_period_cannot_be_added(client, plan_admin, year):
    from actions.models import ReportingPeriod

    client.force_login(plan_admin)
    response = client.post("/admin/actions/reportingperiod/add/", {"year": year, "quarter": "1"})
    assert response.status_code == 200
    assert "is not a plausible reporting period: the financial year must be 2000 to 2099." in str(
        response.context["adminform"].form.errors
    )
    assert not ReportingPeriod.objects.filter(year=int(year)).exists()


def test_an_implausible_period_already_stored_breaks_no_page_and_can_be_deleted(client, seeded_plan, plan_admin):
    from actions.models import ReportingPeriod

    ReportingPeriod.objects.bulk_create(
        [ReportingPeriod(slug="1900-01-q1", year=1900, quarter=1, start="1900-04-01", end="1900-06-30")]
    )
    client.force_login(plan_admin)
    for url in ["/imports/upload/", "/reports/1900-01-q1/", "/reports/", "/actions/?period=1900-01-q1"]:
        assert client.get(url).status_code == 200, url
    response = client.post("/admin/actions/reportingperiod/1900-01-q1/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ReportingPeriod.objects.filter(slug="1900-01-q1").exists()
