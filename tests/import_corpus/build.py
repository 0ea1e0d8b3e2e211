"""Builds the corpus of files made the way councils make them; tests/test_import_corpus.py says what each reads as.

    .venv/bin/python tests/import_corpus/build.py     # rewrites the files here; libreoffice re-saves one of them

The files are committed, so the tests read the bytes a council would send, not what this script would make today.
"""

import datetime
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

HERE = Path(__file__).resolve().parent
TARGETS = [f"Target {n} title" for n in range(1, 8)]  # as tests.factories.make_targets names them


def fill(colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=colour)


def save(workbook: Workbook, name: str) -> Path:
    path = HERE / name
    workbook.save(path)
    return path


def title_block_and_extra_columns():
    """A title block above the header, no target columns, Lead Officer and Budget between the others."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Q1 2023-24"
    sheet.append(["Climate Change and Environment Strategy: Action Plan"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["Quarterly monitoring, Quarter 1 2023/24"])
    sheet.append([])
    sheet.append(["Prepared by the Climate Team. Please return by 14 July."])
    sheet.append(
        [
            "Ref",
            "Action",
            "Lead Officer",
            "Budget",
            "Status (Q1)",
            "RAG rating",
            "Progress Update – Q1 2023/24",
            "Target Date",
        ]
    )
    sheet.append(
        [1, "Embed climate in decisions", "J. Smith", "£10,000", "Ongoing", "Green", "Training delivered.", 2024]
    )
    sheet.append([2, "Retrofit schools", "A. Khan", "£2.5m", "Not yet started", "Amber", "Procurement delayed.", 2026])
    sheet.append([3, "Green fleet", "P. Jones", None, "Delivered", "Green (complete)", "All vans electric.", 2023])
    save(workbook, "title_block_extra_columns.xlsx")


def cover_and_instructions():
    """A cover sheet and an instructions sheet before the data; the instructions use the column names in prose."""
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Cover"
    cover.append(["County Council"])
    cover.append(["Climate Change and Environment Strategy"])
    cover.append(["Action plan monitoring return"])
    instructions = workbook.create_sheet("Instructions")
    instructions.append(["How to fill in this return"])
    instructions.append(["Action", "Describe progress in the Commentary column."])
    instructions.append(["No.", "Do not change the action numbers."])
    data = workbook.create_sheet("Return")
    data.append(
        ["No.", *(f"Target {n}" for n in range(1, 8)), "Action", "Delivery Status", "RAG", "Commentary", "Target date"]
    )
    data.append(
        [4, "✓", None, None, None, "✓", None, None, "Plant trees", "In progress", "Amber", "Sites found.", "2030"]
    )
    data.append([5, None, "✓", None, None, "✓", None, None, "Solar on depots", "Complete", "Green", "Done.", "2025"])
    save(workbook, "cover_and_instructions.xlsx")


def good_neutral_bad_fills():
    """RAG given by fills only, in Excel's other palettes: 92D050 and FFC000, and the Good/Neutral/Bad styles."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    sheet.append(["No.", "Action", "Delivery Status", "RAG", "Commentary"])
    colours = {6: "92D050", 7: "FFC000", 8: "C6EFCE", 9: "FFEB9C", 10: "FFC7CE"}
    for number, colour in colours.items():
        sheet.append([number, f"Action {number}", "In progress", None, f"Update {number}."])
        sheet.cell(row=sheet.max_row, column=4).fill = fill(colour)
    save(workbook, "good_neutral_bad_fills.xlsx")


