"""Exporting actions in the council's layout: rows first (`plan_sheet`), then a format (CSV or XLSX).

No HTTP here. The XLSX is written by `spreadsheet.build_workbook` (openpyxl's write-only mode), so an export
can be edited and imported back with `actions.imports.reading.read_plan_file`; the CSV has the same columns,
with formula-like text neutralised (the importer's CSV reader takes the apostrophe off again), and is
produced line by line (`csv_chunks`) for a streamed response.

The rows are read as plain values, not model instances: one query for the actions and their position,
and one per many-valued part (target links, leads, partners, funding, milestones, links) gathered into
dicts keyed by action. Seven queries whatever the number of actions.
"""

import csv
import gc
import io
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.db.models import OuterRef, Subquery

from actions import definitions
from actions.bulk import for_ids
from actions.models import (
    RAG,
    Action,
    ActionFunding,
    ActionLink,
    ActionMilestone,
    ActionTarget,
    DeliveryStatus,
    StatusUpdate,
)
from actions.periods import Quarter
from actions.spreadsheet import (
    DETAIL_COLUMNS,
    FORMULA_TRIGGERS,
    Column,
    PlanSheet,
    PlanSheetRow,
    TargetColumn,
    build_workbook,
)
from targets.models import Target

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TICK = "✓"
CSV_CHUNK = 64 * 1024  # characters gathered before a streamed CSV sends them

_FIELDS = (
    "pk",
    "number",
    "text",
    "position_delivery_status",
    "position_rag",
    "position_commentary",
    "target_date_text",
    "service__name",
    "service__parent__name",
    "portfolio_holder__name",
    "portfolio_holder__role",
)


def plan_targets(targets=None) -> list[TargetColumn]:
    """The target columns of the council's layout, for the given targets (default: all, in plan order)."""
    if targets is None:
        targets = Target.objects.in_plan_order()
    return [TargetColumn(target.number, target.title) for target in targets]


class _Rows:
    """The sheet's rows, made from plain values as they are iterated (each time: no query is repeated).

    `cell_rows` gives the cells straight from the values, for the writers; iterating gives PlanSheetRows,
    the same cells by way of `PlanSheet.cells`.
    """

    def __init__(self, actions: list[tuple], parts: dict[str, dict]):
        self.actions = actions
        self.parts = parts

    def __len__(self) -> int:
        return len(self.actions)

    def _details(self, pk, service, parent, holder, role) -> list[str]:
        """The definition columns' cells, as `definitions.cells_of` writes them (DETAIL_COLUMNS order)."""
        parts, in_order = self.parts, definitions.in_order
        if service is None:
            directorate, service = "", ""
        elif parent is None:
            directorate, service = service, ""
        else:
            directorate = parent
        funding = parts["funding"].get(pk)
        milestones = parts["milestones"].get(pk)
        links = parts["links"].get(pk)
        return [
            directorate,
            service,
            "; ".join(sorted(parts["leads"].get(pk, ()))),
            "" if holder is None else f"{holder} ({role})" if role else holder,
            "; ".join(sorted(parts["partners"].get(pk, ()))),
            "\n".join(map(definitions.funding_text, in_order(Column.FUNDING, funding))) if funding else "",
            "\n".join(map(definitions.milestone_text, in_order(Column.MILESTONES, milestones))) if milestones else "",
            "\n".join(f"{link['title']} – {link['url']}" for link in in_order(Column.LINKS, links)) if links else "",
        ]

    def cell_rows(self, sheet: PlanSheet) -> Iterator[tuple[str, list]]:
        """(RAG code, the row's cells under `sheet.headers()`) for each action, with no PlanSheetRow between."""
        statuses = {"": "", **dict(DeliveryStatus.choices)}
        rags = {"": "", **dict(RAG.choices)}
        numbers = [target.number for target in sheet.targets]
        marks, details = self.parts["marks"], self._details
        for pk, number, text, status, rag, commentary, target_date, service, parent, holder, role in self.actions:
            marked = marks.get(pk, ())
            yield (
                rag,
                [
                    number,
                    *[TICK if n in marked else "" for n in numbers],
                    text,
                    statuses[status],
                    rags[rag],
                    commentary or "",
                    target_date,
                    *details(pk, service, parent, holder, role),
                ],
            )

    def __iter__(self) -> Iterator[PlanSheetRow]:
        marks, details = self.parts["marks"], self._details
        for pk, number, text, status, rag, commentary, target_date, service, parent, holder, role in self.actions:
            yield PlanSheetRow(
                number=number,
                marks=dict.fromkeys(marks.get(pk, ()), TICK),
                text=text,
                delivery_status=status,
                rag=rag,
                commentary=commentary or "",
                target_date=target_date,
                details=dict(zip(DETAIL_COLUMNS, details(pk, service, parent, holder, role), strict=True)),
            )


