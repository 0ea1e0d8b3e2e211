"""Small helpers that make test data; one place for all of them."""

import io
from itertools import count

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from openpyxl import Workbook

from actions.models import Action, ActionTarget, ReportingPeriod, StatusSource, StatusUpdate
from targets.models import Target

_numbers = count(1000)


def make_user(username: str, *, role: str | None = None, **extra):
    user = get_user_model().objects.create_user(username, password="test-password-1", **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_targets(count_: int = 7) -> list[Target]:
    return [
        Target.objects.create(number=n, title=f"Target {n} title", short_title=f"T{n}") for n in range(1, count_ + 1)
    ]


def make_action(number: int | None = None, *, text: str = "Do a thing", targets=(), **fields) -> Action:
    action = Action.objects.create(number=number or next(_numbers), text=text, **fields)
    for target in targets:
        ActionTarget.objects.create(action=action, target=target, mark="✓")
    return action


def make_update(action: Action, period: str = "2022-23-q4", *, rag="green", delivery_status="in_progress", **fields):
    from actions.services import record_status

    fields.setdefault("commentary", "")
    fields.setdefault("recorded_by", None)
    fields.setdefault("source", StatusSource.WEB)
    return record_status(
        action=action,
        period=ReportingPeriod.objects.for_slug(period),
        rag=rag,
        delivery_status=delivery_status,
        **fields,
    )


def latest_update(action: Action) -> StatusUpdate:
    return StatusUpdate.objects.filter(action=action).newest_first().first()


def workbook_bytes(rows: list[list], *, title: str = "Plan", banner: list | None = None) -> bytes:
    """An .xlsx whose first sheet holds `rows` (the first being the header), under optional banner rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in [*(banner or []), *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER = ["No.", *(f"Target {n}" for n in range(1, 8)), "Action", "Delivery Status", "RAG", "Commentary", "Target date"]


def plan_row(number, *, marks=(1,), text=None, status="In progress", rag="Green", commentary="", date="2030"):
    return [
        number,
        *("✓" if n in marks else None for n in range(1, 8)),
        f"Action {number}" if text is None else text,
        status,
        rag,
        commentary,
        date,
    ]


def plan_sheet_from_database(edit=None):
    """The plan as the app's XLSX export lays it out, built from the database rows.

    `edit(row)` may change each PlanSheetRow (or return None to leave the row out).
    """
    from actions.spreadsheet import PlanSheet, PlanSheetRow, TargetColumn

    rows = []
    for action in Action.objects.with_details().in_plan_order():
        update = action.current_update
        row = PlanSheetRow(
            number=action.number,
            marks={link.target.number: link.mark or "✓" for link in action.target_links.all()},
            text=action.text,
            delivery_status=update.delivery_status if update else "",
            rag=update.rag if update else "",
            commentary=update.commentary if update else "",
            target_date=action.target_date_text,
        )
        if edit is not None:
            row = edit(row)
        if row is not None:
            rows.append(row)
    targets = [TargetColumn(t.number, t.short_title or t.title) for t in Target.objects.order_by("number")]
    return PlanSheet(targets=targets, rows=rows)


def exported_plan_bytes(edit=None) -> bytes:
    from actions.spreadsheet import build_workbook

    buffer = io.BytesIO()
    build_workbook(plan_sheet_from_database(edit)).save(buffer)
    return buffer.getvalue()
