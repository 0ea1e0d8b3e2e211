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
- `published_indicator_values(period)` and `published_progress(period, target=None)`: the indicators' values the
  public sees, and each of a target's indicators' progress (baseline, goals, values, verdict) built on them.

An indicator value is published with a period when both hold:
  1. its own period (a financial year, quarter or calendar year) had ended by the published quarter's end,
     as the quarterly report counts values; and
  2. it was recorded before that quarter was closed (`recorded_at <= closed_at`). So a value, or a
     correction, recorded since waits for the next closing, the public pages match the report snapshot taken
     at closing, and `last_changed()` stays true for them (a conditional request never gets a stale 304).
Demonstration values (`make run`) are never published: they are not the council's figures.

Officers' names are never part of it; `names_published()` says whether the council lets the public site
show lead officers (CCES_PUBLIC_SHOW_NAMES).
"""

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db.models import Max, Prefetch

from actions.models import Action, ActionTarget, PeriodEvent, ReportingPeriod, ReportSnapshot, StatusUpdate
from indicators.models import Indicator, IndicatorGoal, IndicatorValue, ValueSource
from indicators.progress import Progress, progress_of
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


def published_indicator_values(period: ReportingPeriod):
    """The indicator values recorded before `period` closed, demonstration ones left out, in history order.
    `published_progress` leaves out, in Python, those whose own period ended after `period`'s end (an
    indicator's period is text whose end date depends on the indicator's frequency)."""
    if not is_published(period):
        return IndicatorValue.objects.none()
    return (
        IndicatorValue.objects.filter(recorded_at__lte=period.closed_at)
        .exclude(source=ValueSource.DEMO)
        .order_by("period", "recorded_at", "pk")
    )


def published_progress(period: ReportingPeriod, target=None) -> list[Progress]:
    """Each indicator measuring `target` (or every indicator), as published with `period`. Three queries (four
    for every indicator, with their targets) however many there are."""
    indicators = (
        Indicator.objects.serving(target) if target is not None else Indicator.objects.prefetch_related("targets")
    )
    indicators = indicators.in_order().prefetch_related(
        Prefetch("goals", queryset=IndicatorGoal.objects.order_by("period")),
        Prefetch("values", queryset=published_indicator_values(period)),
    )
    return [progress_of(indicator, until=period.end) for indicator in indicators]
