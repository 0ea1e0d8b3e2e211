"""What a parsed plan file is: its rows, its problems, and the targets the parser knows."""

from dataclasses import dataclass, field

from actions.models.status import RAG, delivery_status_label


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


@dataclass
class PlanRow:
    row: int  # the sheet row the action starts on
    number: int
    marks: dict[int, str]
    text: str
    delivery_status: str
    rag: str
    commentary: str
    target_date: str

    @property
    def rag_label(self) -> str:
        return RAG(self.rag).label if self.rag else ""

    @property
    def delivery_status_label(self) -> str:
        return delivery_status_label(self.delivery_status)


@dataclass
class ParsedFile:
    file_name: str
    sha256: str
    sheet: str | None = None
    rows: list[PlanRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class TargetHeading:
    """What the parser needs to know of a target to recognise its column."""

    number: int
    names: tuple[str, ...]


def target_headings(targets) -> list[TargetHeading]:
    return [TargetHeading(t.number, (t.title, t.short_title, t.source_header)) for t in targets]
