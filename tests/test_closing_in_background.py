"""Closing a large plan's period: the worker stores its report, checking again, and the period's pages say how
it went (issue 18: no request over a few seconds; closing 20,000 actions took 22 s within the request)."""

import pytest
from django.core.management import call_command

from actions.models import ReportingPeriod, ReportSnapshot, StatusUpdate
from reports.models import ClosingRequest
from tests.factories import make_update

SEEDED = "2022-23-q4"
with_worker = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def large_plan(seeded_plan, settings):
    settings.CCES_WORKBOOK_ACTIONS_IN_REQUEST = 50  # the seeded plan's 56 actions count as large
    StatusUpdate.objects.update(review_state="approved")


@pytest.fixture
def as_plan_admin(client, plan_admin):
    client.force_login(plan_admin)
    return client


def run_worker():
    call_command("db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0)


def page_text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


@with_worker
def test_a_large_plans_period_is_closed_by_the_worker(as_plan_admin, large_plan):
    asked = as_plan_admin.post(f"/reports/{SEEDED}/close/")
    assert (asked.status_code, asked["Location"]) == (302, f"/reports/{SEEDED}/")
    assert not ReportingPeriod.objects.get(slug=SEEDED).is_closed
    report = page_text(as_plan_admin, f"/reports/{SEEDED}/")
    assert "2022/23 Q4 is being closed in the background." in report
    close_page = page_text(as_plan_admin, f"/reports/{SEEDED}/close/")
    assert "is already being closed in the background" in close_page
    assert "Close and publish 2022/23 Q4</button>" not in close_page

    run_worker()
    period = ReportingPeriod.objects.get(slug=SEEDED)
    assert period.is_closed
    snapshot = ReportSnapshot.objects.get(period=period)
    assert snapshot.workbook and snapshot.closing.by.username == "planadmin"
    report = page_text(as_plan_admin, f"/reports/{SEEDED}/")
    assert "This period was closed" in report
    assert "being closed in the background" not in report
    assert ClosingRequest.objects.get().state == "closed"


@with_worker
def test_the_worker_checks_again_and_says_why_it_did_not_close(as_plan_admin, large_plan, officer):
    as_plan_admin.post(f"/reports/{SEEDED}/close/")
    # Recorded after the close was asked for and before the worker took it: it awaits review.
    from actions.models import Action

    make_update(Action.objects.get(number=3), SEEDED, rag="red", commentary="Late news", recorded_by=officer)
    StatusUpdate.objects.filter(commentary="Late news").update(review_state="submitted")
    run_worker()
    assert not ReportingPeriod.objects.get(slug=SEEDED).is_closed
    assert not ReportSnapshot.objects.exists()
    report = page_text(as_plan_admin, f"/reports/{SEEDED}/")
    assert "2022/23 Q4 was not closed" in report
    assert "1 status update for 2022/23 Q4 or earlier awaits review." in report


def test_a_refusal_known_at_once_is_said_at_once_and_nothing_is_queued(as_plan_admin, large_plan):
    StatusUpdate.objects.filter(action__number=5).update(review_state="submitted")
    response = as_plan_admin.post(f"/reports/{SEEDED}/close/", follow=True)
    assert "2022/23 Q4 was not closed." in " ".join(response.content.decode().split())
    assert not ClosingRequest.objects.exists()


def test_asking_twice_closes_once(as_plan_admin, large_plan):
    from django_tasks_db.models import DBTaskResult

    as_plan_admin.post(f"/reports/{SEEDED}/close/")
    as_plan_admin.post(f"/reports/{SEEDED}/close/")
    assert ClosingRequest.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


def test_only_plan_admins_may_ask(client, manager, large_plan):
    client.force_login(manager)
    assert client.post(f"/reports/{SEEDED}/close/").status_code == 403
    assert not ClosingRequest.objects.exists()


def test_a_small_plans_period_still_closes_within_the_request(as_plan_admin, seeded_plan):
    StatusUpdate.objects.update(review_state="approved")
    as_plan_admin.post(f"/reports/{SEEDED}/close/")
    assert ReportingPeriod.objects.get(slug=SEEDED).is_closed
    assert not ClosingRequest.objects.exists()
