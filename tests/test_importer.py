"""The importer: parse problems name where they are, bad files change nothing, re-imports change nothing."""

import datetime
import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from actions.imports.apply import ImportRefused, apply_import
from actions.imports.compare import preview_import
from actions.imports.reading import read_plan_file
from actions.imports.rows import target_headings
from actions.imports.undo import UndoRefused, undo_import
from actions.models import Action, ActionTarget, ImportBatch, ReportingPeriod, StatusUpdate
from targets.models import Target
from tests.factories import (
    HEADER,
    exported_plan_bytes,
    make_action,
    make_targets,
    make_update,
    plan_row,
    workbook_bytes,
)

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


def test_a_rag_word_beats_the_fill_with_a_warning_naming_the_cell(targets):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(plan_row(1, rag="Green"))
    sheet["K2"].fill = PatternFill("solid", fgColor="FFFF0000")
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse(buffer.getvalue())
    assert parsed.ok, parsed.problems
    assert parsed.rows[0].rag == "green"
    (warning,) = parsed.warnings
    assert str(warning) == (
        "Sheet 'Sheet', row 2, column K (RAG): the word says Green but the cell is filled Red; Green (the word) is used"
    )


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


@pytest.mark.parametrize("commentary", ["A-road resurfacing slipped", "B+ rating kept", "Q=3 sites done", "'quoted"])
def test_a_csvs_text_is_read_as_written_where_our_export_added_no_apostrophe(targets, commentary):
    data = f"No.,Target 1,Action,Delivery Status,RAG,Commentary\n4,✓,Do it,In progress,amber,{commentary}\n"
    parsed = parse(data.encode(), "plan.csv")
    assert parsed.ok, parsed.problems
    assert parsed.rows[0].commentary == commentary


def test_a_continuation_rows_own_status_and_rag_are_shown_as_not_read(targets):
    """A row without a number joins the action above; a status or RAG of its own is not that action's
    position, and the warning says where it was so the plan admin can move it to the action's row."""
    rows = [
        HEADER,
        plan_row(1, text="Retrofit council buildings", status="In progress", rag="Green"),
        [None, *[None] * 7, "and schools", "Complete", "Red", "", None],
        plan_row(2),
    ]
    parsed = parse(workbook_bytes(rows))
    assert parsed.ok, parsed.problems
    assert [(row.number, row.text, row.rag, row.delivery_status) for row in parsed.rows] == [
        (1, "Retrofit council buildings and schools", "green", "in_progress"),
        (2, "Action 2", "green", "in_progress"),
    ]
    assert [str(warning) for warning in parsed.warnings] == [
        "Sheet 'Plan', row 3, column J (Delivery Status): continues action 1 above (it has no number of its own), "
        "so its delivery status 'Complete' is not read: the action's own row gives its position",
        "Sheet 'Plan', row 3, column K (RAG): continues action 1 above (it has no number of its own), so its RAG "
        "'Red' is not read: the action's own row gives its position",
    ]


def test_a_short_continuation_row_and_commentary_under_the_rag_heading_are_read_without_warnings(targets):
    """A continuation row that ends before the status and RAG columns gives neither, so nothing is said of
    them; and in the council's own layout the text under the RAG heading is commentary (the colour is the
    fill), which a continuation row adds to rather than gives a RAG of its own."""
    council_header = ["No.", *(f"Target {n}" for n in range(1, 8)), "Action", "Delivery Status", "RAG"]
    rows = [
        council_header,
        [1, "✓", *[None] * 6, "Retrofit council buildings", "In progress", "Survey done"],
        [None, *[None] * 7, "and schools", None, "and costed"],
        [2, "✓", *[None] * 6, "Plant trees", "In progress", "Sites chosen"],
        [None, *[None] * 7, "on verges"],  # ends at the action column: no status or RAG cell at all
    ]
    parsed = parse(styled_workbook_bytes(rows, fills={"K2": "FF00B050", "K4": "FFFF0000"}))
    assert parsed.ok, [str(p) for p in parsed.problems]
    assert [(row.number, row.text, row.rag, row.commentary) for row in parsed.rows] == [
        (1, "Retrofit council buildings and schools", "green", "Survey done and costed"),
        (2, "Plant trees on verges", "red", "Sites chosen"),
    ]
    assert [str(warning) for warning in parsed.warnings] == []
    parsed = parse(workbook_bytes([HEADER, plan_row(1, text="Retrofit"), [None, *[None] * 7, "and schools"]]))
    assert parsed.ok and parsed.rows[0].text == "Retrofit and schools"
    assert [str(warning) for warning in parsed.warnings] == []


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
    assert [action.number for action in preview.missing] == [kept.number]
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


