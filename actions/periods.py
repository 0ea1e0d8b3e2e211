"""UK financial-year quarters, the council's reporting periods.

Q1 is April to June, Q4 is January to March of the next calendar year. The
canonical slug is `2022-23-q4` (January to March 2023), shown as "2022/23 Q4".
Slugs sort in date order, which is why they serve as the periods' keys.
"""

import re
from dataclasses import dataclass
from datetime import date

SLUG_PATTERN = re.compile(r"^(?P<year>\d{4})-(?P<next>\d{2})-q(?P<quarter>[1-4])$")
_QUARTER_START_MONTH = {1: 4, 2: 7, 3: 10, 4: 1}
_QUARTER_END = {1: (6, 30), 2: (9, 30), 3: (12, 31), 4: (3, 31)}


# The financial years a reporting period may be created for. A quarter outside them (1900's, a typo's 2202)
# can still be computed and shown, so a row stored before this check never breaks a page; it cannot be added.
PLAUSIBLE_YEARS = range(2000, 2100)


class InvalidPeriod(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Quarter:
    year: int  # the calendar year in which the financial year starts
    quarter: int

    def __post_init__(self):
        if self.quarter not in (1, 2, 3, 4):
            raise InvalidPeriod(f"A quarter is 1 to 4, not {self.quarter}.")
        if not 1 <= self.year <= 9998:  # what a date can hold, with the year after for Q4
            raise InvalidPeriod(f"{self.year} is not a financial year.")

    @property
    def is_plausible(self) -> bool:
        return self.year in PLAUSIBLE_YEARS

    def refuse_if_implausible(self) -> None:
        """Raise InvalidPeriod for a quarter outside PLAUSIBLE_YEARS: where periods are created."""
        if not self.is_plausible:
            raise InvalidPeriod(
                f"{self.label} is not a plausible reporting period: the financial year must be "
                f"{PLAUSIBLE_YEARS[0]} to {PLAUSIBLE_YEARS[-1]}."
            )

    @classmethod
    def containing(cls, day: date) -> "Quarter":
        if day.month >= 4:
            return cls(day.year, (day.month - 4) // 3 + 1)
        return cls(day.year - 1, 4)

    @classmethod
    def current(cls, today: date | None = None) -> "Quarter":
        return cls.containing(today or date.today())

    @classmethod
    def from_slug(cls, slug: str) -> "Quarter":
        match = SLUG_PATTERN.match(slug.strip().lower())
        if not match:
            raise InvalidPeriod(
                f"'{slug}' is not a reporting period. Use the form 2022-23-q4 "
                "(financial year 2022/23, quarter 4 = January to March 2023)."
            )
        year = int(match["year"])
        if int(match["next"]) != (year + 1) % 100:
            raise InvalidPeriod(f"'{slug}' is not a reporting period: {year} is followed by {(year + 1) % 100:02d}.")
        return cls(year, int(match["quarter"]))

    @property
    def slug(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}-q{self.quarter}"

    @property
    def label(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d} Q{self.quarter}"

    @property
    def start(self) -> date:
        calendar_year = self.year + 1 if self.quarter == 4 else self.year
        return date(calendar_year, _QUARTER_START_MONTH[self.quarter], 1)

    @property
    def end(self) -> date:
        calendar_year = self.year + 1 if self.quarter == 4 else self.year
        month, day = _QUARTER_END[self.quarter]
        return date(calendar_year, month, day)

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)

    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)

    def __str__(self):
        return self.label
