"""The seeded plan: the curated CSV, the workbook built from it, and loading it.

The workbook enters the database through the importer, like any quarter's file.
"""

import csv
import json
from pathlib import Path

from django.conf import settings

from actions.spreadsheet import PlanSheet, PlanSheetRow, TargetColumn, delivery_status_from_word, rag_from_word

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
SEED_CSV = FIXTURES / "cces-action-plan-2022-23-q4.csv"
SEED_WORKBOOK = FIXTURES / "cces-action-plan-2022-23-q4.xlsx"
SEED_TARGETS = FIXTURES / "targets.json"
SEED_PERIOD = "2022-23-q4"
# Words kept as the source gave them because they are uncertain (fixtures/README.md, "Words kept as-is and
# flagged as uncertain"): marked for plan admins on the action's page until checked (Action.wording_to_check).
SEED_WORDING_TO_CHECK = {
    5: ["Maximising releaved be generation"],
    9: ["Deconcertaine of climate into paintbourbood class:", "to et this up"],
}
SEED_NOTES = [
    "CCES action plan progress, 2022/23 Q4, curated from an OCR text of the council's progress report.",
    "RAG colours in this workbook are DERIVED, not the council's own: the report's colours were cell fills "
    "lost in OCR. The rule and each action's basis are in fixtures/README.md.",
    "Target marks are kept as the source showed them; any mark means the action contributes to that target.",
    "Titles of targets 2, 3, 5 and 6 are reconstructions; see the targets' descriptions.",
    "Built from fixtures/cces-action-plan-2022-23-q4.csv by `python manage.py build_seed_workbook`.",
]


def seed_sheet(csv_path: Path = SEED_CSV, targets_path: Path = SEED_TARGETS) -> PlanSheet:
    targets = sorted(
        (entry["fields"] for entry in json.loads(targets_path.read_text(encoding="utf-8"))),
        key=lambda fields: fields["number"],
    )
    with csv_path.open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    rows = [
        PlanSheetRow(
            number=int(record["number"]),
            marks={t["number"]: record[f"target_{t['number']}"] for t in targets if record[f"target_{t['number']}"]},
            text=record["action"],
            delivery_status=delivery_status_from_word(record["delivery_status"]),
            rag=rag_from_word(record["rag"]),
            commentary=record["commentary"],
            target_date=record["target_date"],
        )
        for record in records
    ]
    return PlanSheet(
        targets=[TargetColumn(t["number"], t["short_title"]) for t in targets],
        rows=rows,
        title="Action plan 2022-23 Q4",
        notes=SEED_NOTES,
    )


def build_seed_workbook(destination: Path = SEED_WORKBOOK) -> Path:
    from actions.spreadsheet import build_workbook

    workbook = build_workbook(seed_sheet())
    # Fixed document dates keep the committed file stable between builds.
    from datetime import datetime

    workbook.properties.created = workbook.properties.modified = datetime(2023, 3, 31)
    workbook.save(destination)
    return destination


def mark_wording_to_check() -> int:
    """Mark the seed's uncertain words on the seeded actions (those whose text still holds them); how many."""
    from actions.models import Action

    marked = 0
    for action in Action.objects.filter(number__in=SEED_WORDING_TO_CHECK, wording_to_check=""):
        found = [phrase for phrase in SEED_WORDING_TO_CHECK[action.number] if phrase in action.text]
        if found:
            action.wording_to_check = "\n".join(found)
            action.save(update_fields=["wording_to_check"])
            marked += 1
    return marked
