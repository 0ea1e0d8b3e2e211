"""The published plan as open data: each dataset's columns, its rows, its JSON Schema, as CSV and JSON.
No HTTP here (public.views serves them).

One column list per dataset drives all of it, so the CSV header, the JSON rows, the schema and the
documentation can't drift apart. Column names are stable: within this layout a column never changes meaning;
new columns may be added at the end. In CSV a list is written joined by "; ", a missing value as an empty
cell, and text that a spreadsheet would run as a formula (starting = + - @, tab or return) is prefixed with
an apostrophe, as in the service's other exports; JSON carries every value as it is.

What is in them is what the public site shows (public.published): published quarters, approved updates,
indicator values as published, no officers' names.
"""

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder

from actions.models import DeliveryStatus, ReportingPeriod
from actions.models.status import RAG, delivery_status_label
from actions.spreadsheet import neutralise_formula
from ccesplan.plan import current_plan
from public import published
from targets.models import Target

LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class Column:
    name: str
    schema: dict
    description: str


def col(name: str, schema: dict, description: str) -> Column:
    return Column(name, schema, description)


TEXT = {"type": "string"}
MAYBE_TEXT = {"type": ["string", "null"]}
INTEGER = {"type": "integer"}
MAYBE_INTEGER = {"type": ["integer", "null"]}
NUMBER = {"type": "number"}
MAYBE_NUMBER = {"type": ["number", "null"]}
WHEN = {"type": "string", "format": "date-time"}
RAG_CODE = {"type": "string", "enum": ["", *RAG.values]}
STATUS_CODE = {"type": "string", "enum": ["", *DeliveryStatus.values]}
PERIOD = {"type": "string", "pattern": r"^\d{4}-\d{2}-q[1-4]$"}


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    columns: tuple[Column, ...]

    def row_schema(self) -> dict:
        return {
            "type": "object",
            "properties": {c.name: {**c.schema, "description": c.description} for c in self.columns},
            "required": [c.name for c in self.columns],
            "additionalProperties": False,
        }


