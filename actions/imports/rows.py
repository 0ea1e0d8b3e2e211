"""What a parsed plan file is: its rows, its problems, how its columns were read, and the targets the parser knows.

A parsed file is kept with its upload (`to_json`/`from_json`), so the preview, its pages and the confirm use
the outcome of one reading of the workbook.
"""

from dataclasses import asdict, dataclass, field

from actions.models.status import RAG, delivery_status_label

BLANK_ROW = "blank row"


@dataclass(frozen=True)
class Problem:
    """Something wrong with the file, and where: sheet, row and column when known."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self):
        where = self.where()
        return f"{where[:1].upper()}{where[1:]}: {self.message}" if where else self.message


@dataclass(slots=True)  # 5,000 of them live through a request: no __dict__ each
class PlanRow:
    """One action as the file gives it. None for a part the file has no column for: the plan keeps its own."""

    row: int  # the sheet row the action starts on
    number: int
    marks: dict[int, str] | None
    text: str
    delivery_status: str | None
    rag: str | None
    commentary: str | None
    target_date: str | None
    # The definition columns the file has (a DETAIL_ROLES value -> its value as actions.definitions reads it).
    details: dict = field(default_factory=dict)

    @property
    def rag_label(self) -> str:
        return RAG(self.rag).label if self.rag else ""

    @property
    def delivery_status_label(self) -> str:
        return delivery_status_label(self.delivery_status or "")


@dataclass
class ColumnReading:
    """One header cell and the role it was given (a Column value, "target:N", or "" for not used)."""

    letter: str
    heading: str
    role: str
    chosen: bool = False  # by the plan admin (this upload or remembered), not recognised from the heading


@dataclass
class UnknownWord:
    """A word in the status or RAG column that names nothing the importer knows, and the rows using it."""

    kind: str  # "status" or "rag"
    word: str
    column: str
    rows: list[int] = field(default_factory=list)


@dataclass
class ParsedFile:
    file_name: str
    sha256: str
    sheet: str | None = None
    rows: list[PlanRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    columns: list[ColumnReading] = field(default_factory=list)
    roles_missing: list[str] = field(default_factory=list)  # Column values no column was found for
    unknown_words: list[UnknownWord] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rows_skipped(self) -> list[tuple[int, str]]:
        """Skipped rows worth telling the plan admin about: notes, refused rows, not blank ones."""
        return [(row, reason) for row, reason in self.skipped if reason != BLANK_ROW]

    def warnings_by_row(self) -> dict[int, list[str]]:
        by_row: dict[int, list[str]] = {}
        for warning in self.warnings:
            by_row.setdefault(warning.row, []).append(f"column {warning.column}: {warning.message}")
        return by_row

    def to_json(self) -> dict:
        return {
            "file_name": self.file_name,
            "sha256": self.sha256,
            "sheet": self.sheet,
            # Rows as plain lists: 5,000 of them are most of the stored outcome.
            "rows": [
                [
                    r.row,
                    r.number,
                    None if r.marks is None else list(r.marks.items()),
                    r.text,
                    r.delivery_status,
                    r.rag,
                    r.commentary,
                    r.target_date,
                    r.details,
                ]
                for r in self.rows
            ],
            "problems": [asdict(p) for p in self.problems],
            "warnings": [asdict(p) for p in self.warnings],
            "skipped": self.skipped,
            "columns": [asdict(c) for c in self.columns],
            "roles_missing": self.roles_missing,
            "unknown_words": [asdict(w) for w in self.unknown_words],
        }

    @classmethod
    def from_json(cls, data: dict) -> "ParsedFile":
        return cls(
            file_name=data["file_name"],
            sha256=data["sha256"],
            sheet=data["sheet"],
            rows=[
                # Outcomes stored before definition columns were read have eight values.
                PlanRow(row, number, None if marks is None else dict(marks), text, status, rag, commentary, date, *more)
                for row, number, marks, text, status, rag, commentary, date, *more in data["rows"]
            ],
            problems=[Problem(**p) for p in data["problems"]],
            warnings=[Problem(**p) for p in data["warnings"]],
            skipped=[tuple(s) for s in data["skipped"]],
            columns=[ColumnReading(**c) for c in data["columns"]],
            roles_missing=data["roles_missing"],
            unknown_words=[UnknownWord(**w) for w in data["unknown_words"]],
        )


@dataclass(frozen=True)
class TargetHeading:
    """What the parser needs to know of a target to recognise its column."""

    number: int
    names: tuple[str, ...]


def target_headings(targets) -> list[TargetHeading]:
    return [TargetHeading(t.number, (t.title, t.short_title, t.source_header)) for t in targets]
