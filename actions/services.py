"""Writes that touch several rows: recording a status and keeping the current copy true."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from actions.models import Action, ReportingPeriod, StatusUpdate

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


def latest_of(updates: Iterable[StatusUpdate]) -> StatusUpdate | None:
    return max(updates, key=StatusUpdate.sort_key, default=None)


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
    action's current update is no longer that one. The check and the write
    happen under the action's row lock (SELECT ... FOR UPDATE on PostgreSQL;
    on SQLite the IMMEDIATE transaction already holds the write lock), so two
    writers based on the same update cannot both succeed.
    """
    locked = Action.objects.select_for_update().get(pk=action.pk)
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
    )
    update.full_clean()
    update.save()
    if current is None or update.sort_key() > current.sort_key():
        locked.set_current(update)
        locked.save(update_fields=Action.CURRENT_FIELDS)
        action.set_current(update)
    return update


def refresh_current_status(actions: Iterable[Action]) -> None:
    """Recompute each action's current status from its history (after history was removed)."""
    actions = list(actions)
    history: dict[int, list[StatusUpdate]] = {action.pk: [] for action in actions}
    for update in StatusUpdate.objects.filter(action__in=actions):
        history[update.action_id].append(update)
    for action in actions:
        action.set_current(latest_of(history[action.pk]))
    # One UPDATE with subqueries: bulk_update's CASE per row takes seconds for thousands of actions.
    Action.objects.filter(pk__in=list(history)).recompute_current()
