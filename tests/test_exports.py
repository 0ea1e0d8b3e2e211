"""Exports of the action list: the filtered rows, the council's layout, safe cells, and a clean round trip."""

import csv
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from actions.exports import csv_text, plan_sheet, plan_targets
from actions.imports.compare import OUTCOME_UNCHANGED, preview_import
from actions.imports.reading import read_plan_file
from actions.imports.rows import target_headings
from actions.models import Action, ReportingPeriod
from actions.spreadsheet import DETAIL_COLUMNS, RAG_FILLS
from targets.models import Target
from tests.factories import make_action, make_synthetic_plan, make_targets, make_update

pytestmark = pytest.mark.django_db

RED = [11, 24, 29]
# The council's columns end with commentary and target date; the definition columns follow them.
COMMENTARY, TARGET_DATE = -2 - len(DETAIL_COLUMNS), -1 - len(DETAIL_COLUMNS)


@pytest.fixture
def as_manager(client, seeded_plan, manager):
    client.force_login(manager)
    return client


def xlsx_rows(content: bytes):
    sheet = load_workbook(io.BytesIO(content)).active
    return sheet, list(sheet.iter_rows(min_row=3))


def csv_rows(content: bytes):
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def test_csv_export_holds_exactly_the_filtered_rows_in_the_lists_order(as_manager):
    response = as_manager.get("/actions/export.csv?rag=red&rag=amber&target=7&sort=-number")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="cces-actions-')
    header, *rows = csv_rows(response.getvalue())
    assert (
        header[0] == "No."
        and header[1].startswith("Target 1: ")
        and header[-5 - len(DETAIL_COLUMNS) : -len(DETAIL_COLUMNS)]
        == [
            "Action",
            "Delivery Status",
            "RAG",
            "Commentary",
            "Action Plan Target Date",
        ]
    )
    assert [int(row[0]) for row in rows] == [46, 40, 38, 22, 5]
    row_22 = rows[3]
    assert row_22[1:8] == ["", "✓", "✓", "✓", "✓", "✓", "✓"]
    assert row_22[COMMENTARY - 2 : COMMENTARY] == ["In delivery", "Amber"]
    assert row_22[COMMENTARY].startswith("Delays to delivery of current")


def test_exports_cover_every_page_of_the_list(client, manager):
    make_synthetic_plan(130)
    client.force_login(manager)
    rows = csv_rows(client.get("/actions/export.csv?page=2&per_page=50").getvalue())[1:]
    assert [int(row[0]) for row in rows] == list(range(1, 131))


def test_xlsx_export_opens_in_the_council_layout_with_rag_fills(as_manager):
    response = as_manager.get("/actions/export.xlsx?rag=red")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet, rows = xlsx_rows(response.content)
    assert sheet["B1"].value == "TARGETS"
    assert [row[0].value for row in rows] == RED
    rag_column = 1 + 7 + 2  # number, seven targets, action, delivery status: RAG is the eleventh cell
    assert {row[rag_column].value for row in rows} == {"Red"}
    assert {row[rag_column].fill.fgColor.rgb for row in rows} == {RAG_FILLS["red"]}
    about = [row[0] for row in load_workbook(io.BytesIO(response.content))["About"].values]
    assert "Filter: RAG: red" in about


def test_the_exported_workbook_is_laid_out_for_reading_on_screen_and_on_paper(as_manager):
    """The council's layout as someone opening the file meets it: a bold TARGETS banner centred over the target
    columns, bold wrapped headings, the numbers and headings kept in view while scrolling, and each column wide
    enough for what it holds; red cells in white text on red, the others in black."""
    sheet, rows = xlsx_rows(as_manager.get("/actions/export.xlsx").content)
    assert [str(merged) for merged in sheet.merged_cells.ranges] == ["B1:H1"]
    banner = sheet["B1"]
    assert (banner.value, banner.font.b, banner.alignment.horizontal) == ("TARGETS", True, "center")
    headings = sheet[2]
    assert all(cell.font.b and cell.alignment.wrap_text and cell.alignment.vertical == "top" for cell in headings)
    assert sheet.freeze_panes == "B3"
    widths = [sheet.column_dimensions[get_column_letter(n)].width for n in range(1, len(headings) + 1)]
    assert widths == [6, *[10] * 7, 70, 16, 10, 60, 18, *[30] * len(DETAIL_COLUMNS)]
    rag_column = 1 + 7 + 2
    fonts = {row[rag_column].value: row[rag_column].font.color.rgb for row in rows}
    assert fonts == {"Red": "FFFFFFFF", "Amber": "FF000000", "Green": "FF000000"}
    # Only headings and banner are bold: an action's own cells are plain.
    assert not any(cell.font.b for row in rows for cell in row)
    assert sheet.parent["About"].column_dimensions["A"].width == 120  # the notes, one a line


