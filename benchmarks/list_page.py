"""How much the action list costs against a bare page showing the same rows.

    make bench                        (or: .venv/bin/python -m benchmarks.list_page)

Builds a synthetic plan (5,000 actions, 20 quarters of history: 100,000 status updates) in a
throwaway SQLite database, then renders, in turns, for the same filtered query (50 rows):

- the real list page (ActionListView: filter form, RAG counts, django-tables2 table, pagination,
  the site's layout), and
- a minimal hand-written ListView with a bare template rendering the same 50 rows,

and prints the median time of each and their ratio. The target is a ratio under 2. Nothing is
asserted: this is a measurement, not a test.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ACTIONS = 5000
QUARTERS = 20
ROUNDS = 40
QUERIES = {
    "current position": "?rag=red&rag=amber&target=2&sort=rag&per_page=50&page=2",
    "as a past period ended": "?rag=red&rag=amber&target=2&period=2022-23-q4&per_page=50&page=2",
}

BARE_TEMPLATE = """<table>
<thead><tr><th>No.</th><th>Action</th><th>Targets</th><th>Delivery status</th><th>RAG</th><th>Target date</th>
<th>Last updated</th></tr></thead>
<tbody>
{% for action in object_list %}<tr><td>{{ action.number }}</td>
<td><a href="{% url 'actions:detail' action.number %}">{{ action.summary }}</a></td>
<td>{% for link in action.target_links.all %}{{ link.target.number }}{% if not forloop.last %}, {% endif %}
{% endfor %}</td><td>{{ action.position_delivery_status }}</td>
<td><strong class="govuk-tag app-rag--{{ action.position_rag }}">{{ action.position_rag }}</strong></td>
<td>{{ action.target_date_text }}</td><td>{{ action.position_period_id }}</td></tr>
{% endfor %}</tbody></table>"""


def setup_django(database: Path):
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccesplan.test_settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()


def build_plan(out):
    from django.core.management import call_command

    from actions import roles
    from tests.factories import make_synthetic_plan, make_user

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("loaddata", "fixtures/targets.json", verbosity=0)
    make_synthetic_plan(ACTIONS, quarters=QUARTERS, first="2018-19-q1")
    out.write(f"Built {ACTIONS:,} actions x {QUARTERS} quarters in {time.perf_counter() - started:.1f} s\n")
    return make_user("bench-manager", role=roles.MANAGER)


def bare_view():
    """A ListView as one would write it by hand for these rows: the same filter, 50 to a page."""
    from django.db.models import Q
    from django.http import HttpResponse
    from django.template import engines
    from django.views.generic import ListView

    from actions.models import Action, ActionTarget

    template = engines["django"].from_string(BARE_TEMPLATE)

    class BareListView(ListView):
        paginate_by = 50

        def get_queryset(self):
            get = self.request.GET
            queryset = Action.objects.with_position(get.get("period") or None).with_target_links()
            queryset = queryset.filter(position_rag__in=get.getlist("rag"))
            serving = ActionTarget.objects.filter(target__number__in=get.getlist("target")).values("action_id")
            queryset = queryset.filter(Q(pk__in=serving))
            if get.get("sort") == "rag":
                return queryset.with_rag_severity().order_by("rag_severity", "number")
            return queryset.order_by("number")

        def get_template_names(self):
            return []

        def render_to_response(self, context, **kwargs):
            response = HttpResponse(template.render(context, self.request))
            response.rows = context["object_list"]  # for the check that both pages show the same rows
            return response

    return BareListView.as_view()


def measure(view, request_for, rounds):
    timings = []
    for _ in range(rounds):
        request = request_for()
        started = time.perf_counter()
        response = view(request)
        if hasattr(response, "render"):
            response.render()
        timings.append(time.perf_counter() - started)
    return response, timings


def main(out=sys.stdout):
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder) / "bench.sqlite3")
        from django.test import RequestFactory

        from actions.views import ActionListView

        user = build_plan(out)
        factory = RequestFactory()
        real, bare = ActionListView.as_view(), bare_view()
        for label, query in QUERIES.items():

            def request_for(query=query):
                request = factory.get(f"/actions/{query}")
                request.user = user
                return request

            # Warm up both (template loading, permission cache), and check they show the same rows.
            real_response, _ = measure(real, request_for, 3)
            bare_response, _ = measure(bare, request_for, 3)
            real_rows = [row.record.number for row in real_response.context_data["table"].paginated_rows]
            bare_rows = [action.number for action in bare_response.rows]
            if real_rows != bare_rows or len(real_rows) != 50:
                raise SystemExit(f"The pages show different rows ({len(real_rows)} and {len(bare_rows)}).")
            real_times, bare_times = [], []
            for _ in range(ROUNDS):  # in turns, so both see the same machine load
                real_times += measure(real, request_for, 1)[1]
                bare_times += measure(bare, request_for, 1)[1]
            real_ms, bare_ms = statistics.median(real_times) * 1000, statistics.median(bare_times) * 1000
            out.write(
                f"{label} ({query}):\n"
                f"  real list page  {real_ms:7.1f} ms (median of {ROUNDS})\n"
                f"  bare ListView   {bare_ms:7.1f} ms\n"
                f"  ratio           {real_ms / bare_ms:7.2f}x (target: under 2x)\n"
            )


if __name__ == "__main__":
    main()
