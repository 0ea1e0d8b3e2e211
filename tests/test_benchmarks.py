"""The scripts under benchmarks/, run as a user would, against a scratch database of the suite's kind."""

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def run_script(*args: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        # The scripts make and drop their own scratch database on the same server.
        env["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    else:
        env.pop("DATABASE_URL", None)
    return subprocess.run(  # noqa: S603 - our own scripts
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=400, check=False
    )


def test_an_import_killed_while_writing_changes_nothing():
    result = run_script("benchmarks/kill_import.py", "--timeout", "120")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "exit status -9" in result.stdout
    assert "Database is exactly as before." in result.stdout
    assert "The same import then completes: 5000 status updates written." in result.stdout


def test_the_import_benchmark_times_both_kinds_of_workbook():
    """A small plan, so the script keeps working; `make bench` runs it at 5,000 rows."""
    result = run_script("benchmarks/import_speed.py", "--rows", "60", "--repeat", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "end-to-end import (60 updates written)" in result.stdout, result.stdout
    for described in ["as the app exports it", "as a spreadsheet program saves it"]:
        assert f"the workbook {described}" in result.stdout, result.stdout
    assert len(re.findall(r"upload \+ preview: \d+\.\d\d s, \d+\.\d\dx", result.stdout)) == 2, result.stdout
    assert len(re.findall(r"confirm: \d+\.\d\d s, \d+\.\d\dx", result.stdout)) == 2, result.stdout


def test_the_load_script_runs_without_errors():
    """A short run, so the script keeps working; `make bench` runs the full 16 clients for 30 s."""
    result = run_script("benchmarks/load.py", "--clients", "3", "--seconds", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert ", 0 errors in 2 s" in result.stdout
    assert "action page" in result.stdout
    # Its one officer posted status updates through the form, and the database kept every one saved.
    assert re.search(r"Status updates: [1-9]\d* saved \(302\)", result.stdout), result.stdout
    assert "lost updates: 0" in result.stdout
    # Its plan admin confirmed imports during those saves, and every import's updates are there.
    assert re.search(
        r"Imports confirmed during the saves: [1-9]\d*; their updates missing afterwards: 0", result.stdout
    )


def test_the_api_benchmark_compares_the_same_rows():
    """A small run, so the script keeps working; `make bench` runs it at 5,000 actions."""
    result = run_script("benchmarks/api.py", "--actions", "300", "--rounds", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("ratio (medians)") == 2, result.stdout


def test_the_outputs_benchmark_runs_and_prints_every_ratio_and_limit():
    """A small plan, so the script keeps working; `make bench` runs 5,000 actions, then 20,000 once each."""
    result = run_script("benchmarks/outputs.py", "--actions", "120", "--quarters", "2", "--rounds", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    for ratio in ["/actions/ vs bare ListView", "actions XLSX vs write-only", "actions CSV vs csv.writer"]:
        assert re.search(rf"{re.escape(ratio)}: \d+\.\d\dx \(min\)", result.stdout), result.stdout
    assert "report page vs /actions/" in result.stdout and "report XLSX vs write-only" in result.stdout
    result = run_script("benchmarks/outputs.py", "--actions", "120", "--quarters", "2", "--limits")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "failed" not in result.stdout, result.stdout
    assert len(re.findall(r" ms, peak +\d+ MiB", result.stdout)) == 8, result.stdout
    assert "worker: actions-xlsx" in result.stdout and "worker: report-xlsx" in result.stdout
