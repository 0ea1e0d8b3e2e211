"""The site's URLs plus the baselines benchmarks/outputs.py compares against, so both go through the same
middleware and session. Used only by the benchmarks (ROOT_URLCONF is switched in their process)."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.views.generic import ListView

from ccesplan.urls import urlpatterns as site

BARE_TEMPLATE = """<!DOCTYPE html><html lang="en"><head><title>Actions</title></head><body><table>
<thead><tr><th>No.</th><th>Action</th><th>Targets</th><th>Delivery status</th><th>RAG</th><th>Target date</th>
<th>Last updated</th></tr></thead>
<tbody>
{% for action in object_list %}<tr><td>{{ action.number }}</td>
<td><a href="{% url 'actions:detail' action.number %}">{{ action.summary }}</a></td>
<td>{% for link in action.target_links.all %}{{ link.target.number }}{% if not forloop.last %}, {% endif %}
{% endfor %}</td><td>{{ action.position_delivery_status }}</td>
<td><strong class="govuk-tag app-rag--{{ action.position_rag }}">{{ action.position_rag }}</strong></td>
<td>{{ action.target_date_text }}</td><td>{{ action.position_period_id }}</td></tr>
{% endfor %}</tbody></table></body></html>"""


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