def styled_workbook_bytes(rows, *, fills=None, merges=(), title="Plan") -> bytes:
    """An .xlsx with `rows`, cell fills {"K2": "FF00B050"} and merged ranges, as openpyxl writes them."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for ref, colour in (fills or {}).items():
        sheet[ref].fill = PatternFill("solid", fgColor=colour)
    for ref in merges:
        sheet.merge_cells(ref)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("mark", ["✓", "✔", "√", "x", "X", "*", "Y", "yes", "Yes"])
def test_any_tick_like_mark_means_contributes(targets, mark):
    row = plan_row(1, marks=())
    row[3] = mark  # target 3's column
    parsed = parse(workbook_bytes([HEADER, row]))
    assert parsed.ok, parsed.problems
    assert parsed.rows[0].marks == {3: mark}


@pytest.mark.parametrize(
    ("word", "rag"),
    [
        *[("Green", "green"), ("GREEN", "green"), ("g", "green"), ("Amber", "amber"), ("yellow", "amber")],
        *[("Y", "amber"), ("a", "amber"), ("Red", "red"), ("r", "red"), (" red ", "red")],
    ],
)
def test_rag_words_in_any_case_and_their_letters(targets, word, rag):
    parsed = parse(workbook_bytes([HEADER, plan_row(1, rag=word)]))
    assert parsed.ok, parsed.problems
    assert parsed.rows[0].rag == rag


EXCEL_AND_LIBREOFFICE_FILLS = [
    # Excel's standard colours, its "Good/Neutral/Bad" cell styles, and LibreOffice's standard palette.
    ("00B050", "green"),
    ("92D050", "green"),
    ("C6EFCE", "green"),
    ("00A933", "green"),
    ("77BC65", "green"),
    ("FFFF00", "amber"),
    ("FFC000", "amber"),
    ("FFEB9C", "amber"),
    ("FFBF00", "amber"),
    ("FF8000", "amber"),
    ("FF0000", "red"),
    ("C00000", "red"),
    ("FFC7CE", "red"),
    ("C9211E", "red"),
    ("FF6D6D", "red"),
]


@pytest.mark.parametrize(("colour", "rag"), EXCEL_AND_LIBREOFFICE_FILLS)
def test_rag_from_the_fill_of_the_rag_cell_alone(targets, colour, rag):
    data = styled_workbook_bytes([HEADER, plan_row(1, rag=None)], fills={"K2": colour})
    parsed = parse(data)
    assert parsed.ok, parsed.problems
    assert parsed.rows[0].rag == rag


@pytest.mark.parametrize(("colour", "rag"), EXCEL_AND_LIBREOFFICE_FILLS[::3])
def test_rag_from_the_fill_of_the_commentary_cell_when_the_file_has_no_rag_column(targets, colour, rag):
    no_rag = [cells[:10] + cells[11:] for cells in (HEADER, plan_row(1, commentary="Going"))]
    data = styled_workbook_bytes(no_rag, fills={"K2": colour})
    parsed = parse(data)
    assert parsed.ok, parsed.problems
    assert (parsed.rows[0].rag, parsed.rows[0].commentary) == (rag, "Going")


def test_a_highlighted_commentary_cell_is_not_read_as_rag_when_there_is_a_rag_column(targets):
    data = styled_workbook_bytes([HEADER, plan_row(1, rag="Green", commentary="Changed")], fills={"L2": "FFFF00"})
    parsed = parse(data)
    assert parsed.ok, parsed.problems
    assert (parsed.rows[0].rag, parsed.warnings) == ("green", [])


def test_a_word_and_a_fill_that_agree_are_fine(targets):
    parsed = parse(styled_workbook_bytes([HEADER, plan_row(1, rag="Amber")], fills={"K2": "FFFFC000"}))
    assert parsed.ok, parsed.problems


def test_white_and_grey_fills_carry_no_rag(targets):
    parsed = parse(styled_workbook_bytes([HEADER, plan_row(1, rag=None)], fills={"K2": "FFD9D9D9", "L2": "FFFFFFFF"}))
    assert [str(p) for p in parsed.problems] == [
        "Sheet 'Plan', row 2, column K (RAG): has no RAG: write Green, Amber or Red, or fill the cell in that colour"
    ]


def test_merged_header_cells_with_target_titles_on_a_second_row(targets):
    """The council's report: 'No.', 'Action'... merged down two rows, 'TARGETS' merged across, titles beneath."""
    Target.objects.filter(number=3).update(short_title="Resilience", title="A climate-resilient county")
    top = ["No.", "TARGETS", *[None] * 6, "Action", "Delivery\nStatus", "RAG", "Progress\ncommentary", "Target date"]
    second = [None, "Target 2", "A  climate-resilient\nCOUNTY", *[None] * 4, *[None] * 6]
    row = [9, "✓", "✓", None, None, None, None, None, "Adapt buildings", "In progress", "Red", "Slow", "2030"]
    merges = ["B1:H1", "A1:A2", "I1:I2", "J1:J2", "K1:K2", "L1:L2", "M1:M2"]
    parsed = parse(styled_workbook_bytes([top, second, row], merges=merges))
    assert parsed.ok, parsed.problems
    (only,) = parsed.rows
    assert (only.number, only.marks, only.delivery_status, only.rag) == (9, {2: "✓", 3: "✓"}, "in_progress", "red")
    assert parsed.skipped == [(2, "target titles under the header")]
    # "How this file was read" names each target column by its title as written, spacing tidied.
    readings = {c.letter: (c.heading, c.role) for c in parsed.columns if c.letter in "BC"}
    assert readings == {"B": ("Target 2", "target:2"), "C": ("A climate-resilient COUNTY", "target:3")}


