"""A throwaway database for the benchmark scripts, of the same kind as DATABASE_URL.

SQLite: a file in a temporary folder. PostgreSQL: a database of its own on the server DATABASE_URL
names, created at the start and dropped (WITH FORCE) at the end.
"""

import hashlib
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TABLES = ["actions_action", "actions_actiontarget", "actions_statusupdate", "actions_importbatch"]


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


def environment(scratch: Scratch, **extra: str) -> dict[str, str]:
    """The environment for a manage.py command on the scratch database (development settings)."""
    return {**os.environ, "DJANGO_DEBUG": "true", "DATABASE_URL": scratch.url, **extra}


def manage(scratch: Scratch, *args: str, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env or environment(scratch),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
