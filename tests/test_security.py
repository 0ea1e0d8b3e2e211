"""Security headers, CSRF on every form, and sign-in throttling."""

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from actions.models import Action
from actions.periods import Quarter
from actions.seed import SEED_WORKBOOK
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# Every HTML page that exists, as (name, url, who is signed in, the status it answers). Add new pages here.
PAGES = [
    ("sign-in", "/accounts/login/", None, 200),
    ("action list", "/actions/?rag=red&target=2", "manager", 200),
    ("action list with a bad filter", "/actions/?rag=purple", "manager", 200),
    ("action page", "/actions/22/", "manager", 200),
    ("record status", "/actions/5/update/", "plan_admin", 200),
    ("my actions", "/actions/mine/", "officer", 200),
    ("targets", "/targets/", "manager", 200),
    ("target page", "/targets/2/", "manager", 200),
    ("reports", "/reports/", "manager", 200),
    ("quarterly report", "/reports/2022-23-q4/", "manager", 200),
    ("import history", "/imports/", "plan_admin", 200),
    ("import upload", "/imports/upload/", "plan_admin", 200),
    ("accessibility statement", "/accessibility/", None, 200),
    ("page not found", "/no-such-page/", "manager", 404),
    ("forbidden", "/actions/", "no_role", 403),
    ("updates awaiting review", "/actions/review/", "manager", 200),
    ("close a period", "/reports/2022-23-q4/close/", "plan_admin", 200),
    ("reopen a period", "/reports/2022-23-q4/reopen/", "plan_admin", 200),
    ("public home", "/public/", None, 200),
    ("public actions", "/public/actions/", None, 200),
    ("public reports", "/public/reports/", None, 200),
    ("indicators", "/indicators/", "manager", 200),
    ("indicator page", "/indicators/council-scope-3-emissions/", "manager", 200),
    ("record an indicator value", "/indicators/council-scope-3-emissions/record/", "plan_admin", 200),
    ("indicator value imports", "/indicators/imports/", "plan_admin", 200),
    ("indicator values upload", "/indicators/imports/upload/", "plan_admin", 200),
]


def _client_for(who, request):
    client = Client()
    if who == "no_role":
        client.force_login(make_user("nobody"))
    elif who:
        client.force_login(request.getfixturevalue(who))
    return client


@pytest.mark.parametrize(("name", "url", "who", "status"), PAGES, ids=[page[0] for page in PAGES])
def test_every_page_carries_the_security_headers(name, url, who, status, request, seeded_plan):
    response = _client_for(who, request).get(url)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(("name", "url", "who", "status"), PAGES, ids=[page[0] for page in PAGES])
def test_pages_have_no_inline_script_or_style(name, url, who, status, request, seeded_plan):
    response = _client_for(who, request).get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert "<h1" in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert re.findall(r"\sstyle=", html) == []
    assert re.findall(r"\son[a-z]+=", html) == []
    assert "<style" not in html


