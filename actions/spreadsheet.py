"""The council's action plan spreadsheet: its layout, its cell vocabulary, and writing it.

One module knows what the columns are called, which marks mean "contributes",
which words and fills mean which RAG colour, and how a workbook in the
council's layout is written. The importer reads with it; exports and the seed
workbook are written with it. Nothing here touches HTTP or the database.
"""

import colorsys
import functools
import re
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass, field, replace

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.colors import COLOR_INDEX
from openpyxl.utils import get_column_letter

from actions.models.status import RAG, DeliveryStatus

# Marks that mean "this action contributes to this target". The last group are
# what OCR made of the council's Wingdings ticks; see fixtures/README.md.
TICK_MARKS = frozenset({"✓", "✔", "√", "☑", "✅", "x", "y", "yes", "tick", "true"} | {"*", "•", "+", "~", "1", "4"})

RAG_WORDS = {
    "green": RAG.GREEN,
    "g": RAG.GREEN,
    "amber": RAG.AMBER,
    "a": RAG.AMBER,
    "yellow": RAG.AMBER,
    "y": RAG.AMBER,
    "red": RAG.RED,
    "r": RAG.RED,
}

# Words with one meaning only. Ambiguous ones ("On hold", "Amber/Red", BRAG's "Blue") are not here:
# the plan admin says what they mean in the import's mapping step, and can have it remembered.
DELIVERY_STATUS_WORDS = {
    "not started": DeliveryStatus.NOT_STARTED,
    "not yet started": DeliveryStatus.NOT_STARTED,
    "not commenced": DeliveryStatus.NOT_STARTED,
    "not yet commenced": DeliveryStatus.NOT_STARTED,
    "yet to start": DeliveryStatus.NOT_STARTED,
    "in progress": DeliveryStatus.IN_PROGRESS,
    "ongoing": DeliveryStatus.IN_PROGRESS,
    "on going": DeliveryStatus.IN_PROGRESS,
    "started": DeliveryStatus.IN_PROGRESS,
    "underway": DeliveryStatus.IN_PROGRESS,
    "under way": DeliveryStatus.IN_PROGRESS,
    "delivery": DeliveryStatus.IN_DELIVERY,
    "in delivery": DeliveryStatus.IN_DELIVERY,
    "being delivered": DeliveryStatus.IN_DELIVERY,
    "complete": DeliveryStatus.COMPLETE,
    "completed": DeliveryStatus.COMPLETE,
    "delivered": DeliveryStatus.COMPLETE,
    "done": DeliveryStatus.COMPLETE,
    "achieved": DeliveryStatus.COMPLETE,
    "finished": DeliveryStatus.COMPLETE,
    "not recorded": "",
}

# Fills written on export, one place for the colours. Excel's standard
# green, amber and red, which the reader also recognises.
RAG_FILLS = {RAG.GREEN: "FF00B050", RAG.AMBER: "FFFFC000", RAG.RED: "FFFF0000"}
RAG_FONT_COLOURS = {RAG.GREEN: "FF000000", RAG.AMBER: "FF000000", RAG.RED: "FFFFFFFF"}

# Spreadsheet programs run a cell starting with these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class Column:
    NUMBER = "number"
    ACTION = "action"
    DELIVERY_STATUS = "delivery status"
    RAG = "RAG"
    COMMENTARY = "commentary"
    TARGET_DATE = "target date"
    # An action's definition beyond its wording (actions/definitions.py reads and writes their cells).
    DIRECTORATE = "directorate"
    SERVICE = "service"
    LEAD_OFFICER = "lead officer"
    PORTFOLIO = "portfolio holder"
    PARTNERS = "partners"
    FUNDING = "funding"
    MILESTONES = "milestones"
    LINKS = "links"


# The definition columns, in the order an export writes them after the council's own.
DETAIL_COLUMNS = (
    Column.DIRECTORATE,
    Column.SERVICE,
    Column.LEAD_OFFICER,
    Column.PORTFOLIO,
    Column.PARTNERS,
    Column.FUNDING,
    Column.MILESTONES,
    Column.LINKS,
)


