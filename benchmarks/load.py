"""Load test: gunicorn with 2 workers on 127.0.0.1, N concurrent signed-in clients for a fixed time.

    .venv/bin/python benchmarks/load.py                       # SQLite scratch file, 16 clients, 30 s
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/load.py

It builds a scratch database (migrate, seed_plan, one account per client), collects static files,
starts gunicorn as `make serve` does (production settings, plain HTTP, loopback only), then runs
the clients, each picking a request kind in turn from those KINDS allows its role. Half the clients
are managers (reading the plan, filtered lists and exports), half officers posting status updates
through the real form (its CSRF token and hidden `based_on` field read from the form page), each to
actions only they lead, and, in pairs, two officers who co-lead an action posting to it at the same
moment from the same starting point: one must be saved (302) and the other refused as a conflict
(409), which is the right answer, not an error. One more client is a plan admin who, all the while,
takes the plan's CSV export, changes the RAG and commentary of the actions no officer leads
(IMPORTED_ACTIONS), uploads it for the current quarter (the one the officers save for), opens the
preview and confirms it: the confirm locks every action and the period while officers save, which
is where a deadlock would show (a 500, or a confirm that does not end on the import history).

It reports, per kind, the requests (a status update counts once: the form's page and the post; an
import counts once: export, upload, preview and confirm), errors and p50/p95/p99 latency, then the
status updates saved and refused, and checks in the database that every saved update is in the
action's history (by its unique commentary) and no refused one is, and that every confirmed
import's commentary is there too. It exits non-zero on any error or lost update. Bounded:
the clients stop at the deadline, every request has a time-out, and gunicorn and the scratch
database are removed at the end. Only 127.0.0.1 is ever contacted.

To add a kind, write a function `(client, rng) -> None` that raises on a wrong answer and add it to
KINDS with the roles allowed.
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
import tempfile
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
# Led by no officer: the plan admin's imports change these, so an officer's form is never made stale by an
# import (its 409 would be right, but would hide a real error among them); the locks are the same.
IMPORTED_ACTIONS = range(51, 57)
OFFICERS_ACTIONS = range(1, 51)
MANAGER, OFFICER, PLAN_ADMIN = "manager", "officer", "plan admin"
FILTERED_LIST = "/actions/?rag=red&rag=amber&target=5"


def log(message: str) -> None:
    sys.stdout.write(f"{message}\n")
    sys.stdout.flush()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand back a redirect as it is (an HTTPError with its code), so a saved form shows as its 302."""

    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One browser-like client: its own cookies, CSRF token, and a base URL on the loopback address.

    An officer's client has its actions (`actions`) and, for the same-moment kind, a second session
    (`partner`) signed in as another officer who co-leads `shared_action` with it.
    """

    def __init__(self, base: str, timeout: float, username: str = "", role: str = MANAGER):
        assert urllib.parse.urlsplit(base).hostname == HOST, "the load test only talks to 127.0.0.1"
        self.base = base
        self.timeout = timeout
        self.username = username
        self.role = role
        self.actions: list[int] = []
        self.shared_action: int | None = None
        self.partner: Client | None = None
        self.sequence = 0
        self.last_location: str | None = None
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.no_redirect_opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect
        )

    def get(self, path: str, *, expect: int = 200) -> str:
        with self.opener.open(self.base + path, timeout=self.timeout) as response:
            body = response.read()
            if response.status != expect:
                raise AssertionError(f"GET {path}: {response.status}")
            try:
                return body.decode()
            except UnicodeDecodeError:
                return body  # an export's bytes

    def post_form(self, path: str, page: str, data: dict, *, follow: bool = True) -> tuple[int, str]:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})  # noqa: S310
        opener = self.opener if follow else self.no_redirect_opener
        try:
            with opener.open(request, timeout=self.timeout) as response:
                self.last_location = response.headers.get("Location")
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            self.last_location = error.headers.get("Location")
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


def read_filtered_list(client: Client, rng: random.Random) -> None:
    html = client.get(FILTERED_LIST)
    if "Showing 1 to" not in html or 'class="govuk-tag app-rag--green' in html.split("<tbody", 1)[-1]:
        raise AssertionError("the filtered list does not show only red and amber actions")


def download_export(client: Client, rng: random.Random) -> None:
    content = client.get("/actions/export.xlsx?" + FILTERED_LIST.split("?", 1)[1])
    if not isinstance(content, bytes) or not content.startswith(b"PK"):
        raise AssertionError("the export is not an XLSX file")


class Ledger:
    """Every status update the server answered, by its unique commentary: saved (302) or refused (409)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.saved: list[tuple[int, str]] = []
        self.refused: list[tuple[int, str]] = []

    def add(self, status: int, number: int, commentary: str) -> None:
        with self.lock:
            (self.saved if status == 302 else self.refused).append((number, commentary))


