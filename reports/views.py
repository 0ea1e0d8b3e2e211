import io

from django.db.models import Count
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.views.generic import ListView, TemplateView, View

from actions.models import ReportingPeriod
from actions.periods import InvalidPeriod, Quarter
from actions.permissions import PlanReaderRequiredMixin
from indicators.report import add_values_sheet
from reports.charts import stacked_bars
from reports.export import build_report_workbook
from reports.quarterly import build_report

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
        self.period = ReportingPeriod.objects.filter(slug=quarter.slug).first()
        if self.period is None:
            return self.not_found(f"Nothing has been recorded for {quarter.label}, so there is no report for it.")
        return super().dispatch(request, *args, **kwargs)

    def not_found(self, reason: str):
        return TemplateResponse(self.request, "reports/period_not_found.html", {"reason": reason}, status=404)


class QuarterlyReportView(PlanReaderRequiredMixin, PeriodMixin, TemplateView):
    """The quarterly progress report for one period, as it stood at the period's end."""

    template_name = "reports/quarterly_report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = build_report(self.period)
        context["report"] = report
        context["target_chart"] = stacked_bars(
            "chart-targets",
            f"RAG by target at the end of {report.period.label}",
            [(f"Target {target.number}: {target.short_title}", split) for target, split in report.by_target],
        )
        context["trend_chart"] = stacked_bars(
            "chart-trend",
            "RAG at the end of each period on record",
            [(row.period.label, row.split) for row in report.trend],
        )
        return context


class QuarterlyReportExportView(PlanReaderRequiredMixin, PeriodMixin, View):
    """The report as a workbook for a committee paper: a Summary sheet and the Actions in the council's layout."""

    def get(self, request, *args, **kwargs):
        buffer = io.BytesIO()
        workbook = build_report_workbook(build_report(self.period))
        add_values_sheet(workbook, self.period)
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="cces-progress-report-{self.period.slug}.xlsx"'
        return response
