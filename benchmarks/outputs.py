"""The whole-plan outputs as a signed-in user gets them, each against a baseline doing only the essential work.

    make bench                                            # 5,000 actions, then the 20,000-action limits check
    .venv/bin/python benchmarks/outputs.py --actions 5000 --rounds 7
    .venv/bin/python benchmarks/outputs.py --actions 20000 --limits   # each output once, time and peak memory

Builds a scratch database of DATABASE_URL's kind (SQLite file by default; PostgreSQL if DATABASE_URL names one)
holding a synthetic plan: `--actions` actions, `--quarters` quarters of status each, every action with a
service, a lead, a funding line, and every other one a partner and a milestone. Every request goes through
Django's test client with the real settings' middleware and a real signed-in session (a manager), in
interleaved rounds, so a busy moment slows both sides of a ratio alike. Prints min/median and each ratio:

- the default /actions/ page (100 rows)     vs a bare ListView of the same rows, same stack   (target 2x)
- /actions/export.xlsx (every action)       vs openpyxl write-only writing the same cells and fills (1.5x)
- /actions/export.csv                       vs csv.writer over the same values_list queries     (3x)
- /reports/<latest>/                        vs the default /actions/ page                       (5x)
- /reports/<latest>/export.xlsx             vs openpyxl write-only writing the same cells       (2x)

With `--limits`, each output instead runs once in a fresh process of its own (a worker's view): its time
(target: under 5 s) and the process's peak resident memory (VmHWM; target: under 150 MiB). A workbook of more
actions than CCES_WORKBOOK_ACTIONS_IN_REQUEST is offered to the background worker, so its request is the
offer page; the worker's task building each workbook is then timed, and its memory checked, in a process of
its own.
Nothing is asserted; this is a measurement.
"""

import argparse
import gc
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIMIT_SECONDS = 5.0
LIMIT_MIB = 150