def test_a_long_target_title_on_a_second_row_is_shown_cut_to_200_characters(targets):
    title = "Target 4: " + "Net-zero-by-2050-" * 20
    top = ["No.", "TARGETS", *[None] * 6, "Action", "RAG"]
    second = [None, None, None, title, *[None] * 6]
    parsed = parse(styled_workbook_bytes([top, second, [9, None, None, "=1", *[None] * 4, "Adapt", "Red"]]))
    (reading,) = [c for c in parsed.columns if c.letter == "D"]
    assert (reading.role, reading.heading) == ("target:4", " ".join(title.split())[:200])
    # A message about a cell in the column names it by its first 40 characters.
    assert [str(p) for p in parsed.problems] == [
        "Sheet 'Plan', row 3, column D (Target 4: Net-zero-by-2050-Net-zero-by-2): holds a formula (=1); "
        "paste the value instead"
    ]


def test_header_names_match_whatever_their_case_spacing_and_line_breaks(targets):
    header = [
        " no. ",
        *(f"TARGET\n{n}" for n in range(1, 8)),
        "action",
        "DELIVERY   STATUS",
        "Rag",
        "COMMENTARY",
        "target\ndate",
    ]
    parsed = parse(workbook_bytes([header, plan_row(4, marks=(6,), rag="red", status="complete")]))
    assert parsed.ok, parsed.problems
    assert (parsed.rows[0].marks, parsed.rows[0].rag, parsed.rows[0].delivery_status) == ({6: "✓"}, "red", "complete")


def test_target_columns_are_matched_by_title_when_their_order_differs(targets):
    Target.objects.filter(number=7).update(title="Net zero county by 2050")
    header = ["No.", "Net zero county by 2050", "Target 1", "Action", "RAG"]
    parsed = parse(workbook_bytes([header, [2, "✓", None, "Do it", "G"], [3, None, "x", "Do that", "R"]]))
    assert parsed.ok, parsed.problems
    assert [row.marks for row in parsed.rows] == [{7: "✓"}, {1: "x"}]


def test_untitled_target_columns_are_read_in_target_order(targets):
    header = ["No.", None, None, None, "Action", "RAG"]
    parsed = parse(workbook_bytes([header, [5, None, "✓", "✓", "Do it", "Green"]], banner=[[None, "TARGETS"]]))
    assert parsed.ok, parsed.problems
    assert parsed.rows[0].marks == {2: "✓", 3: "✓"}


@pytest.mark.parametrize(("value", "number"), [("50 ✓", 50), ("50✓", 50), ("50.", 50), (50.0, 50), ("7 x", 7)])
def test_action_numbers_with_stray_marks(targets, value, number):
    parsed = parse(workbook_bytes([HEADER, plan_row(value)]))
    assert parsed.ok, parsed.problems
    assert parsed.rows[0].number == number


@pytest.mark.parametrize("value", ["5a", "50.5", "0", "-3", "five"])
def test_things_that_are_not_action_numbers(targets, value):
    parsed = parse(workbook_bytes([HEADER, plan_row(value)]))
    assert "is not an action number" in str(parsed.problems[0])


def test_a_sheet_declaring_a_wrong_dimension_is_read_in_full(targets):
    data = workbook_bytes([HEADER, plan_row(1), plan_row(2), plan_row(3)])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1"', content)
                assert b'<dimension ref="A1"' in content
            target.writestr(entry, content)
    parsed = parse(buffer.getvalue())
    assert parsed.ok, parsed.problems
    assert [row.number for row in parsed.rows] == [1, 2, 3]


