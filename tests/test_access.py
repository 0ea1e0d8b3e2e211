"""Who may do what: the access rules as QuerySet methods, and every page against every kind of user."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.test import Client

from actions import roles
from actions.models import Action, StatusUpdate
from tests.factories import latest_update, make_action, make_update, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_officer(db):
    return make_user("officer2", role=roles.OFFICER, is_staff=True)


@pytest.fixture
def actions(officer):
    led = make_action(1, text="Retrofit the county hall")
    make_update(led, "2022-23-q4", rag="green", delivery_status="in_progress")
    led.leads.add(officer)
    unled = make_action(2, text="Plant hedgerows")
    make_update(unled, "2022-23-q4")
    return led, unled


def numbers(queryset):
    return sorted(queryset.values_list("number", flat=True))


def test_groups_hold_exactly_the_roles_permissions():
    for name, perms in roles.PERMISSIONS.items():
        held = Group.objects.get(name=name).permissions.values_list("content_type__app_label", "codename")
        assert {f"{app}.{codename}" for app, codename in held} == set(perms), name


def test_editable_by(actions, officer, other_officer, manager, plan_admin, django_user_model):
    assert numbers(Action.objects.editable_by(officer)) == [1]
    assert numbers(Action.objects.editable_by(other_officer)) == []
    assert numbers(Action.objects.editable_by(manager)) == []
    assert numbers(Action.objects.editable_by(plan_admin)) == [1, 2]
    assert numbers(Action.objects.editable_by(AnonymousUser())) == []
    no_role = django_user_model.objects.create_user("norole")
    actions[0].leads.add(no_role)  # leading an action is not enough without the officer role
    assert numbers(Action.objects.editable_by(no_role)) == []
    officer.is_active = False
    assert numbers(Action.objects.editable_by(officer)) == []


def test_visible_to(actions, officer, manager, plan_admin, django_user_model, settings):
    for user in (officer, manager, plan_admin):
        assert numbers(Action.objects.visible_to(user)) == [1, 2]
    assert numbers(Action.objects.visible_to(AnonymousUser())) == []
    assert numbers(Action.objects.visible_to(django_user_model.objects.create_user("norole"))) == []


# The matrix. Each cell: "login" (sent to sign-in), "admin login", 403, 200, a redirect target, or "saved".
USERS = ("anonymous", "officer (lead)", "officer (not lead)", "manager", "plan admin")
MATRIX = {
    ("GET", "/"): ("login", "/actions/mine/", "/actions/mine/", "/actions/", "/actions/"),
    ("GET", "/actions/"): ("login", 200, 200, 200, 200),
    ("GET", "/actions/export.csv"): ("login", 200, 200, 200, 200),
    ("GET", "/actions/export.xlsx"): ("login", 200, 200, 200, 200),
    ("GET", "/targets/"): ("login", 200, 200, 200, 200),
    ("GET", "/reports/"): ("login", 200, 200, 200, 200),
    ("GET", "/imports/"): ("login", 403, 403, 403, 200),
    ("GET", "/imports/upload/"): ("login", 403, 403, 403, 200),
    ("GET", "/actions/1/"): ("login", 200, 200, 200, 200),
    ("GET", "/actions/1/update/"): ("login", 200, 403, 403, 200),
    ("POST", "/actions/1/update/"): ("login", "saved", 403, 403, "saved"),
    ("GET", "/actions/mine/"): ("login", 200, 200, 403, 200),
    ("GET", "/admin/"): ("admin login", 200, 200, "admin login", 200),
    ("GET", "/admin/actions/action/{pk}/change/"): ("admin login", 200, "/admin/", "admin login", 200),
    ("POST", "/admin/actions/action/{pk}/change/"): ("admin login", "saved", 403, "admin login", "saved"),
    ("GET", "/accounts/password_change/"): ("login", 200, 200, 200, 200),
    ("POST", "/accounts/logout/"): (200, 200, 200, 200, 200),
}
CASES = [
    (method, url, user, expected)
    for (method, url), row in MATRIX.items()
    for user, expected in zip(USERS, row, strict=True)
]


@pytest.fixture
def browser(request, officer, other_officer, manager, plan_admin):
    client = Client()
    who = {"officer (lead)": officer, "officer (not lead)": other_officer, "manager": manager, "plan admin": plan_admin}
    if request.param != "anonymous":
        client.force_login(who[request.param])
    return client


def status_post(url, client, action):
    if url.startswith("/admin/"):
        from tests.factories import admin_form_data

        page = client.get(url)
        if page.status_code != 200:
            return {"rag": "red", "commentary": "Posted blind"}
        return admin_form_data(
            page,
            period=page.context["adminform"].form.fields["period"].choices[1][0],
            delivery_status="in_progress",
            rag="red",
            commentary="Posted from the matrix",
        )
    return {
        "period": "2023-24-q1",
        "delivery_status": "in_progress",
        "rag": "red",
        "commentary": "Posted from the matrix",
        "based_on": action.current_update_id,
    }


@pytest.mark.parametrize(
    ("method", "url", "browser", "expected"),
    CASES,
    ids=[f"{m} {u} as {who}" for m, u, who, _ in CASES],
    indirect=["browser"],
)
def test_access_matrix(method, url, browser, expected, actions, monkeypatch):
    from actions.admin import ActionAdminForm
    from actions.views import StatusUpdateView

    monkeypatch.setattr(StatusUpdateView, "today", date(2023, 5, 10))
    monkeypatch.setattr(ActionAdminForm, "today", date(2023, 5, 10))
    led = actions[0]
    url = url.format(pk=led.pk)
    before = StatusUpdate.objects.count()
    if method == "GET":
        response = browser.get(url)
    else:
        response = browser.post(url, status_post(url, browser, led) if "logout" not in url else {})

    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    elif expected == "admin login":
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")
    elif expected == "saved":
        assert response.status_code == 302, getattr(response, "context", None) and response.context.get("errors")
        assert StatusUpdate.objects.count() == before + 1
        assert latest_update(led).commentary == "Posted from the matrix"
    elif isinstance(expected, str):
        assert response.status_code == 302
        assert response["Location"] == expected
    else:
        assert response.status_code == expected
    if expected != "saved":
        assert StatusUpdate.objects.count() == before


def test_visitors_read_the_public_site_never_the_internal_pages(client, actions):
    for url in ("/actions/1/", "/actions/1/update/", "/reports/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert client.get("/public/").status_code == 200


def test_an_unknown_action_is_404_not_403(client, other_officer):
    client.force_login(other_officer)
    assert client.get("/actions/999/update/").status_code == 404


def test_each_refusal_says_why_on_the_forbidden_page(client, manager):
    """The 403 page gives the reason, so someone refused knows whom to ask."""
    Action.objects.create(number=7, text="Plant trees")
    client.force_login(make_user("nobody"))
    response = client.get("/actions/")
    assert response.status_code == 403
    reason = "Your account cannot read the action plan. Ask a plan admin to give you a role."
    assert f'<p class="govuk-body">{reason}</p>' in response.content.decode()
    client.force_login(manager)
    response = client.get("/actions/mine/")
    assert response.status_code == 403
    reason = "Only officers and plan admins record the status of actions."
    assert f'<p class="govuk-body">{reason}</p>' in response.content.decode()
    response = client.get("/actions/7/update/")
    assert response.status_code == 403
    assert (
        "You cannot record the status of action 7: only its lead officers and plan admins can."
        in response.content.decode()
    )