def plan_sheet(actions, targets: list[TargetColumn], *, title: str = "Action plan", notes=()) -> PlanSheet:
    """The council's sheet for `actions`, in the queryset's order, one row per action.

    Each row shows the action's position as annotated by `Action.objects.with_position(period)`; a
    queryset without that annotation gets the current position. Seven queries, whatever the number of
    actions: the actions (with their position's commentary, service and portfolio holder), then their
    target links, leads, partners, funding, milestones and links, each as plain values.
    """
    if "position_update_id" not in actions.query.annotations:
        actions = actions.with_position()
    commentary = StatusUpdate.objects.filter(pk=OuterRef("position_update_id")).values("commentary")[:1]
    rows = list(actions.prefetch_related(None).annotate(position_commentary=Subquery(commentary)).values_list(*_FIELDS))
    return PlanSheet(
        targets=targets,
        rows=_Rows(rows, _parts([row[0] for row in rows])),
        title=title,
        notes=list(notes),
        detail_columns=DETAIL_COLUMNS,
    )


@contextmanager
def _without_cyclic_gc():
    """Reading tens of thousands of rows makes only tuples, dicts and strings, which form no cycles; Python's
    cyclic collector, set off by the allocations alone, would walk them all again and again (about half the
    time of reading them, measured at 5,000 actions). Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parts(pks: list[int]) -> dict[str, dict]:
    """Each many-valued part of the actions `pks`, as {action pk: values}: one query a part."""

    def of(model):
        return for_ids(model.objects.order_by(), "action_id", pks)

    wanted = set(pks)

    def grouped(rows, value) -> dict:
        found = defaultdict(list)
        for row in rows:
            if row[0] in wanted:
                found[row[0]].append(value(row))
        return found

    return {
        "marks": grouped(of(ActionTarget).values_list("action_id", "target__number"), lambda row: row[1]),
        "leads": grouped(
            of(Action.leads.through).values_list("action_id", "user__first_name", "user__last_name", "user__username"),
            lambda row: f"{row[1]} {row[2]}".strip() or row[3],
        ),
        "partners": grouped(of(Action.partners.through).values_list("action_id", "partner__name"), lambda row: row[1]),
        "funding": grouped(
            of(ActionFunding).values_list("action_id", "amount", "source", "state", "financial_year"),
            lambda row: definitions.funding_dict(*row[1:]),
        ),
        "milestones": grouped(
            of(ActionMilestone).values_list("action_id", "title", "due", "done"),
            lambda row: definitions.milestone_dict(*row[1:]),
        ),
        "links": grouped(
            of(ActionLink).values_list("action_id", "title", "url"), lambda row: {"title": row[1], "url": row[2]}
        ),
    }


def xlsx_bytes(sheet: PlanSheet) -> bytes:
    buffer = io.BytesIO()
    build_workbook(sheet).save(buffer)
    return buffer.getvalue()


def csv_chunks(sheet: PlanSheet) -> Iterator[str]:
    """The sheet as CSV with the workbook's header wording, in pieces of about CSV_CHUNK characters, written
    as the rows are made; cells a spreadsheet would run as formulas are prefixed with an apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(sheet.headers())
    triggers = FORMULA_TRIGGERS
    for _rag, cells in sheet.cell_rows():
        # The number stays a number; every other cell is text, neutralised as `neutralise_formula` does.
        writer.writerow([cells[0], *["'" + cell if cell and cell.startswith(triggers) else cell for cell in cells[1:]]])
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_text(sheet: PlanSheet) -> str:
    """The whole CSV at once (see csv_chunks)."""
    return "".join(csv_chunks(sheet))


def file_name(*, period: str | None = None, today: date | None = None) -> str:
    """`cces-actions-2022-23-q4` for a past period's position, `cces-actions-2026-11-28` for today's."""
    if period:
        return f"cces-actions-{Quarter.from_slug(period).slug}"
    return f"cces-actions-{(today or date.today()).isoformat()}"
