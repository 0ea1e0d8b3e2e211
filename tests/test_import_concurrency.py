"""An import confirmed while officers save statuses for the same period: real concurrent connections.

On PostgreSQL this is the case that deadlocked (the confirm answered 500 in 3 rounds of 4): the import must
lock only the rows it writes, in one fixed order, and never hold the period row while officers wait on it.
On SQLite the transactions are serialised by the IMMEDIATE write lock; the test runs there too.
"""

import dataclasses
import time
from datetime import date

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from actions import roles
from actions.imports.pending import hold_upload
from actions.models import Action, ImportBatch, PendingImport, StatusUpdate
from actions.views import StatusUpdateView
from tests.factories import exported_plan_bytes, make_user, run_concurrently

TODAY = date(2026, 11, 10)  # 2026/27 Q3
PERIOD = "2026-27-q3"
OFFICERS = 6
ROUNDS = 4


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(StatusUpdateView, "today", TODAY)


def officers_with_actions():
    """Six officers, each leading its own actions among the plan's 56 (the import changes every action)."""
    numbers = list(Action.objects.order_by("number").values_list("number", flat=True))
    officers = []
    for index in range(OFFICERS):
        user = make_user(f"officer{index}", role=roles.OFFICER)
        mine = numbers[index::OFFICERS]
        for action in Action.objects.filter(number__in=mine):
            action.leads.add(user)
        officers.append((user, mine))
    return officers


def officer_saves(user, numbers, round_):
    """Sign in, open each action's form (its hidden `based_on`), post a status; the answers' codes."""

    def save():
        browser = Client()
        browser.force_login(user)
        codes = []
        for number in numbers:
            based_on = Action.objects.get(number=number).current_update_id
            response = browser.post(
                f"/actions/{number}/update/",
                {
                    "period": PERIOD,
                    "delivery_status": "in_progress",
                    "rag": "amber",
                    "commentary": f"Officer words {round_}-{number}",
                    "based_on": based_on or "",
                },
            )
            codes.append((number, response.status_code))
        return codes

    return save


def confirm(plan_admin, pending):
    def post():
        browser = Client()
        browser.force_login(plan_admin)
        started = time.monotonic()
        response = browser.post(reverse("imports:confirm", kwargs={"pk": pending.pk}))
        return response.status_code, response.get("Location"), time.monotonic() - started

    return post


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_confirm_during_officers_saves_never_deadlocks_or_loses_an_update(seeded_plan, plan_admin):
    officers = officers_with_actions()
    for round_ in range(ROUNDS):
        data = exported_plan_bytes(
            lambda row, round_=round_: dataclasses.replace(row, rag="red", commentary=f"Import {round_}")
        )
        pending = hold_upload(data=data, file_name=f"round{round_}.xlsx", period_slug=PERIOD, user=plan_admin)
        outcomes = run_concurrently(
            confirm(plan_admin, pending),
            *(officer_saves(user, numbers, round_) for user, numbers in officers),
            timeout=120,
        )
        errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
        assert not errors, f"round {round_} ({connection.vendor}): {errors!r}"
        status, location, _ = outcomes[0]
        assert (status, location) == (302, reverse("imports:history")), f"round {round_}: the confirm answered {status}"
        assert ImportBatch.objects.filter(file_name=f"round{round_}.xlsx").exists()
        for codes in outcomes[1:]:
            for number, code in codes:
                # 302 saved; 409 refused because the import changed the action after the form was read.
                assert code in (302, 409), f"round {round_}: action {number}'s save answered {code}"
                saved = StatusUpdate.objects.filter(
                    action__number=number, commentary=f"Officer words {round_}-{number}"
                ).exists()
                assert saved == (code == 302), f"round {round_}: action {number} answered {code}, saved={saved}"


class DeadlockDetected(Exception):
    """Stands in for psycopg's error: what Django's OperationalError carries as its cause on PostgreSQL."""

    sqlstate = "40P01"


def deadlocking(real, times):
    """`real`, raising a deadlock from the database on its first `times` calls."""
    calls = []

    def call(*args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            error = OperationalError("deadlock detected")
            error.__cause__ = DeadlockDetected()
            raise error
        return real(*args, **kwargs)

    return call


@pytest.mark.django_db
@pytest.mark.parametrize("times", [1, 2])
def test_a_confirm_that_meets_a_deadlock_is_retried_once_then_answers_with_a_message(
    client, seeded_plan, plan_admin, monkeypatch, times
):
    from actions.imports import views

    monkeypatch.setattr(views, "apply_import", deadlocking(views.apply_import, times))
    data = exported_plan_bytes(lambda row: dataclasses.replace(row, rag="red", commentary="Retried"))
    pending = hold_upload(data=data, file_name="busy.xlsx", period_slug=PERIOD, user=plan_admin)
    client.force_login(plan_admin)

    response = client.post(reverse("imports:confirm", kwargs={"pk": pending.pk}), follow=True)

    assert response.status_code == 200
    if times == 1:
        assert ImportBatch.objects.filter(file_name="busy.xlsx").exists()
        assert response.redirect_chain[-1][0] == reverse("imports:history")
    else:
        assert not ImportBatch.objects.filter(file_name="busy.xlsx").exists()
        assert not StatusUpdate.objects.filter(commentary="Retried").exists()
        assert "busy with other changes at that moment, twice, so nothing was imported" in response.content.decode()
        assert PendingImport.objects.filter(pk=pending.pk).exists(), "the upload waits to be confirmed again"
