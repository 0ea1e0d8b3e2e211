"""Fault test: SIGKILL an import while it is writing, and show the database is exactly as before.

    .venv/bin/python benchmarks/kill_import.py                 # on a scratch SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/kill_import.py
                                                               # on a scratch database on that server

It builds a scratch database (migrate, seed_plan), generates the largest file the importer accepts
(5,000 rows, ~8 MB of CSV: every seeded action changed, the rest new), starts
`manage.py import_plan` on it, waits until the import is inside its transaction and writing
(SQLite: it holds the write lock and uncommitted pages are spilling into the WAL; PostgreSQL: it
holds the insert lock on the actions table), then sends SIGKILL at once (the bulk writes of a
5,000-row import commit a fraction of a second after they start, so any wait risks missing them).
It checks that the process died mid-way, that every plan table holds exactly what it held
before, and that the same import then runs to completion. Exits non-zero on any difference.
Bounded: every wait has a time-out; the scratch database is removed at the end.
"""

import argparse
import csv
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scratch import ROOT, Scratch, environment, manage

PERIOD = "2023-24-q1"


def log(message: str) -> None:
    sys.stdout.write(f"{message}\n")
    sys.stdout.flush()


def large_plan_file(path: Path, rows: int) -> None:
    """The seed's own header, the seeded actions with a new position, and new actions up to `rows`."""
    from openpyxl import load_workbook

    sheet = load_workbook(ROOT / "fixtures" / "cces-action-plan-2022-23-q4.xlsx", read_only=True).active
    lines = list(sheet.iter_rows(values_only=True))
    header_index = next(i for i, line in enumerate(lines) if line[0] == "No.")
    header = list(lines[header_index])
    seeded = [list(line) for line in lines[header_index + 1 :] if line[0]]
    action, status, rag, commentary = (
        header.index(name) for name in ("Action", "Delivery Status", "RAG", "Commentary")
    )
    filler = "Progress recorded for the quarter, with the evidence held by the lead officer. " * 18
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for number in range(1, rows + 1):
        if number <= len(seeded):
            line = seeded[number - 1]
        else:
            line = [number, *(["✓"] if number % 7 == 1 else [None]), *([None] * (action - 2))]
            line += [None] * (len(header) - len(line))
            line[action] = f"Generated action {number} for the fault test."
        line[status] = "In delivery"
        line[rag] = "Amber"
        line[commentary] = f"Quarter update {number}. {filler}"
        writer.writerow(line)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def run(rows: int, settle: float, timeout: float) -> bool:
    scratch = Scratch(os.environ.get("DATABASE_URL"))
    started = time.monotonic()
    try:
        log(f"Scratch database: {'PostgreSQL' if scratch.postgres else 'SQLite'}")
        manage(scratch, "migrate", "--noinput", "-v", "0")
        manage(scratch, "seed_plan")
        with tempfile.TemporaryDirectory(prefix="cces-fault-file-") as folder:
            plan = Path(folder) / "large-plan.csv"
            large_plan_file(plan, rows)
            log(f"Generated {plan.name}: {rows} rows, {plan.stat().st_size / 1_048_576:.1f} MB")
            before = scratch.snapshot()
            log(f"Before: {', '.join(f'{t} {n}' for t, (n, _) in before.items())}")

            # Output to a file, not a pipe: a pipe nobody reads would stall the import once full.
            output = (Path(folder) / "import.log").open("w+")
            process = subprocess.Popen(  # noqa: S603 - our own manage.py
                [sys.executable, "manage.py", "import_plan", str(plan), "--period", PERIOD],
                cwd=ROOT,
                env=environment(scratch),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            launched = time.monotonic()
            deadline = launched + timeout
            scratch.mark_baseline()
            while not scratch.import_is_writing():
                if process.poll() is not None:
                    output.seek(0)
                    log(f"FAIL: the import finished (exit {process.returncode}) before it could be caught writing:")
                    log(output.read()[-2000:])
                    return False
                if time.monotonic() > deadline:
                    process.kill()
                    log("FAIL: the import never started writing")
                    return False
                time.sleep(0.01)
            caught = time.monotonic()
            time.sleep(settle)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            log(
                f"Import caught writing {caught - launched:.2f} s after launch; "
                f"SIGKILL {settle:.2f} s later; exit status {process.returncode}"
            )
            if process.returncode != -signal.SIGKILL:
                output.seek(0)
                log("FAIL: the import was not killed mid-way (it had already exited):")
                log(output.read()[-2000:])
                return False

            after = scratch.snapshot()
            same = after == before and scratch.integrity_ok()
            log(f"After:  {', '.join(f'{t} {n}' for t, (n, _) in after.items())}")
            log("Database is exactly as before." if same else "FAIL: the database changed.")
            if not same:
                return False

            completing = time.monotonic()
            manage(scratch, "import_plan", str(plan), "--period", PERIOD, timeout=timeout)
            log(f"A whole import of the file takes {time.monotonic() - completing:.2f} s from launch.")
            (updates_before, _), (updates_after, _) = (
                before["actions_statusupdate"],
                scratch.snapshot()["actions_statusupdate"],
            )
            log(f"The same import then completes: {updates_after - updates_before} status updates written.")
            return updates_after - updates_before == rows
    finally:
        scratch.drop()
        log(f"Took {time.monotonic() - started:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5000, help="rows in the generated file (the importer's limit)")
    parser.add_argument("--settle", type=float, default=0.0, help="seconds to let the import write before the kill")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for any one step")
    options = parser.parse_args()
    return 0 if run(options.rows, options.settle, options.timeout) else 1


if __name__ == "__main__":
    sys.exit(main())
