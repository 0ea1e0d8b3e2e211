"""Writes that touch several rows: recording a status and keeping the current copy true."""

from collections.abc import Iterable

from django.db import transaction

from actions.models import Action, ReportingPeriod, StatusUpdate


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
) -> StatusUpdate:
    """Append a status update and, if it is now the latest, make it the action's current status."""
    update = StatusUpdate(
        action=action,
        period=period,
        delivery_status=delivery_status,
        rag=rag,
        commentary=commentary,
        recorded_by=recorded_by,
        source=source,
    )
    update.full_clean()
    update.save()
    # Lock the action row so two writers cannot both decide they hold the latest update.
    locked = Action.objects.select_for_update(of=("self",)).select_related("current_update").get(pk=action.pk)
    if locked.current_update is None or update.sort_key() > locked.current_update.sort_key():
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
