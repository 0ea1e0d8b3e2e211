"""The import journeys issue 10 asks for: retyped RAG words, the mapping step, remembered choices, one set of counts,
refusals that write nothing, and a big preview that stays usable."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from actions.models import Action, ImportBatch, PendingImport, RememberedChoice, ReportingPeriod, StatusUpdate
from actions.periods import Quarter
from tests.factories import (
    HEADER,
    exported_plan_bytes,
    make_action,
    make_targets,
    make_update,
    plan_row,
    workbook_bytes,
)
from tests.test_views_imports import PERIOD, html_of, text_of, upload

pytestmark = pytest.mark.django_db

# Quarters the upload form offers whatever the database holds.
RECENT, LATEST = Quarter.current().previous(), Quarter.current()
CORPUS = Path(__file__).resolve().parent / "import_corpus"


def pending_url(name="imports:preview"):
    return reverse(name, kwargs={"pk": PendingImport.objects.get().pk})


def retyped_export(seeded_plan) -> bytes:
    """The actions export with three RAG words retyped and the cells left in their old colour, as people edit."""
    workbook = load_workbook(io.BytesIO(exported_plan_bytes()))
    sheet = workbook.active
    rag_column = [cell.value for cell in sheet[2]].index("RAG") + 1
    retyped = {}
    for row in (3, 4, 5):
        cell = sheet.cell(row=row, column=rag_column)
        cell.value = "Red" if cell.value != "Red" else "Green"
        retyped[sheet.cell(row=row, column=1).value] = cell.value.lower()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), retyped


def test_export_retype_a_rag_word_import_succeeds_with_a_warning_naming_the_cell(client, seeded_plan, plan_admin):
    client.force_login(plan_admin)
    data, retyped = retyped_export(seeded_plan)
    upload(client, data)
    page = text_of(client.get(pending_url()))
    assert "cannot be imported" not in page
    assert "Changed 3 " in page and "Warnings 3 " in page
    assert re.search(
        r"Sheet 'Action plan', row 3, column \w+ \(RAG\): the word says \w+ but the cell is filled \w+", page
    )
    response = client.post(pending_url("imports:confirm"), follow=True)
    assert "changed 3, confirmed unchanged 53" in text_of(response)
    for number, rag in retyped.items():
        assert Action.objects.get(number=number).current_rag == rag


def test_a_file_without_a_recognised_commentary_column_never_blanks_commentary(client, seeded_plan, plan_admin):
    client.force_login(plan_admin)
    before = dict(Action.objects.values_list("number", "current_update__commentary"))
    header = ["No.", "Action", "RAG", "Officer's words"]
    rows = [[n, f"Action {n}", "Red", "Something else"] for n in range(1, 57)]
    upload(client, workbook_bytes([header, *rows]))
    page = text_of(client.get(pending_url()))
    assert "No column was found for: Target date , Delivery status , Commentary ." in page
    assert "What the file has no column for is left as the plan has it: nothing is blanked." in page
    client.post(pending_url("imports:confirm"))
    after = dict(Action.objects.values_list("number", "current_update__commentary"))
    assert after == before
    assert set(Action.objects.values_list("current_rag", flat=True)) == {"red"}


def test_the_mapping_step_reads_again_with_the_choices_and_remembers_them(client, plan_admin):
    make_targets()
    client.force_login(plan_admin)
    data = (CORPUS / "ambiguous_words.xlsx").read_bytes()
    upload(client, data, name="ambiguous_words.xlsx", period=RECENT.slug)
    preview = client.get(pending_url())
    page = text_of(preview)
    assert "‘On hold’ (2 rows) means" in page and "‘Blue’ (1 row) means" in page
    assert "Confirm import" not in page
    form = preview.context["mapping"]
    words = {word: name for name, kind, word in form.word_fields}
    post = {name: field.initial for name, field in form.fields.items() if name.startswith("column_")}
    post.update({words["On hold"]: "in_progress", words["Blue"]: "green", "remember": "on"})
    response = client.post(pending_url("imports:choose"), post, follow=True)
    page = text_of(response)
    assert "read again with your choices. 2 choices remembered for future imports." in page
    assert "New actions 3 " in page and "Confirm import" in page
    assert sorted(RememberedChoice.objects.values_list("kind", "text", "meaning")) == [
        ("rag", "Blue", "green"),
        ("status", "On hold", "in_progress"),
    ]
    client.post(pending_url("imports:confirm"))
    assert dict(Action.objects.values_list("number", "current_delivery_status")) == {
        20: "in_progress",
        21: "complete",
        22: "in_progress",
    }
    assert Action.objects.get(number=21).current_rag == "green"

    # Next quarter's file from the same officer: no questions.
    upload(client, data, name="ambiguous_words.xlsx", period=LATEST.slug)
    page = text_of(client.get(pending_url()))
    assert "Confirm import" in page and "‘On hold’ (" not in page


def test_a_column_given_another_role_in_the_mapping_step(client, seeded_plan, plan_admin):
    client.force_login(plan_admin)
    header = ["No.", "Action", "RAG", "Officer's words"]
    upload(client, workbook_bytes([header, [1, "Action 1", "Red", "Moved on."]]))
    form = client.get(pending_url()).context["mapping"]
    post = {name: field.initial for name, field in form.fields.items() if name.startswith("column_")}
    post["column_D"] = "commentary"
    page = text_of(client.post(pending_url("imports:choose"), post, follow=True))
    assert "After: Moved on." in page
    assert RememberedChoice.objects.count() == 0  # not asked to remember


def test_a_choice_to_refuse_rows_skips_them_and_lists_them(client, plan_admin):
    make_targets()
    client.force_login(plan_admin)
    upload(client, (CORPUS / "ambiguous_words.xlsx").read_bytes(), name="ambiguous_words.xlsx", period=RECENT.slug)
    form = client.get(pending_url()).context["mapping"]
    words = {word: name for name, kind, word in form.word_fields}
    post = {name: field.initial for name, field in form.fields.items() if name.startswith("column_")}
    post.update({words["On hold"]: "refuse", words["Blue"]: "green"})
    page = text_of(client.post(pending_url("imports:choose"), post, follow=True))
    assert "Row 2: action 20 refused: delivery status 'On hold' in column C (Delivery Status)" in page
    assert "New actions 1 " in page and "Rows skipped 2 " in page


def test_the_command_line_takes_the_same_choices_and_uses_remembered_ones(tmp_path):
    make_targets()
    path = CORPUS / "ambiguous_words.xlsx"
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_plan", str(path), "--period", PERIOD, stdout=out, stderr=io.StringIO())
    call_command(
        "import_plan",
        str(path),
        "--period",
        PERIOD,
        "--status-word",
        "On hold=in_progress",
        "--rag-word",
        "Blue=green",
        stdout=out,
    )
    assert Action.objects.get(number=21).current_rag == "green"
    assert "new actions 3" in out.getvalue()

    renamed = tmp_path / "renamed.xlsx"
    renamed.write_bytes(
        workbook_bytes(
            [["No.", "Action", "RAG", "Progress Update – Q2 2023/24"], [20, "Depot LED lighting", "Red", "Q2."]]
        )
    )
    call_command("import_plan", str(renamed), "--period", "2023-24-q2", "--column", "Progress Update – Q2 2023/24=")
    assert Action.objects.get(number=20).current_update.commentary == "Paused."  # the column was not used
    RememberedChoice.objects.create(kind="column", text="Progress update - Q1", meaning="")
    call_command("import_plan", str(renamed), "--period", "2023-24-q3", stdout=io.StringIO())
    assert Action.objects.get(number=20).current_update.commentary == "Paused."  # remembered, whatever the quarter


def test_a_bad_command_line_choice_is_refused_naming_it():
    with pytest.raises(CommandError, match='--rag-word "Blue=purple": give it as "Text=meaning"'):
        call_command(
            "import_plan", str(CORPUS / "ambiguous_words.xlsx"), "--period", PERIOD, "--rag-word", "Blue=purple"
        )


def test_one_set_of_counts_in_preview_success_message_history_and_admin(client, seeded_plan, plan_admin, admin_client):
    client.force_login(plan_admin)
    data, _ = retyped_export(seeded_plan)
    workbook = load_workbook(io.BytesIO(data))
    workbook.active.delete_rows(58)  # action 56's row: it goes missing
    workbook.active.append([])
    workbook.active.append(["Key: colours are as last quarter"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload(client, buffer.getvalue())
    labels = ["New actions", "Changed", "Confirmed unchanged", "Already recorded", "Missing from the file"]
    labels += ["Rows skipped", "Warnings"]
    values = [0, 3, 52, 0, 1, 1, 3]
    preview = text_of(client.get(pending_url()))
    assert " ".join(f"{label} {value}" for label, value in zip(labels, values, strict=True)) in preview
    history = text_of(client.post(pending_url("imports:confirm"), follow=True))
    sentence = ", ".join(f"{label.lower()} {value}" for label, value in zip(labels, values, strict=True))
    assert f"Imported q1.xlsx for 2023/24 Q1: {sentence}." in history
    assert " ".join(labels) in history
    assert "planadmin q1.xlsx 2023/24 Q1 " + " ".join(map(str, values)) + " Undo" in history
    changelist = text_of(admin_client.get(reverse("admin:actions_importbatch_changelist")))
    assert " ".join(label.upper() for label in labels) in changelist.upper()
    assert "q1.xlsx 2023/24 Q1" in changelist and " ".join(map(str, values)) in changelist


def test_a_refused_file_writes_nothing_not_even_the_period(client, seeded_plan, plan_admin):
    client.force_login(plan_admin)
    upload(client, workbook_bytes([HEADER, plan_row(1, rag="Purple")]), period="2024-25-q1")
    page = text_of(client.get(pending_url()))
    assert "cannot be imported" in page
    client.post(pending_url("imports:confirm"))
    assert not ReportingPeriod.objects.filter(slug="2024-25-q1").exists()


def test_a_refused_file_on_the_command_line_writes_no_period_either(tmp_path):
    make_targets()
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_bytes([HEADER, plan_row(1, rag="Purple")]))
    with pytest.raises(CommandError):
        call_command("import_plan", str(path), "--period", "2024-25-q1", stderr=io.StringIO())
    assert not ReportingPeriod.objects.exists()


def test_an_empty_database_says_to_load_the_targets_first(tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(workbook_bytes([HEADER, plan_row(1)]))
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_plan", str(path), "--period", PERIOD, stderr=errors)
    assert errors.getvalue().strip().splitlines() == [
        "plan.xlsx: Sheet 'Plan', row 1: The plan has no targets yet, so the target columns cannot be read. Load "
        "the plan's targets first: run `python manage.py seed_plan`, then import this file again."
    ]
    assert not ReportingPeriod.objects.exists() and not Action.objects.exists()


def test_a_big_preview_is_paged_changes_first_unchanged_collapsed(client, plan_admin):
    targets = make_targets()
    for number in range(1, 301):
        make_update(make_action(number, text=f"Action {number}", targets=targets[:1]), rag="green", commentary="")
    rows = [plan_row(n, rag="Red" if n <= 150 else "Green", status="In progress") for n in range(1, 301)]
    client.force_login(plan_admin)
    upload(client, workbook_bytes([HEADER, *rows]), period=RECENT.slug)
    first = client.get(pending_url())
    page = text_of(first)
    assert "New and changed actions (1 to 100 of 150)" in page
    assert "Page 1 of 2" in page
    assert f"These actions' positions are unchanged and will be recorded again for {RECENT.label}: 151–300." in page
    assert html_of(first).count('<tr class="govuk-table__row">') == 101  # the header row and one page of changes
    second = text_of(client.get(pending_url() + "?page=2"))
    assert "New and changed actions (101 to 150 of 150)" in second


def test_viewing_paging_and_confirming_do_not_read_the_workbook_again(client, seeded_plan, plan_admin, monkeypatch):
    client.force_login(plan_admin)
    data, _ = retyped_export(seeded_plan)
    upload(client, data)
    from actions.imports import pending

    def fail(*args, **kwargs):
        raise AssertionError("the workbook was read again")

    monkeypatch.setattr(pending, "read_plan_file", fail)
    assert client.get(pending_url()).status_code == 200
    assert client.get(pending_url() + "?page=2").status_code == 200
    client.post(pending_url("imports:confirm"))
    assert ImportBatch.objects.filter(file_name="q1.xlsx").exists()
    assert StatusUpdate.objects.filter(import_batch__file_name="q1.xlsx").count() == 56


def test_plan_admins_list_and_correct_remembered_choices_in_the_admin(client, plan_admin):
    choice = RememberedChoice.objects.create(kind="status", text="On hold", meaning="in_progress")
    client.force_login(plan_admin)
    listing = text_of(client.get(reverse("admin:actions_rememberedchoice_changelist")))
    assert "On hold Delivery status word in_progress" in listing
    url = reverse("admin:actions_rememberedchoice_change", args=[choice.pk])
    refused = client.post(url, {"kind": "status", "text": "On hold", "meaning": "purple"})
    assert "“purple” is not a meaning a delivery status word can have." in text_of(refused)
    response = client.post(url, {"kind": "status", "text": "On hold", "meaning": "not_started"})
    assert response.status_code == 302
    choice.refresh_from_db()
    assert (choice.meaning, choice.key, choice.remembered_by) == ("not_started", "on hold", plan_admin)


def test_the_command_line_refuses_an_implausible_new_period_but_imports_into_one_already_stored(tmp_path):
    """1900/01 Q1 is no period to create, so the import is refused with the reason, writing nothing; a row stored
    before that check existed keeps working, so its quarter still takes an import."""
    make_targets()
    path = tmp_path / "plan.xlsx"
    path.write_bytes(workbook_bytes([HEADER, plan_row(1, rag="Amber", commentary="Old quarter")]))
    with pytest.raises(CommandError) as refused:
        call_command("import_plan", str(path), "--period", "1900-01-q1", stdout=io.StringIO())
    assert str(refused.value) == (
        "plan.xlsx was not imported: 1900/01 Q1 is not a plausible reporting period: "
        "the financial year must be 2000 to 2099."
    )
    assert not ReportingPeriod.objects.exists() and not Action.objects.exists()

    ReportingPeriod.objects.bulk_create(
        [ReportingPeriod(slug="1900-01-q1", year=1900, quarter=1, start="1900-04-01", end="1900-06-30")]
    )
    out = io.StringIO()
    call_command("import_plan", str(path), "--period", "1900-01-q1", stdout=out)
    assert "Imported plan.xlsx for 1900/01 Q1 as batch" in out.getvalue()
    update = Action.objects.get(number=1).current_update
    assert (update.period_id, update.rag, update.commentary) == ("1900-01-q1", "amber", "Old quarter")
