import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from actions.models import Action, ImportBatch, StatusUpdate
from actions.seed import SEED_WORKBOOK
from tests.factories import HEADER, plan_row, workbook_bytes

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_plan", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_dry_run_reports_and_writes_nothing(seeded_plan, tmp_path: Path):
    path = tmp_path / "q1.xlsx"
    path.write_bytes(workbook_bytes([HEADER, plan_row(1, rag="Red", commentary="Stopped"), plan_row(57)]))
    counts = (StatusUpdate.objects.count(), Action.objects.count(), ImportBatch.objects.count())
    output = run(str(path), "--period", "2023-24-q1", "--dry-run")
    assert "new actions 1, changed 1" in output
    assert "Action 1: RAG Green → Red" in output
    assert "New action 57" in output
    assert "Missing from the file (kept, not deleted): 2, 3, 4" in output
    assert "Dry run: nothing was written." in output
    assert (StatusUpdate.objects.count(), Action.objects.count(), ImportBatch.objects.count()) == counts


def test_importing_the_seed_again_changes_nothing(seeded_plan):
    counts = (StatusUpdate.objects.count(), ImportBatch.objects.count())
    output = run(str(SEED_WORKBOOK), "--period", "2022-23-q4")
    assert "Nothing to change" in output
    assert (StatusUpdate.objects.count(), ImportBatch.objects.count()) == counts


def test_a_bad_file_exits_non_zero_with_its_problems_and_changes_nothing(seeded_plan, tmp_path: Path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_bytes([HEADER, plan_row(1, rag="Red"), plan_row(2, rag="Purple")]))
    errors = io.StringIO()
    before = StatusUpdate.objects.count()
    with pytest.raises(CommandError, match=r"bad\.xlsx was not imported: 1 problem"):
        call_command("import_plan", str(path), "--period", "2023-24-q1", stdout=io.StringIO(), stderr=errors)
    assert "bad.xlsx: Sheet 'Plan', row 3, column K (RAG): 'Purple' is not a RAG colour" in errors.getvalue()
    assert StatusUpdate.objects.count() == before


def test_a_malformed_period_is_refused(seeded_plan):
    with pytest.raises(CommandError, match="not a reporting period"):
        run(str(SEED_WORKBOOK), "--period", "2023 Q1")


def test_seed_plan_leaves_an_existing_plan_alone(seeded_plan):
    out = io.StringIO()
    call_command("seed_plan", stdout=out)
    assert "already has actions" in out.getvalue()
    assert ImportBatch.objects.count() == 1