LEDGER = Ledger()
FORM_TAG = re.compile(r"<input[^>]*name=\"based_on\"[^>]*>")
PERIOD_OPTION = re.compile(r'<select[^>]*name="period"[^>]*>\s*<option value="([^"]+)"')


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body, as a browser sends an upload form, and its Content-Type."""
    boundary = f"----load{secrets.token_hex(8)}"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (file_name, content, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{file_name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


IMPORTS = Ledger()  # the commentary each confirmed import wrote, as (action number, commentary)
UPLOAD_PERIOD = re.compile(r'<option value="([^"]+)" selected>')


def confirm_an_import(client: Client, rng: random.Random) -> None:
    """The plan admin's whole journey, during the officers' saves: export, edit, upload, preview, confirm."""
    import csv
    import io

    exported = client.get("/actions/export.csv")
    exported = exported.decode("utf-8-sig") if isinstance(exported, bytes) else exported.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(exported)))
    header = rows[0]
    number_at, rag_at, commentary_at = header.index("No."), header.index("RAG"), header.index("Commentary")
    client.sequence += 1
    words = f"load import {client.sequence} {secrets.token_hex(4)}"
    kept = [header]
    for row in rows[1:]:
        if row and row[number_at].isdigit() and int(row[number_at]) in IMPORTED_ACTIONS:
            row[rag_at] = rng.choice(["Red", "Amber", "Green"])
            row[commentary_at] = words
            kept.append(row)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(kept)
    page = client.get("/imports/upload/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    period = UPLOAD_PERIOD.search(page).group(1)
    body, content_type = multipart(
        {"csrfmiddlewaretoken": token, "period": period},
        {"file": (f"load-{client.sequence}.csv", buffer.getvalue().encode(), "text/csv")},
    )
    request = urllib.request.Request(  # noqa: S310 - 127.0.0.1 only (asserted in Client)
        client.base + "/imports/upload/",
        data=body,
        headers={"Content-Type": content_type, "Referer": client.base + "/imports/upload/"},
    )
    try:
        client.no_redirect_opener.open(request, timeout=client.timeout)
        raise AssertionError("the upload answered without redirecting to its preview")
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            raise AssertionError(f"the upload answered {answer.code}") from None
        preview_path = answer.headers["Location"]
    preview = client.get(preview_path)
    if "Confirm import" not in preview:
        raise AssertionError(f"the preview of {preview_path} offers no confirm")
    confirm_path = re.search(r'<form[^>]*action="([^"]*confirm[^"]*)"', preview).group(1)
    status, _ = client.post_form(confirm_path, preview, {}, follow=False)
    if status != 302 or not (client.last_location or "").endswith("/imports/"):
        raise AssertionError(f"the confirm answered {status} to {client.last_location}, not the import history")
    for number in IMPORTED_ACTIONS:
        IMPORTS.add(302, number, words)


def status_form(client: Client, number: int, rng: random.Random) -> tuple[str, dict]:
    """The update form's page and what a browser would post from it, with a commentary no one else uses."""
    page = client.get(f"/actions/{number}/update/")
    based_on = re.search(r'value="(\d+)"', FORM_TAG.search(page).group())
    client.sequence += 1
    return page, {
        "period": PERIOD_OPTION.search(page).group(1),
        "delivery_status": "in_progress",
        "rag": rng.choice(["red", "amber", "green"]),
        "commentary": f"load test {client.username} #{client.sequence} {secrets.token_hex(4)}",
        "based_on": based_on.group(1) if based_on else "",
    }


def post_status(client: Client, number: int, page: str, data: dict) -> int:
    """Post the form; a 302 counts as saved only if it leads to the action's page (not, say, to sign-in),
    and a 409 as refused only if it is the conflict page."""
    status, body = client.post_form(f"/actions/{number}/update/", page, data, follow=False)
    if status == 302 and not (client.last_location or "").endswith(f"/actions/{number}/"):
        raise AssertionError(f"action {number}'s update redirected to {client.last_location}, not the action")
    if status == 409 and "Someone else updated this action" not in body:
        raise AssertionError(f"action {number}'s update answered 409 without the conflict page")
    if status in (302, 409):
        LEDGER.add(status, number, data["commentary"])
    return status


def record_own_status(client: Client, rng: random.Random) -> None:
    """An officer records a status for one of the actions only they lead: it must be saved."""
    number = rng.choice(client.actions)
    page, data = status_form(client, number, rng)
    status = post_status(client, number, page, data)
    if status != 302:
        raise AssertionError(f"action {number}'s update answered {status}, not 302")


