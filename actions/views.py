from datetime import date

from django.http import HttpResponse
from django.shortcuts import render
from django.views.generic import DetailView, ListView, TemplateView, View

from actions import exports
from actions.filters import ActionFilter
from actions.models import RAG, Action
from actions.permissions import PlanReaderRequiredMixin
from actions.tables import ActionTable, configure, problems_form, sort


class PlanOverviewView(PlanReaderRequiredMixin, ListView):
    """The whole plan at a glance: every action with its current RAG."""

    template_name = "actions/plan_overview.html"
    context_object_name = "actions"

    def get_queryset(self):
        return Action.objects.with_current_status().in_plan_order()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = Action.objects.rag_counts()
        context["rag_counts"] = [(RAG(code), count) for code, count in counts.items()]
        return context


class ActionDetailView(PlanReaderRequiredMixin, DetailView):
    """One action: its wording, targets, leads, merges, and every recorded position, newest first."""

    template_name = "actions/action_detail.html"
    slug_field = "number"
    slug_url_kwarg = "number"

    def get_queryset(self):
        return Action.objects.with_details()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = self.object.status_updates.with_details().newest_first()
        return context


class FilteredActionsMixin:
    """The action list's filters, read from the query string (shared by the list and its exports)."""

    def get_today(self) -> date | None:
        return None  # the filters default to today

    def get_filterset(self) -> ActionFilter:
        return ActionFilter(self.request.GET, queryset=Action.objects.with_target_links(), today=self.get_today())


class ActionListView(PlanReaderRequiredMixin, FilteredActionsMixin, TemplateView):
    """Every action, narrowed by RAG, target, status, overdue, stale, words and period, sorted and paged."""

    template_name = "actions/action_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.get_filterset()
        table = ActionTable(filterset.qs)
        # Counts by RAG for the other filters; the chosen colours' counts add up to the list's length,
        # which saves the paginator counting it again.
        counts = filterset.filtered(ignoring=("rag",)).rag_counts(include_none=True)
        chosen = set(filterset.form.cleaned_data.get("rag") or ())
        total = sum(count for rag, count in counts.items() if rag in chosen or not chosen)
        for problem in configure(table, self.request.GET, count=total):
            filterset.form.add_error(None, problem)
        counts.pop("")
        context.update(
            filter=filterset,
            table=table,
            rag_counts=self.rag_links(counts, chosen),
            query_string=self.query_without("page", "per_page"),
        )
        return context

    def rag_links(self, counts: dict[str, int], chosen: set[str]) -> list[dict]:
        """Each colour's count, linking to the list narrowed to that colour."""
        links = []
        for code, count in counts.items():
            query = self.request.GET.copy()
            for name in ("rag", "page"):
                query.pop(name, None)
            query["rag"] = code
            links.append({"rag": RAG(code), "count": count, "href": f"?{query.urlencode()}", "chosen": code in chosen})
        return links

    def query_without(self, *names) -> str:
        query = self.request.GET.copy()
        for name in names:
            query.pop(name, None)
        return query.urlencode()


class ActionExportView(PlanReaderRequiredMixin, FilteredActionsMixin, View):
    """The list's rows (every page of them, in the list's order) as CSV or as the council's workbook."""

    format = "csv"

    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset()
        table = ActionTable(filterset.qs)
        problems = [*filterset.problems, *sort(table, request.GET)]
        if problems:
            # An export that quietly dropped a filter would not be the list the user asked for.
            return render(
                request,
                "actions/export_refused.html",
                {"problems": problems_form(problems), "list_query": request.GET.urlencode()},
                status=400,
            )
        today = self.get_today() or date.today()
        position = (
            f"Each action's position as it stood at the end of {filterset.chosen_period_label}."
            if filterset.chosen_period
            else f"Each action's latest position on {today.day} {today:%B %Y}."
        )
        notes = [
            "Climate Change and Environment Strategy action plan: actions exported from the tracker.",
            position,
            *(f"Filter: {description}" for description in filterset.describe()),
        ]
        sheet = exports.plan_sheet(table.data.data, exports.plan_targets(), notes=notes)
        name = exports.file_name(period=filterset.chosen_period, today=today)
        if self.format == "xlsx":
            content, content_type = exports.xlsx_bytes(sheet), exports.XLSX_CONTENT_TYPE
        else:
            content, content_type = exports.csv_text(sheet), "text/csv; charset=utf-8"
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}.{self.format}"'
        return response
