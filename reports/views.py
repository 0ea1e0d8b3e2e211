from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.generic import FormView, ListView, TemplateView, View

from actions.models import Action, ReportingPeriod, StatusUpdate
from actions.periods import InvalidPeriod, Quarter
from actions.permissions import CLOSE_PERIOD, PlanReaderRequiredMixin
from downloads.models import PreparedDownload
from downloads.views import is_too_large, offer, prepare
from reports.closing import ClosingRefused, close_period, closing_refusal, reopen_period, report_context
from reports.export import report_workbook_bytes
from reports.forms import ReopenForm
from reports.models import ClosingRequest
from reports.quarterly import build_report
from reports.tasks import close_in_background

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportIndexView(PlanReaderRequiredMixin, ListView):
    """The reporting periods on record, latest first, each linking to its report."""

    template_name = "reports/report_index.html"
    context_object_name = "periods"

    def get_queryset(self):
        return ReportingPeriod.objects.annotate(update_count=Count("status_updates")).order_by("-slug")


class PeriodMixin:
    """Finds the period named in the URL; a malformed or unknown one gets a 404 page that says why."""

    def dispatch(self, request, *args, **kwargs):
        slug = kwargs["period"]
        try:
            quarter = Quarter.from_slug(slug)
        except InvalidPeriod as error:
            return self.not_found(str(error))
        self.period = ReportingPeriod.objects.select_related("closed_by").filter(slug=quarter.slug).first()
        if self.period is None:
            return self.not_found(f"Nothing has been recorded for {quarter.label}, so there is no report for it.")
        return super().dispatch(request, *args, **kwargs)

    def not_found(self, reason: str):
        return TemplateResponse(self.request, "reports/period_not_found.html", {"reason": reason}, status=404)

    def get_snapshot(self):
        """The snapshot named in the URL, or else, for a closed period, the one taken when it closed."""
        snapshots = self.period.snapshots.select_related("closing__by")
        if "snapshot" in self.kwargs:
            return get_object_or_404(snapshots, pk=self.kwargs["snapshot"])
        return snapshots.newest_first().first() if self.period.is_closed else None


class QuarterlyReportView(PlanReaderRequiredMixin, PeriodMixin, TemplateView):
    """The quarterly progress report for one period, as it stood at the period's end. A closed period's
    report is the snapshot stored when it closed; each snapshot also has its own address."""

    template_name = "reports/quarterly_report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        snapshot = self.get_snapshot()
        context.update(
            period=self.period,
            previous=self.period.as_quarter.previous(),
            snapshot=snapshot,
            events=self.period.events.select_related("by"),
            snapshots=self.period.snapshots.newest_first().select_related("closing__by"),
            can_close=self.request.user.has_perm(CLOSE_PERIOD),
            closing=ClosingRequest.objects.latest_for(self.period),
        )
        if snapshot is None:
            context.update(report_context(build_report(self.period)))
        return context


class QuarterlyReportExportView(PlanReaderRequiredMixin, PeriodMixin, View):
    """The report as a workbook for a committee paper: a Summary sheet and the Actions in the council's layout.
    For a closed period (or a snapshot's address), the workbook stored with the snapshot. A plan too large for
    a request to write it in a few seconds has it built by the background worker instead."""

    def get(self, request, *args, **kwargs):
        snapshot = self.get_snapshot()
        if snapshot is not None:
            return self.workbook(bytes(snapshot.workbook))
        if is_too_large(rows := Action.objects.count()):
            return offer(
                request,
                rows=rows,
                what=f"{self.period.label} report workbook",
                back_href=reverse("reports:quarterly", args=[self.period.slug]),
                back_text=f"Go back to the {self.period.label} report",
            )
        return self.workbook(report_workbook_bytes(build_report(self.period)))

    def post(self, request, *args, **kwargs):
        """Asks the background worker for the workbook (the offer page's button)."""
        if self.get_snapshot() is not None or "snapshot" in kwargs:
            return redirect(request.path)
        return prepare(
            request,
            kind=PreparedDownload.Kind.REPORT,
            query=self.period.slug,
            file_name=self.file_name(),
            rows=Action.objects.count(),
        )

    def file_name(self) -> str:
        return f"cces-progress-report-{self.period.slug}.xlsx"

    def workbook(self, content: bytes) -> HttpResponse:
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{self.file_name()}"'
        return response


class PeriodCloserRequiredMixin(PermissionRequiredMixin):
    permission_required = CLOSE_PERIOD
    permission_denied_message = "Only plan admins can close and reopen reporting periods."


class ClosePeriodView(PeriodCloserRequiredMixin, PeriodMixin, TemplateView):
    """Confirm, then close, a period: no more updates or imports for it, and its report stored as it stands."""

    template_name = "reports/close_period.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["period"] = self.period
        context["closing"] = ClosingRequest.objects.latest_for(self.period)
        context["awaiting_review"] = StatusUpdate.objects.awaiting_review().filter(period_id__lte=self.period.slug)
        return context

    def post(self, request, *args, **kwargs):
        if is_too_large(Action.objects.count()):
            return self.close_in_background()
        try:
            close_period(period=self.period, by=request.user)
        except ClosingRefused as refusal:
            messages.error(request, f"{self.period.label} was not closed. {refusal}")
            return redirect("reports:close", period=self.period.slug)
        messages.success(
            request, f"{self.period.label} is closed and published. Its report below is the stored snapshot."
        )
        return redirect("reports:quarterly", period=self.period.slug)

    def close_in_background(self):
        """A plan too large to store its report within the request: the worker closes it, checking again."""
        if refusal := closing_refusal(self.period):
            messages.error(self.request, f"{self.period.label} was not closed. {refusal}")
            return redirect("reports:close", period=self.period.slug)
        with transaction.atomic():
            if not ClosingRequest.objects.pending().filter(period=self.period).exists():
                closing = ClosingRequest.objects.create(period=self.period, requested_by=self.request.user)
                close_in_background.enqueue(closing.pk)
        messages.info(
            self.request,
            f"{self.period.label} is being closed in the background: storing its report takes a minute or two for "
            "a plan this size. This page says when it is closed.",
        )
        return redirect("reports:quarterly", period=self.period.slug)


class ReopenPeriodView(PeriodCloserRequiredMixin, PeriodMixin, FormView):
    """Reopen a closed period for corrections, saying why; closing it again takes a new snapshot."""

    template_name = "reports/reopen_period.html"
    form_class = ReopenForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "period": self.period}

    def form_valid(self, form):
        try:
            reopen_period(period=self.period, by=self.request.user, reason=form.cleaned_data["reason"])
        except ClosingRefused as refusal:
            form.add_error(None, str(refusal))
            return self.form_invalid(form)
        messages.success(self.request, f"{self.period.label} is open again. Close it when the corrections are done.")
        return redirect("reports:quarterly", period=self.period.slug)
