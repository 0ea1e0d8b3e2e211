"""Geometry of an indicator's line chart, drawn as inline SVG by templates/indicators/includes/chart.html.

The server works out every coordinate; the template only places shapes (the site's
Content-Security-Policy allows no script and no style attributes). Time runs left to right by each
period's end date; the value axis always includes zero, so a fall to net zero is drawn to scale.
"""

import math
from dataclasses import dataclass

from indicators.progress import Progress, _number

FULL = (720, 320)
SMALL = (360, 200)
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 16, 40


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    label: str
    provisional: bool = False

    @property
    def diamond(self) -> str:
        x, y = self.x, self.y
        return f"{x},{round(y - 8, 2)} {round(x + 8, 2)},{y} {x},{round(y + 8, 2)} {round(x - 8, 2)},{y}"

    @property
    def corner(self) -> tuple[float, float]:
        """Top left of a 12-pixel square centred on the point."""
        return round(self.x - 6, 2), round(self.y - 6, 2)


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass
class LineChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    values: list[Marker]
    value_line: str  # polyline points
    baseline: Marker | None
    goals: list[Marker]
    path: str  # polyline points of the straight path from baseline (or first value) to the goals
    projection: tuple[float, float, float, float] | None
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    unit: str
    small: bool

    @property
    def has_provisional(self) -> bool:
        return any(marker.provisional for marker in self.values)


def nice_step(span: float, count: int = 5) -> float:
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def line_chart(chart_id: str, progress: Progress, *, small: bool = False) -> LineChart:
    indicator = progress.indicator
    width, height = SMALL if small else FULL
    xs = [p.x for p in progress.points] + [g.x for g in progress.goals]
    ys = [p.value for p in progress.points] + [g.value for g in progress.goals if g.value is not None]
    if progress.baseline:
        xs.append(progress.baseline.x)
        ys.append(progress.baseline.value)
    if progress.projection_line:
        ys.extend(end[1] for end in progress.projection_line)
    low_x, high_x = (min(xs), max(xs)) if xs else (0.0, 1.0)
    if high_x - low_x < 1:
        low_x, high_x = low_x - 0.5, high_x + 0.5
    low_x, high_x = math.floor(low_x), math.ceil(high_x)
    low_y, high_y = min([0.0, *ys]), max([0.0, *ys])
    if high_y == low_y:
        high_y = low_y + 1
    step = nice_step(high_y - low_y)
    low_y, high_y = math.floor(low_y / step) * step, math.ceil(high_y / step) * step
    left, right, top, bottom = LEFT, width - RIGHT, TOP, height - BOTTOM

    def sx(x: float) -> float:
        return round(left + (x - low_x) / (high_x - low_x) * (right - left), 2)

    def sy(y: float) -> float:
        return round(bottom - (y - low_y) / (high_y - low_y) * (bottom - top), 2)

    unit = indicator.unit
    values = [
        Marker(
            sx(p.x),
            sy(p.value),
            f"{p.period.label}: {_number(p.value)} {unit}" + (" (provisional)" if value.provisional else ""),
            provisional=value.provisional,
        )
        for p, value in zip(progress.points, progress.standing, strict=True)
    ]
    baseline = None
    if progress.baseline:
        b = progress.baseline
        baseline = Marker(sx(b.x), sy(b.value), f"Baseline {b.period.label}: {_number(b.value)} {unit}")
    goals = [
        Marker(sx(g.x), sy(g.value), f"Goal by {g.period.label}: {_number(g.value)} {unit}")
        for g in progress.goals
        if g.value is not None
    ]
    projection = None
    if progress.projection_line:
        (x1, y1), (x2, y2) = progress.projection_line
        projection = (sx(x1), sy(y1), sx(x2), sy(y2))
    years = high_x - low_x
    year_step = max(1, math.ceil(years / (4 if small else 8)))
    y_ticks = []
    tick = low_y
    while tick <= high_y + step / 2:
        y_ticks.append(Tick(sy(tick), _number(tick)))
        tick += step
    return LineChart(
        id=chart_id,
        title=f"{indicator.name} ({unit})",
        description=describe(progress),
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        values=values,
        value_line=" ".join(f"{m.x},{m.y}" for m in values),
        baseline=baseline,
        goals=goals,
        path=" ".join(f"{sx(x)},{sy(y)}" for x, y in progress.path),
        projection=projection,
        y_ticks=y_ticks,
        x_ticks=[Tick(sx(year), str(year)) for year in range(int(low_x), int(high_x) + 1, year_step)],
        unit=unit,
        small=small,
    )


def describe(progress: Progress) -> str:
    """The chart in words, every number included, for its <desc>."""
    unit = progress.indicator.unit
    parts = []
    if progress.points:
        listed = ", ".join(
            f"{p.period.label} {_number(p.value)}" + (" (provisional)" if v.provisional else "")
            for p, v in zip(progress.points, progress.standing, strict=True)
        )
        parts.append(f"Values in {unit}: {listed}.")
    else:
        parts.append("No values recorded yet.")
    if progress.baseline:
        parts.append(f"Baseline {progress.baseline.period.label}: {_number(progress.baseline.value)}.")
    for goal in progress.goals:
        figure = _number(goal.value) if goal.value is not None else f"{goal.description} (baseline not known)"
        parts.append(f"Goal by {goal.period.label}: {figure}.")
    if progress.path:
        start = "the baseline" if progress.path_from_baseline else "the first value"
        parts.append(f"A straight line runs from {start} to each goal.")
    if progress.projection_line:
        parts.append(f"A dashed projection runs from the latest value to {progress.judgement.goal.period.label}.")
    parts.append(f"Verdict: {progress.verdict.label}. {progress.judgement.reason}")
    return " ".join(parts)
