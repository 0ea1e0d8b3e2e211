"""Where an indicator stands: its standing values, baseline, goals, the straight path between them, a
projection from recent values, and the verdict "on track?", by the rule in VERDICT_RULE.

`progress_of(indicator)` reads only what `Indicator.objects.for_pages()` prefetched, so a page of
indicators costs no query per indicator. `judge` is the rule itself, on plain numbers.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import models

from indicators.models import Direction, Indicator, IndicatorValue, ValueSource
from indicators.periods import Period

MIN_VALUES = 3  # fewer and the verdict is "too early to say"
FIT_VALUES = 5  # the projection is fitted through at most this many of the latest values


class Verdict(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    OFF_TRACK = "off_track", "Off track"
    TOO_EARLY = "too_early", "Too early to say"
    NO_DATA = "no_data", "No data"


VERDICT_RULE = [
    "No data: no value has been recorded yet.",
    f"Too early to say: fewer than {MIN_VALUES} values have been recorded, or no goal has a figure to measure "
    "against (for example a goal set as a share of a baseline that is not known yet).",
    f"Otherwise a straight line is fitted (least squares) through the latest values, at least {MIN_VALUES} and "
    f"at most {FIT_VALUES}, provisional ones included, and extended to the end of the next goal's period. "
    "On track if that projection reaches the goal by then (at or below it where lower is better, at or above "
    "it where higher is better); off track if it does not.",
    "Once every goal's period has ended, the latest value is compared with the last goal instead: on track if "
    "it has reached it, off track if not.",
    "A correction replaces the value it corrects; superseded values are kept in the history but not counted.",
]


@dataclass(frozen=True)
class Point:
    period: Period
    value: float

    @property
    def x(self) -> float:
        return self.period.position


@dataclass(frozen=True)
class Goal:
    period: Period
    value: float | None  # None: a share of an unknown baseline
    description: str
    note: str = ""

    @property
    def x(self) -> float:
        return self.period.position


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    reason: str
    goal: Goal | None = None
    projection: tuple[Point, float, float] | None = None  # from (x, y) to (x, y): see Progress.projection_line


@dataclass
class Progress:
    indicator: Indicator
    points: list[Point]  # standing values, by period
    standing: list[IndicatorValue]
    history: list[IndicatorValue]  # every value, superseded ones too
    baseline: Point | None
    goals: list[Goal]
    judgement: Judgement
    projection_line: tuple[tuple[float, float], tuple[float, float]] | None = None
    demo: bool = False
    path: list[tuple[float, float]] = field(default_factory=list)
    path_from_baseline: bool = True

    @property
    def verdict(self) -> Verdict:
        return self.judgement.verdict

    @property
    def latest(self) -> IndicatorValue | None:
        return self.standing[-1] if self.standing else None

    @property
    def next_goal(self) -> Goal | None:
        return self.judgement.goal or (self.goals[-1] if self.goals else None)

    def superseded_ids(self) -> set[int]:
        standing = {value.pk for value in self.standing}
        return {value.pk for value in self.history if value.pk not in standing}


def fit(points: list[Point]) -> tuple[float, float]:
    """Least-squares slope and intercept of value against time."""
    n = len(points)
    mean_x = sum(p.x for p in points) / n
    mean_y = sum(p.value for p in points) / n
    spread = sum((p.x - mean_x) ** 2 for p in points)
    slope = sum((p.x - mean_x) * (p.value - mean_y) for p in points) / spread if spread else 0.0
    return slope, mean_y - slope * mean_x


def reaches(value: float, goal: float, direction: str) -> bool:
    return value <= goal if direction == Direction.DOWN else value >= goal


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def judge(points: list[Point], goals: list[Goal], direction: str, *, unit: str = "") -> Judgement:
    """The verdict on standing values (by period) against goals (by period), by VERDICT_RULE."""
    if not points:
        return Judgement(Verdict.NO_DATA, "No value has been recorded yet.")
    known = [goal for goal in goals if goal.value is not None]
    if len(points) < MIN_VALUES:
        count = len(points)
        return Judgement(
            Verdict.TOO_EARLY,
            f"Only {count} value{'s' if count != 1 else ''} recorded; the rule needs at least {MIN_VALUES}.",
            goal=_next(known, points),
        )
    if not known:
        return Judgement(Verdict.TOO_EARLY, "No goal has a figure to measure against yet.")
    latest = points[-1]
    ahead = _next(known, points)
    unit = f" {unit}" if unit else ""
    if ahead is None:
        goal = known[-1]
        met = reaches(latest.value, goal.value, direction)
        return Judgement(
            Verdict.ON_TRACK if met else Verdict.OFF_TRACK,
            f"Every goal's period has ended. The latest value, {_number(latest.value)}{unit} for "
            f"{latest.period.label}, has {'' if met else 'not '}reached the goal of {_number(goal.value)}{unit} "
            f"for {goal.period.label}.",
            goal=goal,
        )
    recent = points[-FIT_VALUES:]
    slope, intercept = fit(recent)
    projected = round(slope * ahead.x + intercept, 6)  # so float noise never decides a verdict
    met = reaches(projected, ahead.value, direction)
    return Judgement(
        Verdict.ON_TRACK if met else Verdict.OFF_TRACK,
        f"The trend of the last {len(recent)} values projects {_number(projected)}{unit} by the end of "
        f"{ahead.period.label}, {'reaching' if met else 'missing'} the goal of {_number(ahead.value)}{unit}.",
        goal=ahead,
        projection=(recent[0], slope, intercept),
    )


def _next(goals: list[Goal], points: list[Point]) -> Goal | None:
    """The first goal whose period ends after the latest value's."""
    latest = points[-1].period.end if points else date.min
    return next((goal for goal in goals if goal.period.end > latest), None)


