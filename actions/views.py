from django.contrib import messages
from django.shortcuts import redirect
from django.views.generic import DetailView, FormView, ListView

from actions.forms import StatusForm
from actions.models import RAG, Action, ReportingPeriod, StatusSource
from actions.models.status import delivery_status_label
from actions.periods import Quarter
from actions.permissions import (
    ActionEditorRequiredMixin,
    PlanReaderRequiredMixin,
    StatusRecorderRequiredMixin,
    records_own_actions_only,
)
from actions.services import StatusConflict, record_status


class PlanOverviewView(PlanReaderRequiredMixin, ListView):
    """The whole plan at a glance: every action with its current RAG. Officers land on "My actions" instead."""

    template_name = "actions/plan_overview.html"
    context_object_name = "actions"

    def get(self, request, *args, **kwargs):
        if records_own_actions_only(request.user):
            return redirect("actions:mine")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Action.objects.visible_to(self.request.user).with_current_status().in_plan_order()

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
        return Action.objects.visible_to(self.request.user).with_details()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = self.object.status_updates.with_details().newest_first()
        context["can_record_status"] = Action.objects.editable_by(self.request.user).filter(pk=self.object.pk).exists()
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
            record_status(
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
        messages.success(self.request, f"Status recorded for action {self.action.number}.")
        return redirect("actions:detail", number=self.action.number)

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
