from datetime import date

import pytest

from actions.models import ReportingPeriod
from actions.periods import InvalidPeriod, Quarter


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
