"""Closing a quarter (refusals, snapshot, reopening) and the public site built on what is published."""

import html
import io
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.admin import ActionAdminForm
from actions.imports.apply import ImportRefused, apply_import
from actions.imports.reading import read_plan_file
from actions.imports.rows import target_headings
from actions.models import Action, PeriodClosed, PeriodEvent, ReportingPeriod, ReportSnapshot, StatusUpdate
from actions.views import StatusUpdateView
from indicators.models import ValueSource
from indicators.services import record_value
from public.published import latest_published, published_progress
from reports.closing import ClosingRefused, close_period, reopen_period
from targets.models import Target
from tests.factories import (
    HEADER,
    admin_form_data,
    make_action,
    make_indicator,
    make_targets,
    make_update,
    plan_row,
    workbook_bytes,
)

pytestmark = pytest.mark.django_db

TODAY = date(2023, 5, 10)  # 2023/24 Q1
CLOSED = "2023-24-q1"
NEXT = "2023-24-q2"
APPROVED_WORDS = "Heat pumps installed in four schools"
DRAFT_WORDS = "Unreviewed draft: supplier dispute"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(StatusUpdateView, "today", TODAY)
    monkeypatch.setattr(ActionAdminForm, "today", TODAY)


@pytest.fixture
def plan(officer):
    officer.first_name, officer.last_name = "Olivia", "Leadbetter"
    officer.save()
    targets = make_targets(7)
    action = make_action(7, text="Install heat pumps in schools", targets=[targets[0]])
    action.leads.add(officer)
    make_action(8, text="Plant trees", targets=[targets[1]])
    make_update(action, "2022-23-q4", rag="amber", commentary="Surveys started", recorded_by=officer, source="web")
    for update in StatusUpdate.objects.all():  # approved by a reviewer, so recorded by the officer
        update.review_state = "approved"
        update.save()
    make_update(action, CLOSED, rag="green", commentary=APPROVED_WORDS)
    return action


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def close(plan_admin, slug=CLOSED):
    return close_period(period=ReportingPeriod.objects.get(slug=slug), by=plan_admin)


def test_a_plan_admin_closes_from_the_report_and_the_snapshot_has_its_own_address(client, plan, plan_admin, manager):
    client.force_login(manager)
    assert client.post(f"/reports/{CLOSED}/close/").status_code == 403
    client.force_login(plan_admin)
    assert "Close and publish 2023/24 Q1" in text_of(client.get(f"/reports/{CLOSED}/close/"))
    response = client.post(f"/reports/{CLOSED}/close/")
    assert response.status_code == 302
    snapshot = ReportSnapshot.objects.get()
    page = text_of(client.get(f"/reports/{CLOSED}/"))
    assert "This period was closed on" in page and "Permanent address" in page
    assert f"/reports/{CLOSED}/snapshots/{snapshot.pk}/" in page
    assert "Whole plan" in page
    permanent = client.get(f"/reports/{CLOSED}/snapshots/{snapshot.pk}/")
    assert permanent.status_code == 200
    assert snapshot.body_html in permanent.content.decode()


def test_the_snapshot_stays_the_same_whatever_is_recorded_later(client, plan, plan_admin, officer):
    snapshot = close(plan_admin)
    client.force_login(plan_admin)
    before = snapshot.body_html
    assert before in client.get(f"/reports/{CLOSED}/snapshots/{snapshot.pk}/").content.decode()
    make_update(plan, NEXT, rag="red", commentary="Later quarter")
    Action.objects.filter(number=8).update(text="Plant trees, reworded later")
    reopen_period(period=snapshot.period, by=plan_admin, reason="Late correction from the service")
    make_update(plan, CLOSED, rag="red", commentary="Corrected after reopening")
    assert before in client.get(f"/reports/{CLOSED}/snapshots/{snapshot.pk}/").content.decode()
    assert ReportSnapshot.objects.get(pk=snapshot.pk).body_html == before
    again = close(plan_admin)
    assert again.pk != snapshot.pk and "2 status updates recorded for this period" in again.body_html
    assert "1 status update recorded for this period" in ReportSnapshot.objects.get(pk=snapshot.pk).body_html
    workbook = client.get(f"/reports/{CLOSED}/snapshots/{snapshot.pk}/export.xlsx")
    assert workbook.content == bytes(snapshot.workbook)