def test_export_shows_the_position_as_the_chosen_period_ended(as_manager):
    make_update(Action.objects.get(number=1), "2023-24-q1", rag="red", commentary="Later news")
    now = csv_rows(as_manager.get("/actions/export.csv?rag=red").getvalue())[1:]
    then = csv_rows(as_manager.get("/actions/export.csv?rag=red&period=2022-23-q4").getvalue())[1:]
    assert [int(row[0]) for row in now] == [1, *RED]
    assert now[0][COMMENTARY] == "Later news"
    assert [int(row[0]) for row in then] == RED


def test_a_bad_parameter_refuses_the_export_and_says_why(as_manager):
    response = as_manager.get("/actions/export.xlsx?rag=purple&target=7")
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html and "‘purple’ is not a RAG colour" in html
    assert html.count("<h1") == 1
    assert 'href="/actions/?rag=purple&amp;target=7"' in html
    listing = as_manager.get("/actions/?rag=purple&target=7").content.decode()
    assert "/actions/export.xlsx" not in listing


def test_formula_like_cells_are_neutralised_in_both_formats(client, manager):
    targets = make_targets()
    action = make_action(1, text='=HYPERLINK("http://evil")', targets=targets[:1], target_date_text="@2030")
    make_update(action, rag="red", commentary="+44 1223 000000\t-1")
    client.force_login(manager)
    row = csv_rows(client.get("/actions/export.csv").getvalue())[1]
    assert row[8] == '\'=HYPERLINK("http://evil")'
    assert row[COMMENTARY] == "'+44 1223 000000\t-1"
    assert row[TARGET_DATE] == "'@2030"
    _sheet, rows = xlsx_rows(client.get("/actions/export.xlsx").content)
    cell = rows[0][8]
    assert cell.value == '=HYPERLINK("http://evil")' and cell.data_type == "s"
    assert {c.data_type for c in rows[0] if isinstance(c.value, str)} == {"s"}


@pytest.mark.parametrize("extension", ["xlsx", "csv"])
def test_an_export_imports_back_unchanged_for_the_same_period(as_manager, extension):
    content = as_manager.get(f"/actions/export.{extension}").getvalue()
    parsed = read_plan_file(content, f"export.{extension}", target_headings(Target.objects.in_plan_order()))
    assert parsed.ok, parsed.problems
    preview = preview_import(parsed, ReportingPeriod.objects.get(slug="2022-23-q4"))
    assert len(preview.outcomes) == 56
    assert {outcome.kind for outcome in preview.outcomes} == {OUTCOME_UNCHANGED}
    assert [outcome for outcome in preview.outcomes if outcome.definition_differs] == []
    assert preview.missing == []


def test_plan_sheet_reads_the_current_position_when_none_is_annotated(seeded_plan, django_assert_num_queries):
    targets = plan_targets()
    # the actions (with their commentary, service and portfolio holder), target links, leads, partners,
    # funding, milestones, links
    with django_assert_num_queries(7):
        sheet = plan_sheet(Action.objects.filter(number__in=[22, 24]).order_by("number"), targets)
    first, second = sheet.rows
    assert (first.number, first.rag, first.delivery_status) == (22, "amber", "in_delivery")
    assert (second.number, second.rag, second.marks) == (24, "red", {2: "✓", 5: "✓"})
    assert csv_text(sheet).count("\n") == 3


@pytest.mark.parametrize("size", [56, 500])
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_exports_run_a_fixed_number_of_queries(client, manager, django_assert_num_queries, size, extension):
    make_synthetic_plan(size, quarters=2)
    client.force_login(manager)
    # session, user, two permission lookups, the filters' targets, services, portfolio holders, partners
    # and periods, the target columns, the actions (with their commentary), their target links, leads,
    # partners, funding, milestones and links; the workbook also counts its rows first, to decide whether
    # this request writes it or the background worker does
    with django_assert_num_queries(17 if extension == "csv" else 18):
        assert client.get(f"/actions/export.{extension}?period=2019-20-q1&rag=red").status_code == 200