def setup_django(url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "ccesplan.test_settings"  # the real settings, plain HTTP
    os.environ["DATABASE_URL"] = url
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.test.utils import override_settings

    override_settings(ROOT_URLCONF="benchmarks.bench_urls").enable()


def build_plan(actions: int, quarters: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from actions import roles
    from actions.models import Action, ActionFunding, ActionMilestone, Partner, Service
    from tests.factories import make_synthetic_plan, make_user

    call_command("migrate", verbosity=0)
    call_command("loaddata", "fixtures/targets.json", verbosity=0)
    make_synthetic_plan(actions, quarters=quarters, first="2021-22-q1")
    place = Service.objects.create(name="Place")
    services = [place, *(Service.objects.create(name=f"Service {n}", parent=place) for n in range(3))]
    partners = [Partner.objects.create(name=f"Partner {n}") for n in range(5)]
    officers = [make_user(f"officer{n}", role=roles.OFFICER, first_name="Officer", last_name=str(n)) for n in range(20)]
    make_user("bench-manager", role=roles.MANAGER)
    pks = list(Action.objects.order_by("number").values_list("pk", flat=True))
    for index, service in enumerate(services):
        Action.objects.filter(pk__in=pks[index :: len(services)]).update(service=service)
    Action.leads.through.objects.bulk_create(
        [Action.leads.through(action_id=pk, user_id=officers[i % 20].pk) for i, pk in enumerate(pks)], batch_size=2000
    )
    Action.partners.through.objects.bulk_create(
        [Action.partners.through(action_id=pk, partner_id=partners[i % 5].pk) for i, pk in enumerate(pks[::2])],
        batch_size=2000,
    )
    ActionFunding.objects.bulk_create(
        [
            ActionFunding(action_id=pk, amount=1000 + i, source="Salix", state="secured", financial_year="2024/25")
            for i, pk in enumerate(pks)
        ],
        batch_size=2000,
    )
    from datetime import date

    ActionMilestone.objects.bulk_create(
        [ActionMilestone(action_id=pk, title=f"Milestone {i}", due=date(2022, 3, 31)) for i, pk in enumerate(pks[::2])],
        batch_size=2000,
    )
    assert get_user_model().objects.filter(username="bench-manager").exists()


def signed_in_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-manager"))
    return client


def latest_period() -> str:
    from actions.models import ReportingPeriod

    return ReportingPeriod.objects.order_by("-slug").values_list("slug", flat=True).first()


def fetch(client, url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    response = client.get(url)
    content = response.getvalue()  # a streamed response is timed until its last byte
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code, content[:500])
    return elapsed, content


# --- baselines: the essential work only ---------------------------------------------------------------


def cells_and_fills(content: bytes) -> list[tuple[str, list[list], dict]]:
    """Each sheet of a workbook as (title, rows of values, {(row, column): fill colour})."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content))
    sheets = []
    for sheet in workbook.worksheets:
        rows, fills = [], {}
        for row in sheet.iter_rows():
            rows.append([cell.value for cell in row])
            for cell in row:
                if cell.fill is not None and cell.fill.fill_type == "solid":
                    fills[(cell.row, cell.column)] = cell.fill.fgColor.rgb
        sheets.append((sheet.title, rows, fills))
    return sheets


def write_only_baseline(sheets) -> float:
    """openpyxl's write-only mode writing the same cells, with the same fills (each made once)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import PatternFill

    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    made = {}
    for title, rows, fills in sheets:
        sheet = workbook.create_sheet(title)
        for row_index, values in enumerate(rows, start=1):
            out = []
            for column, value in enumerate(values, start=1):
                colour = fills.get((row_index, column))
                if colour is None:
                    out.append(value)
                    continue
                cell = WriteOnlyCell(sheet, value=value)
                cell.fill = made.setdefault(colour, PatternFill("solid", fgColor=colour))
                out.append(cell)
            sheet.append(out)
    workbook.save(io.BytesIO())
    return time.perf_counter() - started


def export_queries(client, url: str, count: int = 7) -> list[str]:
    """The SQL that reads the export's rows, captured from one request: the last `count` queries it runs (the
    actions with their position, then each many-valued part), with their parameters in place."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fetch(client, url)
    queries = [query["sql"] for query in captured.captured_queries][-count:]
    assert '"actions_action"' in queries[0], queries[0][:200]
    return queries


def csv_baseline(queries: list[str]) -> float:
    """csv.writer over the same values_list queries the export runs, every row they return written as it comes:
    the reading and writing a CSV of these rows cannot avoid, with nothing of the app's between (no middleware,
    no joining parts to their actions, no formatting or neutralising cells)."""
    import csv

    from django.db import connection

    started = time.perf_counter()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    with connection.cursor() as cursor:
        for sql in queries:
            cursor.execute(sql)
            writer.writerows(cursor.fetchall())
    buffer.getvalue().encode()
    return time.perf_counter() - started


# --- the two modes --------------------------------------------------------------------------------------


def summary(times: list[float]) -> str:
    return f"min {min(times) * 1000:7.0f} ms, median {statistics.median(times) * 1000:7.0f} ms"


def ratio_line(label: str, real: list[float], base: list[float], target: float) -> str:
    ratio = min(real) / min(base)
    median_ratio = statistics.median(real) / statistics.median(base)
    verdict = "within target" if ratio <= target else "OVER TARGET"
    return f"  {label}: {ratio:.2f}x (min), {median_ratio:.2f}x (median); target {target}x: {verdict}\n"


def ratios(args, out) -> None:
    client = signed_in_client()
    period = latest_period()
    urls = {
        "list": "/actions/",
        "bare": "/bench/bare-list/",
        "xlsx": "/actions/export.xlsx",
        "csv": "/actions/export.csv",
        "report": f"/reports/{period}/",
        "report_xlsx": f"/reports/{period}/export.xlsx",
    }
    sizes = {}
    for name, url in urls.items():  # warm up: templates, permission caches
        sizes[name] = len(fetch(client, url)[1])
    export_cells = cells_and_fills(fetch(client, urls["xlsx"])[1])
    report_cells = cells_and_fills(fetch(client, urls["report_xlsx"])[1])
    csv_queries = export_queries(client, urls["csv"])
    # The captured cells are the benchmark's own, not a worker's: kept out of the garbage collector's view, so
    # its full collections during a request cost what they would in a worker rather than walking them too.
    gc.freeze()
    times = {name: [] for name in [*urls, "write_only", "report_write_only", "csv_writer"]}
    for _ in range(args.rounds):
        for name, url in urls.items():
            times[name].append(fetch(client, url)[0])
        times["write_only"].append(write_only_baseline(export_cells))
        times["report_write_only"].append(write_only_baseline(report_cells))
        times["csv_writer"].append(csv_baseline(csv_queries))
    out.write(f"{args.rounds} interleaved rounds, through every middleware with a signed-in manager:\n")
    labels = {
        "list": "/actions/ (default page)",
        "bare": "bare ListView, same rows",
        "xlsx": "/actions/export.xlsx",
        "write_only": "openpyxl write-only, same cells",
        "csv": "/actions/export.csv",
        "csv_writer": "csv.writer over its values_lists",
        "report": f"/reports/{period}/",
        "report_xlsx": f"/reports/{period}/export.xlsx",
        "report_write_only": "openpyxl write-only, same cells",
    }
    for name, label in labels.items():
        size = f", {sizes[name] / 1024:,.0f} KB" if name in sizes else ""
        out.write(f"  {label:36} {summary(times[name])}{size}\n")
    out.write("Ratios:\n")
    out.write(ratio_line("/actions/ vs bare ListView", times["list"], times["bare"], 2))
    out.write(ratio_line("actions XLSX vs write-only", times["xlsx"], times["write_only"], 1.5))
    out.write(ratio_line("actions CSV vs csv.writer", times["csv"], times["csv_writer"], 3))
    out.write(ratio_line("report page vs /actions/", times["report"], times["list"], 5))
    out.write(ratio_line("report XLSX vs write-only", times["report_xlsx"], times["report_write_only"], 2))


def one_request(url: str) -> None:
    """In a fresh process: one signed-in request; prints its time and the process's peak memory as JSON."""
    client = signed_in_client()
    elapsed, content = fetch(client, url)
    print(json.dumps({"seconds": elapsed, "peak_mib": peak_memory_kib() / 1024, "bytes": len(content)}))


def one_build(kind: str) -> None:
    """In a fresh process: the background worker's task building a prepared download of `kind` for the manager,
    run as the worker runs it; prints its time and the process's peak memory as JSON."""
    from django.contrib.auth import get_user_model

    from downloads.models import PreparedDownload
    from downloads.tasks import prepare_download

    query = latest_period() if kind == PreparedDownload.Kind.REPORT else ""
    download = PreparedDownload.objects.create(
        requested_by=get_user_model().objects.get(username="bench-manager"),
        kind=kind,
        query=query,
        file_name=f"bench.{kind}",
        rows_total=0,
    )
    started = time.perf_counter()
    state = prepare_download.call(download.pk)
    elapsed = time.perf_counter() - started
    assert state == "ready", state
    size = len(PreparedDownload.objects.get(pk=download.pk).content)
    print(json.dumps({"seconds": elapsed, "peak_mib": peak_memory_kib() / 1024, "bytes": size}))


def peak_memory_kib() -> int:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over an exec from the
    parent (here, the one holding the plan it built)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def in_fresh_process(env: dict, *arguments: str) -> dict | str:
    """This script run again with `arguments` (--one URL or --build KIND): the figures it printed as JSON, or
    the end of its error output if it failed."""
    result = subprocess.run(  # noqa: S603 - this script
        [sys.executable, __file__, *arguments],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if result.returncode != 0:
        return result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def figures_line(label: str, figures: dict, verdict: str) -> str:
    return (
        f"  {label:36} {figures['seconds'] * 1000:7.0f} ms, peak {figures['peak_mib']:5.0f} MiB, "
        f"{figures['bytes'] / 1024:,.0f} KB  {verdict}\n"
    )


def limits(args, url_of_database: str, out) -> None:
    period = latest_period()
    # Django, the app and a signed-in session with nothing rendered: what every worker holds anyway.
    urls = ["/accounts/login/", "/actions/", "/actions/export.xlsx", "/actions/export.csv"]
    urls += [f"/reports/{period}/", f"/reports/{period}/export.xlsx"]
    out.write(f"Each request once, in a fresh process (limits: {LIMIT_SECONDS:.0f} s, {LIMIT_MIB} MiB peak):\n")
    env = {**os.environ, "DATABASE_URL": url_of_database}
    for url in urls:
        figures = in_fresh_process(env, "--one", url)
        if isinstance(figures, str):
            out.write(f"  {url}: failed\n{figures}\n")
            continue
        ok = figures["seconds"] < LIMIT_SECONDS and figures["peak_mib"] < LIMIT_MIB
        out.write(figures_line(url, figures, "within limits" if ok else "OVER A LIMIT"))
    # Workbooks of more than CCES_WORKBOOK_ACTIONS_IN_REQUEST actions: the request above got the page offering
    # the background worker; this is the worker's task, which holds no request (memory limit only).
    out.write("The background worker building what the requests above offered it (no request waits on it):\n")
    for kind in ("actions-xlsx", "report-xlsx"):
        figures = in_fresh_process(env, "--build", kind)
        if isinstance(figures, str):
            out.write(f"  {kind}: failed\n{figures}\n")
            continue
        ok = figures["peak_mib"] < LIMIT_MIB
        out.write(
            figures_line(f"worker: {kind}", figures, "within the memory limit" if ok else "OVER THE MEMORY LIMIT")
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=5000)
    parser.add_argument("--quarters", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--limits", action="store_true", help="each output once in its own process: time, memory")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: one request in this process
    parser.add_argument("--build", help=argparse.SUPPRESS)  # internal: one prepared download in this process
    args = parser.parse_args()
    if args.one or args.build:
        setup_django(os.environ["DATABASE_URL"])
        if args.one:
            one_request(args.one)
        else:
            one_build(args.build)
        return 0

    from benchmarks.scratch import Scratch

    scratch = Scratch(os.environ.get("DATABASE_URL"))
    try:
        setup_django(scratch.url)
        started = time.perf_counter()
        build_plan(args.actions, args.quarters)
        out = sys.stdout
        kind = "PostgreSQL" if scratch.postgres else "SQLite"
        out.write(
            f"{kind}: {args.actions:,} actions x {args.quarters} quarters built in "
            f"{time.perf_counter() - started:.0f} s\n"
        )
        out.flush()
        if args.limits:
            from django.db import connections

            connections.close_all()
            limits(args, scratch.url, out)
        else:
            ratios(args, out)
    finally:
        from django.db import connections

        connections.close_all()
        scratch.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
