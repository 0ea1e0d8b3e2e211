from django.views.generic import DetailView, ListView

from actions.models import Action
from actions.permissions import PlanReaderRequiredMixin
from actions.tables import ActionTable, configure, problems_form
from targets.models import Target


class TargetListView(PlanReaderRequiredMixin, ListView):
    """The strategy's targets, each with the RAG breakdown of the actions that serve it."""

    template_name = "targets/target_list.html"
    context_object_name = "targets"

    def get_queryset(self):
        return Target.objects.in_plan_order().with_rag_counts()


class TargetDetailView(PlanReaderRequiredMixin, DetailView):
    """One target: its RAG breakdown and its actions, in the action list's table."""

    template_name = "targets/target_detail.html"
    context_object_name = "target"
    slug_field = "number"
    slug_url_kwarg = "number"

    def get_queryset(self):
        return Target.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actions = Action.objects.serving([self.object.number]).with_position().with_target_links()
        table = ActionTable(actions)
        counts = actions.rag_counts(include_none=True)
        context.update(
            table=table,
            problems=problems_form(configure(table, self.request.GET)),
            no_status=counts.pop(""),
            rag_counts=counts,
        )
        return context