def progress_of(indicator: Indicator, *, until: date | None = None) -> Progress:
    """An indicator's progress from its prefetched goals and values; `until` leaves out periods ending later."""
    history = [
        value for value in indicator.values.all() if until is None or indicator.period(value.period).end <= until
    ]
    superseded = {value.supersedes_id for value in history if value.supersedes_id}
    standing = sorted(
        (value for value in history if value.pk not in superseded), key=lambda v: (v.period, v.recorded_at, v.pk)
    )
    # One standing value per period even if history was written outside the service: the latest wins.
    by_period: dict[str, IndicatorValue] = {}
    for value in standing:
        by_period[value.period] = value
    standing = list(by_period.values())
    points = [Point(indicator.period(value.period), float(value.value)) for value in standing]
    baseline = None
    if indicator.baseline_value is not None and indicator.baseline_period:
        baseline = Point(indicator.baseline, float(indicator.baseline_value))
    goals = []
    for goal in indicator.goals.all():
        resolved = goal.resolved_value(indicator)
        goals.append(
            Goal(
                period=indicator.period(goal.period),
                value=float(resolved) if resolved is not None else None,
                description=goal.describe(),
                note=goal.note,
            )
        )
    goals.sort(key=lambda goal: goal.period)
    judgement = judge(points, goals, indicator.direction, unit=indicator.unit)
    progress = Progress(
        indicator=indicator,
        points=points,
        standing=standing,
        history=history,
        baseline=baseline,
        goals=goals,
        judgement=judgement,
        demo=any(value.source == ValueSource.DEMO for value in history),
    )
    start = baseline or (points[0] if points else None)
    progress.path_from_baseline = baseline is not None
    if start is not None:
        progress.path = [(start.x, start.value)] + [
            (goal.x, goal.value) for goal in goals if goal.value is not None and goal.x > start.x
        ]
        if len(progress.path) < 2:
            progress.path = []
    if judgement.projection is not None and judgement.goal is not None:
        _, slope, intercept = judgement.projection
        last_x = points[-1].x
        progress.projection_line = (
            (last_x, slope * last_x + intercept),
            (judgement.goal.x, slope * judgement.goal.x + intercept),
        )
    return progress


def as_decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 4)))