# Headers as written on export (the council's own wording where it has one).
EXPORT_HEADERS = {
    Column.NUMBER: "No.",
    Column.ACTION: "Action",
    Column.DELIVERY_STATUS: "Delivery Status",
    Column.RAG: "RAG",
    Column.COMMENTARY: "Commentary",
    Column.TARGET_DATE: "Action Plan Target Date",
    Column.DIRECTORATE: "Directorate",
    Column.SERVICE: "Service",
    Column.LEAD_OFFICER: "Lead Officer",
    Column.PORTFOLIO: "Portfolio Holder",
    Column.PARTNERS: "Partners",
    Column.FUNDING: "Funding",
    Column.MILESTONES: "Milestones",
    Column.LINKS: "Links",
}


@dataclass(frozen=True)
class ColumnRole:
    """A part of the plan a column can hold, and the headings that mean it.

    A heading means the role when, once quarters, years and months are taken out of it, it is one of
    `exact`, or holds one of the words in `any_of` and none in `none_of`. Roles are tried in the order
    of COLUMN_ROLES, so a more particular one ("RAG status") is settled before a general one ("status").
    New roles (lead officer, budget, ...) are added to that list; the mapping step offers each one.
    """

    key: str
    label: str
    exact: frozenset[str] = frozenset()
    any_of: frozenset[str] = frozenset()
    none_of: frozenset[str] = frozenset()
    phrases: tuple[str, ...] = ()
    # Part of the action's definition, not of its quarterly position: a file without such a column is
    # not "missing" anything, and what it holds is applied only when the plan admin asks.
    definition: bool = False

    def means(self, text: str, words: frozenset[str]) -> bool:
        if text in self.exact or any(phrase in text for phrase in self.phrases):
            return True
        return bool(words & self.any_of) and not words & self.none_of


COLUMN_ROLES = (
    ColumnRole(
        Column.NUMBER,
        "Action number",
        exact=frozenset(
            {"no", "number", "action no", "action number", "ref", "reference", "action ref", "action reference"}
            | {"id", "action id", "no s", "nos"}
        ),
    ),
    ColumnRole(Column.RAG, "RAG colour", any_of=frozenset({"rag", "brag"})),
    # Definition columns before target date and status: "Milestone due date", "Funding status".
    ColumnRole(Column.MILESTONES, "Milestones", any_of=frozenset({"milestone", "milestones"}), definition=True),
    ColumnRole(
        Column.FUNDING,
        "Funding",
        any_of=frozenset({"budget", "budgets", "funding", "funded", "cost", "costs", "finance", "resources"}),
        definition=True,
    ),
    ColumnRole(
        Column.PORTFOLIO,
        "Portfolio holder",
        any_of=frozenset({"portfolio", "councillor", "cllr"}),
        phrases=("lead member", "cabinet member"),
        definition=True,
    ),
    ColumnRole(Column.PARTNERS, "Partners", any_of=frozenset({"partner", "partners", "partnership"}), definition=True),
    ColumnRole(Column.DIRECTORATE, "Directorate", any_of=frozenset({"directorate", "department"}), definition=True),
    ColumnRole(
        Column.SERVICE,
        "Responsible service",
        exact=frozenset({"service", "responsible service", "service area", "team", "responsible team"}),
        definition=True,
    ),
    ColumnRole(
        Column.LEAD_OFFICER,
        "Lead officer",
        any_of=frozenset({"officer", "officers", "owner", "lead", "leads"}),
        exact=frozenset({"responsible officer", "responsible"}),
        definition=True,
    ),
    ColumnRole(
        Column.LINKS,
        "Links",
        exact=frozenset({"links", "link", "documents", "committee decisions", "decisions", "decision", "papers"}),
        definition=True,
    ),
    ColumnRole(
        Column.TARGET_DATE,
        "Target date",
        exact=frozenset({"target", "due", "date", "deadline", "timescale", "timescales", "when"}),
        any_of=frozenset({"deadline", "timescale", "timescales", "timeframe"}),
        phrases=("target date", "due date", "completion date", "end date", "delivery date", "due by"),
    ),
    ColumnRole(Column.DELIVERY_STATUS, "Delivery status", any_of=frozenset({"status"})),
    ColumnRole(
        Column.COMMENTARY,
        "Commentary",
        any_of=frozenset({"commentary", "comment", "comments", "update", "updates", "progress", "narrative"}),
    ),
    ColumnRole(
        Column.ACTION,
        "Action",
        any_of=frozenset({"action", "actions", "description"}),
        none_of=frozenset({"lead", "leads", "owner", "officer", "officers", "responsible", "manager", "partner"})
        | frozenset({"partners", "budget", "cost", "costs", "funding", "directorate", "service", "portfolio"}),
    ),
)
ROLE_LABELS = {role.key: role.label for role in COLUMN_ROLES}
DEFINITION_ROLES = frozenset(role.key for role in COLUMN_ROLES if role.definition)

