"""Closing a reporting period (freezing it and taking its report's snapshot) and reopening it. No HTTP.

Closing refuses while updates for the period, or an earlier open one, await review: the snapshot and
the public site would otherwise leave them out for good. Reopening needs a reason, and refuses while a
later period is closed, since that closure still freezes this one.
"""

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions.models import PeriodEvent, ReportingPeriod, ReportSnapshot, StatusUpdate
from reports.charts import stacked_bars
from reports.export import report_workbook_bytes
from reports.quarterly import QuarterlyReport, build_report


class ClosingRefused(Exception):
    """The period cannot be closed or reopened now; nothing changed."""


# The page lists at most this many actions under each heading; the workbook lists every one.
LIST_LIMIT = 50


def report_context(report: QuarterlyReport, *, public: bool = False) -> dict:
    """What the report's templates need besides the report: its two charts, how many actions each list shows,
    and (inside the tracker) the action list filtered to all of the overdue and the stale ones."""
    slug = report.period.slug
    listed = reverse("actions:list")
    return {
        "report": report,
        "list_limit": LIST_LIMIT,
        "list_slice": f":{LIST_LIMIT}",
        "overdue_href": "" if public else f"{listed}?overdue=on&period={slug}",
        "stale_href": "" if public else f"{listed}?stale=on&period={slug}",
        "target_chart": stacked_bars(
            "chart-targets",
            f"RAG by target at the end of {report.period.label}",
            [(f"Target {target.number}: {target.short_title}", split) for target, split in report.by_target],
        ),
        "trend_chart": stacked_bars(
            "chart-trend",
            "RAG at the end of each period on record",
            [(row.period.label, row.split) for row in report.trend],
        ),
    }


def render_report_body(report: QuarterlyReport, *, public: bool) -> str:
    """The report's content as HTML, linking to the internal pages or (public) to the public site's."""
    links = (
        {"action_link": "public:action", "report_link": ""}
        if public
        else {"action_link": "actions:detail", "report_link": "reports:quarterly"}
    )
    return render_to_string("reports/includes/report_body.html", {**report_context(report, public=public), **links})


def closing_refusal(period: ReportingPeriod) -> str | None:
    """Why `period` cannot be closed now, or None."""
    if period.is_closed:
        return f"{period.label} is already closed."
    waiting = (
        StatusUpdate.objects.awaiting_review()
        .filter(period_id__lte=period.slug)
        .exclude(period__closed_at__isnull=False)
        .count()
    )
    if waiting:
        return (
            f"{waiting} status update{'s' if waiting != 1 else ''} for {period.label} or earlier "
            f"{'await' if waiting != 1 else 'awaits'} review. Approve or return "
            f"{'them' if waiting != 1 else 'it'} first, then close the period."
        )
    return None


@transaction.atomic
def close_period(*, period: ReportingPeriod, by) -> ReportSnapshot:
    """Close `period` and store its report as it stands now: the page (internal and public) and the workbook."""
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if refusal := closing_refusal(period):
        raise ClosingRefused(refusal)
    now = timezone.now()
    period.closed_at, period.closed_by = now, by
    period.save(update_fields=["closed_at", "closed_by"])
    event = PeriodEvent.objects.create(period=period, kind=PeriodEvent.Kind.CLOSED, by=by, at=now)
    report = build_report(period)
    return ReportSnapshot.objects.create(
        period=period,
        closing=event,
        taken_at=now,
        body_html=render_report_body(report, public=False),
        public_body_html=render_report_body(report, public=True),
        workbook=report_workbook_bytes(report),  # the same sheets as the open period's, indicators included
    )


@transaction.atomic
def reopen_period(*, period: ReportingPeriod, by, reason: str) -> PeriodEvent:
    """Reopen `period` for corrections, recording who and why. Its snapshots stay at their addresses."""
    reason = reason.strip()
    if not reason:
        raise ClosingRefused("Enter why the period is being reopened")
    later = ReportingPeriod.objects.closed().filter(slug__gt=period.slug).order_by("slug").first()
    if later is not None:
        raise ClosingRefused(f"{later.label}, after {period.label}, is closed and still freezes it: reopen it first.")
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if not period.is_closed:
        raise ClosingRefused(f"{period.label} is not closed.")
    period.closed_at, period.closed_by = None, None
    period.save(update_fields=["closed_at", "closed_by"])
    return PeriodEvent.objects.create(period=period, kind=PeriodEvent.Kind.REOPENED, by=by, reason=reason)
