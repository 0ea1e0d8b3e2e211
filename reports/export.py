"""The quarterly report as a workbook for a committee paper.

A Summary sheet with the report's tables, then the actions in the council's
layout (written by actions.spreadsheet.build_workbook, RAG fills included),
then an About sheet with the definitions. Rows are built first, then
formatted in one place; nothing here touches HTTP or the database.

Every sheet is written in openpyxl's write-only mode, row after row, with each
style made once, so the workbook costs memory for its widest row, not its rows.
Save the workbook once.
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from actions.models import RAG
from actions.spreadsheet import RagStyles, as_text, build_workbook, styled
from indicators.report import add_values_sheet
from reports.quarterly import Move, Position, QuarterlyReport, plan_sheet

SUMMARY = "Summary"
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_WIDTHS = {"A": 34, "B": 70, "C": 16, "D": 16, "E": 16, "F": 12, "G": 10}
_WRAP = Alignment(wrap_text=True, vertical="top")


class _RagCell:
    """A cell value shown with its RAG fill: the word stays, so colour is never the only signal."""

    def __init__(self, rag: str, text: str | None = None):
        self.rag = rag
        self.text = text if text is not None else (RAG(rag).label if rag else "No status")


class _SummaryWriter:
    def __init__(self, sheet: WriteOnlyWorksheet):
        self.sheet = sheet
        self.rags = RagStyles(sheet)
        self._styled = {}  # (font, wrap) -> a prepared cell's style, made once

    def _cell(self, value, font, wrap):
        if isinstance(value, _RagCell):
            if value.rag:
                return self.rags.cell(value.rag, value.text)
            value = value.text
        text = isinstance(value, str)
        if font is None and not (text and wrap):
            return as_text(self.sheet, value)
        return styled(self.sheet, value, font=font, alignment=_WRAP if text and wrap else None)

    def line(self, *values, font=None, wrap=True):
        self.sheet.append([self._cell(value, font, wrap) for value in values])

    def blank(self):
        self.sheet.append([])

    def table(self, title: str, headers: list, rows: list[list], empty: str = "None."):
        self.line(title, font=_TITLE, wrap=False)
        if rows:
            self.line(*headers, font=_BOLD)
            for row in rows:
                self.line(*row)
        else:
            self.line(empty)
        self.blank()


def _moves(moves: list[Move]) -> list[list]:
    return [
        [
            move.after.number,
            move.after.summary,
            _RagCell(move.before_rag),
            _RagCell(move.after.rag),
            move.direction.capitalize(),
        ]
        for move in moves
    ]


def _listed(positions: list[Position], *columns) -> list[list]:
    return [[p.number, p.summary, *(column(p) for column in columns)] for p in positions]


def write_summary(sheet: WriteOnlyWorksheet, report: QuarterlyReport) -> None:
    """The Summary sheet, on a write-only sheet nothing has been written to yet."""
    period = report.period
    for column, width in _WIDTHS.items():
        sheet.column_dimensions[column].width = width
    _fit_to_a4_width(sheet)
    out = _SummaryWriter(sheet)
    out.line(f"CCES action plan progress report: {period.label}", font=Font(bold=True, size=16), wrap=False)
    out.line(f"Each action's position at the end of the period, {period.end:%-d %B %Y}.", wrap=False)
    out.line(f"Movement is measured against the previous quarter, {report.previous.label}.", wrap=False)
    out.line("Status updates recorded for this period", report.updates_in_period)
    out.line("Of the updates for this period, reviewed by a manager", report.updates_reviewed)
    out.blank()

    overall = report.overall
    out.table(
        "Whole plan by RAG",
        ["RAG", "Actions"],
        [[_RagCell(rag), getattr(overall, rag or "none")] for rag in ("green", "amber", "red", "")]
        + [["Total", overall.total]],
    )
    out.table(
        "RAG by target",
        ["Target", "Title", _RagCell("green"), _RagCell("amber"), _RagCell("red"), "No status", "Total"],
        [
            [f"Target {target.number}", target.title, split.green, split.amber, split.red, split.none, split.total]
            for target, split in report.by_target
        ],
    )
    out.table("Delivery status", ["Delivery status", "Actions"], [list(row) for row in report.delivery_status])
    out.table(
        f"Movement since {report.previous.label}", ["Movement", "Actions"], [list(r) for r in report.movement_counts]
    )
    headers = ["No.", "Action", f"RAG {report.previous.label}", f"RAG {period.label}", "Movement"]
    out.table("Improved", headers, _moves(report.improved))
    out.table("Worsened", headers, _moves(report.worsened))
    out.table("Unchanged", headers, _moves(report.unchanged))
    out.table(
        "New this period",
        ["No.", "Action", "RAG", "Delivery status"],
        _listed(report.new, lambda p: _RagCell(p.rag), lambda p: p.delivery_status_label),
    )
    out.table("Completed this period", ["No.", "Action", "RAG"], _listed(report.completed, lambda p: _RagCell(p.rag)))
    out.table(
        "Merged actions",
        ["No.", "Action", "Merged into action"],
        _listed(report.merged, lambda p: p.merged_into_number),
    )
    out.table(
        "Overdue actions",
        ["No.", "Action", "Target date", "RAG", "Delivery status"],
        _listed(
            report.overdue, lambda p: p.target_date_text, lambda p: _RagCell(p.rag), lambda p: p.delivery_status_label
        ),
    )
    out.table(
        "No update this period",
        ["No.", "Action", "Last update", "RAG"],
        _listed(report.stale, lambda p: p.period_label, lambda p: _RagCell(p.rag)),
    )
    out.table(
        "Actions by responsible service", ["Directorate › service", "Actions"], [list(r) for r in report.by_service]
    )
    out.table("Actions by funding state", ["Funding", "Actions"], [list(r) for r in report.by_funding])
    out.table(
        "Late milestones at the period's end",
        ["No.", "Action", "Milestone", "Due"],
        [[m.action_number, m.action_summary, m.title, m.due] for m in report.late_milestones],
    )
    out.table(
        "Trend: RAG at the end of each period",
        ["Period", "Updates recorded", _RagCell("green"), _RagCell("amber"), _RagCell("red")],
        [[row.period.label, row.updates, row.split.green, row.split.amber, row.split.red] for row in report.trend],
    )


def _fit_to_a4_width(sheet: WriteOnlyWorksheet, *, landscape: bool = False) -> None:
    """Print on A4, as wide as the page and as many pages long as it takes."""
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def build_report_workbook(report: QuarterlyReport, *, on_rows=None) -> Workbook:
    """The report's workbook (write-only): Summary first and selected, then Actions, then About. `on_rows` is
    called with the number of actions written so far, now and then (see PlanSheet.reporting_progress)."""
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(SUMMARY)
    summary.sheet_view.tabSelected = True  # before its rows: a write-only sheet writes its view first
    write_summary(summary, report)
    actions = plan_sheet(report)
    if on_rows is not None:
        actions = actions.reporting_progress(on_rows)
    build_workbook(actions, workbook, prepare=lambda sheet: _fit_to_a4_width(sheet, landscape=True))
    workbook.active = 0
    return workbook


def report_workbook_bytes(report: QuarterlyReport, *, on_rows=None) -> bytes:
    """The report's workbook with the indicators' values sheet, saved."""
    buffer = io.BytesIO()
    workbook = build_report_workbook(report, on_rows=on_rows)
    add_values_sheet(workbook, report.period)
    workbook.save(buffer)
    return buffer.getvalue()
