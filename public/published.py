"""What is published: the one place that answers it, for the public site and anything built on it
(open data downloads, an API). No HTTP here.

A period is published while it is closed (closing publishes it; reopening takes it off until it closes
again). What the public sees of a published period is approved updates only, for that period or earlier:

- `published_periods()`: the published periods, newest first, each with `closed_at` (when it was
  published).
- `latest_published()`: the newest of them, or None; the public site shows the plan as of this one.
- `published_positions(period)`: every action with its published position at the period's end, annotated
  `position_rag`, `position_delivery_status`, `position_period_id`, `position_update_id`.
- `published_history(period)`: the approved status updates for the period or earlier (filter it by action).
- `published_report(period)`: the report snapshot stored when the period closed.
- `last_changed()`: when what is published last changed (a period closed or reopened), for caching.

Officers' names are never part of it; `names_published()` says whether the council lets the public site
show lead officers (CCES_PUBLIC_SHOW_NAMES).
"""

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db.models import Max

from actions.models import Action, ActionTarget, PeriodEvent, ReportingPeriod, ReportSnapshot, StatusUpdate
from reports.quarterly import RagSplit


def published_periods():
    return ReportingPeriod.objects.published()


def latest_published() -> ReportingPeriod | None:
    return published_periods().first()


def is_published(period: ReportingPeriod) -> bool:
    return period.is_closed


def published_positions(period: ReportingPeriod):
    return Action.objects.published(period)


def published_history(period: ReportingPeriod):
    return StatusUpdate.objects.published(as_of=period).select_related("period").newest_first()


def published_report(period: ReportingPeriod) -> ReportSnapshot | None:
    if not is_published(period):
        return None
    return period.snapshots.newest_first().first()


def last_changed() -> datetime | None:
    return PeriodEvent.objects.aggregate(last=Max("at"))["last"]


def names_published() -> bool:
    return settings.CCES_PUBLIC_SHOW_NAMES


def rag_by_target(period: ReportingPeriod, targets) -> tuple[RagSplit, list[tuple[object, RagSplit]]]:
    """The whole plan's and each target's RAG split of published positions at `period`'s end. Two queries."""
    rags = dict(published_positions(period).values_list("pk", "position_rag"))
    serving = defaultdict(list)
    for action_id, target_id in ActionTarget.objects.values_list("action_id", "target_id"):
        serving[target_id].append(action_id)
    by_target = [(target, RagSplit.of(rags[pk] for pk in serving[target.pk] if pk in rags)) for target in targets]
    return RagSplit.of(rags.values()), by_target