def test_a_closed_periods_workbook_has_the_same_sheets_as_before_it_closed(client, plan, plan_admin, manager):
    """The committee's workbook keeps its indicator values when the quarter closes: the snapshot stores them as
    they stood, and a value recorded afterwards does not change it."""
    from openpyxl import load_workbook

    from tests.factories import make_indicator

    indicator = make_indicator("fleet", name="Fleet emissions", values=[("2022-23", 1200)])
    client.force_login(manager)

    def sheets():
        response = client.get(f"/reports/{CLOSED}/export.xlsx")
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(response.content))
        return {sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()] for sheet in workbook}

    before = sheets()
    assert "Fleet emissions" in str(before["Indicator values"])
    close(plan_admin)
    after = sheets()
    assert list(after) == list(before)
    assert after["Indicator values"] == before["Indicator values"]
    record_value(indicator=indicator, period="2023-24", value=900, provisional=False, source=ValueSource.WEB)
    assert sheets()["Indicator values"] == before["Indicator values"]


def test_reopening_is_recorded_with_who_and_why(client, plan, plan_admin):
    close(plan_admin)
    client.force_login(plan_admin)
    response = client.post(f"/reports/{CLOSED}/reopen/", {"reason": ""})
    assert "Enter why the period is being reopened" in text_of(response)
    assert ReportingPeriod.objects.get(slug=CLOSED).is_closed
    client.post(f"/reports/{CLOSED}/reopen/", {"reason": "Officer sent a correction"})
    assert not ReportingPeriod.objects.get(slug=CLOSED).is_closed
    assert list(PeriodEvent.objects.order_by("at", "pk").values_list("kind", "by__username", "reason")) == [
        ("closed", "planadmin", ""),
        ("reopened", "planadmin", "Officer sent a correction"),
    ]
    page = text_of(client.get(f"/reports/{CLOSED}/"))
    assert "Reopened planadmin Officer sent a correction" in page


def test_closing_waits_for_reviews_and_a_later_closure_freezes_earlier_periods(plan, plan_admin, officer):
    make_update(plan, CLOSED, rag="amber", commentary=DRAFT_WORDS, recorded_by=officer)
    with pytest.raises(ClosingRefused, match="1 status update for 2023/24 Q1 or earlier awaits review"):
        close(plan_admin)
    StatusUpdate.objects.filter(commentary=DRAFT_WORDS).update(review_state="returned")
    close(plan_admin)
    with pytest.raises(PeriodClosed, match="2022/23 Q4 is frozen because 2023/24 Q1, after it, is closed"):
        make_update(plan, "2022-23-q4", rag="red")
    with pytest.raises(ClosingRefused, match="reopen it first"):
        reopen_period(period=ReportingPeriod.objects.get(slug="2022-23-q4"), by=plan_admin, reason="x")


def test_a_closed_period_refuses_a_form_post(client, plan, plan_admin, officer):
    close(plan_admin)
    client.force_login(officer)
    count = StatusUpdate.objects.count()
    response = client.post(
        "/actions/7/update/",
        {
            "period": CLOSED,
            "delivery_status": "in_progress",
            "rag": "green",
            "commentary": "late",
            "based_on": Action.objects.get(number=7).current_update_id,
        },
    )
    assert response.status_code == 200
    assert "2023/24 Q1 is closed, so nothing can be recorded for it." in text_of(response)
    assert StatusUpdate.objects.count() == count


def test_a_closed_period_refuses_an_admin_change(client, plan, plan_admin):
    close(plan_admin)
    client.force_login(plan_admin)
    page = client.get(f"/admin/actions/action/{plan.pk}/change/")
    count = StatusUpdate.objects.count()
    data = admin_form_data(page, period=CLOSED, rag="red", commentary="late", delivery_status="in_progress")
    response = client.post(f"/admin/actions/action/{plan.pk}/change/", data)
    assert response.status_code == 200
    assert "2023/24 Q1 is closed, so nothing can be recorded for it." in text_of(response)
    assert StatusUpdate.objects.count() == count