def test_round_trip_export_then_import_with_no_edits_changes_nothing(seeded_plan):
    before = database_snapshot()
    parsed = parse(exported_plan_bytes(), "export.xlsx")
    assert parsed.ok, parsed.problems
    preview = preview_import(parsed, period("2022-23-q4"))
    assert (len(preview.unchanged), preview.new, preview.changed, preview.missing) == (56, [], [], [])
    assert preview.definition_differences == []
    _, batch = apply_import(parsed, period("2022-23-q4"))
    assert batch is None
    assert database_snapshot() == before


def test_round_trip_export_edit_import_applies_exactly_the_edits(seeded_plan):
    def edit(row):
        if row.number == 12:
            row.rag, row.commentary = "red", "Contractor =withdrew"
        return row

    preview, batch = apply_import(parse(exported_plan_bytes(edit), "export.xlsx"), period("2022-23-q4"))
    assert [(o.row.number, o.changed) for o in preview.changed] == [(12, ("rag", "commentary"))]
    assert (batch.updates_created, len(preview.unchanged)) == (1, 55)
    action = Action.objects.get(number=12)
    assert (action.current_rag, action.current_update.commentary) == ("red", "Contractor =withdrew")


def test_preview_loads_only_each_actions_latest_update_whatever_the_history(targets, django_assert_num_queries):
    actions = [make_action(number) for number in (1, 2)]
    for action in actions:
        make_update(action, "2022-23-q3", rag="red")
    parsed = parse(workbook_bytes([HEADER, plan_row(1, rag="Amber"), plan_row(2)]))
    q1 = period()
    with django_assert_num_queries(4):
        preview_import(parsed, q1)
    for slug in ("2022-23-q4", "2023-24-q1", "2023-24-q2"):  # the last is after the period: not its position
        for action in actions:
            make_update(action, slug, rag="green", commentary=slug)
    with django_assert_num_queries(4):
        preview = preview_import(parsed, q1)
    assert [(o.row.number, o.before.period_id, o.before.rag, o.changed) for o in preview.outcomes] == [
        (1, "2023-24-q1", "green", ("rag", "commentary")),
        (2, "2023-24-q1", "green", ("commentary",)),
    ]


def test_undo_removes_the_batchs_updates_and_actions_and_restores_current_status(targets, plan_admin):
    kept = make_action(1, targets=targets[:1])
    earlier = make_update(kept, "2022-23-q4", rag="green", commentary="Fine")
    before = database_snapshot()
    _, batch = apply_import(
        parse(workbook_bytes([HEADER, plan_row(1, rag="Red"), plan_row(2, marks=(2, 3))])), period()
    )
    assert Action.objects.filter(number=2).exists()

    undo_import(batch, user=plan_admin)

    kept.refresh_from_db()
    assert (kept.current_update, kept.current_rag, kept.current_period_id) == (earlier, "green", "2022-23-q4")
    assert not Action.objects.filter(number=2).exists()
    assert not ActionTarget.objects.filter(action__number=2).exists()
    batch.refresh_from_db()
    assert (batch.undone_by, batch.undone_at is not None) == (plan_admin, True)
    assert database_snapshot()[:2] == before[:2]
    assert ImportBatch.objects.filter(pk=batch.pk).exists(), "the batch stays in the history"


def test_after_undo_the_same_file_imports_again_and_is_not_already_imported(targets, plan_admin):
    make_update(make_action(1), "2022-23-q4")
    data = workbook_bytes([HEADER, plan_row(1, rag="Red")])
    _, batch = apply_import(parse(data), period())
    undo_import(batch, user=plan_admin)
    preview = preview_import(parse(data), period())
    assert preview.previous_batch is None
    assert len(preview.changed) == 1


def test_undoing_an_earlier_periods_import_leaves_a_later_current_status(targets, plan_admin):
    action = make_action(1)
    latest = make_update(action, "2023-24-q2", rag="green")
    _, batch = apply_import(parse(workbook_bytes([HEADER, plan_row(1, rag="Red")])), period("2022-23-q4"))
    undo_import(batch, user=plan_admin)
    action.refresh_from_db()
    assert action.current_update == latest
    assert action.status_updates.count() == 1


def test_undo_is_refused_when_newer_status_was_recorded_or_it_is_not_the_latest(targets, plan_admin, officer):
    action = make_action(1)
    make_update(action, "2022-23-q4")
    _, first = apply_import(parse(workbook_bytes([HEADER, plan_row(1, rag="Red")])), period())
    _, second = apply_import(parse(workbook_bytes([HEADER, plan_row(5)])), period())
    with pytest.raises(
        UndoRefused, match=re.escape("Only the latest import can be undone. plan.xlsx was imported for 2023/24 Q1")
    ):
        undo_import(first, user=plan_admin)
    undo_import(second, user=plan_admin)
    make_update(action, "2022-23-q4", rag="amber", recorded_by=officer)  # an earlier period, but recorded since
    before = database_snapshot()
    with pytest.raises(
        UndoRefused, match=r"recorded after this import for actions it changed: action 1 for 2022/23 Q4"
    ):
        undo_import(first, user=plan_admin)
    assert database_snapshot() == before
    with pytest.raises(UndoRefused, match="already undone"):
        undo_import(second, user=plan_admin)


