"""The periods an indicator is measured over: financial years, financial-year quarters, calendar years.

Each period has a canonical key that sorts in date order (`2022-23`, `2022-23-q4`, `2022`), a label
("2022/23", "2022/23 Q4", "2022") and an end date, which is where its value sits on a chart's time axis.
No database here.
"""

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date

from django.db import models

from actions.periods import InvalidPeriod, Quarter


class Frequency(models.TextChoices):
    FINANCIAL_YEAR = "financial_year", "Financial year (April to March)"
    QUARTER = "quarter", "Financial-year quarter"
    CALENDAR_YEAR = "calendar_year", "Calendar year"


_FINANCIAL_YEAR = re.compile(r"^(?:fy\s*)?(\d{4})\s*[-/–]\s*(\d{2}|\d{4})$")
_QUARTER = re.compile(
    r"^(?:(?:fy\s*)?(\d{4})\s*[-/–]\s*(\d{2}|\d{4})\s*[-\s]?\s*q([1-4])|q([1-4])\s+(\d{4})\s*[-/–]\s*(\d{2}|\d{4}))$"
)
_CALENDAR_YEAR = re.compile(r"^(\d{4})(?:\.0)?$")


@dataclass(frozen=True, order=True)
class Period:
    key: str
    frequency: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.frequency == Frequency.CALENDAR_YEAR:
            return self.key
        if self.frequency == Frequency.FINANCIAL_YEAR:
            return self.key.replace("-", "/")
        return Quarter.from_slug(self.key).label

    @property
    def position(self) -> float:
        """The period's end as a fractional year, the time axis of charts and projections."""
        return year_fraction(self.end)

    def __str__(self):
        return self.label


def year_fraction(day: date) -> float:
    """A date as a year and twelfths, so every month-end period is evenly spaced (31 March 2023 is 2023.25)."""
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    return day.year + (day.month - 1 + day.day / days_in_month) / 12


def _next_year(year: int, written: str) -> None:
    expected = year + 1
    if (len(written) == 2 and int(written) != expected % 100) or (len(written) == 4 and int(written) != expected):
        raise InvalidPeriod(f"'{year}/{written}' is not a financial year: {year} is followed by {expected}.")


def _financial_year(year: int) -> Period:
    _check_year(year)
    return Period(f"{year}-{(year + 1) % 100:02d}", Frequency.FINANCIAL_YEAR, date(year, 4, 1), date(year + 1, 3, 31))


def _calendar_year(year: int) -> Period:
    _check_year(year)
    return Period(str(year), Frequency.CALENDAR_YEAR, date(year, 1, 1), date(year, 12, 31))


def _quarter(quarter: Quarter) -> Period:
    return Period(quarter.slug, Frequency.QUARTER, quarter.start, quarter.end)


def _check_year(year: int) -> None:
    if not 1900 <= year <= 2999:
        raise InvalidPeriod(f"{year} is not a plausible year.")


_EXAMPLES = {
    Frequency.FINANCIAL_YEAR: "a financial year such as 2022/23",
    Frequency.QUARTER: "a financial-year quarter such as 2022/23 Q4",
    Frequency.CALENDAR_YEAR: "a calendar year such as 2022",
}


@functools.lru_cache(maxsize=4096)  # pure, and a page of indicators reads the same few keys thousands of times
def parse_period(frequency: str, text) -> Period:
    """The period `text` names for an indicator measured by `frequency`; InvalidPeriod saying why if none.

    Accepts the key, the label and the usual spreadsheet spellings: `2022/23`, `2022-2023`, `FY2022/23`,
    `2022/23 Q4`, `Q4 2022/23`, `2022`.
    """
    written = " ".join(str(text).split()).lower()
    if frequency == Frequency.FINANCIAL_YEAR and (match := _FINANCIAL_YEAR.match(written)):
        _next_year(int(match[1]), match[2])
        return _financial_year(int(match[1]))
    if frequency == Frequency.QUARTER and (match := _QUARTER.match(written)):
        year, following, number = (match[1], match[2], match[3]) if match[1] else (match[5], match[6], match[4])
        _next_year(int(year), following)
        return _quarter(Quarter(int(year), int(number)))
    if frequency == Frequency.CALENDAR_YEAR and (match := _CALENDAR_YEAR.match(written)):
        return _calendar_year(int(match[1]))
    raise InvalidPeriod(f"'{text}' is not {_EXAMPLES[Frequency(frequency)]}.")


def period_containing(frequency: str, day: date) -> Period:
    if frequency == Frequency.CALENDAR_YEAR:
        return _calendar_year(day.year)
    quarter = Quarter.containing(day)
    if frequency == Frequency.QUARTER:
        return _quarter(quarter)
    return _financial_year(quarter.year)


def previous_period(period: Period) -> Period:
    if period.frequency == Frequency.CALENDAR_YEAR:
        return _calendar_year(int(period.key) - 1)
    if period.frequency == Frequency.FINANCIAL_YEAR:
        return _financial_year(period.start.year - 1)
    return _quarter(Quarter.from_slug(period.key).previous())


def recent_periods(frequency: str, *, today: date | None = None, count: int = 8) -> list[Period]:
    """The period under way and the `count - 1` before it, newest first."""
    period = period_containing(frequency, today or date.today())
    periods = [period]
    for _ in range(count - 1):
        period = previous_period(period)
        periods.append(period)
    return periods
