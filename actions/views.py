from datetime import date

from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from actions import exports
from actions.definition_history import definition_history
from actions.filters import ActionFilter
from actions.forms import StatusForm
from actions.list_export import ListExport
from actions.models import RAG, Action, ActionMilestone, PeriodClosed, ReportingPeriod, StatusSource
from actions.models.status import delivery_status_label
from actions.periods import Quarter
from actions.permissions import (
    EDIT_ANY_ACTION,
    REVIEW_UPDATES,
    ActionEditorRequiredMixin,
    PlanReaderRequiredMixin,
    StatusRecorderRequiredMixin,
    records_own_actions_only,
)
from actions.services import StatusConflict, record_status
from actions.tables import ActionTable, configure, problems_form
from downloads.models import PreparedDownload
from downloads.views import is_too_large, offer, prepare


class HomeView(PlanReaderRequiredMixin, View):
    """Each role's landing page: officers their own actions, everyone else the whole plan's list."""

    def get(self, request, *args, **kwargs):
        return redirect("actions:mine" if records_own_actions_only(request.user) else "actions:list")


class ActionDetailView(PlanReaderRequiredMixin, DetailView):
    """One action: its wording, targets, leads, merges, and every recorded position, newest first."""

    template_name = "actions/action_detail.html"
    slug_field = "number"
    slug_url_kwarg = "number"

    def get_queryset(self):
        return Action.objects.visible_to(self.request.user).with_details()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = self.object.status_updates.with_details().newest_first()
        context["can_record_status"] = Action.objects.editable_by(self.request.user).filter(pk=self.object.pk).exists()
        context["can_review"] = self.request.user.has_perm(REVIEW_UPDATES)
        today = timezone.localdate()
        context["milestones"] = [
            {"title": m.title, "due": m.due, "done": m.done, "late": m.is_late(today)}
            for m in self.object.milestones.all()
        ]
        plan_admin = self.request.user.has_perm(EDIT_ANY_ACTION)
        context["definition_history"] = definition_history(self.object) if plan_admin else None
        # Words the source left uncertain are marked for plan admins only: to everyone else they are the plan's.
        phrases = self.object.phrases_to_check if plan_admin else []
        context["wording_phrases"] = phrases
        context["wording_not_in_text"] = [phrase for phrase in phrases if phrase not in self.object.text]
        return context


class MyActionsView(StatusRecorderRequiredMixin, ListView):
    """An officer's landing page: the actions they lead, those still awaiting this period's update first."""

    template_name = "actions/my_actions.html"
    context_object_name = "actions"
    today = None  # tests fix the date

    def get_queryset(self):
        return Action.objects.led_by(self.request.user).with_current_status().in_plan_order()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = Quarter.current(self.today)  # no row needed (or created) just to read
        awaiting = set(Action.objects.led_by(self.request.user).awaiting_update(period).values_list("pk", flat=True))
        context["period"] = period
        context["awaiting"] = [action for action in context["actions"] if action.pk in awaiting]
        context["up_to_date"] = [action for action in context["actions"] if action.pk not in awaiting]
        context["returned"] = [
            action for action in context["actions"] if action.current_update and action.current_update.returned
        ]
        today = self.today or timezone.localdate()
        context["late_milestones"] = list(
            ActionMilestone.objects.late(today)
            .filter(action__in=Action.objects.led_by(self.request.user))
            .select_related("action")
            .order_by("action__number", "due", "pk")
        )
        return context


