"""The indicators' part of the quarterly report: "Are the targets on track?" and its workbook sheet.

Each indicator as it stood at the report period's end: only values for periods that had ended by then
count (whenever they were recorded), corrections included. Called from one line in the report's view
and template, so the report's own code stays as it is.
"""

from dataclasses import dataclass

from openpyxl import Workbook

from indicators.charts import LineChart, line_chart
from indicators.exports import values_table, write_sheet
from indicators.models import Indicator
from indicators.progress import VERDICT_RULE, Progress, progress_of

SHEET_TITLE = "Indicator values"


@dataclass
class IndicatorSection:
    progress: Progress
    chart: LineChart


def on_track_sections(period) -> list[IndicatorSection]:
    """Every indicator's progress and chart as at the end of `period` (a ReportingPeriod); four queries."""
    sections = []
    for indicator in Indicator.objects.in_order().for_pages():
        progress = progress_of(indicator, until=period.end)
        sections.append(IndicatorSection(progress, line_chart(f"chart-report-{indicator.slug}", progress)))
    return sections


def add_values_sheet(workbook: Workbook, period) -> None:
    """A sheet of indicator values as at the end of `period`, with each indicator's verdict above them."""
    indicators = list(Indicator.objects.in_order().for_pages())
    verdicts = [[f"Are the targets on track? Indicators at the end of {period.label}"]]
    for indicator in indicators:
        progress = progress_of(indicator, until=period.end)
        verdicts.append([indicator.name, progress.verdict.label, progress.judgement.reason])
    verdicts += [["How the verdict is worked out: " + " ".join(VERDICT_RULE)], []]
    write_sheet(workbook.create_sheet(SHEET_TITLE), values_table(indicators, until=period.end), before=verdicts)
