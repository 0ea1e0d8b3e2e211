"""Indicator values as a table (rows first), then as CSV or XLSX. No HTTP here."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from actions.spreadsheet import as_text, neutralise_formula, styled
from indicators.models import plain
from indicators.progress import progress_of

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = [
    "Indicator",
    "Slug",
    "Unit",
    "Period",
    "Value",
    "Provisional",
    "Standing",
    "Note",
    "Recorded by",
    "Recorded at",
    "Recorded through",
]
WIDTHS = [40, 28, 10, 12, 14, 12, 22, 40, 18, 18, 20]


@dataclass
class ValuesTable:
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def values_table(indicators, *, until: date | None = None, title: str = "Indicator values") -> ValuesTable:
    """One row per recorded value, superseded ones included and marked, by indicator then period.

    `indicators` must come from `Indicator.objects.for_pages()`: no query per indicator.
    """
    table = ValuesTable(title=title, headers=HEADERS)
    demo = False
    for indicator in indicators:
        progress = progress_of(indicator, until=until)
        superseded = progress.superseded_ids()
        demo = demo or progress.demo
        for value in sorted(progress.history, key=lambda v: (v.period, v.recorded_at, v.pk)):
            who = value.recorded_by
            table.rows.append(
                [
                    indicator.name,
                    indicator.slug,
                    indicator.unit,
                    value.period_label,
                    value.value,
                    "Provisional" if value.provisional else "Final",
                    "Superseded by a correction" if value.pk in superseded else "Standing",
                    value.note,
                    (who.get_full_name() or who.get_username()) if who else "",
                    timezone.localtime(value.recorded_at).strftime("%Y-%m-%d %H:%M"),
                    value.get_source_display(),
                ]
            )
    if demo:
        table.notes.append("DEMONSTRATION DATA: some values were made up for development; they are not real figures.")
    return table


def csv_text(table: ValuesTable) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for note in table.notes:
        writer.writerow([note])
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(
            [
                neutralise_formula(cell)
                if isinstance(cell, str)
                else plain(cell)
                if isinstance(cell, Decimal)
                else cell
                for cell in row
            ]
        )
    return buffer.getvalue()


def write_sheet(sheet, table: ValuesTable, *, before=()) -> None:
    """The table on a sheet nothing has been written to yet (write-only or not): the rows `before` (lists of
    values), notes, a bold header, then the rows; text is never a formula."""
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    before = list(before)
    # Set before any row: a write-only sheet writes its panes and widths first.
    sheet.freeze_panes = f"A{len(before) + len(table.notes) + 2}"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in before:
        sheet.append([as_text(sheet, value) for value in row])
    for note in table.notes:
        sheet.append([styled(sheet, note, font=bold)])
    sheet.append([styled(sheet, heading, font=bold) for heading in table.headers])
    for row in table.rows:
        sheet.append([styled(sheet, value, alignment=wrap) if isinstance(value, str) else value for value in row])
    if not table.rows:
        sheet.append(["No indicator values have been recorded."])


def xlsx_bytes(table: ValuesTable) -> bytes:
    workbook = Workbook(write_only=True)
    write_sheet(workbook.create_sheet(table.title[:31]), table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
