"""An import killed with SIGKILL while writing leaves the database exactly as it was."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def test_an_import_killed_while_writing_changes_nothing():
    env = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        # The script makes and drops its own scratch database on the same server.
        env["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    else:
        env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "benchmarks/kill_import.py", "--timeout", "120"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "exit status -9" in result.stdout
    assert "Database is exactly as before." in result.stdout
    assert "The same import then completes: 5000 status updates written." in result.stdout
