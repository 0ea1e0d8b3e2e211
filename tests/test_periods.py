import html
import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from actions.models import PeriodClosed, ReportingPeriod, StatusUpdate
from actions.periods import InvalidPeriod, Quarter
from actions.views import StatusUpdateView
from reports.closing import close_period
from tests.factories import make_action, make_update


@pytest.mark.parametrize(
    ("day", "slug", "label"),
    [
        (date(2023, 1, 15), "2022-23-q4", "2022/23 Q4"),
        (date(2023, 3, 31), "2022-23-q4", "2022/23 Q4"),
        (date(2023, 4, 1), "2023-24-q1", "2023/24 Q1"),
        (date(2026, 11, 28), "2026-27-q3", "2026/27 Q3"),
        (date(1999, 12, 31), "1999-00-q3", "1999/00 Q3"),
    ],
)
def test_quarter_containing_a_day(day, slug, label):
    quarter = Quarter.containing(day)
    assert (quarter.slug, quarter.label) == (slug, label)
    assert quarter.start <= day <= quarter.end


def test_quarter_bounds_follow_the_financial_year():
    q4 = Quarter.from_slug("2022-23-q4")
    assert (q4.start, q4.end) == (date(2023, 1, 1), date(2023, 3, 31))
    assert q4.next() == Quarter.from_slug("2023-24-q1")
    assert Quarter.from_slug("2023-24-q1").previous() == q4


@pytest.mark.parametrize("slug", ["2022-24-q4", "2022-23-q5", "2022/23 Q4", "q4", ""])
def test_malformed_slugs_are_refused_with_the_expected_form(slug):
    with pytest.raises(InvalidPeriod, match=r"2022-23-q4|followed by"):
        Quarter.from_slug(slug)


def test_slugs_sort_in_date_order():
    quarters = [Quarter(2022, 4), Quarter(2023, 1), Quarter(2023, 2), Quarter(2024, 1)]
    assert sorted(q.slug for q in reversed(quarters)) == [q.slug for q in quarters]


@pytest.mark.django_db
def test_current_period_is_created_once_for_the_given_day():
    first = ReportingPeriod.objects.current(today=date(2026, 11, 28))
    again = ReportingPeriod.objects.current(today=date(2026, 12, 1))
    assert first.pk == again.pk == "2026-27-q3"
    assert str(first) == "2026/27 Q3"
    assert (first.start, first.end) == (date(2026, 10, 1), date(2026, 12, 31))


@pytest.mark.parametrize(
    ("month", "slug"),
    [
        (1, "2022-23-q4"),
        (2, "2022-23-q4"),
        (3, "2022-23-q4"),
        (4, "2023-24-q1"),
        (5, "2023-24-q1"),
        (6, "2023-24-q1"),
        (7, "2023-24-q2"),
        (8, "2023-24-q2"),
        (9, "2023-24-q2"),
        (10, "2023-24-q3"),
        (11, "2023-24-q3"),
        (12, "2023-24-q3"),
    ],
)
def test_every_month_falls_in_its_financial_quarter(month, slug):
    assert Quarter.containing(date(2023, month, 15)).slug == slug


def test_the_current_quarter_is_todays_without_a_day_given():
    assert Quarter.current() == Quarter.containing(date.today())
    assert Quarter.current(date(2023, 5, 10)).label == "2023/24 Q1"


@pytest.mark.parametrize(
    ("slug", "start", "end"),
    [
        ("2023-24-q1", date(2023, 4, 1), date(2023, 6, 30)),
        ("2023-24-q2", date(2023, 7, 1), date(2023, 9, 30)),
        ("2023-24-q3", date(2023, 10, 1), date(2023, 12, 31)),
        ("2023-24-q4", date(2024, 1, 1), date(2024, 3, 31)),
    ],
)
def test_each_quarter_runs_over_its_three_months(slug, start, end):
    quarter = Quarter.from_slug(slug)
    assert (quarter.start, quarter.end) == (start, end)


def test_previous_and_next_step_one_quarter_within_and_across_years():
    assert [str(Quarter(2023, q).next()) for q in (1, 2, 3, 4)] == [
        "2023/24 Q2",
        "2023/24 Q3",
        "2023/24 Q4",
        "2024/25 Q1",
    ]
    assert [str(Quarter(2023, q).previous()) for q in (1, 2, 3, 4)] == [
        "2022/23 Q4",
        "2023/24 Q1",
        "2023/24 Q2",
        "2023/24 Q3",
    ]


def test_slugs_and_labels_pad_the_following_year_to_two_digits():
    assert (Quarter(2009, 2).slug, Quarter(2009, 2).label) == ("2009-10-q2", "2009/10 Q2")
    assert (Quarter(2099, 4).slug, str(Quarter(2099, 4))) == ("2099-00-q4", "2099/00 Q4")


def test_a_slug_is_read_whatever_its_case_and_surrounding_spaces():
    assert Quarter.from_slug("  2022-23-Q4 \n") == Quarter(2022, 4)


def test_a_malformed_slug_is_refused_with_the_form_to_use():
    with pytest.raises(InvalidPeriod) as refused:
        Quarter.from_slug("q4")
    assert str(refused.value) == (
        "'q4' is not a reporting period. Use the form 2022-23-q4 "
        "(financial year 2022/23, quarter 4 = January to March 2023)."
    )
    with pytest.raises(InvalidPeriod) as refused:
        Quarter.from_slug("2009-11-q1")
    assert str(refused.value) == "'2009-11-q1' is not a reporting period: 2009 is followed by 10."


