"""The quarterly progress report: its figures, its page, its export."""

import csv
import io
import re
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from actions.models import Action, ReportingPeriod
from actions.spreadsheet import RAG_FILLS
from reports.charts import stacked_bars
from reports.quarterly import RagSplit, build_report
from targets.models import Target
from tests.factories import make_action, make_targets, make_update
from tests.required import skip_or_fail

pytestmark = pytest.mark.django_db

SEED_CSV = Path(settings.BASE_DIR) / "fixtures" / "cces-action-plan-2022-23-q4.csv"
SEEDED = "2022-23-q4"
NEXT = "2023-24-q1"


def seed_rows() -> dict[int, dict]:
    with SEED_CSV.open(encoding="utf-8") as handle:
        return {int(row["number"]): row for row in csv.DictReader(handle)}


def expected_by_target(rags: dict[int, str], targets_of: dict[int, set[int]]) -> dict[int, dict[str, int]]:
    """Counts worked out from plain dicts, independently of the report's code."""
    counts = {n: Counter() for n in range(1, 8)}
    for number, rag in rags.items():
        for target in targets_of[number]:
            counts[target][rag] += 1
    return {n: {"green": c["green"], "amber": c["amber"], "red": c["red"], "none": 0} for n, c in counts.items()}


def seed_expectations():
    rows = seed_rows()
    rags = {n: row["rag"].lower() for n, row in rows.items()}
    targets_of = {n: {t for t in range(1, 8) if row[f"target_{t}"]} for n, row in rows.items()}
    return rags, targets_of


@pytest.fixture
def second_quarter(seeded_plan):
    """2023/24 Q1 on top of the seed: two improve, one worsens, one completes, one is new, one is merged."""
    by_number = {action.number: action for action in Action.objects.all()}
    make_update(by_number[11], NEXT, rag="green", delivery_status="in_progress", commentary="Started in April.")
    make_update(by_number[2], NEXT, rag="red", delivery_status="in_progress", commentary="Contractor withdrew.")
    make_update(by_number[4], NEXT, rag="green", delivery_status="complete", commentary="Done.")
    make_update(by_number[12], NEXT, rag="green", delivery_status="in_progress", commentary="Still on track.")
    new = make_action(57, text="Plant hedgerows on council farms", targets=[Target.objects.get(number=1)])
    make_update(new, NEXT, rag="amber", delivery_status="not_started")
    merged = by_number[9]
    merged.merged_into = by_number[8]
    merged.save()
    return ReportingPeriod.objects.get(slug=NEXT)