def test_a_closed_period_refuses_an_import(client, plan, plan_admin, tmp_path):
    close(plan_admin)
    data = workbook_bytes([HEADER, plan_row(7, rag="Red", commentary="From the file")])
    headings = target_headings(Target.objects.all())
    with pytest.raises(ImportRefused, match="2023/24 Q1 is closed"):
        apply_import(read_plan_file(data, "q1.xlsx", headings), ReportingPeriod.objects.get(slug=CLOSED))
    path = tmp_path / "q1.xlsx"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="2023/24 Q1 is closed"):
        call_command("import_plan", str(path), "--period", CLOSED, stdout=io.StringIO())
    client.force_login(plan_admin)
    response = client.post("/imports/upload/", {"file": SimpleUploadedFile("q1.xlsx", data), "period": CLOSED})
    assert response.status_code == 200
    assert "2023/24 Q1 is closed, so nothing can be recorded for it." in text_of(response)
    assert not StatusUpdate.objects.filter(commentary="From the file").exists()


# ---------------------------------------------------------------------------
# The public site

PUBLIC_PAGES = [
    "/public/",
    "/public/targets/1/",
    "/public/actions/",
    "/public/actions/7/",
    "/public/reports/",
    f"/public/reports/{CLOSED}/",
    "/public/data/",
]
RETURNED_WORDS = "Returned draft: figures not checked"


def record(indicator, period, value, **fields):
    return record_value(indicator=indicator, period=period, value=value, provisional=False, source="web", **fields)


@pytest.fixture
def published(plan, plan_admin, officer):
    emissions = make_indicator(
        "emissions",
        name="Council emissions",
        targets=[Target.objects.get(number=1)],
        baseline_value=1000,
        baseline_period="2018/19",
        goals=[("2029/30", 500)],
        values=[("2019/20", 950), ("2020/21", 910), ("2021/22", 870)],
    )
    record(emissions, "2022/23", 830, recorded_by=officer, note="Checked by Olivia Leadbetter")
    record(emissions, "2023/24", 111)  # recorded before closing, but its year ends after 2023/24 Q1
    returned = make_update(plan, CLOSED, rag="red", commentary=RETURNED_WORDS, recorded_by=officer)
    StatusUpdate.objects.filter(pk=returned.pk).update(review_state="returned")
    close(plan_admin)
    make_update(plan, NEXT, rag="red", commentary=DRAFT_WORDS, recorded_by=officer)  # submitted, not approved
    record(emissions, "2022/23", 222)  # a correction recorded after closing: published at the next closing
    trees = make_indicator("trees", name="Trees planted", targets=[Target.objects.get(number=1)], direction="up")
    record_value(indicator=trees, period="2021/22", value=333, provisional=False, source=ValueSource.DEMO)
    return plan


def test_before_anything_is_published_the_site_says_so(client, plan):
    assert "has not published a quarter's progress yet" in text_of(client.get("/public/"))
    assert client.get("/public/actions/7/").status_code == 404


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_show_no_unreviewed_words_no_names_and_no_internal_links(client, published, url):
    response = client.get(url)
    assert response.status_code == 200
    page = text_of(response)
    assert "Last published" in page and "2023/24 Q1" in page
    assert DRAFT_WORDS not in page and RETURNED_WORDS not in page
    assert "Olivia" not in page and "Leadbetter" not in page and "by officer" not in page
    for href in re.findall(r'href="([^"]+)"', response.content.decode()):
        # The API's documentation is public too: anonymous clients see published data only (tests/test_api.py).
        assert href.startswith(
            (
                "/public/",
                "/static/",
                "/accessibility/",
                "/api/v1/docs/",
                "/api/v1/schema/",
                "#",
                "https://www.nationalarchives",
            )
        ), href
    assert "Sign in" not in page


def test_the_public_action_page_shows_the_published_position_and_history(client, published):
    page = text_of(client.get("/public/actions/7/"))
    assert "Position at the end of 2023/24 Q1" in page
    assert APPROVED_WORDS in page and "Surveys started" in page
    assert "Lead officers" not in page


