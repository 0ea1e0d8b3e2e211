"""The importer: parse problems name where they are, bad files change nothing, re-imports change nothing."""

import io
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from actions.importer import ImportRefused, apply_import, preview_import, read_plan_file, target_headings
from actions.models import Action, ImportBatch, ReportingPeriod, StatusUpdate
from targets.models import Target
from tests.factories import HEADER, make_action, make_targets, make_update, plan_row, workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def targets():
    return make_targets()


def parse(data: bytes, name="plan.xlsx"):
    return read_plan_file(data, name, target_headings(Target.objects.all()))


def period(slug="2023-24-q1"):
    return ReportingPeriod.objects.for_slug(slug)


def database_snapshot():
    return (
        list(Action.objects.values_list("number", "current_rag", "current_update_id")),
        StatusUpdate.objects.count(),
        ImportBatch.objects.count(),
    )


def test_a_clean_sheet_parses_into_rows(targets):
    parsed = parse(workbook_bytes([HEADER, plan_row(1, marks=(1, 5)), plan_row(2, rag="amber", status="Not started")]))
    assert parsed.ok
    assert [(r.number, r.marks, r.rag, r.delivery_status) for r in parsed.rows] == [
        (1, {1: "✓", 5: "✓"}, "green", "in_progress"),
        (2, {1: "✓"}, "amber", "not_started"),
    ]


def test_banner_rows_and_the_councils_header_wording_are_understood(targets):
    header = [
        "No.",
        "Understand and grow our natural\ncapital account",
        *[None] * 6,
        "  ACTION ",
        "Delivery Status",
        "RAG Status Green = on track Yellow = delayed/stalled Red = not started/off track",
        "Action Plan Target Date",
    ]
    row = [7, "✔", None, None, None, "*", None, None, "Plant trees", "Delivery", "Going well", "2030"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([None, "TARGETS"])
    sheet.append(header)
    sheet.append(row)
    sheet["K3"].fill = PatternFill("solid", fgColor="FF00B050")  # the council's RAG is the commentary cell's fill
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse(buffer.getvalue())
    assert parsed.ok, parsed.problems
    (only,) = parsed.rows
    assert (only.number, only.marks, only.rag, only.commentary, only.delivery_status) == (
        7,
        {1: "✔", 5: "*"},
        "green",
        "Going well",
        "in_delivery",
    )


def test_continuation_rows_join_the_action_above_and_blank_rows_are_skipped(targets):
    rows = [
        HEADER,
        plan_row(48, marks=(1,), text="Identify mechanisms", commentary="Work ongoing to"),
        [
            None,
            None,
            "✓",
            None,
            None,
            None,
            None,
            None,
            "for all scopes",
            None,
            None,
            "integrate data collection.",
            None,
        ],
        [None] * 13,
        plan_row("50 ✓"),
    ]
    parsed = parse(workbook_bytes(rows))
    assert parsed.ok, parsed.problems
    first, second = parsed.rows
    assert first.text == "Identify mechanisms for all scopes"
    assert first.commentary == "Work ongoing to integrate data collection."
    assert first.marks == {1: "✓", 2: "✓"}
    assert second.number == 50
    assert parsed.skipped == [(4, "blank row")]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (plan_row(1, rag="Purple"), "Sheet 'Plan', row 2, column K (RAG): 'Purple' is not a RAG colour"),
        (
            plan_row(1, status="Stalled"),
            "Sheet 'Plan', row 2, column J (Delivery Status): 'Stalled' is not a delivery status",
        ),
        (plan_row("one"), "Sheet 'Plan', row 2, column A (No.): 'one' is not an action number"),
        (plan_row(1, rag=None), "Sheet 'Plan', row 2, column K (RAG): has no RAG"),
        (plan_row(1, text=""), "Sheet 'Plan', row 2, column I (Action): action 1 has no action text"),
        (plan_row(1, commentary="x" * 10_001), "Sheet 'Plan', row 2, column L (Commentary): is 10001 characters long"),
        (plan_row(1, commentary="=1+1"), "Sheet 'Plan', row 2, column L (Commentary): holds a formula (=1+1)"),
    ],
)
def test_problems_name_sheet_row_and_column(targets, row, expected):
    parsed = parse(workbook_bytes([HEADER, row]))
    assert not parsed.ok
    assert any(str(problem).startswith(expected) for problem in parsed.problems), parsed.problems


def test_duplicate_numbers_are_a_problem_naming_both_rows(targets):
    parsed = parse(workbook_bytes([HEADER, plan_row(3), plan_row(3)]))
    assert [str(p) for p in parsed.problems] == [
        "Sheet 'Plan', row 3, column A (No.): action 3 appears twice (first on row 2)"
    ]


