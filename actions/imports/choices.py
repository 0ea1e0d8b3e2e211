"""The plan admin's answers to what the importer cannot guess: a column's role, an unknown word's meaning.

Choices come from the mapping step of one upload, from the command line, and from those remembered for
future imports (`RememberedChoice`); the parser reads a file with them. Plain data, no HTTP, no database.
"""

from dataclasses import dataclass, field

from actions.models.status import RAG, DeliveryStatus
from actions.spreadsheet import COLUMN_ROLES, heading_key, normalise_header

NOT_USED = ""  # a column's role when the plan admin says it holds nothing to import
REFUSE = "refuse"  # an unknown word's meaning when its rows must not be imported

KIND_COLUMN = "column"
KIND_STATUS = "status"
KIND_RAG = "rag"


def column_role_choices(target_numbers) -> list[tuple[str, str]]:
    """Every role a column can be given, as the mapping step offers them."""
    return [
        *((role.key, role.label) for role in COLUMN_ROLES),
        *((f"target:{number}", f"Target {number}") for number in target_numbers),
        (NOT_USED, "Not used"),
    ]


def word_meaning_choices(kind: str) -> list[tuple[str, str]]:
    meanings = DeliveryStatus.choices if kind == KIND_STATUS else RAG.choices
    refuse = "Refuse these rows (do not import them)"
    return [*meanings, *([("", "Not recorded")] if kind == KIND_STATUS else []), (REFUSE, refuse)]


@dataclass
class ReadingChoices:
    """Keys are normalised: a heading by `heading_key` (or exact, `normalise_header`), a word by `normalise_header`."""

    columns: dict[str, str] = field(default_factory=dict)
    status_words: dict[str, str] = field(default_factory=dict)
    rag_words: dict[str, str] = field(default_factory=dict)

    def role_for(self, heading) -> str | None:
        """The chosen role for a heading: an exact choice first, then one made for the same heading another quarter."""
        for key in (normalise_header(heading), heading_key(heading)):
            if key in self.columns:
                return self.columns[key]
        return None

    def meaning_of(self, kind: str, word) -> str | None:
        words = self.status_words if kind == KIND_STATUS else self.rag_words
        return words.get(normalise_header(word))

    def overridden_by(self, other: "ReadingChoices") -> "ReadingChoices":
        return ReadingChoices(
            {**self.columns, **other.columns},
            {**self.status_words, **other.status_words},
            {**self.rag_words, **other.rag_words},
        )

    def to_json(self) -> dict:
        return {"columns": self.columns, "status_words": self.status_words, "rag_words": self.rag_words}

    @classmethod
    def from_json(cls, data: dict | None) -> "ReadingChoices":
        data = data or {}
        return cls(dict(data.get("columns", {})), dict(data.get("status_words", {})), dict(data.get("rag_words", {})))

    @classmethod
    def from_pairs(cls, columns=(), status_words=(), rag_words=()) -> "ReadingChoices":
        """From ("Heading", "role") pairs as the command line gives them; keys normalised."""
        return cls(
            {normalise_header(heading): role for heading, role in columns},
            {normalise_header(word): meaning for word, meaning in status_words},
            {normalise_header(word): meaning for word, meaning in rag_words},
        )

    def __bool__(self):
        return bool(self.columns or self.status_words or self.rag_words)


def valid_meaning(kind: str, meaning: str) -> bool:
    if kind == KIND_COLUMN:
        return meaning == NOT_USED or meaning in {r.key for r in COLUMN_ROLES} or _is_target_role(meaning)
    return meaning in {value for value, _ in word_meaning_choices(kind)}


def _is_target_role(meaning: str) -> bool:
    prefix, _, number = meaning.partition(":")
    return prefix == "target" and number.isdigit()
