"""The read-only API: what anonymous, token and session users see, its filters, errors, throttling and tokens."""

from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken

from actions.models import ReportingPeriod
from reports.closing import close_period
from targets.models import Target
from tests.factories import make_action, make_indicator, make_synthetic_plan, make_targets, make_update, make_user

pytestmark = pytest.mark.django_db

CLOSED, NEXT = "2023-24-q1", "2023-24-q2"
APPROVED_WORDS = "Heat pumps installed in four schools"
DRAFT_WORDS = "Unreviewed draft: supplier dispute"


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()  # the anonymous throttle counts in the cache
    yield
    cache.clear()


@pytest.fixture
def plan(officer, plan_admin):
    targets = make_targets(7)
    heat = make_action(7, text="Install heat pumps in schools", targets=[targets[0], targets[2]])
    heat.leads.add(officer)
    make_action(8, text="Plant trees", targets=[targets[1]], created_at=datetime(2023, 4, 1, tzinfo=UTC))
    make_update(heat, CLOSED, rag="green", commentary=APPROVED_WORDS)
    close_period(period=ReportingPeriod.objects.get(slug=CLOSED), by=plan_admin)
    # After publishing, an officer's update awaits review: internal users see it, the public does not.
    make_update(heat, NEXT, rag="red", delivery_status="not_started", commentary=DRAFT_WORDS, recorded_by=officer)
    return heat


@pytest.fixture
def token(manager):
    _, token = AuthToken.objects.create(user=manager)
    return token


def get(client, path, **headers):
    response = client.get(path, **headers)
    assert response["Content-Type"].split(";")[0].endswith("json"), (path, response.status_code, response.content)
    return response


def test_anonymous_clients_see_the_published_plan_only(client, plan):
    response = get(client, "/api/v1/actions/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    heat = body["results"][0]
    assert heat["number"] == 7
    assert (heat["rag"], heat["position_period"], heat["targets"]) == ("green", CLOSED, [1, 3])
    detail = get(client, "/api/v1/actions/7/").json()
    assert [update["commentary"] for update in detail["history"]] == [APPROVED_WORDS]
    assert DRAFT_WORDS not in get(client, "/api/v1/actions/7/").content.decode()
    assert [period["slug"] for period in get(client, "/api/v1/periods/").json()] == [CLOSED]
    assert get(client, f"/api/v1/reports/{NEXT}/").status_code == 404
    report = get(client, f"/api/v1/reports/{CLOSED}/").json()
    assert report["rag"] == {"green": 1, "amber": 0, "red": 0, "none": 1}
    assert report["targets"][0] == {"number": 1, "rag": {"green": 1, "amber": 0, "red": 0, "none": 0}}


def test_session_and_token_users_see_what_the_plan_pages_show(client, plan, manager, token):
    for headers in ({"HTTP_AUTHORIZATION": f"Token {token}"}, {}):
        if not headers:
            client.force_login(manager)
        heat = get(client, "/api/v1/actions/7/", **headers).json()
        assert (heat["rag"], heat["delivery_status"], heat["position_period"]) == ("red", "not_started", NEXT)
        assert [(u["commentary"], u["review_state"]) for u in heat["history"]] == [
            (DRAFT_WORDS, "submitted"),
            (APPROVED_WORDS, "approved"),
        ]
        assert {p["slug"] for p in get(client, "/api/v1/periods/", **headers).json()} == {CLOSED, NEXT}
        # The report's figures are from approved updates, as the quarterly report counts them.
        report = get(client, f"/api/v1/reports/{NEXT}/", **headers).json()
        assert report["rag"]["green"] == 1


def test_an_account_without_a_role_sees_what_the_public_sees(client, plan):
    nobody = make_user("nobody")
    _, token = AuthToken.objects.create(user=nobody)
    heat = get(client, "/api/v1/actions/7/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert heat["rag"] == "green"
    assert DRAFT_WORDS not in str(heat)


def test_before_anything_is_published_anonymous_clients_get_empty_lists_and_404s(client, officer):
    make_targets(7)
    make_action(1, text="Draft action")
    assert get(client, "/api/v1/actions/").json()["count"] == 0
    assert get(client, "/api/v1/periods/").json() == []
    assert get(client, "/api/v1/indicators/").json() == []
    assert get(client, "/api/v1/actions/1/").status_code == 404
    assert len(get(client, "/api/v1/targets/").json()) == 7


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/api/v1/actions/?rag=purple", 400, "‘purple’ is not a RAG colour"),
        ("/api/v1/actions/?target=99", 400, "There is no target ‘99’"),
        ("/api/v1/actions/?period=2099-00-q9", 400, "is not a reporting period"),
        ("/api/v1/actions/?page=²", 404, "Invalid page"),
        ("/api/v1/actions/?page=99", 404, "Invalid page"),
        ("/api/v1/actions/?per_page=²", 400, "per_page: ‘²’ is not a whole number from 1 to 500"),
        ("/api/v1/actions/?per_page=1000", 400, "per_page: ‘1000’ is not a whole number from 1 to 500"),
        ("/api/v1/actions/?per_page=0", 400, "is not a whole number"),
        ("/api/v1/actions/99/", 404, "There is no action 99"),
        ("/api/v1/targets/99/", 404, "No Target matches"),
        ("/api/v1/reports/nonsense/", 404, "There is no published reporting period ‘nonsense’"),
        ("/api/v1/nowhere/", 404, "There is no API endpoint at /api/v1/nowhere/"),
        ("/api/v2/actions/", 404, "There is no API endpoint"),
        ("/api/v1/targets/a%0Ab/", 404, "There is no API endpoint"),  # found by the fuzz: a newline in the path
    ],
)
def test_errors_are_json_with_a_clear_message(client, plan, path, status, words):
    response = get(client, path)
    assert response.status_code == status
    assert words in response.content.decode("unicode_escape" if "\\u" in response.content.decode() else "utf-8")


