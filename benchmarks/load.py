"""Load test: gunicorn with 2 workers on 127.0.0.1, N concurrent signed-in clients for a fixed time.

    .venv/bin/python benchmarks/load.py                       # SQLite scratch file, 16 clients, 30 s
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/load.py

It builds a scratch database (migrate, seed_plan, one account per client), collects static files,
starts gunicorn as `make serve` does (production settings, plain HTTP, loopback only), then runs
the clients, each signed in as its own manager, each picking a request kind in turn from KINDS.
It reports, per kind, the requests, errors and p50/p95/p99 latency, and exits non-zero on any
error. Bounded: the clients stop at the deadline, every request has a time-out, and gunicorn and
the scratch database are removed at the end. Only 127.0.0.1 is ever contacted.

To add a kind (officers posting status updates, exports...), write a function
`(client, rng) -> None` that raises on a wrong answer and add it to KINDS with the roles allowed.
"""

import argparse
import http.cookiejar
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict

from scratch import ROOT, Scratch, manage

HOST = "127.0.0.1"
PASSWORD = "load-test-password-1"  # noqa: S105 - scratch accounts, deleted with the scratch database
ACTION_NUMBERS = range(1, 57)


def log(message: str) -> None:
    sys.stdout.write(f"{message}\n")
    sys.stdout.flush()


class Client:
    """One browser-like client: its own cookies, CSRF token, and a base URL on the loopback address."""

    def __init__(self, base: str, timeout: float):
        assert urllib.parse.urlsplit(base).hostname == HOST, "the load test only talks to 127.0.0.1"
        self.base = base
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str, *, expect: int = 200) -> str:
        with self.opener.open(self.base + path, timeout=self.timeout) as response:
            body = response.read().decode()
            if response.status != expect:
                raise AssertionError(f"GET {path}: {response.status}")
            return body

    def post_form(self, path: str, page: str, data: dict) -> tuple[int, str]:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})  # noqa: S310
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def sign_in(self, username: str) -> None:
        page = self.get("/accounts/login/")
        status, html = self.post_form("/accounts/login/", page, {"username": username, "password": PASSWORD})
        if status != 200 or "Signed in as" not in html:
            raise AssertionError(f"{username} could not sign in ({status})")


def read_plan_overview(client: Client, rng: random.Random) -> None:
    html = client.get("/")
    if html.count('class="govuk-tag app-rag--') < len(ACTION_NUMBERS):
        raise AssertionError("the plan overview does not list every action")


def read_action_page(client: Client, rng: random.Random) -> None:
    number = rng.choice(ACTION_NUMBERS)
    html = client.get(f"/actions/{number}/")
    if f"Action {number}" not in html:
        raise AssertionError(f"action {number}'s page does not name it")


# (name, function, weight). Weights are relative frequencies.
KINDS = [
    ("plan overview", read_plan_overview, 1),
    ("action page", read_action_page, 3),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def make_accounts(scratch: Scratch, count: int) -> list[str]:
    names = [f"loadmanager{index}" for index in range(count)]
    script = (
        "from actions import roles; from tests.factories import make_user\n"
        f"for name in {names!r}:\n"
        f"    user = make_user(name, role=roles.MANAGER); user.set_password({PASSWORD!r}); user.save()\n"
    )
    manage(scratch, "shell", "-c", script)
    return names


def start_gunicorn(scratch: Scratch, port: int, workers: int) -> subprocess.Popen:
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")},
        "DATABASE_URL": scratch.url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        # Plain HTTP on the loopback address: no TLS proxy in front of this one.
        "DJANGO_HTTPS": "false",
    }
    manage(scratch, "collectstatic", "--noinput", "-v", "0", env=env)
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn with fixed arguments
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "ccesplan.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("gunicorn exited at start") from None
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start listening within 30 s")


def run_clients(base: str, usernames: list[str], seconds: float, timeout: float) -> dict:
    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    lock = threading.Lock()
    names, functions, weights = zip(*KINDS, strict=True)
    start_together = threading.Barrier(len(usernames))
    deadline_box: list[float] = []

    def client_loop(index: int, username: str) -> None:
        rng = random.Random(index)  # noqa: S311 - picks pages, not secrets
        client = Client(base, timeout)
        try:
            client.sign_in(username)
        except Exception as error:
            with lock:
                errors["sign in"].append(f"{type(error).__name__}: {error}")
        if start_together.wait() == 0:
            deadline_box.append(time.monotonic() + seconds)
        while not deadline_box:
            time.sleep(0.001)
        while time.monotonic() < deadline_box[0]:
            (name,) = rng.choices(names, weights=weights)
            function = functions[names.index(name)]
            began = time.perf_counter()
            try:
                function(client, rng)
            except Exception as error:
                with lock:
                    errors[name].append(f"{type(error).__name__}: {error}")
                continue
            with lock:
                timings[name].append(time.perf_counter() - began)

    threads = [threading.Thread(target=client_loop, args=(i, name), daemon=True) for i, name in enumerate(usernames)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + timeout + 60)
    return {"timings": timings, "errors": errors, "stuck": sum(thread.is_alive() for thread in threads)}


def percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def report(result: dict, seconds: float) -> int:
    timings, errors = result["timings"], result["errors"]
    log(f"{'kind':<16}{'requests':>9}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    total_errors = sum(len(found) for found in errors.values())
    for name in [*(kind[0] for kind in KINDS), *(name for name in errors if name not in dict(KINDS))]:
        values = timings.get(name, [])
        log(
            f"{name:<16}{len(values):>9}{len(errors.get(name, [])):>8}{len(values) / seconds:>8.1f}"
            f"{percentile(values, 0.50) * 1000:>9.0f}{percentile(values, 0.95) * 1000:>9.0f}"
            f"{percentile(values, 0.99) * 1000:>9.0f}"
        )
    for name, found in errors.items():
        for message in sorted(set(found))[:5]:
            log(f"  {name}: {message}")
    if result["stuck"]:
        log(f"{result['stuck']} client(s) did not stop in time")
    log(f"Total: {sum(len(v) for v in timings.values())} requests, {total_errors} errors in {seconds:.0f} s")
    return 0 if total_errors == 0 and not result["stuck"] else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=20, help="seconds allowed for one request")
    options = parser.parse_args()

    scratch = Scratch(os.environ.get("DATABASE_URL"))
    gunicorn = None
    try:
        log(f"Scratch database: {'PostgreSQL' if scratch.postgres else 'SQLite'}")
        manage(scratch, "migrate", "--noinput", "-v", "0")
        manage(scratch, "seed_plan")
        usernames = make_accounts(scratch, options.clients)
        port = free_port()
        gunicorn = start_gunicorn(scratch, port, options.workers)
        log(
            f"gunicorn: {options.workers} workers on {HOST}:{port}; {options.clients} clients for {options.seconds:g} s"
        )
        result = run_clients(f"http://{HOST}:{port}", usernames, options.seconds, options.timeout)
        return report(result, options.seconds)
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        scratch.drop()


if __name__ == "__main__":
    sys.exit(main())