def test_lead_officers_are_named_only_if_the_setting_allows(client, published, settings):
    settings.CCES_PUBLIC_SHOW_NAMES = True
    assert "Lead officers Olivia Leadbetter" in text_of(client.get("/public/actions/7/"))


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_are_cacheable(client, published, url):
    response = client.get(url)
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert response["ETag"] and response["Last-Modified"]
    assert "Cookie" not in response.get("Vary", "")
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert since.status_code == 304


def test_public_pages_run_a_fixed_number_of_queries(client, published, plan_admin, django_assert_num_queries):
    counts = {}
    for url in PUBLIC_PAGES:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts[url] = len(captured)
    reopen_period(period=ReportingPeriod.objects.get(slug=CLOSED), by=plan_admin, reason="More actions")
    for number in range(20, 60):
        action = make_action(number, targets=list(Target.objects.all()))
        make_update(action, CLOSED, rag="green", commentary=f"n{number}")
    for n in range(8):
        make_indicator(
            f"more-{n}",
            targets=list(Target.objects.all()),
            baseline_value=100,
            baseline_period="2015/16",
            goals=[("2025/26", 60), ("2029/30", 10)],
            values=[(f"{year}/{(year + 1) % 100:02}", 100 - year % 100) for year in range(2016, 2023)],
        )
    close(plan_admin)
    assert "chart-public-more-7" in client.get("/public/targets/1/").content.decode()
    for url in PUBLIC_PAGES:
        with django_assert_num_queries(counts[url]):
            client.get(url)
    assert max(counts.values()) <= 7


def test_a_public_target_page_shows_its_indicators_as_published(client, published):
    response = client.get("/public/targets/1/")
    page = text_of(response)
    assert "Target 1" in page and "1 action: 1 green" in page, page
    assert "Council emissions" in page and "Trees planted" in page
    # Values for years ended by 2023/24 Q1's end, as recorded before it closed: not the later correction,
    # not the year that had not ended, not demonstration data.
    assert "Latest value 830 tCO2e for 2022/23" in page
    assert "Baseline 1000 tCO2e for 2018/19" in page and "Next goal 500 tCO2e by the end of 2029/30" in page
    assert "222" not in page and "111" not in page and "333" not in page
    assert "2023/24:" not in page and "Demonstration" not in page
    assert "Latest value None published yet" in page  # trees: only a demonstration value
    assert page.count("On track? ") == 2
    progress = {p.indicator.slug: p for p in published_progress_of_target(1)}
    assert [float(v.value) for v in progress["emissions"].standing] == [950, 910, 870, 830]
    verdict = progress["emissions"].verdict.label
    assert f"On track? {verdict} {progress['emissions'].judgement.reason}" in page
    svg = response.content.decode()
    assert 'role="img" aria-labelledby="chart-public-emissions-title chart-public-emissions-desc"' in svg
    assert "Checked by" not in page and "Olivia" not in page


def test_indicator_values_are_published_at_the_next_closing(client, published, plan_admin):
    reopen_period(period=ReportingPeriod.objects.get(slug=CLOSED), by=plan_admin, reason="Emissions corrected")
    assert "has not published" in text_of(client.get("/public/"))
    close(plan_admin)
    page = text_of(client.get("/public/targets/1/"))
    assert "Latest value 222 tCO2e for 2022/23" in page and "830" not in page


def published_progress_of_target(number):
    return published_progress(latest_published(), Target.objects.get(number=number))


def test_the_published_history_as_of_a_period_is_the_same_given_its_slug_or_its_row(officer):
    action = make_action(31)
    make_update(action, "2022-23-q4", rag="red")
    make_update(action, "2023-24-q1", rag="amber")
    make_update(action, "2023-24-q2", rag="green")
    make_update(action, "2023-24-q1", rag="red", recorded_by=officer)  # awaiting review: never published
    row = ReportingPeriod.objects.get(slug="2023-24-q1")
    by_slug = StatusUpdate.objects.published("2023-24-q1").newest_first()
    by_row = StatusUpdate.objects.published(row).newest_first()
    expected = [("2023-24-q1", "amber"), ("2022-23-q4", "red")]
    assert [(u.period_id, u.rag) for u in by_slug] == [(u.period_id, u.rag) for u in by_row] == expected
