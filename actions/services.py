"""Writes that touch several rows: recording a status and keeping the current copy true."""

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from actions.models import (
    Action,
    ReportingPeriod,
    ReviewDecision,
    ReviewState,
    StatusSource,
    StatusUpdate,
)
from actions.permissions import REVIEW_UPDATES

# `expected_current` left out: the caller does not ask for the stale check (imports, seeding, tests).
UNCHECKED = object()


class StatusConflict(Exception):
    """Someone recorded a status after the one the writer based theirs on; nothing was saved."""

    def __init__(self, action: Action, expected: StatusUpdate | None, current: StatusUpdate | None):
        self.action = action
        self.expected = expected
        self.current = current
        super().__init__(
            f"Action {action.number}'s status changed while you were editing it: "
            f"it is now the update recorded {_describe(current)}, not the one you started from."
        )


def _describe(update: StatusUpdate | None) -> str:
    if update is None:
        return "(none)"
    who = update.recorded_by.get_full_name() or update.recorded_by.get_username() if update.recorded_by_id else None
    when = timezone.localtime(update.recorded_at)
    return f"{'by ' + who if who else 'by the system'} on {when:%d %b %Y %H:%M} for {update.period_id}"


class LockConflict(Exception):
    """A write met a deadlock or serialization failure twice in a row; it was rolled back, nothing was saved."""


# PostgreSQL's deadlock_detected and serialization_failure: the database chose this transaction to roll back.
LOCK_CONFLICT_SQLSTATES = {"40P01", "40001"}


def is_lock_conflict(error: OperationalError) -> bool:
    """A deadlock or serialization failure on PostgreSQL, or SQLite's write lock not freed within its time-out."""
    if getattr(error.__cause__, "sqlstate", None) in LOCK_CONFLICT_SQLSTATES:
        return True
    return "database is locked" in str(error)


def retry_once_on_lock_conflict(work):
    """Run `work()` (a whole transaction) and, if the database rolled it back for a lock conflict, once more.

    A deadlock rolls back the whole transaction, so running it again from the start is safe; a second
    conflict raises LockConflict for the caller to answer with a message, never a 500."""
    try:
        return work()
    except OperationalError as first:
        if not is_lock_conflict(first):
            raise
    try:
        return work()
    except OperationalError as second:
        if not is_lock_conflict(second):
            raise
        raise LockConflict(str(second)) from second


def initial_review_state(*, recorded_by, source: str) -> str:
    """Submitted for review, or approved as recorded: with review off (CCES_REVIEW_UPDATES), for imports,
    for the system (no user), and for someone who is a reviewer themselves."""
    if not settings.CCES_REVIEW_UPDATES or source == StatusSource.IMPORT or recorded_by is None:
        return ReviewState.APPROVED
    return ReviewState.APPROVED if recorded_by.has_perm(REVIEW_UPDATES) else ReviewState.SUBMITTED


@transaction.atomic
def record_status(
    *,
    action: Action,
    period: ReportingPeriod,
    delivery_status: str,
    rag: str,
    commentary: str,
    recorded_by,
    source: str,
    expected_current=UNCHECKED,
) -> StatusUpdate:
    """Append a status update and, if it is now the latest, make it the action's current status.

    With `expected_current` (the update the writer's form was based on, or None
    for an action with no status yet), refuse with StatusConflict if the
    action's current update is no longer that one; refuse with PeriodClosed if
    the period is closed. The update is submitted for review or approved as
    recorded (`initial_review_state`). The check and the write
    happen under the action's row lock (SELECT ... FOR UPDATE on PostgreSQL;
    on SQLite the IMMEDIATE transaction already holds the write lock), so two
    writers based on the same update cannot both succeed.
    """
    locked = Action.objects.select_for_update().get(pk=action.pk)
    ReportingPeriod.objects.refuse_if_closed(period, lock=True)
    # Read the current update in a statement of its own, after the lock: on PostgreSQL a join in the
    # locking query would see the row the other writer just committed as missing.
    current = None
    if locked.current_update_id:
        current = StatusUpdate.objects.select_related("recorded_by").get(pk=locked.current_update_id)
    if expected_current is not UNCHECKED:
        expected_id = getattr(expected_current, "pk", expected_current)
        if locked.current_update_id != expected_id:
            raise StatusConflict(locked, expected_current, current)
    update = StatusUpdate(
        action=locked,
        period=period,
        delivery_status=delivery_status,
        rag=rag,
        commentary=commentary,
        recorded_by=recorded_by,
        source=source,
        based_on_id=locked.current_update_id,
        review_state=initial_review_state(recorded_by=recorded_by, source=source),
    )
    update.full_clean()
    update.save()
    if current is None or update.sort_key() > current.sort_key():
        locked.set_current(update)
        locked.save_without_historical_record(update_fields=Action.CURRENT_FIELDS)  # status has its own history
        action.set_current(update)
    return update


def refresh_current_status(actions) -> None:
    """Recompute each action's current status from the history that remains (after history was removed)."""
    # One UPDATE with subqueries: bulk_update's CASE per row takes seconds for thousands of actions.
    Action.objects.filter(pk__in=[getattr(action, "pk", action) for action in actions]).recompute_current()


class ReviewRefused(Exception):
    """The update cannot be decided on (already decided, or its period is closed); nothing was saved."""


@transaction.atomic
def review_updates(*, updates, decision: str, reviewer, note: str = "") -> list[StatusUpdate]:
    """Approve, or return with a note, each of `updates` (ids or updates) awaiting review: one ReviewDecision
    each, appended to the log, and the update's review state set to match. All or nothing.

    The updates are locked in id order, then their periods (as record_status locks them), so a second
    reviewer deciding at the same moment finds them decided and is refused."""
    if decision not in (ReviewState.APPROVED, ReviewState.RETURNED):
        raise ValueError(f"Not a review decision: {decision!r}")
    note = note.strip()
    if decision == ReviewState.RETURNED and not note:
        raise ReviewRefused("Enter a note saying what the officer should change")
    ids = sorted({int(getattr(update, "pk", update)) for update in updates})
    if not ids:
        raise ReviewRefused("Select at least one update")
    locked = list(
        StatusUpdate.objects.select_for_update(of=("self",))
        .select_related("action", "period")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    found = {update.pk for update in locked}
    if missing := [pk for pk in ids if pk not in found]:
        raise ReviewRefused(f"No such status update: {', '.join(map(str, missing))}")
    decided = [update for update in locked if update.review_state != ReviewState.SUBMITTED]
    if decided:
        numbers = ", ".join(sorted({str(update.action.number) for update in decided}, key=int))
        raise ReviewRefused(
            f"Already reviewed meanwhile (action {numbers}): nothing was saved. Reload the page to see them."
        )
    from actions.models import PeriodClosed

    periods = {update.period_id: update.period for update in locked}
    try:
        for slug in sorted(periods):
            ReportingPeriod.objects.refuse_if_closed(periods[slug], lock=True)
    except PeriodClosed as closed:
        raise ReviewRefused(str(closed)) from closed
    now = timezone.now()
    for update in locked:
        review = ReviewDecision.objects.create(
            update=update, decision=decision, note=note, decided_by=reviewer, decided_at=now
        )
        update.review_state, update.latest_review = decision, review
    StatusUpdate.objects.bulk_update(locked, ["review_state", "latest_review"])
    return locked
