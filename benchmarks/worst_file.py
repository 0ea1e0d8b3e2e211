"""How long the worst files the importer's limits allow take to read, against openpyxl merely opening them.

    .venv/bin/python benchmarks/worst_file.py

The limits (actions/imports/reading.py and parsing.py) bound the work one upload can cause: 10 MB on disk,
16 MB for one part of the zip, 50,000 shared strings, 40 columns, 120,000 cells, 5,000 rows, 10,000
characters a cell, 200 problems. Each case below is built to sit just inside (or just past) the limits
where the work is greatest, and read_plan_file, the whole of what an upload does with the file before it is
stored, is timed (best of --repeat), with openpyxl opening the same bytes read-only and touching every cell
as the baseline. Prints the file's size, the outcome and the time; nothing is asserted here, the figures are
for the reader (the aim: every case within a few seconds on the project's 2-core machine).
"""

import argparse
import io
import random
import sys
import tempfile
import time
from pathlib import Path

from import_speed import setup_django

WORDS = [
    "heat",
    "pumps",
    "retrofit",
    "insulation",
    "solar",
    "panels",
    "fleet",
    "electric",
    "charging",
    "points",
    "hedgerows",
    "trees",
    "peat",
    "flood",
    "resilience",
    "cycle",
    "lanes",
    "buses",
    "schools",
    "libraries",
    "depots",
    "procurement",
    "supply",
    "chain",
    "waste",
    "food",
    "composting",
    "water",
    "energy",
    "audit",
    "survey",
    "funding",
    "bid",
    "consultation",
    "delayed",
    "approved",
    "complete",
]


def log(message: str) -> None:
    sys.stdout.write(f"{message}\n")
    sys.stdout.flush()


def save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def header(columns: int) -> list:
    plan = ["No.", *(f"Target {n}" for n in range(1, 8)), "Action", "Delivery Status", "RAG", "Commentary"]
    return [*plan, "Target date", *(f"Note {n}" for n in range(1, columns - len(plan)))]


def longest_text() -> bytes:
    """As many rows of the column limit as the cell limit allows (filled with numbers), and each row's
    commentary as long as one part of the zip allows (varied words, every one different)."""
    from actions.imports.reading import MAX_CELLS, MAX_COLUMNS, MAX_PART_BYTES

    columns, rows = MAX_COLUMNS, MAX_CELLS // MAX_COLUMNS - 1
    part_bytes = MAX_PART_BYTES - rows * columns * 30 - 1_048_576  # the sheet's own XML for its cells
    from openpyxl import Workbook

    rng = random.Random(1)  # noqa: S311 - test data, not secrets
    per_row = min(9_000, part_bytes // rows)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Plan")
    sheet.append(header(columns))
    for number in range(1, rows + 1):
        words, length = [], 0
        while length < per_row:
            word = rng.choice(WORDS)
            words.append(word)
            length += len(word) + 1
        commentary = f"Row {number}: " + " ".join(words)
        row = [number, "✓", *([None] * 6), f"Action {number}", "In progress", "Amber", commentary[:per_row], "2030"]
        sheet.append([*row, *range(columns - len(row))])
    return save(workbook)


def most_cells() -> bytes:
    """A short plan, then styled empty cells up to the cell limit: blank rows cost no row, but are read."""
    from actions.imports.reading import MAX_CELLS, MAX_COLUMNS

    columns, cells = MAX_COLUMNS, MAX_CELLS
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import PatternFill

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Plan")
    sheet.append(header(13))
    for number in range(1, 57):
        sheet.append([number, "✓", *([None] * 6), f"Action {number}", "In progress", "Green", "On track", "2030"])
    fill = PatternFill("solid", fgColor="FFFF00")
    styled = WriteOnlyCell(sheet)
    styled.fill = fill
    for _ in range((cells - 57 * 13) // columns - 1):
        sheet.append([styled] * columns)
    return save(workbook)


def most_shared_strings() -> bytes:
    """5,000 actions whose texts and commentary fill the shared strings just short of their limit (a workbook
    saved normally, not write-only, keeps its texts there), with ten different words in each."""
    from openpyxl import Workbook

    from actions.imports.reading import MAX_SHARED_STRINGS

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    sheet.append(header(15))
    per_row = (MAX_SHARED_STRINGS - 1000) // 5000
    for number in range(1, 5001):
        notes = [
            f"n{number}-{k} " + " ".join(WORDS[(number + k + j) % len(WORDS)] for j in range(10))
            for k in range(per_row)
        ]
        row = [number, "✓", *([None] * 6), f"Action {number} " + notes[0], "In progress", "Green", notes[1], "2030"]
        sheet.append([*row, *notes[2:]])
    return save(workbook)


def too_many_problems(rows: int = 5000) -> bytes:
    """Every row wrong: the reading stops at 200 problems instead of listing 5,000."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Plan")
    sheet.append(header(13))
    for number in range(1, rows + 1):
        sheet.append([number, "maybe", *([None] * 6), f"Action {number}", "Sideways", "Purple", "", "2030"])
    return save(workbook)


def openpyxl_baseline(data: bytes) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                _ = cell.value
    workbook.close()


def best_of(repeat: int, work) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - began)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        setup_django(Path(directory) / "bench.sqlite3")
        from actions.imports.reading import read_plan_file
        from actions.imports.rows import TargetHeading

        targets = [TargetHeading(n, (f"Target {n}",)) for n in range(1, 8)]
        cases = [
            ("most cells, longest commentary", longest_text),
            ("most cells (styled blank rows)", most_cells),
            ("most shared strings", most_shared_strings),
            ("5,000 rows, every one wrong", too_many_problems),
        ]
        log(f"{'case':<48}{'size MB':>8}{'openpyxl s':>11}{'read s':>8}  outcome")
        for name, build in cases:
            data = build()
            baseline, _ = best_of(args.repeat, lambda data=data: openpyxl_baseline(data))
            took, parsed = best_of(args.repeat, lambda data=data: read_plan_file(data, "worst.xlsx", targets))
            outcome = (
                f"{len(parsed.rows)} rows read"
                if parsed.ok
                else f"refused, {len(parsed.problems)} problem(s): {str(parsed.problems[-1])[:90]}"
            )
            log(f"{name:<48}{len(data) / 1_048_576:>8.1f}{baseline:>11.2f}{took:>8.2f}  {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
