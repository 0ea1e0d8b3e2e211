"""Indicator pages: the list, one indicator with its chart, recording a value, and exports."""

from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.generic import DetailView, FormView, ListView, View

from actions.permissions import PlanReaderRequiredMixin
from indicators import exports
from indicators.charts import line_chart
from indicators.forms import ValueForm
from indicators.models import Indicator, ValueSource, plain
from indicators.permissions import IndicatorEditorRequiredMixin
from indicators.progress import VERDICT_RULE, progress_of
from indicators.services import ValueConflict, record_value


class IndicatorListView(PlanReaderRequiredMixin, ListView):
    """Every indicator with its latest value, next goal and verdict."""

    template_name = "indicators/indicator_list.html"
    context_object_name = "indicators"

    def get_queryset(self):
        return Indicator.objects.in_order().for_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [progress_of(indicator) for indicator in context["indicators"]]
        context["demo"] = any(progress.demo for progress in context["rows"])
        context["rule"] = VERDICT_RULE
        return context


class IndicatorDetailView(PlanReaderRequiredMixin, DetailView):
    """One indicator: its chart, verdict and the rule behind it, its values and their history."""

    template_name = "indicators/indicator_detail.html"
    context_object_name = "indicator"

    def get_queryset(self):
        return Indicator.objects.for_pages().prefetch_related("owners")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        progress = progress_of(self.object)
        context.update(
            progress=progress,
            chart=line_chart(f"chart-{self.object.slug}", progress),
            rule=VERDICT_RULE,
            history=sorted(progress.history, key=lambda v: (v.period, v.recorded_at, v.pk), reverse=True),
            superseded=progress.superseded_ids(),
            can_record=Indicator.objects.editable_by(self.request.user).filter(pk=self.object.pk).exists(),
        )
        return context


class ValueCreateView(IndicatorEditorRequiredMixin, FormView):
    """Record a value, refusing to save over a value recorded meanwhile (the no-lost-update rule)."""

    template_name = "indicators/value_form.html"
    form_class = ValueForm
    today: date | None = None  # tests fix the date

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "indicator": self.indicator, "today": self.today}

    def get_initial(self):
        return ValueForm.initial_for(self.indicator)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "indicator": self.indicator}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            value = record_value(
                indicator=self.indicator,
                period=data["period"],
                value=data["value"],
                provisional=data["provisional"],
                note=data["note"],
                recorded_by=self.request.user,
                source=ValueSource.WEB,
                expected_latest=form.based_on_value,
            )
        except ValueConflict as conflict:
            return self.render_conflict(form, conflict)
        corrects = f", correcting {plain(value.supersedes.value)}" if value.supersedes else ""
        messages.success(
            self.request,
            f"Recorded {plain(value.value)} {self.indicator.unit} for {value.period_label}{corrects}.",
        )
        return redirect(self.indicator)

    def render_conflict(self, form, conflict):
        """Theirs and the officer's side by side; "save mine as well" re-posts it based on theirs."""
        data = form.cleaned_data
        resubmit = self.get_form_class()(
            data={**data, "based_on": conflict.current.pk if conflict.current else ""},
            indicator=self.indicator,
            today=self.today,
        )
        mine = {**data, "period_label": dict(form.fields["period"].choices)[data["period"]]}
        context = self.get_context_data(form=form, theirs=conflict.current, mine=mine, resubmit=resubmit)
        return self.response_class(
            request=self.request,
            template=["indicators/value_conflict.html"],
            context=context,
            using=self.template_engine,
            status=409,
        )


class ValuesExportView(PlanReaderRequiredMixin, View):
    """Every indicator value ever recorded, superseded ones marked, as CSV or XLSX."""

    format = "csv"

    def get(self, request, *args, **kwargs):
        table = exports.values_table(Indicator.objects.in_order().for_pages())
        name = f"cces-indicator-values-{date.today().isoformat()}"
        if self.format == "xlsx":
            content, content_type = exports.xlsx_bytes(table), exports.XLSX_CONTENT_TYPE
        else:
            content, content_type = exports.csv_text(table), "text/csv; charset=utf-8"
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}.{self.format}"'
        return response
