from django.views.generic import DetailView, ListView

from actions.models import RAG, Action
from actions.permissions import PlanReaderRequiredMixin


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