_SPACES = re.compile(r"[ \t]+")
_TARGET_HEADER = re.compile(r"^target (\d+)\b")
# What dates a heading to a quarter: "Q1", "Quarter 1", "2023/24", "2023-24", "March", "FY".
_HEADING_NOISE = re.compile(
    r"\b(?:q[1-4]|quarter(?: [1-4])?|fy|\d+|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*)\b"
)


def normalise_header(value) -> str:
    """Header text compared without regard to case, spacing, line breaks or punctuation."""
    return re.sub(r"[^a-z0-9]+", " ", str(value or "").lower()).strip()


def heading_key(value) -> str:
    """A heading without the quarter, year or month it names: "Progress Update - Q1 2023/24" -> "progress update".

    Remembered column choices are keyed by it, so next quarter's heading finds this quarter's choice."""
    text = normalise_header(value)
    return " ".join(_HEADING_NOISE.sub(" ", text).split()) or text


def header_role(value) -> str | None:
    text = heading_key(value)
    if not text:
        return None
    words = frozenset(text.split())
    for role in COLUMN_ROLES:
        if role.means(text, words):
            return role.key
    return None


def target_number_in_header(value) -> int | None:
    match = _TARGET_HEADER.match(normalise_header(value))
    return int(match.group(1)) if match else None


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


@functools.lru_cache(maxsize=256)  # a sheet repeats a few words thousands of times
def is_tick(value) -> bool:
    return cell_text(value).lower() in TICK_MARKS


@functools.lru_cache(maxsize=256)  # a sheet repeats a few words thousands of times
def rag_from_word(value) -> RAG | None:
    """The RAG colour a word names, or None if it names none."""
    text = normalise_header(_REMARK.sub(" ", str(value or "")))
    if text in RAG_WORDS:
        return RAG_WORDS[text]
    if text in RAG.values:
        return RAG(text)
    return None


_REMARK = re.compile(r"\([^)]*\)")  # "Green (complete)": the word is the colour, the brackets a remark


@functools.lru_cache(maxsize=256)  # a sheet repeats a few words thousands of times
def delivery_status_from_word(value) -> str | None:
    """A delivery status code ("" for blank), or None for a word that names no status."""
    text = normalise_header(value)
    if not text:
        return ""
    return DELIVERY_STATUS_WORDS.get(text)


# Cell styles index a workbook's theme colours in this order (light and dark swapped from the XML's).
_THEME_ORDER = ("lt1", "dk1", "lt2", "dk2", *(f"accent{n}" for n in range(1, 7)), "hlink", "folHlink")
_DRAWINGML = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def theme_colours(theme_xml: bytes | None) -> tuple[str, ...]:
    """A workbook's theme colours as RGB hex, indexed as cell styles refer to them; () if it has none."""
    if not theme_xml:
        return ()
    from defusedxml.common import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(theme_xml)
    except (ParseError, DefusedXmlException):
        return ()
    scheme = root.find(f"{_DRAWINGML}themeElements/{_DRAWINGML}clrScheme")
    if scheme is None:
        return ()
    colours = {}
    for entry in scheme:
        for colour in entry:
            # <a:srgbClr val="..."> or, for the window colours, <a:sysClr lastClr="...">
            colours[entry.tag.removeprefix(_DRAWINGML)] = (
                colour.get("val") if "srgbClr" in colour.tag else colour.get("lastClr")
            )
    return tuple(colours.get(name) or "" for name in _THEME_ORDER)


def _tinted(rgb: str, tint: float) -> str:
    """Excel's tint: lighten (positive) or darken (negative) a colour's lightness."""
    hue, lightness, saturation = colorsys.rgb_to_hls(*(int(rgb[i : i + 2], 16) / 255 for i in (0, 2, 4)))
    lightness = lightness * (1 + tint) if tint < 0 else lightness * (1 - tint) + tint
    return "".join(f"{round(channel * 255):02X}" for channel in colorsys.hls_to_rgb(hue, lightness, saturation))


