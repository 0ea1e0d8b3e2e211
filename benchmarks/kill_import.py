"""Fault test: SIGKILL an import while it is writing, and show the database is exactly as before.

    .venv/bin/python benchmarks/kill_import.py                 # on a scratch SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/kill_import.py
                                                               # on a scratch database on that server

It builds a scratch database (migrate, seed_plan), generates the largest file the importer accepts
(5,000 rows, ~8 MB of CSV: every seeded action changed, the rest new), starts
`manage.py import_plan` on it, waits until the import is inside its transaction and writing
(SQLite: it holds the write lock and uncommitted pages are spilling into the WAL; PostgreSQL: it
holds the insert lock on the actions table), lets it write for a moment more, then sends
SIGKILL. It checks that the process died mid-way, that every plan table holds exactly what it held
before, and that the same import then runs to completion. Exits non-zero on any difference.
Bounded: every wait has a time-out; the scratch database is removed at the end.
"""

import argparse
import csv
import hashlib
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TABLES = ["actions_action", "actions_actiontarget", "actions_statusupdate", "actions_importbatch"]
PERIOD = "2023-24-q1"


def log(message: str) -> None:
    sys.stdout.write(f"{message}\n")
    sys.stdout.flush()


class Scratch:
    """A throwaway database of the same kind as DATABASE_URL, with raw access for watching it."""

    def __init__(self, base_url: str | None):
        self.base_url = base_url
        self.postgres = bool(base_url) and base_url.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            parts = urlsplit(base_url)
            self.name = f"cces_fault_{os.getpid()}"
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
            self._admin(f'CREATE DATABASE "{self.name}"')
        else:
            self.dir = tempfile.TemporaryDirectory(prefix="cces-fault-")
            self.path = Path(self.dir.name) / "fault.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(sql)

    def connect(self):
        if self.postgres:
            import psycopg

            return psycopg.connect(self.url, autocommit=True)
        connection = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        # Django's CHECK constraints on SQLite call REGEXP, which Django defines per connection.
        connection.create_function(
            "REGEXP", 2, lambda pattern, value: value is not None and bool(re.search(pattern, str(value)))
        )
        return connection

    def snapshot(self) -> dict[str, tuple[int, str]]:
        """Each plan table's row count and a digest of all its rows in id order."""
        result = {}
        connection = self.connect()
        try:
            for table in TABLES:
                rows = connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()  # noqa: S608 - fixed names
                result[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()[:16])
        finally:
            connection.close()
        return result

    def wal_size(self) -> int:
        wal = self.path.with_name(self.path.name + "-wal")
        return wal.stat().st_size if wal.exists() else 0

    def mark_baseline(self) -> None:
        self.baseline_wal = 0 if self.postgres else self.wal_size()

    def import_is_writing(self) -> bool:
        """True once the import is inside its transaction and has written rows not yet committed."""
        connection = self.connect()
        try:
            if self.postgres:
                (count,) = connection.execute(
                    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE c.relname = 'actions_action' AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()"
                ).fetchone()
                return count > 0
            # The import holds the write lock, and its transaction has spilled pages into the WAL.
            # (Creating the reporting period takes the lock too, but only for a moment and a page or two.)
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                return "locked" in str(error) and self.wal_size() > self.baseline_wal + 256 * 1024
            connection.execute("ROLLBACK")
            return False
        finally:
            connection.close()

    def integrity_ok(self) -> bool:
        if self.postgres:
            return True
        connection = self.connect()
        try:
            return connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            connection.close()

    def drop(self) -> None:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        else:
            self.dir.cleanup()


def manage(scratch: Scratch, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(scratch),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def environment(scratch: Scratch) -> dict[str, str]:
    return {**os.environ, "DJANGO_DEBUG": "true", "DATABASE_URL": scratch.url}


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
    parser.add_argument("--settle", type=float, default=0.15, help="seconds to let the import write before the kill")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for any one step")
    options = parser.parse_args()
    return 0 if run(options.rows, options.settle, options.timeout) else 1


if __name__ == "__main__":
    sys.exit(main())
