"""How long an end-to-end import of a 5,000-row quarter takes, against openpyxl merely reading the file.

    make bench                       # or: .venv/bin/python benchmarks/import_speed.py [--rows 5000] [--history 4]

Builds a throwaway SQLite database (in a temporary directory; never the app's
own) holding a plan of `--rows` actions, each with `--history` quarters of
recorded status, and a quarter's workbook in the app's export layout in which
most positions changed. Then times, best of `--repeat` interleaved runs:

- baseline: openpyxl opening the same bytes in read-only mode and touching every cell's value;
- import:   read_plan_file + apply_import (parse, validate, compare, write), rolled back after each run.

Prints both and their ratio. The target is an import within 1.5x of the baseline.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.5


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--history", type=int, default=4, help="quarters of status already recorded per action")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        setup_django(Path(directory) / "bench.sqlite3")
        return run(args)


def setup_django(database: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "ccesplan.test_settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_plan(rows: int, history: int) -> str:
    """A plan of `rows` actions with `history` quarters of status each; returns the quarter to import."""
    from django.utils import timezone

    from actions.models import Action, ActionTarget, ReportingPeriod, StatusSource, StatusUpdate
    from actions.periods import Quarter
    from targets.models import Target

    targets = [Target.objects.create(number=n, title=f"Target {n}", short_title=f"T{n}") for n in range(1, 8)]
    actions = Action.objects.bulk_create(
        Action(number=n, text=f"Action {n}: " + "reduce emissions " * 8, target_date_text="2030")
        for n in range(1, rows + 1)
    )
    ActionTarget.objects.bulk_create(
        ActionTarget(action=action, target=targets[action.number % 7], mark="✓") for action in actions
    )
    quarter = Quarter(2021, 1)
    now = timezone.now()
    latest = {}
    for step in range(history):
        period = ReportingPeriod.objects.for_quarter(quarter)
        updates = StatusUpdate.objects.bulk_create(
            StatusUpdate(
                action=action,
                period=period,
                rag=("green", "amber", "red")[(action.number + step) % 3],
                delivery_status="in_progress",
                commentary=f"Quarter {step}: work continues on action {action.number}.",
                recorded_at=now,
                source=StatusSource.WEB,
            )
            for action in actions
        )
        # Each quarter is later than the one before, so its update is the action's latest.
        latest.update({update.action_id: update for update in updates})
        quarter = quarter.next()
    for action in actions:
        action.set_current(latest.get(action.pk))
    Action.objects.bulk_update(actions, Action.CURRENT_FIELDS, batch_size=500)
    return ReportingPeriod.objects.for_quarter(quarter).slug


def quarter_file(rows: int) -> bytes:
    """The plan in the app's export layout, with most positions changed for the new quarter."""
    from actions.spreadsheet import PlanSheet, PlanSheetRow, TargetColumn, build_workbook

    sheet = PlanSheet(
        targets=[TargetColumn(n, f"T{n}") for n in range(1, 8)],
        rows=[
            PlanSheetRow(
                number=n,
                marks={n % 7 + 1: "✓"},
                text=f"Action {n}: " + "reduce emissions " * 8,
                delivery_status="in_delivery" if n % 4 else "in_progress",
                rag=("green", "amber", "red")[(n * 7) % 3],
                commentary=f"New quarter: action {n} moved on."
                if n % 5
                else f"Quarter 3: work continues on action {n}.",
                target_date="2030",
            )
            for n in range(1, rows + 1)
        ],
    )
    buffer = io.BytesIO()
    build_workbook(sheet).save(buffer)
    return buffer.getvalue()


def openpyxl_read(data: bytes) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    cells = 0
    for row in workbook.worksheets[0].iter_rows():
        for cell in row:
            cell.value  # noqa: B018 - touching the value is the work being measured
            cells += 1
    workbook.close()
    return cells


def import_once(data: bytes, slug: str) -> tuple[float, float, int]:
    """Seconds to parse, and to compare and write; rolled back so every run starts from the same plan."""
    from django.db import transaction

    from actions.imports.apply import apply_import
    from actions.imports.reading import read_plan_file
    from actions.imports.rows import target_headings
    from actions.models import ReportingPeriod
    from targets.models import Target

    class Rollback(Exception):
        pass

    period = ReportingPeriod.objects.for_slug(slug)
    started = time.perf_counter()
    parsed = read_plan_file(data, "quarter.xlsx", target_headings(Target.objects.all()))
    parsed_at = time.perf_counter()
    assert parsed.ok, parsed.problems[:3]
    try:
        with transaction.atomic():
            _, batch = apply_import(parsed, period)
            written = batch.updates_created
            applied_at = time.perf_counter()
            raise Rollback
    except Rollback:
        pass
    return parsed_at - started, applied_at - parsed_at, written


def run(args) -> int:
    out = sys.stdout
    slug = build_plan(args.rows, args.history)
    data = quarter_file(args.rows)
    out.write(
        f"{args.rows} actions, {args.history} quarters of history each; importing {slug}: "
        f"{len(data) / 1024:.0f} KB workbook\n"
    )

    # Interleaved, so a busy moment on a shared machine slows both sides alike.
    baseline, runs = [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        cells = openpyxl_read(data)
        baseline.append(time.perf_counter() - started)
        runs.append(import_once(data, slug))
    best_baseline = min(baseline)
    parse, apply, written = min(runs, key=lambda run: run[0] + run[1])
    total = parse + apply
    ratio = total / best_baseline
    out.write(f"openpyxl read-only read ({cells} cells): {best_baseline:.2f} s\n")
    out.write(
        f"end-to-end import ({written} updates written): {total:.2f} s "
        f"(parse and validate {parse:.2f} s, compare and write {apply:.2f} s)\n"
    )
    out.write(
        f"ratio: {ratio:.2f}x (target {TARGET_RATIO}x) {'within target' if ratio <= TARGET_RATIO else 'OVER TARGET'}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