@pytest.mark.parametrize(
    ("theme", "tint", "rag"),
    # openpyxl's default (Office 2007) theme: accent2 red C0504D, accent3 green 9BBB59, accent6 orange F79646.
    [(5, 0, "red"), (6, 0, "green"), (6, 0.4, "green"), (9, 0, "amber"), (9, -0.25, "amber")],
)
def test_rag_from_a_fill_picked_from_the_workbooks_theme_colours(targets, theme, tint, rag):
    from openpyxl.styles.colors import Color

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(plan_row(1, rag=None))
    sheet["K2"].fill = PatternFill("solid", fgColor=Color(theme=theme, tint=tint))
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse(buffer.getvalue())
    assert parsed.ok, parsed.problems
    assert parsed.rows[0].rag == rag


NO_RAG = "Sheet 'Plan', row 2, column K (RAG): has no RAG: write Green, Amber or Red, or fill the cell in that colour"


@pytest.mark.parametrize("pattern", ["darkGrid", "lightUp", "gray125", "darkHorizontal"])
def test_a_patterned_fill_is_not_a_rag_colour(targets, pattern):
    """Hatching in red is a pattern, not the council's solid RAG fill: the row must say which colour it is."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    sheet.append(HEADER)
    sheet.append(plan_row(1, rag=None))
    sheet.append(plan_row(2, rag="Green"))
    sheet["K2"].fill = PatternFill(pattern, fgColor="FFFF0000", bgColor="FFFF0000")
    sheet["K3"].fill = PatternFill(pattern, fgColor="FFFF0000", bgColor="FFFF0000")
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse(buffer.getvalue())
    assert [str(p) for p in parsed.problems] == [NO_RAG]
    # A word beside a patterned fill stands alone: no disagreement with a colour that is not a RAG.
    assert [(row.number, row.rag) for row in parsed.rows if row.number == 2] == [(2, "green")]


@pytest.mark.parametrize(
    ("theme", "tint", "rag"),
    # Office 2007 theme: accent2 C0504D (red), accent3 9BBB59 (green), accent6 F79646 (orange). A tint lightens
    # (positive) or darkens (negative) the theme colour, as Excel's "Lighter 80%" (0.8) and "Darker 50%" (-0.5) do;
    # towards the ends it is near white or near black, which carry no RAG.
    [
        *[(5, 0.8, "red"), (5, -0.85, "red"), (6, 0.8, "green"), (6, -0.9, None)],
        *[(9, 0.75, "amber"), (9, 0.8, None), (9, -0.5, "amber"), (9, -0.85, "amber"), (9, -0.9, None)],
    ],
    ids=lambda value: str(value),
)
def test_a_theme_colours_tint_lightens_or_darkens_it(targets, theme, tint, rag):
    from openpyxl.styles.colors import Color

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    sheet.append(HEADER)
    sheet.append(plan_row(1, rag=None))
    sheet["K2"].fill = PatternFill("solid", fgColor=Color(theme=theme, tint=tint))
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = parse(buffer.getvalue())
    if rag is None:
        assert [str(p) for p in parsed.problems] == [NO_RAG]
    else:
        assert parsed.ok, parsed.problems
        assert parsed.rows[0].rag == rag


def test_undo_is_refused_when_a_later_status_is_stamped_no_later_than_the_import(targets, plan_admin, officer):
    """A clock that runs behind (another app server's) stamps a status recorded after the import with an earlier
    time: it was still recorded since, and undoing the import would leave it standing on history that is gone."""
    action = make_action(1)
    make_update(action, "2022-23-q4")
    _, batch = apply_import(parse(workbook_bytes([HEADER, plan_row(1, rag="Red")])), period())
    since = make_update(action, "2023-24-q1", rag="amber", recorded_by=officer)
    StatusUpdate.objects.filter(pk=since.pk).update(recorded_at=batch.imported_at)
    before = database_snapshot()
    with pytest.raises(
        UndoRefused,
        match=r"recorded after this import for actions it changed: action 1 for 2023/24 Q1 on .* by officer\.$",
    ):
        undo_import(batch, user=plan_admin)
    assert database_snapshot() == before


def test_undo_is_refused_when_a_status_recorded_before_the_import_is_stamped_after_it(targets, plan_admin, officer):
    """The other way round: a clock that runs ahead. Its status is stamped after the import, so the undo would
    take away what the officer sees as the history before their update."""
    from datetime import timedelta

    action = make_action(1)
    later = make_update(action, "2022-23-q4", recorded_by=officer)
    _, batch = apply_import(parse(workbook_bytes([HEADER, plan_row(1, rag="Red")])), period())
    StatusUpdate.objects.filter(pk=later.pk).update(recorded_at=batch.imported_at + timedelta(minutes=5))
    before = database_snapshot()
    with pytest.raises(UndoRefused, match=r"recorded after this import for actions it changed: action 1 for 2022/23"):
        undo_import(batch, user=plan_admin)
    assert database_snapshot() == before


def test_undo_names_at_most_five_blocking_statuses(targets, plan_admin, officer):
    actions = [make_action(number) for number in range(1, 8)]
    _, batch = apply_import(parse(workbook_bytes([HEADER, *(plan_row(a.number) for a in actions)])), period())
    for action in actions[:6]:
        make_update(action, "2023-24-q1", rag="red", recorded_by=officer)
    with pytest.raises(UndoRefused) as refusal:
        undo_import(batch, user=plan_admin)
    message = str(refusal.value)
    assert [int(n) for n in re.findall(r"action (\d+) for", message)] == [1, 2, 3, 4, 5]
    assert message.endswith(" and more.")


def test_undos_refusal_lists_each_blocking_status_by_action_then_time(targets, plan_admin, officer, settings):
    """Exactly what the admin reads: each blocker once, by action number then time, with who recorded it."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    london = ZoneInfo(settings.TIME_ZONE)
    actions = [make_action(number) for number in (1, 2, 3)]
    _, batch = apply_import(parse(workbook_bytes([HEADER, *(plan_row(a.number) for a in actions)])), period())
    ImportBatch.objects.filter(pk=batch.pk).update(imported_at=datetime(2024, 1, 5, 9, 0, tzinfo=london))
    batch.refresh_from_db()
    for action, recorder, hour, minute in [(2, officer, 10, 0), (1, None, 10, 5), (1, officer, 9, 55)]:
        update = make_update(actions[action - 1], "2023-24-q1", rag="red", recorded_by=recorder)
        at = datetime(2024, 1, 5, hour, minute, tzinfo=london)
        StatusUpdate.objects.filter(pk=update.pk).update(recorded_at=at)
    with pytest.raises(UndoRefused) as refusal:
        undo_import(batch, user=plan_admin)
    assert str(refusal.value) == (
        "Statuses were recorded after this import for actions it changed: "
        "action 1 for 2023/24 Q1 on 05 Jan 2024 at 09:55 by officer; "
        "action 1 for 2023/24 Q1 on 05 Jan 2024 at 10:05; "
        "action 2 for 2023/24 Q1 on 05 Jan 2024 at 10:00 by officer."
    )


def test_undos_refusals_say_when_the_import_was_undone_or_overtaken(targets, plan_admin, settings):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from actions.imports.undo import undo_blocker

    london = ZoneInfo(settings.TIME_ZONE)
    make_action(1)
    _, first = apply_import(parse(workbook_bytes([HEADER, plan_row(1)]), "first.xlsx"), period())
    _, second = apply_import(parse(workbook_bytes([HEADER, plan_row(2)]), "second.xlsx"), period())
    ImportBatch.objects.filter(pk=first.pk).update(imported_at=datetime(2024, 2, 1, 10, 0, tzinfo=london))
    ImportBatch.objects.filter(pk=second.pk).update(imported_at=datetime(2024, 2, 1, 14, 30, tzinfo=london))
    assert undo_blocker(first) == (
        "Only the latest import can be undone. second.xlsx was imported for 2023/24 Q1 after it, "
        "on 01 Feb 2024 at 14:30; undo that first."
    )
    undo_import(second, user=plan_admin, now=datetime(2024, 2, 2, 8, 15, tzinfo=london))
    second.refresh_from_db()
    assert undo_blocker(second) == "This import was already undone on 02 Feb 2024 at 08:15."


def test_undo_names_five_blocking_statuses_without_and_more_when_there_are_five(targets, plan_admin, officer):
    actions = [make_action(number) for number in range(1, 6)]
    _, batch = apply_import(parse(workbook_bytes([HEADER, *(plan_row(a.number) for a in actions)])), period())
    for action in actions:
        make_update(action, "2023-24-q1", rag="red", recorded_by=officer)
    with pytest.raises(UndoRefused) as refusal:
        undo_import(batch, user=plan_admin)
    assert [int(n) for n in re.findall(r"action (\d+) for", str(refusal.value))] == [1, 2, 3, 4, 5]
    assert str(refusal.value).endswith("by officer.")


def test_the_dry_run_counts_each_kind_of_definition_difference_and_names_them_per_action(targets, tmp_path):
    """What the file words otherwise than the plan, counted by part ("action text (2 actions)"); a target date
    written as the same year another way ("31/03/2024" for "2024"), or in other case and spacing, is no
    difference."""
    from django.core.management import call_command

    dates = ((1, "2030"), (2, "2024"), (3, "2030"), (4, "When funding allows"))
    for number, date in dates:
        make_update(make_action(number, text=f"Action {number}", targets=targets[:1], target_date_text=date))
    rows = [
        plan_row(1, text="Action 1, reworded"),
        plan_row(2, text="Action 2, reworded", date="31/03/2024"),
        plan_row(3, date="2031"),
        plan_row(4, date="WHEN funding\n allows"),
    ]
    path = tmp_path / "plan.xlsx"
    path.write_bytes(workbook_bytes([HEADER, *rows]))
    out = io.StringIO()
    call_command("import_plan", str(path), "--period", "2023-24-q1", "--dry-run", "-v", "2", stdout=out)
    lines = out.getvalue().splitlines()
    assert (
        "  3 action(s) differ from the plan in action text (2 actions), target date (1 action); an import does "
        "not change the plan's definitions (edit the action in the admin)."
    ) in lines
    assert [line for line in lines if line.endswith("differ(s)")] == [
        "  Action 1: action text differ(s)",
        "  Action 2: action text differ(s)",
        "  Action 3: target date differ(s)",
    ]
    assert Action.objects.get(number=3).target_date_text == "2030"


def test_a_problem_in_a_column_with_no_heading_of_its_own_names_it_by_its_letter(targets):
    """Under a merged TARGETS banner only the first column holds the word; a problem in another target
    column says which by letter alone, and one in a column with a heading gives the heading too."""
    top = ["No.", "TARGETS", *[None] * 6, "Action", "RAG"]
    row = [9, None, None, "=1+1", *[None] * 4, "=A1", "Red"]
    parsed = parse(styled_workbook_bytes([top, row], merges=["B1:H1"]))
    assert [str(p) for p in parsed.problems] == [
        "Sheet 'Plan', row 2, column D: holds a formula (=1+1); paste the value instead",
        "Sheet 'Plan', row 2, column I (Action): holds a formula (=A1); paste the value instead",
        "Sheet 'Plan', row 2, column I (Action): action 9 has no action text",
    ]


def test_a_row_of_ticks_with_no_number_under_the_header_is_reported_as_a_note_not_read_as_titles(targets):
    """Ticks are marks, not target titles: such a row above the first action is shown as not imported, with
    what it holds, rather than taken for a second header row."""
    ticks = [None, "✓", None, None, None, None, None, None, "Adapt buildings", "In progress", "Red", "", "2030"]
    parsed = parse(workbook_bytes([HEADER, ticks, plan_row(1)]))
    assert parsed.ok, parsed.problems
    note = "note above the first action, not imported: “✓ Adapt buildings In progress Red 2030”"
    assert parsed.skipped == [(2, note)]
    assert [(row.number, row.marks) for row in parsed.rows] == [(1, {1: "✓"})]


def test_a_short_row_under_a_targets_banner_is_a_note_not_a_row_of_titles(targets):
    """A section heading typed in the first column only, above the first action, where the numbers are in the
    second column: the row ends before the number column, and is shown as a note."""
    top = ["Theme", "No.", "TARGETS", *[None] * 6, "Action", "RAG"]
    first = [None, 1, "✓", *[None] * 6, "Adapt buildings", "Red"]
    parsed = parse(styled_workbook_bytes([top, ["Buildings"], first], merges=["C1:I1"]))
    assert parsed.ok, parsed.problems
    assert parsed.skipped == [(2, "note above the first action, not imported: “Buildings”")]
    assert [(row.number, row.marks, row.rag) for row in parsed.rows] == [(1, {1: "✓"}, "red")]


# --- what each cell of a row is read as, and what a problem names ------------------------------------------


def problems_of(parsed) -> list[str]:
    return [str(problem) for problem in parsed.problems]


def test_a_number_past_the_largest_is_quoted_whole_to_20_characters_and_no_row_continues_it(targets):
    continuation = [None, *[None] * 7, "and more"]
    rows = [HEADER, plan_row(3), plan_row("9" * 20), continuation, plan_row("8" * 21), plan_row("5 a"), continuation]
    parsed = parse(workbook_bytes(rows))
    assert problems_of(parsed) == [
        f"Sheet 'Plan', row 3, column A (No.): '{'9' * 20}' is not an action number: the largest is 2,147,483,647",
        "Sheet 'Plan', row 4, column A (No.): has no action number and there is no action above it to continue",
        f"Sheet 'Plan', row 5, column A (No.): '{'8' * 20}…' is not an action number: the largest is 2,147,483,647",
        "Sheet 'Plan', row 6, column A (No.): '5 a' is not an action number",
        "Sheet 'Plan', row 7, column A (No.): has no action number and there is no action above it to continue",
    ]


def test_a_note_below_the_table_is_quoted_to_its_first_200_characters(targets):
    note = "Note: " + "every figure here is provisional and subject to audit " * 5
    parsed = parse(workbook_bytes([HEADER, plan_row(1), [], [note]]))
    assert parsed.ok
    assert parsed.rows_skipped == [(4, f"note below the table, not imported: “{note[:200]}”")]


def test_a_target_date_written_as_a_date_is_read_as_day_month_year(targets):
    row = plan_row(1, date=None)
    row[12] = datetime.date(2025, 3, 31)
    parsed = parse(workbook_bytes([HEADER, row]))
    assert parsed.ok, problems_of(parsed)
    assert parsed.rows[0].target_date == "31/03/2025"


def test_a_target_date_of_100_characters_is_read_and_one_longer_is_a_problem(targets):
    parsed = parse(workbook_bytes([HEADER, plan_row(1, date="d" * 100), plan_row(2, date="d" * 101)]))
    assert problems_of(parsed) == [
        "Sheet 'Plan', row 3, column M (Target date): is 101 characters long; the limit is 100"
    ]


def test_a_definition_cell_past_its_length_limit_is_a_problem_naming_it(targets):
    header = ["No.", "Action", "RAG", "Partners"]
    parsed = parse(workbook_bytes([header, [1, "Plant trees", "Green", "p" * 5001]]))
    assert problems_of(parsed) == [
        "Sheet 'Plan', row 2, column D (Partners): is 5001 characters long; the limit is 5000"
    ]


def test_a_file_without_a_target_date_column_leaves_the_plans_dates_alone(targets):
    action = make_action(1, text="Action 1", targets=targets[:1], target_date_text="2030")
    make_update(action, "2022-23-q4")
    header = [heading for heading in HEADER if heading != "Target date"]
    parsed = parse(workbook_bytes([header, plan_row(1)[:-1]]))
    assert parsed.ok, problems_of(parsed)
    assert parsed.rows[0].target_date is None
    assert preview_import(parsed, period()).definition_differences == []


def test_each_delivery_status_word_the_importer_does_not_know_is_listed_with_its_rows(targets):
    rows = [HEADER, plan_row(1, status="Parked"), plan_row(2, status="Mothballed"), plan_row(3, status="parked")]
    parsed = parse(workbook_bytes(rows))
    assert [(word.word, word.column, word.rows) for word in parsed.unknown_words] == [
        ("Parked", "J (Delivery Status)", [2, 4]),
        ("Mothballed", "J (Delivery Status)", [3]),
    ]


def test_a_row_ending_before_the_rag_column_has_no_rag_and_a_formula_there_is_named(targets):
    short = plan_row(1)[:9]  # ends at the action column
    formula = plan_row(2, rag='=IF(TRUE,"Green","Red")')
    parsed = parse(workbook_bytes([HEADER, short, formula]))
    assert problems_of(parsed) == [
        "Sheet 'Plan', row 2, column K (RAG): has no RAG: write Green, Amber or Red, or fill the cell in that colour",
        'Sheet \'Plan\', row 3, column K (RAG): holds a formula (=IF(TRUE,"Green","Red")); paste the value instead',
    ]


def test_applying_definitions_moves_an_actions_targets_to_the_files_ticks_as_written(targets):
    action = make_action(1, text="Action 1", targets=targets[:1], target_date_text="2030")
    make_update(action, "2022-23-q4")
    row = plan_row(1, marks=(2, 3))
    row[3] = "Yes"  # target 3 ticked in words
    _, batch = apply_import(parse(workbook_bytes([HEADER, row])), period(), apply_definitions=True)
    assert sorted(action.target_links.values_list("target__number", "mark")) == [(2, "✓"), (3, "Yes")]
    change = batch.definition_changes.get()
    assert (change.part, change.old, change.new) == ("targets", [[1, "✓"]], [[2, "✓"], [3, "Yes"]])


def test_a_refused_import_names_its_first_five_problems_and_keeps_them_all(targets):
    """What `import_plan` prints when an import is refused; the caller gets every problem."""
    rows = [HEADER, *(plan_row(number, text="") for number in range(1, 8))]
    with pytest.raises(ImportRefused) as refused:
        apply_import(parse(workbook_bytes(rows)), period())
    assert len(refused.value.problems) == 7
    assert str(refused.value).split("; ") == [
        f"Sheet 'Plan', row {number + 1}, column I (Action): action {number} has no action text"
        for number in range(1, 6)
    ]
