"""How much the API's actions endpoint costs against a plain JsonResponse of the same rows.

    make bench                        (or: .venv/bin/python -m benchmarks.api [--actions N])

Builds a synthetic plan (5,000 actions, 8 quarters of history, the latest published) in a throwaway SQLite
database, then requests, in turns, through the whole stack (django.test.Client: every middleware, the
session, the throttle's cache) a page of 100 actions:

- /api/v1/actions/?per_page=100&page=3 (Django REST framework: the list page's filters, serializers,
  pagination), and
- a hand-written view returning a JsonResponse of the same 100 rows with the same fields, built from the
  same querysets (positions, targets, service, portfolio holder, partners),

once as an anonymous client (published positions) and once signed in (current positions), and prints the
min and median of each and their ratio. Target: under 2x. Nothing is asserted: a measurement, not a test.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = 30
PER_PAGE, PAGE = 100, 3
QUARTERS = 8


def setup_django(database: Path):
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["CCES_API_ANON_PER_MINUTE"] = str(10**9)  # measured, not throttled (the throttle still runs)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ccesplan.test_settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()


def build_plan(actions: int, out):
    from django.core.management import call_command
    from django.utils import timezone

    from actions import roles
    from actions.models import PeriodEvent, ReportingPeriod, StatusUpdate
    from tests.factories import make_synthetic_plan, make_user

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("loaddata", "fixtures/targets.json", verbosity=0)
    make_synthetic_plan(actions, quarters=QUARTERS, first="2021-22-q1")
    StatusUpdate.objects.update(review_state="approved")
    admin = make_user("bench-admin", role=roles.PLAN_ADMIN)
    # Published: the latest quarter closed (without its snapshot, which this benchmark does not read).
    latest = ReportingPeriod.objects.order_by("-slug").first()
    ReportingPeriod.objects.filter(pk=latest.pk).update(closed_at=timezone.now(), closed_by=admin)
    PeriodEvent.objects.create(period=latest, kind="closed", by=admin)
    out.write(f"Built {actions:,} actions x {QUARTERS} quarters in {time.perf_counter() - started:.1f} s\n")
    return make_user("bench-manager", role=roles.MANAGER)


def plain_view(request):
    """The same page of rows as a JsonResponse, written by hand."""
    from django.core.paginator import Paginator
    from django.http import JsonResponse

    from actions.models import Action
    from public import published

    actions = Action.objects.with_target_links().select_related("service", "portfolio_holder", "merged_into")
    if request.user.is_authenticated:
        actions = actions.with_position().order_by("number")
    else:
        actions = actions.published(published.latest_published())
    page = Paginator(actions.prefetch_related("partners"), PER_PAGE).page(int(request.GET["page"]))
    rows = [
        {
            "number": a.number,
            "summary": a.summary,
            "text": a.text,
            "targets": [link.target.number for link in a.target_links.all()],
            "target_date": a.target_date_text,
            "target_year": a.target_year,
            "rag": a.position_rag,
            "delivery_status": a.position_delivery_status,
            "position_period": a.position_period_id,
            "merged_into": a.merged_into.number if a.merged_into else None,
            "service": a.service.name if a.service else None,
            "portfolio_holder": a.portfolio_holder.name if a.portfolio_holder else None,
            "partners": [p.name for p in a.partners.all()],
        }
        for a in page.object_list
    ]
    return JsonResponse({"count": page.paginator.count, "next": None, "previous": None, "results": rows})


def urlpatterns_with_plain():
    from django.urls import path

    from ccesplan.urls import urlpatterns

    return [path("plain/actions/", plain_view), *urlpatterns]


urlpatterns = []  # filled in main(): this module is the benchmark's URLconf


def timed(client, path):
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}: {response.content[:300]!r}")
    return response, elapsed


def main(argv=None, out=sys.stdout):
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder) / "bench.sqlite3")
        from django.conf import settings
        from django.core.cache import cache
        from django.test import Client

        urlpatterns.extend(urlpatterns_with_plain())
        settings.ROOT_URLCONF = __name__ if __name__ != "__main__" else "benchmarks.api"
        if __name__ == "__main__":
            sys.modules["benchmarks.api"] = sys.modules["__main__"]
        user = build_plan(args.actions, out)
        api_path = f"/api/v1/actions/?per_page={PER_PAGE}&page={PAGE}"
        plain_path = f"/plain/actions/?page={PAGE}"
        for label in ("anonymous (published positions)", "signed in (current positions)"):
            client = Client()
            if label.startswith("signed in"):
                client.force_login(user)
            cache.clear()
            api_rows, _ = timed(client, api_path)
            plain_rows, _ = timed(client, plain_path)
            if api_rows.json()["results"] != plain_rows.json()["results"]:
                raise SystemExit("The API and the plain view returned different rows.")
            api_times, plain_times = [], []
            for _ in range(args.rounds):  # in turns, so both see the same machine load
                api_times.append(timed(client, api_path)[1])
                plain_times.append(timed(client, plain_path)[1])
            api_ms, plain_ms = statistics.median(api_times) * 1000, statistics.median(plain_times) * 1000
            out.write(
                f"API actions, page of {PER_PAGE} of {args.actions:,}, {label}:\n"
                f"  /api/v1/actions/   min {min(api_times) * 1000:6.1f} ms, median {api_ms:6.1f} ms "
                f"({args.rounds} rounds)\n"
                f"  plain JsonResponse min {min(plain_times) * 1000:6.1f} ms, median {plain_ms:6.1f} ms\n"
                f"  ratio (medians)    {api_ms / plain_ms:6.2f}x (target: under 2x)\n"
            )


if __name__ == "__main__":
    main()
