"""A corpus of files the importer must refuse, each with the message a plan admin should see.

Built in code rather than committed as binaries, so each file's badness is
readable here. Every entry: (file name, bytes, words the refusal must contain).
"""

import io
import zipfile

from openpyxl import Workbook

from actions.imports.parsing import MAX_ROWS
from actions.imports.reading import MAX_FILE_BYTES, MAX_ZIP_ENTRIES
from tests.factories import HEADER, plan_row, workbook_bytes


def good_workbook() -> bytes:
    return workbook_bytes([HEADER, plan_row(1), plan_row(2)])


def rewritten(data: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """A copy of the zip `data` with some entries replaced or added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, replace.get(entry.filename, source.read(entry.filename)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def _many_rows() -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Plan")
    sheet.append(HEADER)
    for number in range(1, MAX_ROWS + 2):
        sheet.append(plan_row(number))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _formula() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    sheet.append(HEADER)
    sheet.append(plan_row(1))
    sheet["K2"] = '=IF(A2>0,"Green","Red")'
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
)


def corpus() -> list[tuple[str, str, bytes, str]]:
    """(case, file name, bytes, expected words) for every bad file."""
    good = good_workbook()
    return [
        ("not a spreadsheet", "minutes.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "is not an Excel workbook"),
        ("empty file", "empty.xlsx", b"", "is not an Excel workbook"),
        ("binary file named .csv", "plan.csv", b"No.,Action\r\n1,\x81\x8d\x8f\x90\x9d", "is not a text CSV file"),
        ("truncated", "truncated.xlsx", good[: len(good) // 2], "damaged or truncated"),
        (
            "corrupt workbook part",
            "corrupt.xlsx",
            rewritten(good, replace={"xl/workbook.xml": b"<workbook><sheets><sheet"}),
            "corrupt.xlsx could not be read as an Excel workbook: it is damaged (ParseError: unclosed token",
        ),
        ("zip but not a workbook", "photos.xlsx", _zip({"a.txt": b"hello"}), "not an Excel workbook"),
        (
            "encrypted workbook",
            "locked.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
            "locked.xlsx is an encrypted (password-protected) workbook or an old .xls file. Remove the password, or "
            "save it as an Excel Workbook (.xlsx), and upload it again.",
        ),
        ("macro-enabled", "plan.xlsm", rewritten(good, add={"xl/vbaProject.bin": b"\x00" * 64}), "contains macros"),
        ("over the size limit", "huge.xlsx", b"PK\x03\x04" + b"\x00" * MAX_FILE_BYTES, "the limit is 10 MB"),
        ("over the row limit", "long.xlsx", _many_rows(), f"more than {MAX_ROWS} rows"),
        (
            "zip bomb",
            "bomb.xlsx",
            rewritten(good, add={"xl/media/padding.bin": b"\x00" * (30 * 1024 * 1024)}),
            "too large to read safely",
        ),
        (
            "too many parts",
            "parts.xlsx",
            rewritten(good, add={f"xl/extra/{n}.xml": b"<a/>" for n in range(MAX_ZIP_ENTRIES)}),
            "a workbook has far fewer",
        ),
        (
            "XML entity bomb",
            "laughs.xlsx",
            rewritten(good, replace={"xl/worksheets/sheet1.xml": _LAUGHS}),
            "laughs.xlsx contains unsafe XML (EntitiesForbidden), such as entity definitions that could expand "
            "without limit. It was not read.",
        ),
        (
            # openpyxl reads the styles as it opens the workbook, and wraps what it could not read in its own
            # ValueError: the unsafe XML is found in the error's cause.
            "XML entity bomb in the styles",
            "laughs.xlsx",
            rewritten(good, replace={"xl/styles.xml": _LAUGHS.replace(b"worksheet", b"styleSheet")}),
            "laughs.xlsx contains unsafe XML (EntitiesForbidden)",
        ),
        ("binary CSV", "plan.csv", b"No.,Action\x00\x00\x01\x02", "is not a text CSV file"),
        ("no header", "notes.xlsx", workbook_bytes([["Name", "Value"], ["a", 1]]), "No sheet has a header row"),
        ("header but no actions", "blank.xlsx", workbook_bytes([HEADER]), "has a header but no actions"),
        (
            "duplicate numbers",
            "dupes.xlsx",
            workbook_bytes([HEADER, plan_row(3), plan_row(3)]),
            "action 3 appears twice (first on row 2)",
        ),
        ("unknown RAG word", "rag.xlsx", workbook_bytes([HEADER, plan_row(1, rag="Blue")]), "'Blue' is not a RAG"),
        (
            "unknown status word",
            "status.xlsx",
            workbook_bytes([HEADER, plan_row(1, status="Stalled")]),
            "'Stalled' is not a delivery status",
        ),
        ("number not a number", "number.xlsx", workbook_bytes([HEADER, plan_row("5a")]), "'5a' is not an action"),
        (
            "text over the limit",
            "long-text.xlsx",
            workbook_bytes([HEADER, plan_row(1, text="word " * 2001)]),
            "the limit is 10000",
        ),
        ("formula instead of a value", "formula.xlsx", _formula(), "holds a formula"),
        (
            "unknown target column",
            "target9.xlsx",
            workbook_bytes([[*HEADER[:8], "Target 9", *HEADER[8:]], [*plan_row(1)[:8], "✓", *plan_row(1)[8:]]]),
            "read as target 9, which the plan does not have",
        ),
    ]


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()
