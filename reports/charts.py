"""Geometry for the report's stacked bar charts, drawn as inline SVG by templates/reports/includes/chart.html.

The server works out every coordinate so the template only places shapes: no
JavaScript and no style attributes (the site's Content-Security-Policy allows
neither). All bars in one chart share a scale, so their lengths compare.
"""

from dataclasses import dataclass

from reports.quarterly import RagSplit

WIDTH = 720
BAR_AREA = 620  # the longest bar; the rest of the width holds its total
LABEL_HEIGHT = 20
BAR_HEIGHT = 24
ROW_GAP = 14
ROW_PITCH = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP

# Left to right, as includes/ragbar.html draws them; each with its pattern class.
SEGMENTS = [("green", "Green"), ("amber", "Amber"), ("red", "Red"), ("none", "No status")]


@dataclass(frozen=True)
class Segment:
    status: str
    label: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    label: str
    split: RagSplit
    label_y: int
    bar_y: int
    segments: list[Segment]
    end_x: float

    @property
    def summary(self) -> str:
        """The bar's numbers in words, for the chart's description and the visible label."""
        return ", ".join(f"{s.count} {s.label.lower()}" for s in self.segments) or "no actions"


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    bars: list[Bar]
    width: int
    height: int
    bar_height: int

    @property
    def description(self) -> str:
        return "; ".join(f"{bar.label}: {bar.summary}" for bar in self.bars) + "."

    @property
    def legend(self) -> list[tuple[str, str]]:
        """The statuses drawn in this chart, with their names."""
        drawn = {segment.status for bar in self.bars for segment in bar.segments}
        return [(status, label) for status, label in SEGMENTS if status in drawn]


def stacked_bars(chart_id: str, title: str, rows: list[tuple[str, RagSplit]]) -> Chart:
    """A horizontal stacked bar per row, scaled to the largest total."""
    largest = max((split.total for _, split in rows), default=0) or 1
    scale = BAR_AREA / largest
    bars = []
    for index, (label, split) in enumerate(rows):
        top = index * ROW_PITCH
        x = 0.0
        segments = []
        for status, status_label in SEGMENTS:
            count = getattr(split, status)
            if not count:
                continue
            width = round(count * scale, 2)
            segments.append(Segment(status=status, label=status_label, count=count, x=round(x, 2), width=width))
            x += width
        bars.append(
            Bar(
                label=label,
                split=split,
                label_y=top + LABEL_HEIGHT - 6,
                bar_y=top + LABEL_HEIGHT,
                segments=segments,
                end_x=round(x + 8, 2),
            )
        )
    return Chart(
        id=chart_id,
        title=title,
        bars=bars,
        width=WIDTH,
        height=max(len(rows) * ROW_PITCH - ROW_GAP, 1),
        bar_height=BAR_HEIGHT,
    )