@pytest.mark.parametrize(
    ("year", "quarter", "message"),
    [
        (2023, 0, "A quarter is 1 to 4, not 0."),
        (2023, 5, "A quarter is 1 to 4, not 5."),
        (0, 1, "0 is not a financial year."),
        (9999, 1, "9999 is not a financial year."),
    ],
)
def test_a_quarter_outside_the_calendar_is_refused(year, quarter, message):
    with pytest.raises(InvalidPeriod) as refused:
        Quarter(year, quarter)
    assert str(refused.value) == message


def test_the_first_and_last_years_a_date_can_hold_are_quarters():
    assert Quarter(1, 1).start == date(1, 4, 1)
    assert Quarter(9998, 4).end == date(9999, 3, 31)


@pytest.mark.parametrize(("year", "plausible"), [(1999, False), (2000, True), (2099, True), (2100, False)])
def test_only_this_century_s_financial_years_are_plausible(year, plausible):
    quarter = Quarter(year, 1)
    assert quarter.is_plausible is plausible
    if plausible:
        quarter.refuse_if_implausible()
    else:
        with pytest.raises(InvalidPeriod) as refused:
            quarter.refuse_if_implausible()
        assert str(refused.value) == (
            f"{quarter.label} is not a plausible reporting period: the financial year must be 2000 to 2099."
        )


@pytest.mark.django_db
def test_a_period_whose_slug_names_another_quarter_is_refused_and_a_matching_one_is_filled_in():
    wrong = ReportingPeriod(slug="2023-24-q2", year=2023, quarter=1)
    with pytest.raises(ValidationError) as refused:
        wrong.clean()
    assert refused.value.message_dict == {"slug": ["The slug for 2023/24 Q1 is 2023-24-q1."]}

    right = ReportingPeriod(slug="2023-24-q1", year=2023, quarter=1)
    right.clean()
    assert (right.slug, right.start, right.end) == ("2023-24-q1", date(2023, 4, 1), date(2023, 6, 30))
    blank = ReportingPeriod(year=2023, quarter=4)
    blank.clean()
    assert (blank.slug, blank.start, blank.end) == ("2023-24-q4", date(2024, 1, 1), date(2024, 3, 31))


# ---------------------------------------------------------------------------
# Recording for a closed period, or one a later closing freezes: the refusal says which quarter to reopen


def page_text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def closed_q1(officer, plan_admin, monkeypatch):
    """Action 7, led by the officer, with 2023/24 Q1 closed; today is in Q1."""
    monkeypatch.setattr(StatusUpdateView, "today", date(2023, 5, 10))
    action = make_action(7, text="Install heat pumps in schools")
    action.leads.add(officer)
    make_update(action, "2022-23-q4", rag="green", commentary="Surveys done")
    close_period(period=ReportingPeriod.objects.for_slug("2023-24-q1"), by=plan_admin)
    return action


def post_status(client, action, period):
    return client.post(
        f"/actions/{action.number}/update/",
        {
            "period": period,
            "delivery_status": "in_progress",
            "rag": "green",
            "commentary": "Late words",
            "based_on": action.current_update_id,
        },
    )


@pytest.mark.django_db
def test_recording_for_a_closed_quarter_is_refused_with_how_to_correct_it(client, officer, closed_q1):
    client.force_login(officer)
    response = post_status(client, closed_q1, "2023-24-q1")
    assert response.status_code == 200
    assert (
        "2023/24 Q1 is closed, so nothing can be recorded for it. "
        "A plan admin can reopen 2023/24 Q1 from its report if a correction is needed."
    ) in page_text(response)
    assert not StatusUpdate.objects.filter(commentary="Late words").exists()


@pytest.mark.django_db
def test_recording_for_a_quarter_a_later_closing_froze_names_the_quarter_to_reopen(client, officer, closed_q1):
    client.force_login(officer)
    response = post_status(client, closed_q1, "2022-23-q4")
    assert response.status_code == 200
    assert (
        "2022/23 Q4 is frozen because 2023/24 Q1, after it, is closed, so nothing can be recorded for it. "
        "A plan admin can reopen 2023/24 Q1 from its report if a correction is needed."
    ) in page_text(response)
    assert not StatusUpdate.objects.filter(commentary="Late words").exists()


@pytest.mark.django_db
def test_the_refusal_tells_a_caller_the_quarter_asked_for_and_the_closed_one_freezing_it(closed_q1):
    """record_status's PeriodClosed carries both periods, so a caller (a view, the admin, a script) can say
    which quarter was refused and which one a plan admin would have to reopen."""
    with pytest.raises(PeriodClosed) as refused:
        make_update(closed_q1, "2022-23-q4", rag="red", commentary="Back-filled")
    assert (refused.value.period.slug, refused.value.closing.slug) == ("2022-23-q4", "2023-24-q1")
    with pytest.raises(PeriodClosed) as refused:
        make_update(closed_q1, "2023-24-q1", rag="red", commentary="Late")
    assert (refused.value.period.slug, refused.value.closing.slug) == ("2023-24-q1", "2023-24-q1")