DATASETS = {
    dataset.slug: dataset
    for dataset in (
        Dataset(
            "actions",
            "Actions and their published positions",
            "Every action of the plan, the targets it contributes to, and its position as the published quarter "
            "ended (its latest reviewed update).",
            (
                col("action_number", INTEGER, "The action's number in the plan."),
                col("summary", TEXT, "The action's opening words."),
                col("text", TEXT, "The action as the plan words it."),
                col("targets", {"type": "array", "items": INTEGER}, "Numbers of the targets it contributes to."),
                col("target_date", TEXT, "The target date as the plan gives it (a year, a note, or blank)."),
                col("target_year", MAYBE_INTEGER, "The year read from the target date, where it has one."),
                col("rag", RAG_CODE, "red, amber or green; blank when no reviewed status is recorded."),
                col("delivery_status", STATUS_CODE, "The delivery status code; blank when none is recorded."),
                col("delivery_status_label", TEXT, "The delivery status in words."),
                col("position_period", {"type": ["string", "null"]}, "The period of the update it comes from."),
                col("merged_into", MAYBE_INTEGER, "The action it was merged into, if any."),
                col("responsible_service", MAYBE_TEXT, "The service or directorate that answers for it."),
                col("portfolio_holder", MAYBE_TEXT, "The councillor holding its portfolio."),
                col("partners", {"type": "array", "items": TEXT}, "Organisations that deliver it with the council."),
            ),
        ),
        Dataset(
            "status-history",
            "Published status history",
            "Every reviewed status update of every action, for the published quarter and the ones before, "
            "newest first within each action.",
            (
                col("action_number", INTEGER, "The action's number in the plan."),
                col("period", PERIOD, "The reporting period the update is for (2022-23-q4: January to March 2023)."),
                col("rag", {"type": "string", "enum": RAG.values}, "red, amber or green."),
                col("delivery_status", STATUS_CODE, "The delivery status code; blank when none was given."),
                col("delivery_status_label", TEXT, "The delivery status in words."),
                col("commentary", TEXT, "The progress commentary."),
                col("recorded_at", WHEN, "When the update was recorded."),
            ),
        ),
        Dataset(
            "targets",
            "Targets",
            "The plan's strategic targets, with how many of their actions were green, amber and red as the "
            "published quarter ended.",
            (
                col("target_number", INTEGER, "The target's number in the plan."),
                col("title", TEXT, "The target."),
                col("short_title", TEXT, "A short label."),
                col("target_year", MAYBE_INTEGER, "The year it is to be met by, where it has one."),
                col("description", TEXT, "The council's description, or blank."),
                col("actions", INTEGER, "Actions contributing to it."),
                col("green", INTEGER, "Of those, green."),
                col("amber", INTEGER, "Of those, amber."),
                col("red", INTEGER, "Of those, red."),
                col("no_status", INTEGER, "Of those, with no reviewed status."),
            ),
        ),
        Dataset(
            "indicators",
            "Indicators",
            "The measures of progress towards the targets, with their baselines and whether each is on track "
            "by its published values.",
            (
                col("indicator", TEXT, "The indicator's identifier (stable)."),
                col("name", TEXT, "The indicator."),
                col("description", TEXT, "What it measures."),
                col("unit", TEXT, "The unit of its values."),
                col("direction", {"type": "string", "enum": ["down", "up"]}, "Whether lower or higher is better."),
                col("frequency", TEXT, "What each value is for: financial_year, quarter or calendar_year."),
                col("targets", {"type": "array", "items": INTEGER}, "The targets it measures."),
                col("baseline_period", TEXT, "The period of the baseline, or blank."),
                col("baseline_value", MAYBE_NUMBER, "The baseline, where known."),
                col("verdict", TEXT, "on_track, off_track, too_early or no_data, by the rule on the public pages."),
                col("data_source", TEXT, "Where the data comes from."),
                col("calculation", TEXT, "How it is calculated."),
            ),
        ),
        Dataset(
            "indicator-values",
            "Indicator values",
            "Each indicator's standing value for each period, as published (a corrected value replaces the one "
            "it corrects).",
            (
                col("indicator", TEXT, "The indicator's identifier, as in the indicators dataset."),
                col("period", TEXT, "The period the value is for, as the indicator's frequency names it."),
                col("value", NUMBER, "The value, in the indicator's unit."),
                col("provisional", {"type": "boolean"}, "Whether the figure may still change."),
                col("recorded_at", WHEN, "When the value was recorded."),
            ),
        ),
    )
}


def rows(dataset: Dataset, period: ReportingPeriod) -> list[dict]:
    """The dataset's rows as published with `period`, each a dict of its columns in order."""
    return _ROWS[dataset.slug](period)


def _action_rows(period):
    actions = (
        published.published_positions(period)
        .with_target_links()
        .select_related("service", "portfolio_holder", "merged_into")
        .prefetch_related("partners")
    )
    return [
        {
            "action_number": action.number,
            "summary": action.summary,
            "text": action.text,
            "targets": [link.target.number for link in action.target_links.all()],
            "target_date": action.target_date_text,
            "target_year": action.target_year,
            "rag": action.position_rag,
            "delivery_status": action.position_delivery_status,
            "delivery_status_label": delivery_status_label(action.position_delivery_status),
            "position_period": action.position_period_id,
            "merged_into": action.merged_into.number if action.merged_into else None,
            "responsible_service": action.service.name if action.service else None,
            "portfolio_holder": action.portfolio_holder.name if action.portfolio_holder else None,
            "partners": [partner.name for partner in action.partners.all()],
        }
        for action in actions
    ]


