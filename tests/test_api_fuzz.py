"""The API fuzzed against its own OpenAPI schema (schemathesis): for every operation, generated requests,
valid and not, as an anonymous client and as a token user, get no 500 and a response the schema describes
(status code, content type, headers and body)."""

import io

import pytest
import schemathesis
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from knox.models import AuthToken
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from actions.models import ReportingPeriod, StatusUpdate
from ccesplan.wsgi import application
from targets.models import Target
from tests.factories import make_indicator

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db, settings, plan_admin):
    settings.CCES_API_ANON_PER_MINUTE = 100_000  # fuzzing, not throttling (tested in test_api)
    settings.ALLOWED_HOSTS = ["localhost"]  # schemathesis calls the WSGI app as localhost
    cache.clear()
    call_command("seed_plan", stdout=io.StringIO())
    StatusUpdate.objects.update(review_state="approved")
    from reports.closing import close_period

    close_period(period=ReportingPeriod.objects.get(slug="2022-23-q4"), by=plan_admin)
    make_indicator("emissions", targets=Target.objects.filter(number=1), values=[("2019/20", 100), ("2020/21", 90)])
    # As Django's test client does: a request's end must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def fuzz(schema, *, max_examples: int, headers: dict | None = None) -> list[str]:
    """Each operation's generated cases, called and checked; the operations fuzzed."""
    fuzzed = []
    for result in schema.get_all_operations():
        operation = result.ok()
        valid_and_not = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)

        @given(case=valid_and_not)
        @settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case):
            case.call_and_validate(checks=CHECKS, headers=headers)

        call()
        fuzzed.append(operation.label)
    return fuzzed


def test_anonymous_requests_match_the_schema(api_schema):
    fuzzed = fuzz(api_schema, max_examples=100)
    assert "GET /api/v1/actions/" in fuzzed and len(fuzzed) >= 8


def test_token_requests_match_the_schema(api_schema, manager):
    token = AuthToken.objects.create(user=manager)[1]
    fuzz(api_schema, max_examples=40, headers={"Authorization": f"Token {token}"})
