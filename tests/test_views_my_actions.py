"""An officer's landing page, the home redirect, navigation, and the account pages."""

import re
from datetime import date

import pytest

from actions.views import MyActionsView
from tests.factories import make_action, make_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(MyActionsView, "today", date(2023, 5, 10))  # 2023/24 Q1


@pytest.fixture
def led(officer):
    awaiting = make_action(3, text="Insulate the depots")
    make_update(awaiting, "2022-23-q4", rag="amber", commentary="Slow")
    done = make_action(4, text="Publish the heat map")
    make_update(done, "2023-24-q1", rag="green")
    make_action(9, text="Someone else's action")
    for action in (awaiting, done):
        action.leads.add(officer)
    return awaiting, done


def test_my_actions_lists_what_i_lead_with_what_still_needs_an_update(client, officer, led):
    client.force_login(officer)
    response = client.get("/actions/mine/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert [a.number for a in response.context["awaiting"]] == [3]
    assert [a.number for a in response.context["up_to_date"]] == [4]
    assert "Awaiting an update for 2023/24 Q1 (1)" in html
    assert "Someone else" not in html
    assert 'href="/actions/3/update/"' in html
    assert '<strong class="govuk-tag app-rag--amber">Amber</strong>' in html


def test_my_actions_says_so_when_i_lead_nothing(client, plan_admin, led):
    client.force_login(plan_admin)
    assert "You are not the lead officer for any action" in client.get("/actions/mine/").content.decode()


@pytest.mark.parametrize("plan_size", ["small", "large"])
def test_my_actions_runs_a_fixed_number_of_queries(client, officer, plan_size, django_assert_num_queries, request):
    if plan_size == "large":
        request.getfixturevalue("seeded_plan")
        from actions.models import Action

        for action in Action.objects.filter(number__lte=40):
            action.leads.add(officer)
    else:
        action = make_action(1)
        make_update(action, "2022-23-q4")
        action.leads.add(officer)
    client.force_login(officer)
    # one more than before: the late milestones of the actions they lead
    with django_assert_num_queries(7):
        assert client.get("/actions/mine/").status_code == 200


def test_officers_land_on_my_actions_and_others_on_the_action_list(client, officer, manager, led):
    client.force_login(officer)
    assert client.get("/")["Location"] == "/actions/mine/"
    client.force_login(manager)
    assert client.get("/")["Location"] == "/actions/"


def test_navigation_offers_each_role_its_pages(client, officer, manager, plan_admin, led):
    def nav(user):
        client.force_login(user)
        page = client.get("/actions/3/")
        return [item["label"] for item in page.context["nav_items"]]

    assert nav(officer) == ["My actions", "Actions", "Targets", "Indicators", "Reports", "Admin"]
    assert nav(manager) == ["Actions", "Targets", "Indicators", "Review", "Reports"]
    assert nav(plan_admin) == ["My actions", "Actions", "Targets", "Indicators", "Reports", "Imports", "Admin"]


def test_sign_out_page(client, officer):
    client.force_login(officer)
    response = client.post("/accounts/logout/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>You have signed out" in html
    assert html.count("<h1") == 1
    assert client.get("/actions/mine/").status_code == 302


def test_password_change_form_shows_errors_in_a_summary(client, officer):
    client.force_login(officer)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": "a-long-new-pass-1", "new_password2": "a-long-new-pass-1"},
    )
    html = response.content.decode()
    assert "<title>Error: Change your password" in html
    assert '<a href="#id_old_password">' in html
    assert html.count("<h1") == 1


def test_password_change_works(client, officer):
    client.force_login(officer)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": "test-password-1", "new_password1": "a-long-new-pass-1", "new_password2": "a-long-new-pass-1"},
        follow=True,
    )
    assert "Your password has been changed" in response.content.decode()
    officer.refresh_from_db()
    assert officer.check_password("a-long-new-pass-1")


def test_wrong_current_passwords_lock_the_password_change_as_they_lock_sign_in(client, officer, settings):
    client.force_login(officer)
    wrong = {"old_password": "wrong", "new_password1": "a-long-new-pass-1", "new_password2": "a-long-new-pass-1"}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/accounts/password_change/", wrong).status_code == 200
    assert client.post("/accounts/password_change/", wrong).status_code == 429
    right = {**wrong, "old_password": "test-password-1"}
    response = client.post("/accounts/password_change/", right)
    assert response.status_code == 429
    assert "locked" in response.content.decode().lower()
    officer.refresh_from_db()
    assert officer.check_password("test-password-1"), "a locked account's password is not changed"
    # The lock is the sign-in's: the account cannot sign in with its password either until the cool-off ends.
    client.logout()
    assert client.post("/accounts/login/", {"username": "officer", "password": "test-password-1"}).status_code == 429


@pytest.mark.parametrize(
    "path", ["/accounts/password_reset/", "/accounts/password_reset/done/", "/accounts/reset/MQ/set-password/"]
)
def test_password_reset_is_turned_off(client, path):
    assert client.get(path).status_code == 404
    assert client.post(path, {"email": "officer@example.com"}).status_code == 404


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("/actions/mine/", "My actions"),
        ("/actions/", "Actions"),
        ("/actions/?rag=red", "Actions"),
        ("/actions/3/", "Actions"),
        ("/targets/", "Targets"),
    ],
)
def test_one_navigation_item_is_marked_current(client, officer, led, url, current):
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    marked = re.findall(
        r'aria-current="page">\s*<strong class="govuk-service-navigation__active-fallback">([^<]+)<', html
    )
    assert marked == [current]
    assert html.count("govuk-service-navigation__item--active") == 1