# Every form that exists: (name, page holding the form, the form's action, valid data, who is signed in,
# what a valid submission answers). A valid token must get that answer; no token must get 403.
FORMS = [
    (
        "sign in",
        "/accounts/login/",
        "/accounts/login/",
        {"username": "manager", "password": "test-password-1"},
        None,
        302,
    ),
    ("sign out", "/actions/", "/accounts/logout/", {}, "manager", 200),
    (
        "admin sign in",
        "/admin/login/",
        "/admin/login/",
        {"username": "planadmin", "password": "test-password-1"},
        None,
        302,
    ),
    ("admin sign out", "/admin/", "/admin/logout/", {}, "plan_admin", 200),
    (
        "import upload",
        "/imports/upload/",
        "/imports/upload/",
        lambda: {
            "period": "2022-23-q4",
            "file": SimpleUploadedFile("plan.xlsx", SEED_WORKBOOK.read_bytes()),
        },
        "plan_admin",
        302,
    ),
    (
        "record status",
        "/actions/5/update/",
        "/actions/5/update/",
        lambda: {
            "period": Quarter.current().slug,
            "delivery_status": "in_progress",
            "rag": "amber",
            "commentary": "Slipped a quarter.",
            "based_on": Action.objects.get(number=5).current_update_id,
        },
        "plan_admin",
        302,
    ),
    (
        "change password",
        "/accounts/password_change/",
        "/accounts/password_change/",
        {
            "old_password": "test-password-1",
            "new_password1": "a-new-long-pass-93",
            "new_password2": "a-new-long-pass-93",
        },
        "manager",
        302,
    ),
    ("close a period", "/reports/2022-23-q4/close/", "/reports/2022-23-q4/close/", {}, "plan_admin", 302),
    (
        "record an indicator value",
        "/indicators/council-scope-3-emissions/record/",
        "/indicators/council-scope-3-emissions/record/",
        {"period": "2022-23", "value": "1200", "note": ""},
        "plan_admin",
        302,
    ),
    (
        "indicator values upload",
        "/indicators/imports/upload/",
        "/indicators/imports/upload/",
        lambda: {"file": SimpleUploadedFile("values.csv", b"Indicator,2021/22\ncouncil-scope-3-emissions,900\n")},
        "plan_admin",
        302,
    ),
    ("create an API token", "/accounts/api-tokens/", "/accounts/api-tokens/", {}, "manager", 200),
]


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize(("name", "page", "action", "data", "who", "answer"), FORMS, ids=[f[0] for f in FORMS])
def test_every_form_rejects_a_missing_csrf_token(name, page, action, data, who, answer, request, seeded_plan):
    request.getfixturevalue("manager")
    request.getfixturevalue("plan_admin")
    client = Client(enforce_csrf_checks=True)
    if who:
        client.force_login(request.getfixturevalue(who))
    html = client.get(page).content.decode()
    fresh = data if callable(data) else lambda: data  # an upload is read once per post
    assert f'action="{action}"' in html or (page == action and "<form" in html)

    refused = client.post(action, fresh())
    assert refused.status_code == 403
    assert "script-src 'self'" in refused["Content-Security-Policy"]
    assert "CSRF" in refused.content.decode() or "permission" in refused.content.decode()

    accepted = client.post(action, {**fresh(), "csrfmiddlewaretoken": _csrf_token(html)})
    assert accepted.status_code == answer


def test_a_locked_out_account_cannot_sign_in_and_is_told_why(client, manager):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "manager", "password": "wrong"})
    assert response.status_code in {200, 429}

    response = client.post(reverse("login"), {"username": "manager", "password": "test-password-1"})
    html = response.content.decode()
    assert response.status_code == 429
    assert "You cannot sign in at the moment" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert f"try again in {settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in html
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_failures_below_the_limit_do_not_lock_the_account(client, manager):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(reverse("login"), {"username": "manager", "password": "wrong"}).status_code == 200
    response = client.post(reverse("login"), {"username": "manager", "password": "test-password-1"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(manager.pk)


def test_the_lock_out_ends_after_the_cool_off(client, manager, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "manager", "password": "wrong"})
    assert client.post(reverse("login"), {"username": "manager", "password": "test-password-1"}).status_code == 429

    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    response = client.post(reverse("login"), {"username": "manager", "password": "test-password-1"})
    assert response.status_code == 302


def test_the_lock_out_is_per_account(client, manager, officer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "manager", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "officer", "password": "test-password-1"})
    assert response.status_code == 302


def test_the_client_address_behind_a_proxy_is_the_one_the_proxy_saw(rf, settings):
    from ccesplan.client_ip import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "10.0.0.2"
    settings.CCES_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"


def test_the_accessibility_statement_is_public_and_complete(client):
    response = client.get("/accessibility/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    for heading in [
        "How accessible this service is",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Compliance status",
        "Preparation of this accessibility statement",
    ]:
        assert heading in html
    assert 'href="/accessibility/">Accessibility statement</a>' in client.get("/accounts/login/").content.decode()


def test_hsts_is_sent_over_https_only_when_its_setting_is_on(settings):
    assert "Strict-Transport-Security" not in Client().get("/accessibility/", secure=True)
    settings.SECURE_HSTS_SECONDS = 31_536_000
    response = Client().get("/accessibility/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
