"""Workbooks too large for a request: offered, built by the background worker, then downloaded from a
progress page (issue 18). The worker here is the real one, `manage.py db_worker`, run until the queue is empty."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from actions import spreadsheet
from actions.spreadsheet import PlanSheet, PlanSheetRow, TargetColumn
from downloads.models import PreparedDownload
from tests.factories import make_user

SEEDED = "2022-23-q4"

# The worker reads and writes outside any test transaction, as it does in production.
with_worker = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def large(settings):
    """The seeded plan's 56 actions count as a large plan."""
    settings.CCES_WORKBOOK_ACTIONS_IN_REQUEST = 50


@pytest.fixture
def as_manager(client, seeded_plan, manager):
    client.force_login(manager)
    return client


def run_worker():
    call_command("db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0)


def cell_rows(content: bytes, sheet=None):
    workbook = load_workbook(io.BytesIO(content))
    worksheet = workbook[sheet] if sheet else workbook.active
    return [[cell.value for cell in row] for row in worksheet.iter_rows()]


def progress_page(client, response):
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page, page.content.decode()


def test_a_small_plans_workbook_downloads_at_once(as_manager):
    response = as_manager.get("/actions/export.xlsx?rag=red")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert not PreparedDownload.objects.exists()


@with_worker
def test_a_large_action_list_workbook_is_offered_then_built_by_the_worker(as_manager, settings):
    settings.CCES_WORKBOOK_ACTIONS_IN_REQUEST = 2
    query = "rag=red&sort=-number"
    offer = as_manager.get(f"/actions/export.xlsx?{query}")
    assert offer.status_code == 200
    html = offer.content.decode()
    assert "Prepare the action list workbook" in html
    assert "This workbook holds 3 actions." in html  # the list's rows, not the plan's
    assert not PreparedDownload.objects.exists(), "looking at the offer asks for nothing"

    asked = as_manager.post(f"/actions/export.xlsx?{query}")
    page, html = progress_page(as_manager, asked)
    assert "Preparing your download" in html
    assert "Waiting for the background worker to start on it." in html
    assert DBTaskResult.objects.count() == 1

    run_worker()
    page = as_manager.get(asked["Location"])
    html = page.content.decode()
    assert "Your download is ready" in html
    link = re.search(r'href="(/downloads/[0-9a-f-]+/file)"', html).group(1)
    file = as_manager.get(link)
    assert file.status_code == 200
    assert file["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert re.fullmatch(r'attachment; filename="cces-actions-\d{4}-\d\d-\d\d\.xlsx"', file["Content-Disposition"])

    # The same workbook the request would have written for a small plan: the red actions, highest number first.
    settings.CCES_WORKBOOK_ACTIONS_IN_REQUEST = 1000
    direct = as_manager.get(f"/actions/export.xlsx?{query}")
    assert cell_rows(bytes(file.content)) == cell_rows(direct.content)
    numbers = [row[0] for row in cell_rows(bytes(file.content))[2:]]
    assert numbers == [29, 24, 11]


def test_asking_again_does_not_build_it_twice(as_manager, large):
    first = as_manager.post("/actions/export.xlsx?rag=amber")
    again = as_manager.post("/actions/export.xlsx?rag=amber")
    assert first["Location"] == again["Location"]
    other = as_manager.post("/actions/export.xlsx?rag=green")
    assert other["Location"] != first["Location"]
    assert PreparedDownload.objects.count() == 2
    assert DBTaskResult.objects.count() == 2


@with_worker
def test_a_large_report_workbook_is_built_by_the_worker(as_manager, settings, large):
    export = reverse("reports:export", args=[SEEDED])
    offer = as_manager.get(export)
    assert offer.status_code == 200
    assert "Prepare the 2022/23 Q4 report workbook" in offer.content.decode()
    assert "This workbook holds 56 actions" in offer.content.decode()
    asked = as_manager.post(export)
    run_worker()
    _page, html = progress_page(as_manager, asked)
    assert "Your download is ready" in html
    download = PreparedDownload.objects.get()
    assert (download.state, download.rows_done, download.rows_total) == ("ready", 56, 56)
    file = as_manager.get(reverse("downloads:file", args=[download.token]))
    assert file["Content-Disposition"] == f'attachment; filename="cces-progress-report-{SEEDED}.xlsx"'

    settings.CCES_WORKBOOK_ACTIONS_IN_REQUEST = 1000
    direct = as_manager.get(export)
    for sheet in ("Summary", "Actions"):
        assert cell_rows(bytes(file.content), sheet) == cell_rows(direct.content, sheet)


@with_worker
def test_a_download_is_its_requesters_alone(client, as_manager, large):
    asked = as_manager.post("/actions/export.xlsx")
    run_worker()
    download = PreparedDownload.objects.get()
    other_manager = make_user("another-manager", role="Manager")
    client.force_login(other_manager)
    assert client.get(asked["Location"]).status_code == 404
    assert client.get(reverse("downloads:file", args=[download.token])).status_code == 404
    listed = client.get(reverse("downloads:list"))
    assert listed.status_code == 200
    assert download.file_name not in listed.content.decode()
    client.logout()
    assert client.get(asked["Location"]).status_code == 302  # to sign-in


def test_the_list_shows_the_users_downloads_and_the_file_waits_until_ready(as_manager, large):
    as_manager.post("/actions/export.xlsx")
    download = PreparedDownload.objects.get()
    listed = as_manager.get(reverse("downloads:list"))
    assert listed.status_code == 200
    assert download.file_name in listed.content.decode()
    assert "Waiting to start" in listed.content.decode()
    assert as_manager.get(reverse("downloads:file", args=[download.token])).status_code == 404


def test_progress_is_shown_as_rows_written(as_manager, large):
    as_manager.post("/actions/export.xlsx")
    download = PreparedDownload.objects.get()
    PreparedDownload.objects.filter(pk=download.pk).update(state="running", rows_done=14)
    page = as_manager.get(reverse("downloads:detail", args=[download.token]))
    assert page.status_code == 200
    assert "14 of 56 actions written (25%)" in page.content.decode()


def test_a_download_that_waits_long_says_the_worker_may_not_be_running(as_manager, large):
    as_manager.post("/actions/export.xlsx")
    download = PreparedDownload.objects.get()
    page = as_manager.get(reverse("downloads:detail", args=[download.token]))
    assert "may not be running" not in page.content.decode()
    PreparedDownload.objects.update(requested_at=timezone.now() - timedelta(minutes=6))
    page = as_manager.get(reverse("downloads:detail", args=[download.token]))
    assert page.status_code == 200
    assert "may not be running" in page.content.decode()


@with_worker
def test_a_download_that_can_no_longer_be_made_says_why(as_manager, manager):
    download = PreparedDownload.objects.create(
        requested_by=manager, kind="report-xlsx", query="2031-32-q1", file_name="x.xlsx", rows_total=56
    )
    from downloads.tasks import prepare_download

    prepare_download.enqueue(download.pk)
    run_worker()
    page = as_manager.get(reverse("downloads:detail", args=[download.token]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Your download could not be prepared" in html
    assert "Nothing is recorded for the period 2031-32-q1 any more." in html
    assert as_manager.get(reverse("downloads:file", args=[download.token])).status_code == 404


@with_worker
def test_downloads_are_kept_for_a_day(as_manager, large):
    as_manager.post("/actions/export.xlsx")
    run_worker()
    old = PreparedDownload.objects.get()
    PreparedDownload.objects.update(requested_at=timezone.now() - timedelta(hours=25))
    assert as_manager.get(reverse("downloads:file", args=[old.token])).status_code == 404
    as_manager.post("/actions/export.xlsx?rag=red")  # asking for another clears the expired ones
    assert list(PreparedDownload.objects.values_list("query", flat=True)) == ["rag=red"]


def test_a_closed_periods_stored_workbook_is_served_at_once_however_large(as_manager, plan_admin, large):
    from actions.models import ReportingPeriod
    from reports.closing import close_period

    close_period(period=ReportingPeriod.objects.get(slug=SEEDED), by=plan_admin)
    response = as_manager.get(reverse("reports:export", args=[SEEDED]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="cces-progress-report-{SEEDED}.xlsx"'


def test_the_progress_page_runs_a_fixed_number_of_queries(as_manager, django_assert_num_queries, large):
    as_manager.post("/actions/export.xlsx")
    download = PreparedDownload.objects.get()
    # session, user, the user's and their groups' permissions, the download (without its file)
    with django_assert_num_queries(5):
        assert as_manager.get(reverse("downloads:detail", args=[download.token])).status_code == 200


def test_progress_is_reported_as_rows_are_written(monkeypatch):
    monkeypatch.setattr(spreadsheet, "PROGRESS_EVERY", 2)
    sheet = PlanSheet(
        targets=[TargetColumn(1, "T1")],
        rows=[
            PlanSheetRow(number=n, marks={}, text="Do", delivery_status="", rag="", commentary="", target_date="")
            for n in range(1, 6)
        ],
    )
    reported = []
    written = [cells[0] for _rag, cells in sheet.reporting_progress(reported.append).cell_rows()]
    assert written == [1, 2, 3, 4, 5]
    assert reported == [2, 4, 5]
    # A list with no actions (a filter nothing matches) reports that none were written.
    empty, reported = PlanSheet(targets=sheet.targets, rows=[]), []
    assert list(empty.reporting_progress(reported.append).cell_rows()) == []
    assert reported == [0]


@with_worker
def test_the_worker_records_progress_every_so_many_rows(as_manager, large, monkeypatch):
    from downloads.models import PreparedDownloadQuerySet

    recorded = []
    update = PreparedDownloadQuerySet.update

    def recording(queryset, **fields):
        if "rows_done" in fields:
            recorded.append(fields["rows_done"])
        return update(queryset, **fields)

    monkeypatch.setattr(spreadsheet, "PROGRESS_EVERY", 20)
    monkeypatch.setattr(PreparedDownloadQuerySet, "update", recording)
    as_manager.post("/actions/export.xlsx")
    run_worker()
    # started, every 20 rows, the end of the rows, then ready
    assert recorded == [0, 20, 40, 56, 56]
    assert PreparedDownload.objects.get().state == "ready"


def test_only_the_workbook_can_be_asked_for_in_the_background(as_manager, large):
    assert as_manager.post("/actions/export.csv").status_code == 405
    assert not PreparedDownload.objects.exists()


def test_a_filter_the_list_cannot_use_is_refused_before_anything_is_queued(as_manager, large):
    response = as_manager.post("/actions/export.xlsx?sort=nonsense")
    assert response.status_code == 400
    assert "cannot be sorted by ‘nonsense’" in response.content.decode()
    assert not PreparedDownload.objects.exists()


def test_asking_for_a_closed_periods_workbook_in_the_background_gives_the_stored_one(as_manager, plan_admin, large):
    from actions.models import ReportingPeriod
    from reports.closing import close_period

    close_period(period=ReportingPeriod.objects.get(slug=SEEDED), by=plan_admin)
    export = reverse("reports:export", args=[SEEDED])
    response = as_manager.post(export)
    assert (response.status_code, response["Location"]) == (302, export)
    assert not PreparedDownload.objects.exists()


def test_visitors_who_have_not_signed_in_cannot_ask_for_downloads(client, seeded_plan, large):
    response = client.post("/actions/export.xlsx")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not PreparedDownload.objects.exists()
