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


def run_concurrently(*calls, timeout: float = 30):
    """Run each callable in its own thread (so its own database connection), all released at once.

    Returns each call's result or the exception it raised, in order. Each thread
    closes its connection, so the test database can be dropped afterwards.
    """
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # the caller asserts on it
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a concurrent call did not finish"
    return outcomes


def admin_form_data(response, **changes) -> dict:
    """What a browser would post back from an admin change page (the form as shown, inline formsets
    included), with `changes` applied."""

    def add(form, data):
        for bound in form:
            value = bound.value()
            if value is None:
                continue
            data[bound.html_name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)

    data: dict = {}
    add(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form, data)
        for form in formset.forms:
            add(form, data)
    data.update(changes)
    return data


def make_synthetic_plan(actions: int, *, quarters: int = 1, first: str = "2019-20-q1", seed: int = 1) -> None:
    """A plan of `actions` actions, each with a status for each of `quarters` quarters from `first`, written
    in bulk (the benchmark's 5,000 x 20 takes seconds, not minutes). Uses the seven targets if they exist."""
    import random
    from datetime import timedelta

    from django.utils import timezone

    from actions.models import RAG, DeliveryStatus
    from actions.periods import Quarter

    rng = random.Random(seed)  # noqa: S311 - repeatable test data, not secrets
    targets = list(Target.objects.in_plan_order()) or make_targets()
    periods = []
    quarter = Quarter.from_slug(first)
    for _ in range(quarters):
        periods.append(ReportingPeriod.objects.for_quarter(quarter))
        quarter = quarter.next()
    start = max(Action.objects.values_list("number", flat=True), default=0) + 1
    created = Action.objects.bulk_create(
        [
            Action(
                number=number,
                text=f"Synthetic action {number} - reduce emissions from {rng.choice(['fleet', 'buildings', 'land'])}",
                target_date_text=str(rng.choice([2022, 2025, 2030, 2045])),
                target_year=None,
            )
            for number in range(start, start + actions)
        ]
    )
    for action in created:
        action.target_year = int(action.target_date_text)
    ActionTarget.objects.bulk_create(
        [
            ActionTarget(action=action, target=target, mark="✓")
            for action in created
            for target in rng.sample(targets, rng.randint(1, 3))
        ]
    )
    recorded = timezone.now() - timedelta(days=quarters * 91)
    updates = []
    for index, period in enumerate(periods):
        for action in created:
            updates.append(
                StatusUpdate(
                    action=action,
                    period=period,
                    rag=rng.choice(RAG.values),
                    delivery_status=rng.choice([*DeliveryStatus.values, ""]),
                    commentary=f"Quarter {index + 1}: progress noted for action {action.number}.",
                    recorded_at=recorded + timedelta(days=91 * index),
                    source=StatusSource.WEB,
                )
            )
    StatusUpdate.objects.bulk_create(updates, batch_size=2000)
    latest = {update.action_id: update for update in updates}  # the last period's, written last
    for action in created:
        action.set_current(latest.get(action.pk))
    Action.objects.bulk_update(created, [*Action.CURRENT_FIELDS, "target_year"], batch_size=1000)


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


def make_indicator(slug: str = "emissions", *, targets=(), goals=(), values=(), **fields):
    """An indicator with `goals` as (period, value) and `values` as (period, value[, provisional]), recorded
    through the service in order."""
    from indicators.models import Indicator, IndicatorGoal, ValueSource
    from indicators.services import record_value

    fields.setdefault("name", slug.replace("-", " ").capitalize())
    fields.setdefault("unit", "tCO2e")
    fields.setdefault("direction", "down")
    fields.setdefault("frequency", "financial_year")
    indicator = Indicator.objects.create(slug=slug, **fields)
    indicator.targets.set(targets)
    for period, value in goals:
        IndicatorGoal.objects.create(indicator=indicator, period=indicator.period(period).key, value=value)
    for period, value, *provisional in values:
        record_value(
            indicator=indicator,
            period=period,
            value=value,
            provisional=bool(provisional and provisional[0]),
            source=ValueSource.WEB,
        )
    return indicator