def record_status_at_the_same_moment(client: Client, rng: random.Random) -> None:
    """Two officers open the form of the action they co-lead, then both save at the same moment.

    Both forms are based on the same update, so exactly one must be saved and the other refused.
    """
    number, partner = client.shared_action, client.partner
    forms = [status_form(client, number, rng), status_form(partner, number, rng)]
    together = threading.Barrier(2)
    statuses: list = [None, None]

    def post(index: int, who: Client) -> None:
        together.wait()
        try:
            statuses[index] = post_status(who, number, *forms[index])
        except Exception as error:  # reported below, as this kind's error
            statuses[index] = error

    threads = [threading.Thread(target=post, args=(i, who)) for i, who in enumerate((client, partner))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(client.timeout + 5)
    if sorted(map(str, statuses)) != ["302", "409"]:
        raise AssertionError(f"two saves of action {number} from the same form answered {statuses}, not 302 and 409")


# (name, function, weight, roles). Weights are relative frequencies among the kinds a role may pick.
KINDS = [
    ("plan overview", read_plan_overview, 1, {MANAGER}),
    ("action page", read_action_page, 3, {MANAGER, OFFICER}),
    ("filtered list", read_filtered_list, 2, {MANAGER}),
    ("xlsx export", download_export, 1, {MANAGER}),
    ("status update", record_own_status, 3, {OFFICER}),
    ("same-moment pair", record_status_at_the_same_moment, 1, {OFFICER}),
    ("import confirm", confirm_an_import, 1, {PLAN_ADMIN}),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def make_accounts(scratch: Scratch, count: int) -> list[dict]:
    """Half the clients managers, half officers (at most one per two actions). Each officer leads its
    own share of the plan, and co-leads one more action (the first of its share) with a partner account."""
    officers = min(count // 2, len(OFFICERS_ACTIONS) // 2)
    accounts = [{"username": f"loadmanager{index}", "role": MANAGER} for index in range(count - officers - 1)]
    accounts.append({"username": "loadplanadmin", "role": PLAN_ADMIN})
    for index in range(officers):
        shared, *own = list(OFFICERS_ACTIONS)[index::officers]
        accounts.append({"username": f"loadofficer{index}", "role": OFFICER, "actions": own, "shared_action": shared})
    # (username, role, the actions they lead) for every account, partners included.
    users = [
        (a["username"], a["role"], [*a.get("actions", []), *filter(None, [a.get("shared_action")])]) for a in accounts
    ]
    users += [(f"{a['username']}b", OFFICER, [a["shared_action"]]) for a in accounts if a["role"] == OFFICER]
    script = (
        "from actions import roles; from actions.models import Action; from tests.factories import make_user\n"
        f"for name, role, numbers in {users!r}:\n"
        f"    group = {{'manager': roles.MANAGER, {PLAN_ADMIN!r}: roles.PLAN_ADMIN}}.get(role, roles.OFFICER)\n"
        "    user = make_user(name, role=group)\n"
        f"    user.set_password({PASSWORD!r}); user.save()\n"
        "    user.led_actions.set(Action.objects.filter(number__in=numbers))\n"
    )
    manage(scratch, "shell", "-c", script)
    return accounts


def start_gunicorn(scratch: Scratch, port: int, workers: int, log_file) -> subprocess.Popen:
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
        stderr=log_file,
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


def run_clients(base: str, accounts: list[dict], seconds: float, timeout: float) -> dict:
    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    lock = threading.Lock()
    start_together = threading.Barrier(len(accounts))
    deadline_box: list[float] = []

    def client_loop(index: int, account: dict) -> None:
        rng = random.Random(index)  # noqa: S311 - picks pages, not secrets
        client = Client(base, timeout, account["username"], account["role"])
        kinds = [kind for kind in KINDS if client.role in kind[3]]
        names, functions, weights = (
            [kind[0] for kind in kinds],
            [kind[1] for kind in kinds],
            [kind[2] for kind in kinds],
        )
        try:
            client.sign_in(account["username"])
            if client.role == OFFICER:
                client.actions, client.shared_action = account["actions"], account["shared_action"]
                client.partner = Client(base, timeout, f"{account['username']}b", OFFICER)
                client.partner.sign_in(client.partner.username)
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

    threads = [threading.Thread(target=client_loop, args=(i, a), daemon=True) for i, a in enumerate(accounts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 2 * timeout + 60)
    return {"timings": timings, "errors": errors, "stuck": sum(thread.is_alive() for thread in threads)}


def check_history(scratch: Scratch) -> dict:
    """Which answered updates the database holds, matched on (action number, unique commentary)."""
    connection = scratch.connect()
    try:
        rows = connection.execute(
            "SELECT a.number, s.commentary FROM actions_statusupdate s JOIN actions_action a ON a.id = s.action_id "
            "WHERE s.commentary LIKE 'load test %'"
        ).fetchall()
    finally:
        connection.close()
    stored = {(number, commentary) for number, commentary in rows}
    connection = scratch.connect()
    try:
        imported = connection.execute(
            "SELECT a.number, s.commentary FROM actions_statusupdate s JOIN actions_action a ON a.id = s.action_id "
            "WHERE s.commentary LIKE 'load import %'"
        ).fetchall()
    finally:
        connection.close()
    imported = {(number, commentary) for number, commentary in imported}
    return {
        "imports": len(IMPORTS.saved) // len(IMPORTED_ACTIONS),
        "imports_lost": [update for update in IMPORTS.saved if update not in imported],
        "saved": len(LEDGER.saved),
        "refused": len(LEDGER.refused),
        "lost": [update for update in LEDGER.saved if update not in stored],
        "refused_but_stored": [update for update in LEDGER.refused if update in stored],
        "unanswered_but_stored": len(stored - set(LEDGER.saved) - set(LEDGER.refused)),
    }


def percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def report(result: dict, history: dict, seconds: float) -> int:
    timings, errors = result["timings"], result["errors"]
    log(f"{'kind':<16}{'requests':>9}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    total_errors = sum(len(found) for found in errors.values())
    kind_names = [kind[0] for kind in KINDS]
    for name in [*kind_names, *(name for name in errors if name not in kind_names)]:
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
    log(
        f"Status updates: {history['saved']} saved (302), {history['refused']} refused as concurrent (409); "
        f"in the history afterwards: {history['saved'] - len(history['lost'])} of {history['saved']} saved, "
        f"{len(history['refused_but_stored'])} of {history['refused']} refused; lost updates: {len(history['lost'])}"
    )
    log(
        f"Imports confirmed during the saves: {history['imports']}; their updates missing afterwards: "
        f"{len(history['imports_lost'])}"
    )
    for number, commentary in history["imports_lost"][:5]:
        log(f"  import lost: action {number}, {commentary!r}")
    for number, commentary in history["lost"][:5]:
        log(f"  lost: action {number}, {commentary!r}")
    for number, commentary in history["refused_but_stored"][:5]:
        log(f"  refused yet stored: action {number}, {commentary!r}")
    # An update the client gave up on (a time-out) may still have been saved; that is not lost.
    if history["unanswered_but_stored"]:
        log(f"  {history['unanswered_but_stored']} update(s) stored whose answer the client did not get")
    clean = (
        total_errors == 0
        and not result["stuck"]
        and not history["lost"]
        and not history["refused_but_stored"]
        and not history["imports_lost"]
        and history["imports"] > 0
    )
    return 0 if clean else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=20, help="seconds allowed for one request")
    options = parser.parse_args()

    scratch = Scratch(os.environ.get("DATABASE_URL"))
    gunicorn = None
    # The server's log: Django logs each 409 as a warning, which would bury the report.
    with tempfile.TemporaryFile(mode="w+") as server_log:
        try:
            log(f"Scratch database: {'PostgreSQL' if scratch.postgres else 'SQLite'}")
            manage(scratch, "migrate", "--noinput", "-v", "0")
            manage(scratch, "seed_plan")
            accounts = make_accounts(scratch, options.clients)
            port = free_port()
            gunicorn = start_gunicorn(scratch, port, options.workers, server_log)
            log(
                f"gunicorn: {options.workers} workers on {HOST}:{port}; "
                f"{options.clients} clients for {options.seconds:g} s"
            )
            result = run_clients(f"http://{HOST}:{port}", accounts, options.seconds, options.timeout)
            # Read the history once the server has stopped, so no write is still going on.
            stop_gunicorn(gunicorn)
            gunicorn = None
            return report(result, check_history(scratch), options.seconds)
        finally:
            if gunicorn is not None:
                stop_gunicorn(gunicorn)
            report_server_log(server_log)
            scratch.drop()


def stop_gunicorn(gunicorn: subprocess.Popen) -> None:
    gunicorn.send_signal(signal.SIGTERM)
    try:
        gunicorn.wait(timeout=30)
    except subprocess.TimeoutExpired:
        gunicorn.kill()


def report_server_log(server_log) -> None:
    """The server's log, less the expected warning for each refused concurrent update."""
    server_log.seek(0)
    lines = server_log.read().splitlines()
    conflicts = [line for line in lines if line.startswith("Conflict: /actions/")]
    others = [line for line in lines if line not in conflicts]
    log(f"Server log: {len(conflicts)} conflict warning(s) (the 409s), {len(others)} other line(s)")
    for line in others[:40]:
        log(f"  {line}")


if __name__ == "__main__":
    sys.exit(main())
