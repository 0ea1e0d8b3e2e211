"""Files made the way councils make them (tests/import_corpus/, built by its build.py), and what each must read as."""

import io
import zipfile
from pathlib import Path

import pytest

from actions.imports.compare import preview_import
from actions.imports.reading import read_plan_file
from actions.imports.rows import target_headings
from actions.models import ReportingPeriod
from targets.models import Target
from tests.factories import make_action, make_targets, make_update

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parent / "import_corpus"


@pytest.fixture
def targets():
    return make_targets()


def read(name: str):
    return read_plan_file((CORPUS / name).read_bytes(), name, target_headings(Target.objects.all()))


def positions(parsed):
    return [(r.number, r.rag, r.delivery_status, r.commentary) for r in parsed.rows]


# name -> (sheet, rows as (number, RAG, delivery status, commentary), roles not found)
EXPECTED = {
    "title_block_extra_columns.xlsx": (
        "Q1 2023-24",
        [
            (1, "green", "in_progress", "Training delivered."),  # "Ongoing"
            (2, "amber", "not_started", "Procurement delayed."),  # "Not yet started"
            (3, "green", "complete", "All vans electric."),  # "Delivered", "Green (complete)"
        ],
        [],
    ),
    "cover_and_instructions.xlsx": (
        "Return",
        [(4, "amber", "in_progress", "Sites found."), (5, "green", "complete", "Done.")],
        [],
    ),
    "good_neutral_bad_fills.xlsx": (
        "Plan",
        [
            (6, "green", "in_progress", "Update 6."),  # 92D050
            (7, "amber", "in_progress", "Update 7."),  # FFC000
            (8, "green", "in_progress", "Update 8."),  # Good, C6EFCE
            (9, "amber", "in_progress", "Update 9."),  # Neutral, FFEB9C
            (10, "red", "in_progress", "Update 10."),  # Bad, FFC7CE
        ],
        ["target date"],
    ),
    "system_export.csv": (
        None,
        [
            (11, "green", "in_progress", "Feasibility complete."),
            (12, "amber", "in_progress", "“Awaiting” sign-off"),  # "Underway"
            (13, "red", "not_started", "No funding."),  # "Not commenced"
        ],
        [],
    ),
    "targets_other_order.xlsx": (
        "Sheet",
        [(14, "green", "in_progress", "Started."), (15, "red", "in_progress", "Stalled.")],
        ["target date"],
    ),
    "quarter_headings_highlighted.xlsx": (
        "Sheet",
        [(16, "green", "in_progress", "Changed this quarter."), (17, "red", "in_progress", "Unchanged text.")],
        [],
    ),
    "legend_below.xlsx": (
        "Sheet",
        [
            (18, "green", "in_progress", "Policy drafted and consulted on."),
            (19, "amber", "not_started", "Bid submitted."),
        ],
        ["target date"],
    ),
    "libreoffice_saved.xlsx": (
        "Action Plan",
        [(23, "green", "in_delivery", "Going well"), (24, "red", "in_progress", "Grid delays")],
        ["target date"],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_reads_as_it_must(targets, name):
    sheet, rows, missing = EXPECTED[name]
    parsed = read(name)
    assert parsed.ok, [str(p) for p in parsed.problems]
    assert (parsed.sheet, positions(parsed), parsed.roles_missing, parsed.warnings) == (sheet, rows, missing, [])


def test_lead_officer_and_budget_columns_are_read_and_the_title_block_is_read_past(targets):
    parsed = read("title_block_extra_columns.xlsx")
    assert [(c.letter, c.heading, c.role) for c in parsed.columns] == [
        ("A", "Ref", "number"),
        ("B", "Action", "action"),
        ("C", "Lead Officer", "lead officer"),
        ("D", "Budget", "funding"),
        ("E", "Status (Q1)", "delivery status"),
        ("F", "RAG rating", "RAG"),
        ("G", "Progress Update – Q1 2023/24", "commentary"),
        ("H", "Target Date", "target date"),
    ]
    assert [r.marks for r in parsed.rows] == [None, None, None]  # no target columns: the file says nothing of targets


def test_targets_in_another_order_are_matched_by_title(targets):
    parsed = read("targets_other_order.xlsx")
    assert [r.marks for r in parsed.rows] == [{3: "✓"}, {1: "✓", 2: "✓"}]


def test_the_councils_banner_layout_saved_by_libreoffice_keeps_its_ticks_and_fills(targets):
    data = (CORPUS / "libreoffice_saved.xlsx").read_bytes()
    assert b"LibreOffice" in zipfile.ZipFile(io.BytesIO(data)).read("docProps/app.xml")
    parsed = read("libreoffice_saved.xlsx")
    assert [r.marks for r in parsed.rows] == [{1: "✔", 5: "✔"}, {2: "✔", 5: "✔"}]


def test_a_legend_below_the_table_is_skipped_and_listed_never_appended(targets):
    parsed = read("legend_below.xlsx")
    assert parsed.rows_skipped == [
        (6, "note below the table, not imported: “Key: Green = on track, Amber = delayed, Red = off track”"),
        (7, "note below the table, not imported: “Figures are provisional until Cabinet.”"),
    ]
    assert parsed.rows[-1].text == "Community energy"


def test_ambiguous_words_are_asked_about_once_each_with_their_rows(targets):
    parsed = read("ambiguous_words.xlsx")
    assert [(w.kind, w.word, w.rows, w.column) for w in parsed.unknown_words] == [
        ("status", "On hold", [2, 4], "C (Delivery Status)"),
        ("rag", "Blue", [3], "D (RAG)"),
    ]
    assert [str(p) for p in parsed.problems] == [
        "Sheet 'Sheet', row 2, column C (Delivery Status): 'On hold' is not a delivery status the importer knows "
        "(2 rows: 2, 4); say what it means under 'How this file was read'",
        "Sheet 'Sheet', row 3, column D (RAG): 'Blue' is not a RAG colour the importer knows (1 row: 3); "
        "say what it means under 'How this file was read'",
    ]


def test_a_system_export_without_target_columns_and_with_dates_reports_no_noise(targets):
    """No target columns: targets are left alone. 31/03/2024 for a plan's "2024" is the same year, not a difference."""
    for number, date in ((11, "2024"), (12, "March 2025"), (13, "2026")):
        action = make_action(number, text={11: "Heat networks", 12: "Staff travel plan", 13: "Cycle routes"}[number])
        action.target_date_text = date
        action.save()
        make_update(action, rag="green", delivery_status="in_progress")
    preview = preview_import(read("system_export.csv"), ReportingPeriod.objects.peek("2023-24-q1"))
    assert preview.definition_differences == []
    assert preview.counts.changed == 3