def test_seeded_period_figures(seeded_plan):
    report = build_report(ReportingPeriod.objects.get(slug=SEEDED))
    rags, targets_of = seed_expectations()

    assert report.overall == RagSplit(green=40, amber=13, red=3)
    assert {t.number: split.as_dict() for t, split in report.by_target} == expected_by_target(rags, targets_of)
    statuses = Counter(row["delivery_status"] for row in seed_rows().values())
    assert statuses == {"In progress": 34, "Delivery": 15, "Not Started": 3, "": 4}
    assert dict(report.delivery_status) == {
        "Not started": 3,
        "In progress": 34,
        "In delivery": 15,
        "Complete": 0,
        "Not recorded": 4,
    }
    assert report.updates_in_period == 56
    # Nothing was recorded for 2022/23 Q3, so every action is new and none moved.
    assert [p.number for p in report.new] == list(range(1, 57))
    assert report.improved == report.worsened == report.unchanged == []
    assert report.completed == report.merged == report.stale == []
    # Target year before 2023 and not complete, at 31 March 2023.
    assert [p.number for p in report.overdue] == [1, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert [(row.period.slug, row.split, row.updates) for row in report.trend] == [
        (SEEDED, RagSplit(green=40, amber=13, red=3), 56)
    ]


def test_second_period_figures_and_movement(second_quarter):
    report = build_report(second_quarter)
    rags, targets_of = seed_expectations()
    rags.update({11: "green", 2: "red", 4: "green", 57: "amber"})
    targets_of[57] = {1}

    assert report.overall == RagSplit(green=41, amber=13, red=3)
    assert {t.number: split.as_dict() for t, split in report.by_target} == expected_by_target(rags, targets_of)
    assert report.updates_in_period == 5

    assert [(m.after.number, m.before_rag, m.after.rag) for m in report.improved] == [
        (4, "amber", "green"),
        (11, "red", "green"),
    ]
    assert [(m.after.number, m.before_rag, m.after.rag) for m in report.worsened] == [(2, "green", "red")]
    assert len(report.unchanged) == 53
    assert 12 in [m.after.number for m in report.unchanged]
    assert [p.number for p in report.new] == [57]
    assert [p.number for p in report.completed] == [4]
    assert [(p.number, p.merged_into_number) for p in report.merged] == [(9, 8)]
    assert [p.number for p in report.stale] == [n for n in range(1, 57) if n not in {2, 4, 11, 12}]
    assert [p.number for p in report.overdue] == [1, 3, 5, 6, 7, 8, 9, 10, 11]
    assert [(row.period.slug, row.split, row.updates) for row in report.trend] == [
        (SEEDED, RagSplit(green=40, amber=13, red=3), 56),
        (NEXT, RagSplit(green=41, amber=13, red=3), 5),
    ]


def test_an_earlier_report_is_unchanged_by_later_updates(second_quarter):
    report = build_report(ReportingPeriod.objects.get(slug=SEEDED))
    assert report.overall == RagSplit(green=40, amber=13, red=3)
    assert 57 not in [p.number for p in report.positions]
    assert [p.rag for p in report.positions if p.number in (2, 4, 11)] == ["green", "amber", "red"]


def test_movement_uses_the_latest_recording_and_skips_empty_quarters(db):
    (target,) = make_targets(1)
    steady = make_action(1, targets=[target])
    make_update(steady, "2022-23-q3", rag="amber")
    flip = make_action(2, targets=[target])
    make_update(flip, "2022-23-q3", rag="green")
    make_update(flip, "2022-23-q4", rag="red")
    make_update(flip, "2022-23-q4", rag="amber")  # a correction in the same period: the later recording counts
    late = make_action(3, targets=[target])
    make_update(late, "2023-24-q2", rag="green")

    report = build_report(ReportingPeriod.objects.get(slug="2022-23-q4"))
    assert [(m.after.number, m.direction) for m in report.worsened] == [(2, "worsened")]
    assert [(m.after.number, m.direction) for m in report.unchanged] == [(1, "unchanged")]
    assert report.overall == RagSplit(amber=2)

    # 2023/24 Q2 against Q1, when nothing was recorded: Q1's positions are those carried from 2022/23 Q4.
    report = build_report(ReportingPeriod.objects.get(slug="2023-24-q2"))
    assert report.previous.slug == "2023-24-q1"
    assert [p.number for p in report.new] == [3]
    assert [m.after.number for m in report.unchanged] == [1, 2]
    assert [p.number for p in report.stale] == [1, 2]


def test_an_action_added_without_a_status_counts_as_no_status_from_when_it_was_added(client, manager):
    (target,) = make_targets(1)
    make_update(make_action(1, targets=[target]), "2022-23-q3", rag="green")
    make_action(2, targets=[target], created_at=datetime(2023, 2, 1, tzinfo=UTC))
    ReportingPeriod.objects.for_slug("2022-23-q4")

    earlier = build_report(ReportingPeriod.objects.get(slug="2022-23-q3"))
    assert [p.number for p in earlier.positions] == [1]
    later = build_report(ReportingPeriod.objects.get(slug="2022-23-q4"))
    assert later.overall == RagSplit(green=1, none=1)
    assert [(t.number, split) for t, split in later.by_target] == [(1, RagSplit(green=1, none=1))]
    assert [(p.number, p.rag_label, p.period_label) for p in later.stale] == [
        (1, "Green", "2022/23 Q3"),
        (2, "No status", "Never"),
    ]
    assert later.new == [] and [m.after.number for m in later.unchanged] == [1]
    # The trend counts the action added without a status too, so each period's bar matches its report.
    assert [(row.period.slug, row.split) for row in later.trend] == [
        ("2022-23-q3", earlier.overall),
        ("2022-23-q4", later.overall),
    ]

    client.force_login(manager)
    html = client.get(report_url("2022-23-q4")).content.decode()
    assert "1 action (no status recorded yet)" in html
    assert '<th scope="col" class="govuk-table__header govuk-table__header--numeric">No status</th>' in html
    assert "Target 1: T1: 1 green, 1 no status" in html


def test_an_action_is_in_a_periods_report_if_added_by_the_end_of_its_last_day_in_uk_time():
    (target,) = make_targets(1)
    make_update(make_action(1, targets=[target]), "2022-23-q4", rag="green")
    # 31 March 2023 is in British Summer Time: 22:30 UTC is 23:30 that day, 23:30 UTC is 00:30 on 1 April.
    make_action(2, targets=[target], created_at=datetime(2023, 3, 31, 22, 30, tzinfo=UTC))
    make_action(3, targets=[target], created_at=datetime(2023, 3, 31, 23, 30, tzinfo=UTC))
    q4 = ReportingPeriod.objects.get(slug="2022-23-q4")
    ReportingPeriod.objects.for_slug("2023-24-q1")

    report = build_report(q4)
    assert [p.number for p in report.positions] == [1, 2]
    assert [(row.period.slug, row.split) for row in report.trend] == [
        ("2022-23-q4", RagSplit(green=1, none=1)),
        ("2023-24-q1", RagSplit(green=1, none=2)),
    ]
    # The public site reads "in the plan by the period's end" the same way.
    assert [a.number for a in Action.objects.published(q4)] == [1, 2]


def test_chart_bars_share_one_scale_and_skip_empty_colours():
    chart = stacked_bars("c", "Chart", [("Big", RagSplit(green=30, red=10)), ("Small", RagSplit(amber=20))])
    big, small = chart.bars
    assert [(s.status, s.x, s.width) for s in big.segments] == [("green", 0, 465.0), ("red", 465.0, 155.0)]
    assert [(s.status, s.width) for s in small.segments] == [("amber", 310.0)]
    assert big.summary == "30 green, 10 red"
    assert chart.description == "Big: 30 green, 10 red; Small: 20 amber."
    assert chart.legend == [("green", "Green"), ("amber", "Amber"), ("red", "Red")]
    assert small.bar_y > big.bar_y + chart.bar_height


# The page ------------------------------------------------------------------


def report_url(slug=SEEDED):
    return reverse("reports:quarterly", args=[slug])


def test_report_page_shows_the_seeded_figures_accessibly(client, seeded_plan, manager):
    client.force_login(manager)
    response = client.get(report_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "<title>Progress report 2022/23 Q4 – Climate action plan tracker</title>" in html
    assert 'aria-label="Whole plan by RAG"' in html
    assert "Green 40" in html and "Amber 13" in html and "Red 3" in html
    # Charts: an SVG image with a title and a description carrying the numbers.
    assert 'role="img" aria-labelledby="chart-targets-title chart-targets-desc"' in html
    assert '<title id="chart-targets-title">RAG by target at the end of 2022/23 Q4</title>' in html
    desc = re.search(r'<desc id="chart-trend-desc">(.*?)</desc>', html).group(1)
    assert desc == "2022/23 Q4: 40 green, 13 amber, 3 red."
    assert "app-fill--pattern-amber" in html
    legend = re.search(r'<figure class="app-chart.*?</figure>', html, re.S).group(0)
    assert re.findall(r"</svg>(\w[\w ]*)</li>", legend) == ["Green", "Amber", "Red"]
    # The numbers also in a table, RAG always with its word.
    assert '<th scope="row" class="govuk-table__header">Target 2: Council net zero 2030</th>' in html
    assert '<strong class="govuk-tag app-rag--red">Red</strong>' in html
    # Print: sections break pages, controls do not print.
    # Six sections and "Are the targets on track?"; "Needing attention" flows on from the changes before it.
    assert html.count('class="app-page-break"') == 7
    assert 'class="govuk-button-group app-no-print"' in html
    assert reverse("reports:export", args=[SEEDED]) in html
    assert "style=" not in html
    assert "<script>" not in html and " on" + "click=" not in html


def test_report_page_shows_movement_and_definitions(client, second_quarter, manager):
    client.force_login(manager)
    html = client.get(report_url(NEXT)).content.decode()
    assert "Movement since 2022/23 Q4" in html
    assert "Improved (2)" in html and "Worsened (1)" in html and "Unchanged (53)" in html
    assert "New this period (1)" in html and "Completed this period (1)" in html
    assert "The tracker does not record when a merge happened" in html
    assert '<a class="govuk-link" href="/actions/8/">Action 8</a>' in html
    assert "5 status updates recorded for this period." in html


def test_a_period_with_no_updates_says_so(client, seeded_plan, manager):
    ReportingPeriod.objects.for_slug("2023-24-q2")
    client.force_login(manager)
    html = client.get(report_url("2023-24-q2")).content.decode()
    assert "No status updates were recorded for 2023/24 Q2." in html
    assert "Green 40" in html  # carried forward


def test_a_period_before_anything_was_recorded_says_so(client, seeded_plan, manager):
    ReportingPeriod.objects.for_slug("2021-22-q1")
    client.force_login(manager)
    response = client.get(report_url("2021-22-q1"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing had been recorded for any action by the end of 2021/22 Q1" in html
    assert "Movement since" not in html


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("2023-q1", "is not a reporting period. Use the form 2022-23-q4"),
        ("2023-25-q1", "2023 is followed by 24"),
        ("2030-31-q1", "Nothing has been recorded for 2030/31 Q1, so there is no report for it."),
    ],
)
def test_unknown_or_malformed_periods_are_404_with_a_reason(client, seeded_plan, manager, slug, message):
    client.force_login(manager)
    for url in (report_url(slug), reverse("reports:export", args=[slug])):
        response = client.get(url)
        assert response.status_code == 404
        html = response.content.decode()
        assert message in html
        assert html.count("<h1") == 1


def test_index_lists_periods_latest_first(client, second_quarter, manager):
    ReportingPeriod.objects.for_slug("2023-24-q2")
    client.force_login(manager)
    response = client.get(reverse("reports:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert [p.slug for p in response.context["periods"]] == ["2023-24-q2", NEXT, SEEDED]
    assert f'href="{report_url(NEXT)}">2023/24 Q1 report</a>' in html
    assert "None yet" in html
    assert '<a class="govuk-service-navigation__link" href="/reports/" aria-current="page">' in html


@pytest.mark.parametrize("name", ["index", "quarterly", "export"])
def test_reports_need_a_plan_reader(client, seeded_plan, django_user_model, manager, name):
    url = reverse(f"reports:{name}", args=[] if name == "index" else [SEEDED])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.get(url).status_code == 403
    client.force_login(manager)
    assert client.get(url).status_code == 200


# The export ----------------------------------------------------------------


def export(client, slug=SEEDED):
    response = client.get(reverse("reports:export", args=[slug]))
    assert response.status_code == 200
    return response


def summary_tables(sheet) -> dict[str, list[tuple]]:
    """The Summary sheet read back as {section title: rows under it}, sections split by blank rows."""
    tables, title = {}, None
    for row in sheet.iter_rows(min_row=5, values_only=True):
        values = tuple(v for v in row if v is not None)
        if not values:
            title = None
        elif title is None:
            title = values[0]
            tables[title] = []
        else:
            tables[title].append(values)
    return tables


def test_export_has_summary_and_actions_sheets(client, second_quarter, manager):
    client.force_login(manager)
    response = export(client, NEXT)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="cces-progress-report-2023-24-q1.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Summary", "Actions", "About", "Indicator values"]
    assert workbook.active.title == "Summary"

    summary = workbook["Summary"]
    assert summary["A1"].value == "CCES action plan progress report: 2023/24 Q1"
    tables = summary_tables(summary)
    assert tables["Whole plan by RAG"] == [
        ("RAG", "Actions"),
        ("Green", 41),
        ("Amber", 13),
        ("Red", 3),
        ("No status", 0),
        ("Total", 57),
    ]
    assert tables["RAG by target"][0] == ("Target", "Title", "Green", "Amber", "Red", "No status", "Total")
    assert len(tables["RAG by target"]) == 8
    assert tables["RAG by target"][1][0] == "Target 1" and tables["RAG by target"][1][-1] == 20  # 19 + action 57
    assert tables["Movement since 2022/23 Q4"][1:] == [
        ("Improved", 2),
        ("Worsened", 1),
        ("Unchanged", 53),
        ("New this period", 1),
    ]
    assert [row[0] for row in tables["Improved"][1:]] == [4, 11]
    assert tables["Worsened"][1][0] == 2 and tables["Worsened"][1][2:] == ("Green", "Red", "Worsened")
    assert tables["Merged actions"][1:] == [(9, Action.objects.get(number=9).summary, 8)]
    assert tables["Trend: RAG at the end of each period"][1:] == [
        ("2022/23 Q4", 56, 40, 13, 3),
        ("2023/24 Q1", 5, 41, 13, 3),
    ]
    # Colour on RAG cells, never without the word.
    worsened_row = next(r for r in summary.iter_rows(min_row=1) if r[4].value == "Worsened")
    assert worsened_row[3].value == "Red"
    assert worsened_row[3].fill.fgColor.rgb == RAG_FILLS["red"]

    actions = workbook["Actions"]
    header = [cell.value for cell in actions[2]]
    assert (
        header[0] == "No."
        and header[1] == "Target 1: Natural capital"
        and header[-5:]
        == [
            "Action",
            "Delivery Status",
            "RAG",
            "Commentary",
            "Action Plan Target Date",
        ]
    )
    rows = {row[0].value: row for row in actions.iter_rows(min_row=3)}
    assert len(rows) == 57
    rag_column = header.index("RAG")
    assert rows[2][rag_column].value == "Red"
    assert rows[2][rag_column].fill.fgColor.rgb == RAG_FILLS["red"]
    assert rows[2][rag_column + 1].value == "Contractor withdrew."
    assert rows[4][header.index("Delivery Status")].value == "Complete"
    assert rows[57][1].value == "✓" and rows[57][2].value is None


def test_export_of_an_earlier_period_shows_positions_as_they_stood(client, second_quarter, manager):
    client.force_login(manager)
    workbook = load_workbook(io.BytesIO(export(client, SEEDED).content))
    actions = workbook["Actions"]
    header = [cell.value for cell in actions[2]]
    rows = {row[0].value: row for row in actions.iter_rows(min_row=3)}
    assert len(rows) == 56
    assert rows[2][header.index("RAG")].value == "Green"
    assert rows[2][header.index("RAG")].fill.fgColor.rgb == RAG_FILLS["green"]


def test_export_opens_in_libreoffice(client, second_quarter, manager, tmp_path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        skip_or_fail("LibreOffice is not installed (apt-get install libreoffice-calc-nogui); export not checked in it")
    client.force_login(manager)
    source = tmp_path / "report.xlsx"
    source.write_bytes(export(client, NEXT).content)
    # Sheet -1: one CSV per sheet, named <file>-<sheet>.csv.
    subprocess.run(  # noqa: S603 - fixed arguments, a file we wrote
        [
            office,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    summary = (tmp_path / "report-Summary.csv").read_text(encoding="utf-8")
    actions = list(csv.reader((tmp_path / "report-Actions.csv").open(encoding="utf-8")))
    assert "CCES action plan progress report: 2023/24 Q1" in summary
    assert "Green,41" in summary
    assert len([row for row in actions[2:] if row and row[0]]) == 57
    assert actions[1][0] == "No."


# Query counts --------------------------------------------------------------


def grow_plan(extra: int):
    target = Target.objects.get(number=3)
    for number in range(100, 100 + extra):
        action = make_action(number, targets=[target])
        make_update(action, SEEDED, rag="red")
        make_update(action, NEXT, rag="green", delivery_status="complete")


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_page_and_export_run_a_fixed_number_of_queries(client, second_quarter, manager, django_assert_num_queries):
    client.force_login(manager)
    urls = [report_url(NEXT), reverse("reports:export", args=[NEXT]), reverse("reports:index")]
    small = [count_queries(client, url) for url in urls]
    grow_plan(30)
    ReportingPeriod.objects.for_slug("2023-24-q2")
    assert [count_queries(client, url) for url in urls] == small
    # The page: the report's 8 (the actions with their services, the periods and one pass over the approved
    # history, the count of updates reviewed, targets, target links, funding and late milestones), the
    # session, the user, their permissions, the period, its closing history and snapshots, its latest request
    # to be closed in the background, and 4 for its indicators. The workbook (which checks for no closing
    # request) reads the positions' commentary as well, and first counts the plan's actions to decide whether
    # this request writes it or the background worker does.
    with django_assert_num_queries(20):
        assert client.get(report_url(NEXT)).status_code == 200
    with django_assert_num_queries(19):
        assert client.get(reverse("reports:export", args=[NEXT])).status_code == 200
    with django_assert_num_queries(5):
        assert client.get(reverse("reports:index")).status_code == 200


# Positions from one pass over the history ---------------------------------------------------------------


def mixed_history():
    """Back-filled periods, same-period re-recordings, updates awaiting review and returned, late additions."""
    from actions.models import ReviewState, StatusUpdate
    from tests.factories import make_synthetic_plan

    make_targets()
    make_synthetic_plan(60, quarters=4, first="2022-23-q2", seed=7)
    actions = list(Action.objects.order_by("number"))
    for action in actions[::5]:
        make_update(action, "2022-23-q3", rag="red", delivery_status="complete", commentary="Back-filled Q3.")
    for action in actions[1::7]:
        make_update(action, "2023-24-q1", rag="amber", commentary="Recorded again in Q1.")
    # Not approved: the report leaves these out.
    StatusUpdate.objects.filter(action__in=actions[2::6], period_id="2023-24-q1").update(
        review_state=ReviewState.SUBMITTED
    )
    StatusUpdate.objects.filter(action__in=actions[3::8], period_id="2022-23-q4").update(
        review_state=ReviewState.RETURNED
    )
    make_action(500, text="Added with no status yet")


@pytest.mark.parametrize("slug", ["2022-23-q3", "2022-23-q4", "2023-24-q1"])
def test_report_positions_match_the_position_query_as_the_period_ended(slug):
    """The report walks the history once in Python; each figure must be what the database's position (the one
    the list, its filters and the public site read) gives for the same period."""
    mixed_history()
    period = ReportingPeriod.objects.get(slug=slug)
    report = build_report(period)
    expected = (
        Action.objects.published(period)
        .order_by("number")
        .values_list("number", "position_rag", "position_delivery_status", "position_period_id", "position_update_id")
    )
    got = [(p.number, p.rag, p.delivery_status, p.period_id, p.update_id) for p in report.positions]
    assert got == list(expected)
    in_report = Action.objects.published(period)
    assert [p.number for p in report.overdue] == list(
        in_report.overdue(on=period.end).order_by("number").values_list("number", flat=True)
    )
    assert [p.number for p in report.stale] == list(
        in_report.stale(period).order_by("number").values_list("number", flat=True)
    )
    previous = {
        number: rag
        for number, rag, update in Action.objects.with_position(
            period.as_quarter.previous().slug, approved_only=True
        ).values_list("number", "position_rag", "position_update_id")
        if update is not None
    }
    for move in [*report.improved, *report.worsened, *report.unchanged]:
        assert move.before_rag == previous[move.after.number]
    assert sorted(p.number for p in report.new) == sorted(
        p.number for p in report.positions if p.update_id and p.number not in previous
    )
    commentary = dict(Action.objects.published(period).values_list("number", "position_update_id"))
    from actions.models import StatusUpdate

    texts = dict(StatusUpdate.objects.values_list("pk", "commentary"))
    report.read_commentary()  # the workbook's: the page shows no commentary
    assert {p.number: p.commentary for p in report.positions if p.update_id} == {
        number: texts[update] for number, update in commentary.items() if update
    }


def test_a_report_of_most_of_the_plan_reads_whole_tables_and_gives_the_same_figures(monkeypatch):
    """Past IDS_IN_QUERY actions, parts are read for the whole plan and kept for the report's actions."""
    mixed_history()
    period = ReportingPeriod.objects.get(slug="2023-24-q1")
    by_ids = build_report(period)
    by_ids.read_commentary()
    monkeypatch.setattr("actions.bulk.IDS_IN_QUERY", 0)
    whole = build_report(period)
    whole.read_commentary()
    assert any(p.commentary for p in whole.positions)
    assert [(p.number, p.rag, p.commentary) for p in whole.positions] == [
        (p.number, p.rag, p.commentary) for p in by_ids.positions
    ]
    assert whole.targets_of == by_ids.targets_of
    assert (whole.by_funding, whole.late_milestones) == (by_ids.by_funding, by_ids.late_milestones)


def test_the_page_lists_at_most_fifty_actions_a_heading_and_says_where_the_rest_are(client, manager):
    from reports.closing import LIST_LIMIT
    from tests.factories import make_synthetic_plan

    make_targets()
    make_synthetic_plan(200, quarters=2, first="2022-23-q4")
    ReportingPeriod.objects.for_slug("2023-24-q2")  # nothing recorded for it: all 200 have no update this period
    client.force_login(manager)
    html = client.get(report_url("2023-24-q2")).content.decode()
    assert "No update this period (200)" in html
    assert "The first 50 of 200 are listed here." in html
    assert (
        '<a class="govuk-link" href="/actions/?stale=on&amp;period=2023-24-q2">See all 200 in the action list</a>'
        in html
    )
    assert "<details" not in html  # no hidden list of every unchanged action
    report = build_report(ReportingPeriod.objects.get(slug="2023-24-q2"))
    lists = [report.improved, report.worsened, report.new, report.completed, report.merged, report.overdue]
    listed = sum(min(len(each), LIST_LIMIT) for each in [*lists, report.stale])
    assert len(re.findall(r'href="/actions/\d+/"', html)) == listed
    # Every list the page cut is complete in the workbook.
    summary = summary_tables(load_workbook(io.BytesIO(export(client, "2023-24-q2").content))["Summary"])
    assert len(summary["No update this period"]) == 1 + 200
    assert len(summary["Unchanged"]) == 1 + len(report.unchanged)
