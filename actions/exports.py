"""Exporting actions in the council's layout: rows first (`plan_sheet`), then a format (CSV or XLSX).

No HTTP here. The XLSX is written by `spreadsheet.build_workbook`, so an export can be edited and
imported back with `actions.imports.reading.read_plan_file`; the CSV has the same columns, with formula-like text
neutralised (the importer's CSV reader takes the apostrophe off again).
"""

import csv
import io
from datetime import date

from actions import definitions
from actions.models import Action, StatusUpdate
from actions.periods import Quarter
from actions.spreadsheet import (
    DETAIL_COLUMNS,
    PlanSheet,
    PlanSheetRow,
    TargetColumn,
    build_workbook,
    neutralise_formula,
)
from targets.models import Target

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TICK = "✓"


def plan_targets(targets=None) -> list[TargetColumn]:
    """The target columns of the council's layout, for the given targets (default: all, in plan order)."""
    if targets is None:
        targets = Target.objects.in_plan_order()
    return [TargetColumn(target.number, target.title) for target in targets]


def plan_sheet(actions, targets: list[TargetColumn], *, title: str = "Action plan", notes=()) -> PlanSheet:
    """The council's sheet for `actions`, in the queryset's order, one row per action.

    Each row shows the action's position as annotated by `Action.objects.with_position(period)`; a
    queryset without that annotation gets the current position. Eight queries, whatever the number
    of actions: the actions (with service and portfolio holder), their target links, leads, partners,
    funding, milestones and links, and the status updates holding their commentary.
    """
    if "position_update_id" not in actions.query.annotations:
        actions = actions.with_position()
    actions = list(actions.prefetch_related(None).with_target_links().with_definition())
    commentary = dict(
        StatusUpdate.objects.filter(
            pk__in=[action.position_update_id for action in actions if action.position_update_id]
        ).values_list("pk", "commentary")
    )
    return PlanSheet(
        targets=targets,
        rows=[_row(action, commentary.get(action.position_update_id, "")) for action in actions],
        title=title,
        notes=list(notes),
        detail_columns=DETAIL_COLUMNS,
    )


def _row(action: Action, commentary: str) -> PlanSheetRow:
    return PlanSheetRow(
        number=action.number,
        marks={link.target.number: TICK for link in action.target_links.all()},
        text=action.text,
        delivery_status=action.position_delivery_status,
        rag=action.position_rag,
        commentary=commentary,
        target_date=action.target_date_text,
        details=definitions.cells_of(definitions.values_of(action)),
    )


def xlsx_bytes(sheet: PlanSheet) -> bytes:
    buffer = io.BytesIO()
    build_workbook(sheet).save(buffer)
    return buffer.getvalue()


def csv_text(sheet: PlanSheet) -> str:
    """The sheet as CSV with the workbook's header wording; cells a spreadsheet would run as formulas are
    prefixed with an apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(sheet.headers())
    for row in sheet.rows:
        number, *cells = sheet.cells(row)
        writer.writerow([number, *(neutralise_formula(cell) for cell in cells)])
    return buffer.getvalue()


def file_name(*, period: str | None = None, today: date | None = None) -> str:
    """`cces-actions-2022-23-q4` for a past period's position, `cces-actions-2026-11-28` for today's."""
    if period:
        return f"cces-actions-{Quarter.from_slug(period).slug}"
    return f"cces-actions-{(today or date.today()).isoformat()}"
