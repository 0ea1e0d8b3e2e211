"""The site's URLs plus the baselines benchmarks/outputs.py compares against, so both go through the same
middleware and session. Used only by the benchmarks (ROOT_URLCONF is switched in their process)."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.views.generic import ListView

from benchmarks.list_page import BARE_TEMPLATE as LIST_PAGE_TABLE
from ccesplan.urls import urlpatterns as site

# The same bare table as benchmarks/list_page.py's baseline, as a whole page.
BARE_TEMPLATE = (
    '<!DOCTYPE html><html lang="en"><head><title>Actions</title></head><body>' + LIST_PAGE_TABLE + "</body></html>"
)


class BareListView(ListView):
    """The default /actions/ page's rows (the first 100, by number) as one would list them by hand."""

    paginate_by = 100

    def get_queryset(self):
        from actions.models import Action

        return Action.objects.with_position().with_target_links().order_by("number")

    def render_to_response(self, context, **kwargs):
        template = engines["django"].from_string(BARE_TEMPLATE)
        return HttpResponse(template.render(context, self.request))


urlpatterns = [path("bench/bare-list/", BareListView.as_view()), *site]