class StatusUpdateView(ActionEditorRequiredMixin, FormView):
    """Record an action's status for a reporting period, refusing to save over an update made meanwhile."""

    template_name = "actions/statusupdate_form.html"
    form_class = StatusForm
    today = None  # tests fix the date

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "action": self.action, "today": self.today}

    def get_initial(self):
        return StatusForm.initial_for(self.action, self.today)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "action": self.action}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            update = record_status(
                action=self.action,
                period=ReportingPeriod.objects.for_slug(data["period"]),
                delivery_status=data["delivery_status"],
                rag=data["rag"],
                commentary=data["commentary"],
                recorded_by=self.request.user,
                source=StatusSource.WEB,
                expected_current=form.based_on_update,
            )
        except StatusConflict as conflict:
            return self.render_conflict(form, conflict)
        except PeriodClosed as closed:  # closed between the form's check and the write
            form.add_error("period", str(closed))
            return self.form_invalid(form)
        if update.awaiting_review:
            saved = (
                f"Status recorded for action {self.action.number} and sent for review. "
                "Reports and the public site will count it once a manager approves it."
            )
        else:
            saved = f"Status recorded for action {self.action.number}."
        messages.success(self.request, format_html("{} {}", saved, self.next_awaiting_note()))
        return redirect("actions:detail", number=self.action.number)

    def next_awaiting_note(self) -> str:
        """A link on to the next action awaiting an update, in My actions' order (the plan's, after this one,
        then from the top), or that none is left."""
        period = Quarter.current(self.today)
        awaiting = list(
            Action.objects.led_by(self.request.user)
            .awaiting_update(period)
            .exclude(pk=self.action.pk)
            .in_plan_order()
            .only("pk", "number", "text")
        )
        if not awaiting:
            if not Action.objects.led_by(self.request.user).exists():
                return ""
            return format_html(
                'None of your actions is awaiting an update for {}. <a class="govuk-notification-banner__link" '
                'href="{}">Back to my actions</a>.',
                period.label,
                reverse("actions:mine"),
            )
        following = next((action for action in awaiting if action.number > self.action.number), awaiting[0])
        return format_html(
            'Next awaiting an update for {}: <a class="govuk-notification-banner__link" href="{}">record status '
            'for action {}<span class="govuk-visually-hidden">, {}</span></a> ({} left).',
            period.label,
            reverse("actions:update", kwargs={"number": following.number}),
            following.number,
            following.summary,
            len(awaiting),
        )

    def render_conflict(self, form, conflict):
        """Their update and the officer's side by side; "save mine anyway" re-posts it based on theirs."""
        data = form.cleaned_data
        resubmit = self.get_form_class()(
            data={**data, "based_on": conflict.current.pk if conflict.current else ""},
            action=self.action,
            today=self.today,
        )
        mine = {
            "period": dict(form.fields["period"].choices)[data["period"]],
            "rag": data["rag"],
            "rag_label": RAG(data["rag"]).label,
            "delivery_status_label": delivery_status_label(data["delivery_status"]),
            "commentary": data["commentary"],
        }
        context = self.get_context_data(form=form, theirs=conflict.current, mine=mine, resubmit=resubmit)
        return self.response_class(
            request=self.request,
            template=["actions/statusupdate_conflict.html"],
            context=context,
            using=self.template_engine,
            status=409,
        )


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
            selected_filters=filterset.selected(self.request.GET),
            table=table,
            rag_counts=self.rag_links(counts, chosen),
            # Said above the counts: they ignore the RAG filter, so they count colours the list leaves out.
            rag_shown=" and ".join(RAG(code).label.lower() for code in RAG.values if code in chosen),
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
    """The list's rows (every page of them, in the list's order) as CSV or as the council's workbook. A workbook
    of more actions than a request can write in a few seconds is offered to the background worker instead."""

    format = "csv"

    def get(self, request, *args, **kwargs):
        export = self.get_export()
        if export.problems:
            return self.refuse(export)
        if self.format == "xlsx" and is_too_large(rows := export.count()):
            return offer(
                request,
                rows=rows,
                what="action list workbook",
                back_href=f"{reverse('actions:list')}?{request.GET.urlencode()}",
                back_text="Go back to the action list",
            )
        sheet = export.sheet()
        if self.format == "xlsx":
            response = HttpResponse(exports.xlsx_bytes(sheet), content_type=exports.XLSX_CONTENT_TYPE)
        else:
            # Every query has run by now (plan_sheet reads eagerly); the CSV is written as it is sent.
            response = StreamingHttpResponse(exports.csv_chunks(sheet), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{export.file_name(self.format)}"'
        return response

    def post(self, request, *args, **kwargs):
        """Asks the background worker for the workbook (the offer page's button)."""
        if self.format != "xlsx":
            return HttpResponseNotAllowed(["GET"])
        export = self.get_export()
        if export.problems:
            return self.refuse(export)
        return prepare(
            request,
            kind=PreparedDownload.Kind.ACTIONS,
            query=request.GET.urlencode(),
            file_name=export.file_name("xlsx"),
            rows=export.count(),
        )

    def get_export(self) -> ListExport:
        return ListExport(self.request.GET, today=self.get_today())

    def refuse(self, export: ListExport):
        return render(
            self.request,
            "actions/export_refused.html",
            {"problems": problems_form(export.problems), "list_query": self.request.GET.urlencode()},
            status=400,
        )