def _history_rows(period):
    updates = published.published_history(period).filter(action__in=published.published_positions(period))
    return [
        {
            "action_number": number,
            "period": period_id,
            "rag": rag,
            "delivery_status": status,
            "delivery_status_label": delivery_status_label(status),
            "commentary": commentary,
            "recorded_at": recorded_at,
        }
        for number, period_id, rag, status, commentary, recorded_at in updates.order_by(
            "action__number", "-period_id", "-recorded_at", "-pk"
        ).values_list("action__number", "period_id", "rag", "delivery_status", "commentary", "recorded_at")
    ]


def _target_rows(period):
    _, by_target = published.rag_by_target(period, Target.objects.in_plan_order())
    return [
        {
            "target_number": target.number,
            "title": target.title,
            "short_title": target.short_title,
            "target_year": target.target_year,
            "description": target.description,
            "actions": split.total,
            "green": split.green,
            "amber": split.amber,
            "red": split.red,
            "no_status": split.none,
        }
        for target, split in by_target
    ]


def _indicator_rows(period):
    return [
        {
            "indicator": progress.indicator.slug,
            "name": progress.indicator.name,
            "description": progress.indicator.description,
            "unit": progress.indicator.unit,
            "direction": progress.indicator.direction,
            "frequency": progress.indicator.frequency,
            "targets": [target.number for target in progress.indicator.targets.all()],
            "baseline_period": progress.indicator.baseline_period,
            "baseline_value": progress.indicator.baseline_value,
            "verdict": progress.verdict.value,
            "data_source": progress.indicator.data_source,
            "calculation": progress.indicator.calculation,
        }
        for progress in published.published_progress(period)
    ]


def _indicator_value_rows(period):
    return [
        {
            "indicator": progress.indicator.slug,
            "period": value.period,
            "value": value.value,
            "provisional": value.provisional,
            "recorded_at": value.recorded_at,
        }
        for progress in published.published_progress(period)
        for value in progress.standing
    ]


_ROWS = {
    "actions": _action_rows,
    "status-history": _history_rows,
    "targets": _target_rows,
    "indicators": _indicator_rows,
    "indicator-values": _indicator_value_rows,
}


def as_csv(dataset: Dataset, rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.name for c in dataset.columns])
    for row in rows:
        writer.writerow([_csv_cell(row[c.name]) for c in dataset.columns])
    return out.getvalue()


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return neutralise_formula(LIST_SEPARATOR.join(map(str, value)))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise_formula(value)
    return str(value)


def as_json(dataset: Dataset, rows: list[dict], period: ReportingPeriod, *, schema_url: str) -> str:
    return json.dumps(
        {**about(dataset, period), "schema": schema_url, "rows": rows}, cls=_Encoder, ensure_ascii=False, indent=1
    )


def about(dataset: Dataset, period: ReportingPeriod) -> dict:
    plan = current_plan()
    return {
        "dataset": dataset.slug,
        "title": dataset.title,
        "plan": plan.name,
        "publisher": plan.council,
        "licence": {"name": plan.licence_name, "url": plan.licence_url},
        "period": period.slug,
        "last_published": period.closed_at,
    }


def json_schema(dataset: Dataset) -> dict:
    """The JSON Schema (2020-12) of the dataset's JSON file; its `rows` items describe the CSV's columns too."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": dataset.title,
        "description": dataset.description,
        "type": "object",
        "properties": {
            "dataset": {"const": dataset.slug},
            "title": TEXT,
            "plan": TEXT,
            "publisher": TEXT,
            "licence": {
                "type": "object",
                "properties": {"name": TEXT, "url": {"type": "string", "format": "uri"}},
                "required": ["name", "url"],
            },
            "period": {**PERIOD, "description": "The published quarter the data is as of."},
            "last_published": {**WHEN, "description": "When that quarter was published."},
            "schema": {"type": "string", "format": "uri"},
            "rows": {"type": "array", "items": dataset.row_schema()},
        },
        "required": ["dataset", "plan", "publisher", "licence", "period", "last_published", "rows"],
    }


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        from decimal import Decimal

        if isinstance(o, Decimal):
            return float(o)  # a number in JSON, as the schema says, not a string
        return super().default(o)