@pytest.mark.parametrize(
    "commentary",
    ["=1+1", "+44 1223 000000", "- slipping by a quarter", "@SUM(A1)", "\tindented", "\rcarriage return"],
    ids=["equals", "plus", "minus", "at", "tab", "carriage return"],
)
def test_every_character_that_makes_a_spreadsheet_run_a_formula_is_neutralised(client, manager, commentary):
    """Excel, LibreOffice and Google Sheets run a CSV cell starting with any of = + - @ tab or CR as a formula."""
    make_targets()
    make_update(make_action(1), rag="amber", commentary=commentary)
    client.force_login(manager)
    response = client.get("/actions/export.csv")
    assert response.status_code == 200
    content = response.getvalue()  # streamed: read once
    assert csv_rows(content)[1][COMMENTARY] == "'" + commentary
    # The apostrophe is the export's, not the officer's: the file imports back to the words they wrote.
    parsed = read_plan_file(content, "export.csv", target_headings(Target.objects.in_plan_order()))
    assert parsed.ok, parsed.problems
    assert parsed.rows[0].commentary == commentary.strip()


@pytest.mark.parametrize("commentary", ["Slipping - by a quarter", "On track = good", "", "'quoted already"])
def test_text_a_spreadsheet_would_not_run_is_exported_as_it_is(client, manager, commentary):
    make_targets()
    make_update(make_action(1), rag="green", commentary=commentary)
    client.force_login(manager)
    response = client.get("/actions/export.csv")
    assert response.status_code == 200
    assert csv_rows(response.getvalue())[1][COMMENTARY] == commentary


@pytest.mark.parametrize("commentary", ["#N/A", "#REF!"])
def test_commentary_that_reads_like_a_spreadsheet_error_is_exported_as_text(client, manager, commentary):
    """An officer's "#N/A" stays their words: written as an error value, Excel would show it as one and every
    formula reading the cell would fail."""
    make_targets()
    make_update(make_action(1), rag="green", commentary=commentary)
    client.force_login(manager)
    content = client.get("/actions/export.xlsx").content
    cell = xlsx_rows(content)[1][0][COMMENTARY]
    assert (cell.value, cell.data_type) == (commentary, "s")
    parsed = read_plan_file(content, "export.xlsx", target_headings(Target.objects.in_plan_order()))
    assert parsed.ok, parsed.problems
    assert parsed.rows[0].commentary == commentary


def test_the_exported_workbook_names_its_sheet_and_targets_and_leaves_no_status_blank(client, manager):
    make_targets()
    make_action(1, text="Not yet reported on")
    client.force_login(manager)
    response = client.get("/actions/export.xlsx")
    assert response.status_code == 200
    sheet, rows = xlsx_rows(response.content)
    assert sheet.title == "Action plan"
    header = [cell.value for cell in sheet[2]]
    assert header[:3] == ["No.", "Target 1: Target 1 title", "Target 2: Target 2 title"]
    commentary = rows[0][header.index("Commentary")]
    assert (rows[0][0].value, commentary.value) == (1, None)
    response = client.get("/actions/export.csv")
    header, row = csv_rows(response.getvalue())
    assert header[1] == "Target 1: Target 1 title"
    assert (row[0], row[header.index("RAG")], row[header.index("Commentary")]) == ("1", "", "")


def test_the_exported_workbook_leaves_empty_cells_blank_as_a_spreadsheet_would(client, manager):
    """A cell holding empty text is not blank to Excel (ISBLANK, Go To Special > Blanks, a filter's (Blanks)),
    so the workbook writes a cell only where the CSV has a value."""
    targets = make_targets()
    make_action(1, text="Not yet reported on", targets=targets[:1])
    client.force_login(manager)
    response = client.get("/actions/export.xlsx")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    row = re.search(r'<row r="3"[^>]*>(.*?)</row>', xml).group(1)
    written = re.findall(r'<c r="([A-Z]+)3"', row)
    header, values = csv_rows(client.get("/actions/export.csv").getvalue())
    assert written == [get_column_letter(n) for n, value in enumerate(values, start=1) if value]
    assert len(written) < len(header)  # the other targets, status, RAG and commentary are left blank


def test_an_export_of_todays_position_is_named_for_today():
    from datetime import date

    from actions.exports import file_name

    assert file_name() == f"cces-actions-{date.today().isoformat()}"
    assert file_name(today=date(2024, 3, 31)) == "cces-actions-2024-03-31"
    assert file_name(period="2022-23-q4", today=date(2024, 3, 31)) == "cces-actions-2022-23-q4"