def system_csv():
    """A system's export: UTF-8 with a BOM, G/A/R letters, dates as 31/03/2024, no target columns."""
    text = (
        "Action No,Action,Status,RAG,Latest update,Due date\r\n"
        "11,Heat networks,In Progress,G,Feasibility complete.,31/03/2024\r\n"
        "12,Staff travel plan,Underway,A,“Awaiting” sign-off,31/03/2025\r\n"
        "13,Cycle routes,Not commenced,R,No funding.,2026\r\n"
    )
    (HERE / "system_export.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


def targets_in_another_order():
    """Target columns titled by the targets' names, in another order than the plan's."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["No.", TARGETS[2], TARGETS[0], TARGETS[1], "Action", "Delivery Status", "RAG", "Commentary"])
    sheet.append([14, "✓", None, None, "Scope 3 procurement", "In progress", "Green", "Started."])
    sheet.append([15, None, "✓", "✓", "Natural capital account", "In progress", "Red", "Stalled."])
    save(workbook, "targets_other_order.xlsx")


def quarter_headings_and_highlights():
    """Headings with quarters in them; changed commentary cells highlighted yellow, RAG given as words."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Action No", "Action", "Status (Q1)", "RAG Status (Q1)", "Q1 commentary", "Target date (Q1)"])
    sheet.append([16, "Tree strategy", "In progress", "Green", "Changed this quarter.", "2030"])
    sheet.append([17, "Flood resilience", "In progress", "Red", "Unchanged text.", "2045"])
    sheet["E2"].fill = fill("FFFF00")
    save(workbook, "quarter_headings_highlighted.xlsx")


def legend_below_the_table():
    """A continuation row (no blank before it), then a blank row and a legend: the legend is a note."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["No.", "Action", "Delivery Status", "RAG", "Commentary"])
    sheet.append([18, "Biodiversity net gain", "In progress", "Green", "Policy drafted"])
    sheet.append([None, "across the estate", None, None, "and consulted on."])
    sheet.append([19, "Community energy", "Not started", "Amber", "Bid submitted."])
    sheet.append([])
    sheet.append(["Key: Green = on track, Amber = delayed, Red = off track"])
    sheet.append([None, "Figures are provisional until Cabinet."])
    save(workbook, "legend_below.xlsx")


def dates_and_ambiguous_words():
    """Real date cells; an ambiguous status ("On hold") and a BRAG "Blue" that need the plan admin to decide."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["No.", "Action", "Delivery Status", "RAG", "Commentary", "Target date"])
    sheet.append([20, "Depot LED lighting", "On hold", "Amber", "Paused.", datetime.datetime(2024, 3, 31)])
    sheet.append([21, "Schools solar", "Complete", "Blue", "Finished.", datetime.datetime(2025, 3, 31)])
    sheet.append([22, "Peatland", "On hold", "Red", "Paused too.", datetime.datetime(2030, 3, 31)])
    save(workbook, "ambiguous_words.xlsx")


def libreoffice_saved():
    """The council's banner layout (RAG as the commentary cell's fill) after a round trip through LibreOffice."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Action Plan"
    sheet.append([None, "TARGETS"])
    sheet.merge_cells(start_row=1, start_column=2, end_row=1, end_column=8)
    sheet.append(["No.", *TARGETS, "ACTION", "Delivery Status", "RAG Status Green = on track Red = off track"])
    sheet.append([23, "✔", None, None, None, "✔", None, None, "Plant hedges", "Delivery", "Going well"])
    sheet["K3"].fill = fill("00B050")
    sheet.append([24, None, "✔", None, None, "✔", None, None, "EV chargers", "In progress", "Grid delays"])
    sheet["K4"].fill = fill("FF0000")
    source = save(workbook, "libreoffice_source.xlsx")
    libreoffice = shutil.which("libreoffice") or shutil.which("soffice")
    if libreoffice is None:
        sys.exit("LibreOffice is needed to re-save the file")
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as profile:
        subprocess.run(  # noqa: S603 - a fixed command on a file this script wrote
            [
                libreoffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "xlsx",
                "--outdir",
                out,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        shutil.copy(Path(out) / source.name, HERE / "libreoffice_saved.xlsx")
    source.unlink()


if __name__ == "__main__":
    for build in (
        title_block_and_extra_columns,
        cover_and_instructions,
        good_neutral_bad_fills,
        system_csv,
        targets_in_another_order,
        quarter_headings_and_highlights,
        legend_below_the_table,
        dates_and_ambiguous_words,
        libreoffice_saved,
    ):
        build()
    print(f"Corpus written to {HERE}")
