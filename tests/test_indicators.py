"""Indicators: periods, the verdict rule, chart geometry read back from the SVG, supersession, the seed,
exports and the quarterly report's section and sheet."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from defusedxml import ElementTree as ET
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from actions.periods import InvalidPeriod
from indicators.models import Indicator, IndicatorGoal, IndicatorValue, ValueSource
from indicators.periods import Frequency, parse_period
from indicators.progress import VERDICT_RULE, Goal, Point, Verdict, judge, progress_of
from indicators.seed import add_demo_values
from indicators.services import record_value
from tests.factories import make_indicator, make_targets

pytestmark = pytest.mark.django_db

FY = Frequency.FINANCIAL_YEAR


# Periods --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "written", "key", "label", "end"),
    [
        (FY, "2022/23", "2022-23", "2022/23", date(2023, 3, 31)),
        (FY, "2022-2023", "2022-23", "2022/23", date(2023, 3, 31)),
        (FY, " FY2022/23 ", "2022-23", "2022/23", date(2023, 3, 31)),
        (Frequency.QUARTER, "2022/23 Q4", "2022-23-q4", "2022/23 Q4", date(2023, 3, 31)),
        (Frequency.QUARTER, "Q1 2023/24", "2023-24-q1", "2023/24 Q1", date(2023, 6, 30)),
        (Frequency.QUARTER, "2023-24-q2", "2023-24-q2", "2023/24 Q2", date(2023, 9, 30)),
        (Frequency.CALENDAR_YEAR, "2021", "2021", "2021", date(2021, 12, 31)),
        (Frequency.CALENDAR_YEAR, 2021, "2021", "2021", date(2021, 12, 31)),
    ],
)
def test_periods_are_read_from_the_usual_spellings(frequency, written, key, label, end):
    period = parse_period(frequency, written)
    assert (period.key, period.label, period.end) == (key, label, end)


@pytest.mark.parametrize(
    ("frequency", "written", "message"),
    [
        (FY, "2022/24", "2022 is followed by 2023"),
        (FY, "2022", "is not a financial year such as 2022/23"),
        (Frequency.CALENDAR_YEAR, "2022/23", "is not a calendar year such as 2022"),
        (Frequency.QUARTER, "2022/23 Q5", "is not a financial-year quarter"),
    ],
)
def test_a_period_that_does_not_fit_the_frequency_says_why(frequency, written, message):
    with pytest.raises(InvalidPeriod, match=re.escape(message)):
        parse_period(frequency, written)


# The verdict rule -------------------------------------------------------------


def series(*pairs):
    return [Point(parse_period(FY, period), value) for period, value in pairs]


def goal(period, value):
    return Goal(parse_period(FY, period), value, str(value))


def test_falling_fast_enough_is_on_track():
    judgement = judge(series(("2019/20", 100), ("2020/21", 80), ("2021/22", 60)), [goal("2024/25", 10)], "down")
    assert judgement.verdict == Verdict.ON_TRACK
    assert "projects 0 by the end of 2024/25, reaching the goal of 10" in judgement.reason


def test_falling_too_slowly_is_off_track():
    judgement = judge(series(("2019/20", 100), ("2020/21", 95), ("2021/22", 90)), [goal("2024/25", 0)], "down")
    assert judgement.verdict == Verdict.OFF_TRACK
    assert "projects 75 by the end of 2024/25, missing the goal of 0" in judgement.reason


def test_rising_when_lower_is_better_is_off_track():
    judgement = judge(series(("2019/20", 100), ("2020/21", 110), ("2021/22", 120)), [goal("2029/30", 50)], "down")
    assert judgement.verdict == Verdict.OFF_TRACK


def test_rising_when_higher_is_better_is_on_track():
    judgement = judge(series(("2019/20", 10), ("2020/21", 20), ("2021/22", 30)), [goal("2024/25", 60)], "up")
    assert judgement.verdict == Verdict.ON_TRACK


def test_one_value_is_too_early_and_none_is_no_data():
    one = judge(series(("2021/22", 60)), [goal("2024/25", 10)], "down")
    assert one.verdict == Verdict.TOO_EARLY
    assert one.reason == "Only 1 value recorded; the rule needs at least 3."
    two = judge(series(("2020/21", 80), ("2021/22", 60)), [goal("2024/25", 10)], "down")
    assert two.verdict == Verdict.TOO_EARLY
    none = judge([], [goal("2024/25", 10)], "down")
    assert (none.verdict, none.reason) == (Verdict.NO_DATA, "No value has been recorded yet.")


def test_no_goal_with_a_figure_is_too_early():
    judgement = judge(series(("2019/20", 100), ("2020/21", 80), ("2021/22", 60)), [goal("2024/25", None)], "down")
    assert (judgement.verdict, judgement.reason) == (Verdict.TOO_EARLY, "No goal has a figure to measure against yet.")


def test_the_projection_uses_only_the_latest_five_values():
    # Rising for years, then falling steeply for the last five: the early rise does not count.
    rising = [(f"{year}/{(year + 1) % 100:02d}", 50 + 10 * (year - 2010)) for year in range(2010, 2015)]
    falling = [(f"{year}/{(year + 1) % 100:02d}", 200 - 30 * (year - 2015)) for year in range(2015, 2020)]
    judgement = judge(series(*rising, *falling), [goal("2022/23", 0)], "down")
    assert judgement.verdict == Verdict.ON_TRACK
    assert "The trend of the last 5 values" in judgement.reason


def test_the_next_goal_not_yet_passed_is_judged_and_after_the_last_the_latest_value():
    values = series(("2019/20", 100), ("2020/21", 80), ("2021/22", 60))
    goals = [goal("2020/21", 90), goal("2022/23", 0), goal("2029/30", 0)]
    assert judge(values, goals, "down").goal.period.key == "2022-23"
    assert judge(values, goals, "down").verdict == Verdict.OFF_TRACK  # 40 by 2022/23, not 0
    past = judge(values, [goal("2020/21", 70)], "down")
    assert past.verdict == Verdict.ON_TRACK
    assert "has reached the goal of 70" in past.reason
    missed = judge(values, [goal("2020/21", 50)], "down")
    assert missed.verdict == Verdict.OFF_TRACK


# Supersession -------------------------------------------------------------------


def test_a_correction_supersedes_the_value_and_the_history_keeps_both():
    indicator = make_indicator(values=[("2021/22", "120"), ("2022/23", "100")])
    first = indicator.values.get(period="2021-22")
    correction = record_value(
        indicator=indicator, period="2021/22", value=Decimal("115"), provisional=False, source=ValueSource.WEB
    )
    assert correction.supersedes == first
    assert list(indicator.values.standing().order_by("period").values_list("value", flat=True)) == [115, 100]
    assert indicator.values.count() == 3
    progress = progress_of(Indicator.objects.for_pages().get(pk=indicator.pk))
    assert [(p.period.key, p.value) for p in progress.points] == [("2021-22", 115.0), ("2022-23", 100.0)]
    assert progress.superseded_ids() == {first.pk}
    # A second correction supersedes the first correction, not the original.
    again = record_value(indicator=indicator, period="2021-22", value=Decimal("116"), provisional=True, source="web")
    assert again.supersedes == correction


def test_a_value_cannot_supersede_twice():
    from django.db import IntegrityError, transaction

    indicator = make_indicator(values=[("2021/22", "120")])
    original = indicator.values.get()
    IndicatorValue.objects.create(indicator=indicator, period="2021-22", value=1, source="web", supersedes=original)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(indicator=indicator, period="2021-22", value=2, source="web", supersedes=original)


def test_a_goal_as_a_share_of_the_baseline_resolves_once_the_baseline_is_known():
    indicator = make_indicator(baseline_period="2018-19")
    share = IndicatorGoal.objects.create(indicator=indicator, period="2029-30", percent_of_baseline=50)
    assert share.resolved_value() is None
    indicator.baseline_value = Decimal("8000")
    indicator.save()
    assert IndicatorGoal.objects.get(pk=share.pk).resolved_value() == 4000


# Chart geometry, read back from the SVG -----------------------------------------------


SVG = "{http://www.w3.org/2000/svg}"


def chart_svg(html: str, chart_id: str):
    start = html.index(f'aria-labelledby="{chart_id}-title')
    start = html.rindex("<svg", 0, start)
    return ET.fromstring(html[start : html.index("</svg>", start) + 6])


def scale(y_labels: dict) -> "callable":
    """The value axis as its labels draw it: value -> y, from two of its gridlines."""
    (v0, y0), (v1, y1) = sorted((float(label.replace(",", "")), y) for label, y in y_labels.items())[:2]
    return lambda value: y0 + (value - v0) * (y1 - y0) / (v1 - v0)


def ticks(svg):
    """y of each value-axis label, x of each year label."""
    grid = svg.find(f"{SVG}g")
    texts = grid.findall(f"{SVG}text")
    y_labels = {t.text: float(t.get("y")) for t in texts if t.get("text-anchor") == "end"}
    x_labels = {t.text: float(t.get("x")) for t in texts if t.get("text-anchor") == "middle"}
    return y_labels, x_labels


@pytest.fixture
def charted(client, manager):
    targets = make_targets()
    indicator = make_indicator(
        "council-emissions",
        name="Council emissions",
        targets=[targets[1]],
        baseline_value=Decimal("100"),
        baseline_period="2018-19",
        goals=[("2023/24", 0)],
        values=[("2019/20", "80"), ("2020/21", "60"), ("2021/22", "40", True)],
    )
    client.force_login(manager)
    return indicator, client.get("/indicators/council-emissions/").content.decode()


def test_chart_points_sit_where_the_values_say(charted):
    _, html = charted
    svg = chart_svg(html, "chart-council-emissions")
    y_at, x_at = ticks(svg)
    circles = svg.findall(f"{SVG}circle")
    assert [c.find(f"{SVG}title").text for c in circles] == [
        "2019/20: 80 tCO2e",
        "2020/21: 60 tCO2e",
        "2021/22: 40 tCO2e (provisional)",
    ]
    # Heights: where the value axis's own gridlines put 80, 60 and 40.
    y = scale(y_at)
    assert [float(c.get("cy")) for c in circles] == pytest.approx([y(80), y(60), y(40)], abs=0.02)
    # Across: each value at its period's end, 31 March, a quarter of the way into the calendar year.
    for circle, year in zip(circles, (2020, 2021, 2022), strict=True):
        expected = x_at[str(year)] + (x_at[str(year + 1)] - x_at[str(year)]) / 4
        assert float(circle.get("cx")) == pytest.approx(expected, abs=0.02)
    # Provisional values are hollow, final ones filled: not colour alone.
    assert [c.get("fill") for c in circles] == ["#1d70b8", "#1d70b8", "#ffffff"]
    assert "app-ichart__value--provisional" in circles[2].get("class")


def test_chart_baseline_goal_and_straight_path(charted):
    _, html = charted
    svg = chart_svg(html, "chart-council-emissions")
    y_at, _ = ticks(svg)
    baseline = svg.find(f"{SVG}rect[@class='app-ichart__baseline']")
    goal_marker = svg.find(f"{SVG}polygon[@class='app-ichart__goal']")
    y = scale(y_at)
    assert float(baseline.get("data-y")) == pytest.approx(y(100), abs=0.02)
    assert float(goal_marker.get("data-y")) == pytest.approx(y(0), abs=0.02)
    assert goal_marker.find(f"{SVG}title").text == "Goal by 2023/24: 0 tCO2e"
    path = [
        tuple(map(float, point.split(",")))
        for point in svg.find(f"{SVG}polyline[@class='app-ichart__path']").get("points").split()
    ]
    assert path == [
        (float(baseline.get("data-x")), float(baseline.get("data-y"))),
        (float(goal_marker.get("data-x")), float(goal_marker.get("data-y"))),
    ]


def test_chart_projection_is_dashed_from_the_latest_value_to_the_goal(charted):
    _, html = charted
    svg = chart_svg(html, "chart-council-emissions")
    y_at, _ = ticks(svg)
    circles = svg.findall(f"{SVG}circle")
    line = svg.find(f"{SVG}line[@class='app-ichart__projection']")
    assert line.get("stroke-dasharray")
    assert float(line.get("x1")) == float(circles[-1].get("cx"))
    goal_marker = svg.find(f"{SVG}polygon[@class='app-ichart__goal']")
    assert float(line.get("x2")) == float(goal_marker.get("data-x"))
    # Falling 20 a year from 80 in March 2020, the fit reaches 0 by March 2024: the line ends on zero.
    assert float(line.get("y2")) == pytest.approx(scale(y_at)(0), abs=0.05)
    assert float(line.get("y1")) == pytest.approx(scale(y_at)(40), abs=0.05)


def test_chart_has_a_title_a_description_and_its_numbers_in_a_table(charted):
    _, html = charted
    svg = chart_svg(html, "chart-council-emissions")
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Council emissions (tCO2e)"
    description = svg.find(f"{SVG}desc").text
    assert description.startswith(
        "Values in tCO2e: 2019/20 80, 2020/21 60, 2021/22 40 (provisional). Baseline 2018/19: 100."
    )
    assert "Goal by 2023/24: 0." in description
    table = html[html.index("The numbers in the chart") :]
    table = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table[: table.index("</table>")]))
    assert "2018/19 Baseline 100" in table
    assert "2021/22 Provisional value 40" in table
    assert "2023/24 Goal 0" in table
    assert "2023/24 Projection from recent values" in table


def test_the_page_writes_the_verdict_rule_down(charted):
    _, html = charted
    text = re.sub(r"\s+", " ", html)
    for line in VERDICT_RULE:
        assert line.replace("'", "&#x27;") in text


# The seed ---------------------------------------------------------------------------


def test_the_seed_has_the_targets_indicators_with_goals_and_no_values(seeded_plan):
    indicators = {i.slug: i for i in Indicator.objects.for_pages()}
    assert set(indicators) == {
        "council-scope-1-2-emissions",
        "council-scope-3-emissions",
        "cambridgeshire-emissions",
        "council-estate-biodiversity",
        "council-assets-resilient",
        "natural-capital-account",
    }
    assert IndicatorValue.objects.count() == 0
    served = {target.number for i in indicators.values() for target in i.targets.all()}
    assert served == {1, 2, 3, 4, 5, 7}  # target 6 names nothing to measure
    scope3 = indicators["council-scope-3-emissions"]
    assert scope3.baseline_period == "2018-19" and scope3.baseline_value is None
    assert [(g.period, g.describe()) for g in scope3.goals.all()] == [
        ("2029-30", "50% of the baseline"),
        ("2044-45", "0"),
    ]
    assert [(g.period, g.describe()) for g in indicators["cambridgeshire-emissions"].goals.all()] == [("2045", "0")]
    assert [(g.period, g.describe()) for g in indicators["council-assets-resilient"].goals.all()] == [
        ("2044-45", "100")
    ]
    for indicator in indicators.values():
        indicator.full_clean()
        for each in indicator.goals.all():
            each.full_clean()
        assert progress_of(indicator).verdict == Verdict.NO_DATA


def test_demonstration_values_only_in_development_and_always_labelled(seeded_plan, settings, client, manager):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development only"):
        call_command("seed_plan", "--demo-values", stdout=io.StringIO())
    assert IndicatorValue.objects.count() == 0
    settings.DEBUG = True
    assert add_demo_values() > 0
    assert set(IndicatorValue.objects.values_list("source", flat=True)) == {ValueSource.DEMO}
    client.force_login(manager)
    for url in ["/indicators/", "/indicators/council-scope-1-2-emissions/", "/targets/2/", "/reports/2022-23-q4/"]:
        assert "Demonstration data: some values on this page were made up" in client.get(url).content.decode(), url
    # A page showing no demonstration value does not say it has some.
    assert "Demonstration data" not in client.get("/indicators/council-estate-biodiversity/").content.decode()
    assert "DEMONSTRATION DATA" in client.get("/indicators/export.csv").content.decode()


# Exports ---------------------------------------------------------------------------


@pytest.fixture
def with_values(db):
    targets = make_targets()
    indicator = make_indicator(
        "emissions",
        name="Emissions",
        targets=[targets[1]],
        values=[("2020/21", "21000"), ("2021/22", "=1+1")]
        if False
        else [("2020/21", "21000"), ("2021/22", "19500.5", True)],
    )
    record_value(
        indicator=indicator,
        period="2020-21",
        value=Decimal("20900"),
        provisional=False,
        note="=HYPERLINK(1)",
        source="web",
    )
    return indicator


def test_values_export_as_csv(client, manager, with_values):
    client.force_login(manager)
    response = client.get("/indicators/export.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="cces-indicator-values-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:7] == ["Indicator", "Slug", "Unit", "Period", "Value", "Provisional", "Standing"]
    assert [row[3:7] for row in rows[1:]] == [
        ["2020/21", "21000", "Final", "Superseded by a correction"],
        ["2020/21", "20900", "Final", "Standing"],
        ["2021/22", "19500.5", "Provisional", "Standing"],
    ]
    assert rows[2][7] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet


def test_values_export_as_xlsx(client, manager, with_values):
    client.force_login(manager)
    response = client.get("/indicators/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Indicator"
    assert [(r[3], float(r[4]), r[6]) for r in rows[1:]] == [
        ("2020/21", 21000, "Superseded by a correction"),
        ("2020/21", 20900, "Standing"),
        ("2021/22", 19500.5, "Standing"),
    ]
    assert sheet.cell(row=3, column=8).data_type == "s"


# The quarterly report ------------------------------------------------------------


def test_the_report_asks_are_the_targets_on_track_as_at_the_period_end(seeded_plan, client, manager):
    scope12 = Indicator.objects.get(slug="council-scope-1-2-emissions")
    for period, value in [("2019-20", "19000"), ("2020-21", "17000"), ("2021-22", "15000"), ("2022-23", "13000")]:
        record_value(indicator=scope12, period=period, value=Decimal(value), provisional=False, source="web")
    record_value(indicator=scope12, period="2023-24", value=Decimal("50000"), provisional=True, source="web")
    client.force_login(manager)
    html = client.get("/reports/2022-23-q4/").content.decode()
    section = html[html.index('id="on-track"') :]
    section = section[: section.index("</section>")]
    assert "Are the targets on track?" in section
    assert 'aria-labelledby="chart-report-council-scope-1-2-emissions-title' in section
    # 2023/24 ended after the report's period, so it is not counted: the trend of four falling values is.
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert "On track The trend of the last 4 values projects" in text
    assert "50000" not in section
    workbook = load_workbook(io.BytesIO(client.get("/reports/2022-23-q4/export.xlsx").content))
    sheet = workbook["Indicator values"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Are the targets on track? Indicators at the end of 2022/23 Q4"
    assert rows[1][:2] == ["Council's own direct emissions (scope 1 and 2)", "On track"]
    values = [row for row in rows if row[1] == "council-scope-1-2-emissions"]
    assert [row[3] for row in values] == ["2019/20", "2020/21", "2021/22", "2022/23"]


def test_target_pages_show_their_indicators_with_a_small_chart(seeded_plan, client, manager):
    client.force_login(manager)
    html = client.get("/targets/3/").content.decode()
    assert "Council&#x27;s indirect supply-chain emissions (scope 3)" in html
    assert 'aria-labelledby="chart-target-council-scope-3-emissions-title' in html
    assert 'viewBox="0 0 360 200"' in html
    assert "No data" in html
    assert "No indicator measures this target yet." in client.get("/targets/6/").content.decode()


# The admin ----------------------------------------------------------------------------


def test_the_admin_keeps_indicators_and_goals_and_shows_values_read_only(client, plan_admin, officer, manager):
    make_targets()
    indicator = make_indicator("emissions", goals=[("2029/30", 0)], values=[("2020/21", "100")])
    value = indicator.values.get()
    client.force_login(plan_admin)
    page = client.get(f"/admin/indicators/indicator/{indicator.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="goals-0-value"' in html  # goals are edited inline
    assert 'name="values-0-value"' not in html and "100.0000" in html  # values only shown
    assert client.get(f"/admin/indicators/indicatorvalue/{value.pk}/change/").status_code == 200
    assert client.post(f"/admin/indicators/indicatorvalue/{value.pk}/change/", {"value": "1"}).status_code == 403
    assert client.get("/admin/indicators/indicatorvalue/add/").status_code == 403
    assert client.post(f"/admin/indicators/indicatorvalue/{value.pk}/delete/", {"post": "yes"}).status_code == 403
    assert IndicatorValue.objects.get().value == 100
    client.force_login(officer)
    assert client.get("/admin/indicators/indicator/").status_code == 403
