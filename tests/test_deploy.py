"""Production settings, checked the way production starts: a fresh process with only the environment."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "ccesplan.settings",
    "DJANGO_SECRET_KEY": "k7#Qz2vL9pX4wR8tY1uE6oI3aS5dF0gH-jK2lZ7xC9vB4nM1qW8eR3tY6uI0oP5a",
    "ALLOWED_HOSTS": "climate-plan.example.gov.uk",
    "DJANGO_HSTS_SECONDS": "31536000",
    "DJANGO_HSTS_PRELOAD": "true",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Only what production would have: no DJANGO_DEBUG, no test settings, no secret unless given.
    base = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "CCES_"))}
    base.pop("ALLOWED_HOSTS", None)
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_checks_report_nothing_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def readme_production_environment() -> dict[str, str]:
    """The `export`s of the README's "One server with PostgreSQL" section, as an operator would set them."""
    import shlex

    text = (ROOT / "README.md").read_text()
    section = text.split("### One server with PostgreSQL", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    env = {}
    for line in section.splitlines():
        if line.startswith("export "):
            for word in shlex.split(line.removeprefix("export ").split("  #", 1)[0]):
                name, _, value = word.partition("=")
                env[name] = value
    env["DJANGO_SECRET_KEY"] = PRODUCTION["DJANGO_SECRET_KEY"]  # the README generates one
    return env


def test_deploy_checks_report_what_the_readme_says_with_its_settings():
    env = readme_production_environment()
    assert env["DJANGO_HSTS_SECONDS"] == "31536000" and "DATABASE_URL" in env
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    warnings = sorted(set(re.findall(r"\(([a-z_]+\.[EW]\d+)\)", result.stderr + result.stdout)))
    assert warnings == ["security.W021"], result.stdout + result.stderr
    # and the README says so, rather than promising that nothing is reported
    section = (ROOT / "README.md").read_text().split("### One server with PostgreSQL", 1)[1].split("\n### ", 1)[0]
    assert "reports one warning with the settings above,\n`security.W021`" in section
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env={**env, "DJANGO_HSTS_PRELOAD": "true"})
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_checks_fail_without_https_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION, "DJANGO_HSTS_SECONDS": "0"})
    assert result.returncode != 0
    assert "security.W004" in result.stderr


def test_startup_without_a_secret_fails_with_a_clear_message():
    env = {name: value for name, value in PRODUCTION.items() if name != "DJANGO_SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("settings.DEBUG", "False"),
        ("settings.ALLOWED_HOSTS", "[]"),
        ("settings.SESSION_COOKIE_SECURE and settings.SESSION_COOKIE_HTTPONLY", "True"),
        ("settings.CSRF_COOKIE_SECURE and settings.CSRF_COOKIE_HTTPONLY", "True"),
        ("settings.SECURE_SSL_REDIRECT", "True"),
        ("settings.X_FRAME_OPTIONS", "DENY"),
        ("settings.SESSION_ENGINE", "django.contrib.sessions.backends.db"),
        # Review of officers' updates is on in production unless turned off; names stay off the public site.
        ("settings.CCES_REVIEW_UPDATES", "True"),
        ("settings.CCES_PUBLIC_SHOW_NAMES", "False"),
    ],
)
def test_safe_defaults_with_only_a_secret(expression, expected):
    result = run_manage(
        "shell",
        "-c",
        f"from django.conf import settings; print({expression})",
        env={"DJANGO_SETTINGS_MODULE": "ccesplan.settings", "DJANGO_SECRET_KEY": PRODUCTION["DJANGO_SECRET_KEY"]},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_the_old_open_everything_setting_stops_startup_and_points_to_the_public_site():
    result = run_manage("check", env={**PRODUCTION, "CCES_PUBLIC_READ": "true"})
    assert result.returncode != 0
    assert "CCES_PUBLIC_READ has been replaced by the public progress site at /public/" in result.stderr


def test_a_worker_loading_the_app_keeps_its_start_up_objects_out_of_the_garbage_collectors_walks():
    # As gunicorn loads ccesplan.wsgi: the views imported, then all of it frozen, with the collector still on
    # for what requests allocate.
    base = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "CCES_"))}
    script = (
        "import gc, sys; import ccesplan.wsgi; "
        "print(gc.get_freeze_count(), gc.isenabled(), 'actions.imports.views' in sys.modules)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter with a fixed script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**base, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    frozen, enabled, views_loaded = result.stdout.split()
    assert int(frozen) > 50_000 and (enabled, views_loaded) == ("True", "True")