def _argb_of(colour, theme: Sequence[str] = ()) -> str | None:
    if colour is None:
        return None
    if colour.type == "rgb" and isinstance(colour.rgb, str):
        return colour.rgb
    if colour.type == "indexed" and isinstance(colour.indexed, int) and colour.indexed < len(COLOR_INDEX):
        return COLOR_INDEX[colour.indexed]
    if colour.type == "theme" and isinstance(colour.theme, int) and colour.theme < len(theme):
        rgb = theme[colour.theme]
        if len(rgb) == 6 and colour.tint:
            rgb = _tinted(rgb, colour.tint)
        return rgb or None
    return None  # a theme colour without the workbook's theme is treated as no fill


def rag_from_fill(fill, theme: Sequence[str] = ()) -> RAG | None:
    """Classify a solid cell fill as green, amber (yellow or orange) or red by its hue.

    `theme` is the workbook's theme colours (see theme_colours), for fills picked from Excel's theme palette.
    """
    if fill is None or fill.fill_type != "solid":
        return None
    argb = _argb_of(fill.fgColor, theme) or _argb_of(fill.start_color, theme)
    if not argb or len(argb) < 6:
        return None
    return _rag_of_rgb(argb[-6:].upper())


@functools.lru_cache(maxsize=256)  # a sheet uses a handful of colours over thousands of cells
def _rag_of_rgb(rgb: str) -> RAG | None:
    red, green, blue = (int(rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    if saturation < 0.35 or lightness > 0.92 or lightness < 0.08:
        return None  # white, black and greys carry no RAG
    degrees = hue * 360
    if degrees < 20 or degrees >= 330:
        return RAG.RED
    if degrees < 70:
        return RAG.AMBER
    if degrees < 170:
        return RAG.GREEN
    return None


def neutralise_formula(value: str) -> str:
    """Make text that a spreadsheet would run as a formula read as text instead."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass
class PlanSheetRow:
    """One action as the council's layout shows it."""

    number: int
    marks: dict[int, str]  # target number -> the mark shown in its column
    text: str
    delivery_status: str  # a DeliveryStatus code, or "" when not recorded
    rag: str  # a RAG code, or "" when there is none
    commentary: str
    target_date: str
    details: dict[str, str] = field(default_factory=dict)  # DETAIL_COLUMNS value -> cell text


# Rows between two progress reports: a few dozen small updates of the download's row for the largest plan.
PROGRESS_EVERY = 500


class _ReportedRows:
    """A sheet's rows that report how many have been written (see PlanSheet.reporting_progress)."""

    def __init__(self, sheet: "PlanSheet", report, every: int):
        self.sheet, self.report, self.every = sheet, report, every

    def cell_rows(self, _sheet):
        written = 0
        for written, item in enumerate(self.sheet.cell_rows(), start=1):
            yield item
            if written % self.every == 0:
                self.report(written)
        self.report(written)


@dataclass
class TargetColumn:
    number: int
    heading: str


@dataclass
class PlanSheet:
    targets: Sequence[TargetColumn]
    rows: Iterable[PlanSheetRow]
    title: str = "Action plan"
    notes: list[str] = field(default_factory=list)
    detail_columns: Sequence[str] = ()  # DETAIL_COLUMNS to write after the council's own columns

    def headers(self) -> list[str]:
        """The header row, in the council's wording, shared by the workbook and the CSV."""
        return [
            EXPORT_HEADERS[Column.NUMBER],
            *(f"Target {t.number}: {t.heading}" for t in self.targets),
            EXPORT_HEADERS[Column.ACTION],
            EXPORT_HEADERS[Column.DELIVERY_STATUS],
            EXPORT_HEADERS[Column.RAG],
            EXPORT_HEADERS[Column.COMMENTARY],
            EXPORT_HEADERS[Column.TARGET_DATE],
            *(EXPORT_HEADERS[column] for column in self.detail_columns),
        ]

    def cell_rows(self):
        """(RAG code, cells under `headers()`) for each row; rows read as plain values give them directly."""
        if hasattr(self.rows, "cell_rows"):
            return self.rows.cell_rows(self)
        return ((row.rag, self.cells(row)) for row in self.rows)

    def reporting_progress(self, report) -> "PlanSheet":
        """This sheet, calling `report(rows written so far)` every PROGRESS_EVERY rows and once at the end (0 for
        no rows), for a workbook built in the background with a progress page."""
        return replace(self, rows=_ReportedRows(self, report, PROGRESS_EVERY))

    def cells(self, row: PlanSheetRow) -> list:
        """One action's cells under `headers()`: the number, then text in the council's words."""
        return [
            row.number,
            *(row.marks.get(t.number, "") for t in self.targets),
            row.text,
            DeliveryStatus(row.delivery_status).label if row.delivery_status else "",
            RAG(row.rag).label if row.rag else "",
            row.commentary,
            row.target_date,
            *(row.details.get(column, "") for column in self.detail_columns),
        ]


class RagStyles:
    """The RAG cells' fill and font, made once per workbook: each RAG cell copies a prepared style."""

    def __init__(self, worksheet):
        self.worksheet = worksheet
        self._styles = {}
        for code, argb in RAG_FILLS.items():
            model = WriteOnlyCell(worksheet)
            model.fill = PatternFill("solid", fgColor=argb)
            model.font = Font(color=RAG_FONT_COLOURS[code])
            self._styles[code] = model._style

    def cell(self, rag: str, value) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.worksheet, value=value)
        cell._style = copy(self._styles[rag])
        if isinstance(value, str):
            cell.data_type = "s"
        return cell


def styled(worksheet, value, *, font=None, alignment=None) -> WriteOnlyCell:
    """A write-only cell with a style; text stays text, never a formula."""
    cell = WriteOnlyCell(worksheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


def as_text(worksheet, value):
    """`value` for `append`: text openpyxl would store as a formula ("=...") or an error ("#N/A") goes in a
    cell marked text."""
    if isinstance(value, str) and value.startswith(("=", "#")):
        cell = WriteOnlyCell(worksheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def build_workbook(sheet: PlanSheet, workbook: Workbook | None = None, *, prepare=None) -> Workbook:
    """A workbook in the council's layout: a TARGETS banner, then one row per action.

    Written in openpyxl's write-only mode, row by row as `sheet.rows` yields them, with the RAG styles
    made once: memory stays flat whatever the number of actions. Text is written as text (never as a
    formula), so the file opens safely and imports back exactly as exported. Pass a write-only
    `workbook` to add the sheet to it (the report's workbook), and `prepare(worksheet)` to set its page up
    before any row is written; save the result once.
    """
    workbook = workbook if workbook is not None else Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet.title)
    target_count = len(sheet.targets)
    headers = sheet.headers()
    bold = Font(bold=True)
    widths = [6, *([10] * target_count), 70, 16, 10, 60, 18, *([30] * len(sheet.detail_columns))]
    for column, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(column)].width = width
    worksheet.freeze_panes = "B3"
    if prepare is not None:
        prepare(worksheet)
    if target_count:
        worksheet.merged_cells.add(f"B1:{get_column_letter(1 + target_count)}1")
        worksheet.append([None, styled(worksheet, "TARGETS", font=bold, alignment=Alignment(horizontal="center"))])
    else:
        worksheet.append([])
    heading = Alignment(wrap_text=True, vertical="top")
    worksheet.append([styled(worksheet, text, font=bold, alignment=heading) for text in headers])

    rag_index = 1 + target_count + 2
    rags = RagStyles(worksheet)
    append = worksheet.append
    special = ("=", "#")  # what as_text must see: formula-like and error-like text
    for rag, values in sheet.cell_rows():
        # Empty text is left an empty cell, as a spreadsheet would: a third of the plan's cells (the target
        # columns an action does not contribute to, its blank details) then cost nothing to write.
        cells = [
            (as_text(worksheet, value) if value.startswith(special) else value or None)
            if value.__class__ is str
            else value
            for value in values
        ]
        if rag:
            cells[rag_index] = rags.cell(rag, values[rag_index])
        append(cells)

    if sheet.notes:
        about = workbook.create_sheet("About")
        about.column_dimensions["A"].width = 120
        for note in sheet.notes:
            about.append([as_text(about, note)])
    return workbook