def test_rag_word_and_fill_must_agree(targets):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(plan_row(1, rag="Green"))
    sheet["K2"].fill = PatternFill("solid", fgColor="FFFF0000")
    buffer = io.BytesIO()
    workbook.save(buffer)
    (problem,) = parse(buffer.getvalue()).problems
    assert "the RAG word says Green but the cell is filled Red" in str(problem)


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"hello, this is not a spreadsheet", "plan.xlsx", "is not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "plan.xlsx", "encrypted"),
        (b"", "plan.xlsx", "is not an Excel workbook"),
    ],
)
def test_files_that_are_not_workbooks_are_refused(targets, data, name, expected):
    parsed = parse(data, name)
    assert expected in str(parsed.problems[0])


def test_truncated_workbook_is_refused(targets):
    data = workbook_bytes([HEADER, plan_row(1)])
    parsed = parse(data[: len(data) // 2])
    assert not parsed.ok


def test_macro_workbook_is_refused_before_openpyxl_opens_it(targets):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/vbaProject.bin", b"macro")
    assert "contains macros" in str(parse(buffer.getvalue(), "plan.xlsm").problems[0])


def test_no_header_is_a_clear_problem(targets):
    parsed = parse(workbook_bytes([["Name", "Value"], ["a", 1]]))
    assert "No sheet has a header row" in str(parsed.problems[0])


def test_csv_files_are_read_like_workbooks(targets):
    data = "No.,Target 1,Target 2,Action,Delivery Status,RAG,Commentary\n4,✓,,Do it,In progress,amber,'=not a formula\n"
    parsed = parse(data.encode(), "plan.csv")
    assert parsed.ok, parsed.problems
    assert (parsed.rows[0].rag, parsed.rows[0].commentary) == ("amber", "=not a formula")


def test_a_bad_file_changes_nothing(targets):
    action = make_action(1, targets=targets[:1])
    make_update(action, "2022-23-q4")
    before = database_snapshot()
    parsed = parse(workbook_bytes([HEADER, plan_row(1, rag="Red"), plan_row(2, rag="Purple")]))
    with pytest.raises(ImportRefused):
        apply_import(parsed, period())
    assert database_snapshot() == before


def test_apply_creates_new_actions_and_updates_then_a_second_import_creates_nothing(targets):
    existing = make_action(1, targets=targets[:1])
    make_update(existing, "2022-23-q4", rag="green")
    data = workbook_bytes([HEADER, plan_row(1, rag="Amber", commentary="Delayed"), plan_row(2, marks=(2, 3))])
    preview, batch = apply_import(parse(data), period())
    assert (len(preview.new), len(preview.changed)) == (1, 1)
    assert (batch.actions_created, batch.updates_created) == (1, 2)
    existing.refresh_from_db()
    assert existing.current_rag == "amber"
    new = Action.objects.get(number=2)
    assert set(new.targets.values_list("number", flat=True)) == {2, 3}
    assert new.current_update.import_batch == batch
    assert new.created_by_import == batch

    before = database_snapshot()
    preview, batch = apply_import(parse(data), period())
    assert batch is None
    assert len(preview.unchanged) == 2
    assert preview.previous_batch is not None
    assert database_snapshot() == before


def test_history_is_appended_never_overwritten(targets):
    action = make_action(1)
    first = make_update(action, "2022-23-q4", rag="green", commentary="Fine")
    apply_import(parse(workbook_bytes([HEADER, plan_row(1, rag="Red", commentary="Stopped")])), period())
    first.refresh_from_db()
    assert (first.rag, first.commentary) == ("green", "Fine")
    assert list(action.status_updates.newest_first().values_list("rag", flat=True)) == ["red", "green"]


def test_same_position_in_a_new_period_is_recorded_as_confirmed(targets):
    action = make_action(1)
    make_update(action, "2022-23-q4", rag="green", delivery_status="in_progress", commentary="")
    preview, _ = apply_import(parse(workbook_bytes([HEADER, plan_row(1)])), period("2023-24-q1"))
    assert len(preview.confirmed) == 1
    action.refresh_from_db()
    assert action.current_period_id == "2023-24-q1"


def test_an_earlier_period_is_added_to_history_without_becoming_current(targets):
    action = make_action(1)
    latest = make_update(action, "2023-24-q1", rag="green")
    apply_import(parse(workbook_bytes([HEADER, plan_row(1, rag="Red")])), period("2022-23-q4"))
    action.refresh_from_db()
    assert action.current_update == latest
    assert action.status_updates.count() == 2


def test_actions_missing_from_the_file_are_reported_not_deleted(targets):
    make_action(1)
    kept = make_action(2)
    preview, _ = apply_import(parse(workbook_bytes([HEADER, plan_row(1)])), period())
    assert preview.missing == [kept]
    assert Action.objects.filter(pk=kept.pk).exists()


def test_definition_differences_are_reported_not_applied(targets):
    action = make_action(1, text="The plan's wording", targets=targets[:1])
    make_update(action, "2023-24-q1")
    preview = preview_import(parse(workbook_bytes([HEADER, plan_row(1, text="Other wording", marks=(1, 2))])), period())
    assert preview.outcomes[0].definition_differs == ["action text", "targets", "target date"]
    action.refresh_from_db()
    assert action.text == "The plan's wording"


def test_openpyxl_parses_xml_through_defusedxml():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True