def test_writes_bad_tokens_and_refused_filters_answer_json(client, plan):
    assert get(client, "/api/v1/actions/", HTTP_AUTHORIZATION="Token cces_nonsense").status_code == 401
    response = client.post("/api/v1/actions/", {}, content_type="application/json")
    assert response.status_code in (403, 405)
    assert "detail" in response.json()
    refused = get(client, "/api/v1/actions/?rag=purple&target=1").json()
    assert refused["problems"] == ["RAG: ‘purple’ is not a RAG colour: choose red, amber or green"]


def test_anonymous_clients_are_throttled_with_retry_after_and_token_users_are_not(client, plan, settings, token):
    settings.CCES_API_ANON_PER_MINUTE = 3
    for _ in range(3):
        assert get(client, "/api/v1/targets/").status_code == 200
    refused = get(client, "/api/v1/targets/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower()
    assert get(client, "/api/v1/targets/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def test_a_user_creates_a_token_sees_it_once_and_revokes_it(client, manager):
    make_targets(7)
    client.force_login(manager)
    page = client.get("/accounts/api-tokens/")
    assert page.status_code == 200
    assert "You have no API tokens." in page.content.decode()
    created = client.post("/accounts/api-tokens/")
    assert created.status_code == 200
    token = created.context["new_token"]
    assert token.startswith("cces_") and token in created.content.decode()
    stored = AuthToken.objects.get(user=manager)
    assert token not in (stored.digest, stored.token_key) and len(stored.digest) == 128  # SHA-512, not the token
    assert token not in client.get("/accounts/api-tokens/").content.decode()  # shown once
    client.logout()
    assert get(client, "/api/v1/periods/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    client.force_login(manager)
    revoked = client.post(f"/accounts/api-tokens/{stored.token_key}/revoke/", follow=True)
    assert revoked.status_code == 200 and "is revoked" in revoked.content.decode()
    client.logout()
    assert get(client, "/api/v1/periods/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401


def test_a_user_cannot_revoke_another_users_token(client, manager, officer):
    other, _ = AuthToken.objects.create(user=officer)
    client.force_login(manager)
    response = client.post(f"/accounts/api-tokens/{other.token_key}/revoke/", follow=True)
    assert "not one of yours" in response.content.decode()
    assert AuthToken.objects.filter(user=officer).count() == 1
    assert client.get("/accounts/api-tokens/").status_code == 200
    client.logout()
    assert client.get("/accounts/api-tokens/").status_code == 302  # sign in first


FILTERS = [
    "",
    "rag=red",
    "rag=amber&rag=green",
    "target=1",
    "target=3&target=5",
    "status=not_recorded",
    "status=in_progress&rag=green",
    "overdue=on",
    "stale=on",
    "q=energy",
    "rag=green&target=2&overdue=on",
    "period=2022-23-q4&rag=amber",
]


@pytest.mark.parametrize("query", FILTERS)
def test_filters_mean_what_they_mean_on_the_action_list(client, seeded_plan, manager, query):
    client.force_login(manager)
    page = client.get(f"/actions/?{query}")
    assert page.status_code == 200
    expected = sorted(page.context["filter"].qs.values_list("number", flat=True))
    api = get(client, f"/api/v1/actions/?{query}&per_page=500").json()
    assert [action["number"] for action in api["results"]] == expected
    assert api["count"] == len(expected)


def test_indicators_as_published_for_anonymous_clients_and_all_values_for_the_plans_users(client, plan, manager):
    targets = list(plan.targets.all())
    make_indicator("emissions", targets=targets[:1], values=[("2019/20", 100), ("2020/21", 90)])
    anonymous = get(client, "/api/v1/indicators/").json()
    assert anonymous[0]["values"] == []  # recorded after the quarter was published
    client.force_login(manager)
    internal = get(client, "/api/v1/indicators/").json()
    assert [(v["period"], v["value"]) for v in internal[0]["values"]] == [("2019-20", 100.0), ("2020-21", 90.0)]
    assert internal[0]["targets"] == [1]


def test_the_schema_is_openapi_3_and_the_docs_load_nothing_from_another_site(client, plan):
    schema = get(client, "/api/v1/schema/").json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/actions/", "/api/v1/actions/{number}/", "/api/v1/reports/{period}/"} <= set(schema["paths"])
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "http" not in html.replace("http-equiv", "")  # no CDN
    assert client.get("/api/v1/docs/?script=").status_code == 200


def queries_for(client, path, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, **headers).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/actions/", "/api/v1/actions/1/", f"/api/v1/reports/{CLOSED}/", "/api/v1/targets/", "/api/v1/indicators/"],
)
@pytest.mark.parametrize("who", ["anonymous", "token"])
def test_query_counts_do_not_grow_with_the_plan(client, plan_admin, manager, path, who):
    headers = {}
    if who == "token":
        headers = {"HTTP_AUTHORIZATION": f"Token {AuthToken.objects.create(user=manager)[1]}"}
    make_synthetic_plan(5, quarters=3, first="2022-23-q4")
    make_indicator("emissions", targets=Target.objects.filter(number=1), values=[("2019/20", 100)])
    close_period(period=ReportingPeriod.objects.get(slug=CLOSED), by=plan_admin)
    small = queries_for(client, path, **headers)
    make_synthetic_plan(40, quarters=3, first="2022-23-q4")
    make_indicator("waste", targets=Target.objects.filter(number=2), values=[("2019/20", 5)])
    cache.clear()
    assert queries_for(client, path, **headers) == small


ENDPOINTS = [
    "/api/v1/",
    "/api/v1/targets/",
    "/api/v1/targets/1/",
    "/api/v1/actions/",
    "/api/v1/actions/7/",
    "/api/v1/periods/",
    "/api/v1/reports/",
    f"/api/v1/reports/{CLOSED}/",
    "/api/v1/indicators/",
    "/api/v1/schema/",
]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("who", ["anonymous", "token", "session"])
def test_every_endpoint_answers_each_kind_of_user(client, plan, manager, path, who):
    make_indicator("emissions", targets=Target.objects.filter(number=1))
    headers = {}
    if who == "token":
        headers = {"HTTP_AUTHORIZATION": f"Token {AuthToken.objects.create(user=manager)[1]}"}
    elif who == "session":
        client.force_login(manager)
    response = get(client, path, **headers)
    assert response.status_code == 200
    assert response.json()
