"""Indicator pages for each role, recording a value with the no-lost-update rule, and fixed query counts."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from actions import roles
from indicators.models import Indicator, IndicatorValue, ValueSource
from indicators.services import ValueConflict, record_value
from tests.factories import make_indicator, make_targets, make_user, run_concurrently

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator(officer):
    targets = make_targets()
    indicator = make_indicator(
        "council-emissions",
        name="Council emissions",
        targets=[targets[1]],
        goals=[("2029/30", 0)],
        values=[("2020/21", "120")],
    )
    indicator.owners.add(officer)
    return indicator


@pytest.fixture
def other_officer(db):
    return make_user("officer2", role=roles.OFFICER, is_staff=True)


def test_editable_by_each_role(indicator, officer, other_officer, manager, plan_admin):
    unowned = make_indicator("other")

    def slugs(user):
        return sorted(Indicator.objects.editable_by(user).values_list("slug", flat=True))

    assert slugs(officer) == ["council-emissions"]
    assert slugs(other_officer) == []
    assert slugs(manager) == []
    assert slugs(plan_admin) == ["council-emissions", "other"]
    assert slugs(AnonymousUser()) == []
    assert unowned.pk


@pytest.mark.parametrize(
    ("who", "list_page", "record_page", "imports"),
    [
        (None, 302, 302, 302),
        ("no_role", 403, 403, 403),
        ("manager", 200, 403, 403),
        ("other_officer", 200, 403, 403),
        ("officer", 200, 200, 403),
        ("plan_admin", 200, 200, 200),
    ],
)
def test_who_reads_records_and_imports(client, request, indicator, who, list_page, record_page, imports):
    if who == "no_role":
        client.force_login(make_user("nobody"))
    elif who:
        client.force_login(request.getfixturevalue(who))
    for url in ["/indicators/", "/indicators/council-emissions/", "/indicators/export.csv"]:
        assert client.get(url).status_code == list_page, url
    assert client.get("/indicators/council-emissions/record/").status_code == record_page
    posted = client.post("/indicators/council-emissions/record/", form_data(indicator, value="1"))
    assert posted.status_code == (record_page if record_page != 200 else 302)
    assert client.get("/indicators/imports/").status_code == imports
    assert client.get("/indicators/imports/upload/").status_code == imports
    page = client.get("/indicators/council-emissions/")
    if list_page == 200:
        assert ("Record a value" in page.content.decode()) == (record_page == 200)
    expected = 2 if record_page == 200 else 1
    assert indicator.values.count() == expected


def test_an_unknown_indicator_is_404(client, plan_admin):
    client.force_login(plan_admin)
    assert client.get("/indicators/no-such/").status_code == 404
    assert client.get("/indicators/no-such/record/").status_code == 404


def form_data(indicator, **changes):
    latest = indicator.values.latest_recorded()
    return {
        "period": "2021-22",
        "value": "110",
        "note": "From the annual report",
        "based_on": latest.pk if latest else "",
        **changes,
    }


def test_an_owner_records_a_value_and_sees_it(client, officer, indicator):
    client.force_login(officer)
    response = client.post("/indicators/council-emissions/record/", form_data(indicator, provisional="on"), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/indicators/council-emissions/"
    assert "Recorded 110 tCO2e for 2021/22." in html
    value = indicator.values.latest_recorded()
    assert (value.period, value.value, value.provisional, value.recorded_by, value.source) == (
        "2021-22",
        Decimal("110"),
        True,
        officer,
        ValueSource.WEB,
    )
    assert "2021/22: 110 tCO2e (provisional)" in html


def test_a_correction_through_the_form_keeps_the_old_value_in_the_history(client, officer, indicator):
    client.force_login(officer)
    response = client.post(
        "/indicators/council-emissions/record/", form_data(indicator, period="2020-21", value="118"), follow=True
    )
    html = response.content.decode()
    assert "Recorded 118 tCO2e for 2020/21, correcting 120." in html
    assert "<del>120</del>" in html and "Superseded by a correction" in html
    assert list(indicator.values.standing().values_list("value", flat=True)) == [Decimal("118")]
    assert indicator.values.count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"value": ""}, "Enter the value"),
        ({"value": "lots"}, "Enter the value as a number, like 1250 or 12.5"),
        ({"period": "1999-00"}, "Select a valid choice"),
        ({"based_on": "999999"}, "This form does not match the indicator&#x27;s history"),
    ],
)
def test_bad_input_is_named_and_saves_nothing(client, officer, indicator, changes, message):
    client.force_login(officer)
    response = client.post("/indicators/council-emissions/record/", form_data(indicator, **changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and message in html
    assert indicator.values.count() == 1


def test_a_stale_form_is_refused_side_by_side_and_can_be_saved_after(client, officer, plan_admin, indicator):
    stale = form_data(indicator, value="111")
    record_value(
        indicator=indicator,
        period="2021-22",
        value=Decimal("109"),
        provisional=False,
        recorded_by=plan_admin,
        source="web",
    )
    client.force_login(officer)
    response = client.post("/indicators/council-emissions/record/", stale)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else recorded a value while you were editing" in html
    assert "109 tCO2e" in html and "111 tCO2e" in html
    assert indicator.values.count() == 2
    resubmit = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    assert resubmit["based_on"] == str(indicator.values.latest_recorded().pk)
    again = client.post("/indicators/council-emissions/record/", {**resubmit, "csrfmiddlewaretoken": ""})
    assert again.status_code == 302
    assert indicator.values.standing().get(period="2021-22").value == Decimal("111")
    assert indicator.values.count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_from_the_same_value_cannot_both_save(slow_value_write):
    make_targets()
    indicator = make_indicator("race", values=[("2020/21", "100")])
    seen = indicator.values.get()

    def write(value):
        return lambda: record_value(
            indicator=indicator,
            period="2021-22",
            value=Decimal(value),
            provisional=False,
            source="web",
            expected_latest=seen,
        )

    outcomes = run_concurrently(write("1"), write("2"))
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["IndicatorValue", "ValueConflict"]
    assert indicator.values.count() == 2
    assert any(isinstance(outcome, ValueConflict) for outcome in outcomes)


@pytest.fixture
def slow_value_write(monkeypatch):
    import time

    original = IndicatorValue.full_clean

    def slow(self, *args, **kwargs):
        time.sleep(0.3)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(IndicatorValue, "full_clean", slow)


# Query counts: fixed whatever the number of indicators and values ------------------------------------


def grow(count: int, values: int, *, first: int = 0):
    """`count` quarterly indicators serving target 2, each with a goal and `values` quarters of values."""
    from datetime import timedelta

    from django.utils import timezone

    from actions.periods import Quarter
    from indicators.models import IndicatorGoal
    from targets.models import Target

    target = Target.objects.get(number=2)
    indicators = Indicator.objects.bulk_create(
        Indicator(slug=f"ind-{n}", name=f"Indicator {n}", unit="t", direction="down", frequency="quarter", position=n)
        for n in range(first, first + count)
    )
    Indicator.targets.through.objects.bulk_create(
        Indicator.targets.through(indicator_id=i.pk, target_id=target.pk) for i in indicators
    )
    IndicatorGoal.objects.bulk_create(IndicatorGoal(indicator=i, period="2030-31-q4", value=0) for i in indicators)
    quarters, quarter = [], Quarter(2012, 1)
    for _ in range(values):
        quarters.append(quarter.slug)
        quarter = quarter.next()
    now = timezone.now()
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=i, period=slug, value=1000 - n, source="web", recorded_at=now - timedelta(hours=n))
        for i in indicators
        for n, slug in enumerate(quarters)
    )


# session, user, two permission lookups, then the indicators, their targets, goals and values
PAGES = {
    "/indicators/": 8,
    "/indicators/ind-0/": 9,  # one indicator, its owners too; a manager may not record, which costs no query
    "/indicators/export.csv": 8,
    "/indicators/export.xlsx": 8,
    "/targets/2/": 11,  # the target page (no actions here), then the four for its indicators
    # the report (no actions here), the count of updates reviewed, the period's closing history and snapshots,
    # then the four for its indicators
    "/reports/2022-23-q4/": 17,  # with the latest request to close it in the background
    "/reports/2022-23-q4/export.xlsx": 15,  # the workbook checks for a stored snapshot, then counts the actions
}


@pytest.mark.parametrize("url", list(PAGES))
def test_pages_run_a_fixed_number_of_queries_for_100_indicators_of_40_values(
    client, manager, url, django_assert_num_queries
):
    from django.test.utils import CaptureQueriesContext

    from actions.models import ReportingPeriod

    make_targets()
    ReportingPeriod.objects.for_slug("2022-23-q4")
    grow(3, 4)
    client.force_login(manager)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(97, 40, first=3)
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=i, period=f"20{n + 20}-{n + 21}-q1", value=n, source="web")
        for i in Indicator.objects.filter(slug__in=["ind-0", "ind-1", "ind-2"])
        for n in range(36)
    )
    assert Indicator.objects.count() == 100
    assert IndicatorValue.objects.count() == 4000
    with django_assert_num_queries(PAGES[url]):
        assert client.get(url).status_code == 200
    assert len(small) == PAGES[url]
