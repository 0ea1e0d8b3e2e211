"""Closing a period while officers record a status for it, with real concurrent connections (one thread,
one database connection each), through the full stack: an officer's update is either saved before the
close (and then it is in the snapshot, or, with review on, it stops the close) or refused with the
"period closed" message. Never saved after the snapshot without being in it, never a 500 or a deadlock.
Run on SQLite and on PostgreSQL (DATABASE_URL)."""

import html
import io
import re
import time
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook

from actions.imports import apply as apply_module
from actions.imports.apply import apply_import
from actions.imports.reading import read_plan_file
from actions.imports.rows import target_headings
from actions.models import ReportingPeriod, ReportSnapshot, ReviewState, StatusUpdate
from actions.services import review_updates
from actions.views import StatusUpdateView
from reports.closing import close_period
from targets.models import Target
from tests.factories import (
    HEADER,
    make_action,
    make_targets,
    make_update,
    make_user,
    plan_row,
    run_concurrently,
    workbook_bytes,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TODAY = date(2023, 5, 10)  # 2023/24 Q1: the form offers it and the four quarters before
OFFICERS = 3
# (seconds before the plan admin closes, seconds before the officers post), one period per round, in
# order, since closing a period freezes the earlier ones. The first round lets the close win, the second
# the officers; the others interleave them.
ROUNDS = [
    ("2022-23-q1", 0.0, 0.5),
    ("2022-23-q2", 1.5, 0.0),
    ("2022-23-q3", 0.1, 0.0),
    ("2022-23-q4", 0.35, 0.0),
    ("2023-24-q1", 0.0, 0.0),
]
CLOSED_MESSAGE = "is closed, so nothing can be recorded for it."


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(StatusUpdateView, "today", TODAY)


@pytest.fixture
def slow_close(monkeypatch):
    """Widen the gap between closing's lock and its snapshot, where an unlocked write would slip in."""
    import reports.closing

    original = reports.closing.build_report

    def slow_build_report(*args, **kwargs):
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(reports.closing, "build_report", slow_build_report)


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def later(delay, call):
    def run():
        time.sleep(delay)
        return call()

    return run


def actions_sheet_text(snapshot) -> str:
    sheet = load_workbook(io.BytesIO(bytes(snapshot.workbook)), read_only=True)["Actions"]
    return " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell)


@pytest.mark.parametrize("review", [False, True], ids=["review off", "review on"])
def test_closing_against_officers_recording_never_loses_or_sneaks_in_an_update(
    settings, slow_write, slow_close, plan_admin, manager, review
):
    settings.CCES_REVIEW_UPDATES = review
    targets = make_targets(1)
    officers, actions = [], []
    for n in range(OFFICERS):
        officer = make_user(f"officer{n}", role="Officer")
        action = make_action(n + 1, targets=targets)
        make_update(action, "2021-22-q4", rag="green", commentary="Started")
        action.leads.add(officer)
        officers.append(signed_in(officer))
        actions.append(action)
    closer = signed_in(plan_admin)
    outcomes_seen = set()

    for slug, close_after, post_after in ROUNDS:
        ReportingPeriod.objects.for_slug(slug)
        words = [f"Round {slug}, action {action.number}" for action in actions]

        def post(client, action, commentary, slug=slug):
            action.refresh_from_db()
            data = {
                "period": slug,
                "delivery_status": "in_progress",
                "rag": "amber",
                "commentary": commentary,
                "based_on": action.current_update_id,
            }
            return lambda: client.post(f"/actions/{action.number}/update/", data)

        calls = [later(close_after, lambda slug=slug: closer.post(f"/reports/{slug}/close/"))]
        calls += [
            later(post_after, post(client, action, text))
            for client, action, text in zip(officers, actions, words, strict=True)
        ]
        closing, *posts = run_concurrently(*calls, timeout=60)

        for response in (closing, *posts):
            assert not isinstance(response, Exception), f"{slug}: a request failed: {response!r}"
            assert response.status_code in (200, 302), f"{slug}: {response.status_code}"
        saved = [text for text, response in zip(words, posts, strict=True) if response.status_code == 302]
        for response in posts:
            if response.status_code == 200:
                assert CLOSED_MESSAGE in text_of(response), f"{slug}: refused without saying the period is closed"
        recorded = set(StatusUpdate.objects.filter(period_id=slug).values_list("commentary", flat=True))
        assert recorded == set(saved), f"{slug}: saved {recorded}, but the officers were told {saved}"
        period = ReportingPeriod.objects.get(slug=slug)
        closed = closing["Location"] == f"/reports/{slug}/"

        if not review:
            assert closed, f"{slug}: nothing awaited review, yet the close was refused"
        if closed:
            snapshot = ReportSnapshot.objects.get(period=period)
            sheet = actions_sheet_text(snapshot)
            assert all(text in sheet for text in saved), f"{slug}: saved before the close, but not in its snapshot"
            count = len(saved)
            recorded_line = (
                f"{count} status update{'s' if count != 1 else ''} recorded for this period"
                if count
                else f"No status updates were recorded for {period.label}"
            )
            assert recorded_line in snapshot.body_html, f"{slug}: the snapshot does not count what was saved"
            assert not review or not saved  # with review on, a saved update awaits review and stops the close
        else:
            # Refused because the officers' updates got in first and await review; they are all saved.
            assert review and len(saved) == OFFICERS
            assert re.search(r"was not closed\. .* awaits? review", text_of(closer.get(closing["Location"])))
            waiting = StatusUpdate.objects.filter(period_id=slug, review_state=ReviewState.SUBMITTED)
            review_updates(updates=list(waiting), decision=ReviewState.APPROVED, reviewer=manager)
            snapshot = close_period(period=period, by=plan_admin)
            assert all(text in actions_sheet_text(snapshot) for text in saved)
        outcomes_seen.add("all saved" if len(saved) == OFFICERS else "some refused" if saved else "all refused")

    assert "all refused" in outcomes_seen and "all saved" in outcomes_seen, outcomes_seen


def test_an_import_confirmed_while_its_period_closes_is_in_the_closes_snapshot(monkeypatch, plan_admin):
    """The confirm locks the period's row as it checks that the period is open, so a close begun after that
    check waits for the import and its snapshot holds the imported positions."""
    targets = make_targets()
    for number in (1, 2):
        make_update(make_action(number, targets=targets[:1]), "2022-23-q4", commentary="Started")
    period = ReportingPeriod.objects.for_slug("2023-24-q1")
    rows = [HEADER, *(plan_row(n, rag="Amber", commentary=f"Imported during the close, action {n}") for n in (1, 2))]
    parsed = read_plan_file(workbook_bytes(rows), "q1.xlsx", target_headings(Target.objects.all()))
    assert parsed.ok, parsed.problems
    checked = apply_module.closed_period_problem

    def check_then_pause(*args, **kwargs):  # widen the gap between the check and the import's writes
        problem = checked(*args, **kwargs)
        time.sleep(0.5)
        return problem

    monkeypatch.setattr(apply_module, "closed_period_problem", check_then_pause)
    imported, snapshot = run_concurrently(
        lambda: apply_import(parsed, period, user=plan_admin),
        later(0.2, lambda: close_period(period=period, by=plan_admin)),
        timeout=60,
    )
    assert not isinstance(imported, Exception), repr(imported)
    assert not isinstance(snapshot, Exception), repr(snapshot)
    sheet = actions_sheet_text(snapshot)
    assert "Imported during the close, action 1" in sheet and "Imported during the close, action 2" in sheet
