from datetime import date

from django import forms

from actions.imports.choices import (
    KIND_COLUMN,
    KIND_RAG,
    KIND_STATUS,
    ReadingChoices,
    column_role_choices,
    word_meaning_choices,
)
from actions.imports.reading import MAX_FILE_BYTES
from actions.imports.rows import ParsedFile
from actions.models import PeriodClosed, ReportingPeriod
from actions.periods import Quarter
from actions.spreadsheet import normalise_header

# The upload form offers at least this many quarters before the current one.
PERIODS_OFFERED = 8


def period_choices(today: date | None = None) -> list[tuple[str, str]]:
    """Every quarter from the earliest period in use (or eight back) to the current one; newest first.

    Not the next quarter: a position recorded for it would become every action's current status,
    ahead of the officers' updates for the quarter actually under way."""
    newest = Quarter.current(today)
    oldest = Quarter.current(today)
    for _ in range(PERIODS_OFFERED):
        oldest = oldest.previous()
    earliest_in_use = ReportingPeriod.objects.order_by("slug").first()
    if earliest_in_use is not None:
        oldest = min(oldest, earliest_in_use.as_quarter)
    choices = []
    quarter = newest
    while quarter >= oldest:
        choices.append((quarter.slug, quarter.label))
        quarter = quarter.previous()
    return choices


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet",
        help_text=(
            f"An Excel workbook (.xlsx) or CSV file in the council's layout, up to {MAX_FILE_BYTES // 1_048_576} MB."
        ),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    period = forms.ChoiceField(label="Reporting period", help_text="The quarter this spreadsheet reports on.")

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices(today)
        self.fields["period"].initial = Quarter.current(today).slug

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Checked from the request's declared size, before a byte of it is parsed.
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the limit is {MAX_FILE_BYTES // 1_048_576} MB. "
                "Remove other sheets or images and upload it again."
            )
        return upload

    def clean_period(self):
        closing = ReportingPeriod.objects.closing(self.cleaned_data["period"])
        if closing is not None:
            raise forms.ValidationError(
                str(PeriodClosed(ReportingPeriod.objects.for_slug(self.cleaned_data["period"]), closing))
            )
        return self.cleaned_data["period"]

    @property
    def reporting_period(self) -> ReportingPeriod:
        """The chosen period, unsaved if new: its row is written only when an import is applied."""
        return ReportingPeriod.objects.peek(self.cleaned_data["period"])


NOT_CHOSEN = "-"


class MappingForm(forms.Form):
    """The mapping step: a role for every header cell, a meaning for every word the importer does not know.

    Built from the file as last read (`parsed`) and this upload's choices so far (`choices`)."""

    remember = forms.BooleanField(
        required=False,
        label="Remember these choices for future imports",
        help_text="Next quarter's file with the same headings and words is then read without asking.",
    )

    def __init__(self, *args, parsed: ParsedFile, choices: ReadingChoices, target_numbers, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous = choices
        self.texts: dict[tuple[str, str], str] = {}
        self.column_fields: list[tuple[str, object]] = []
        roles = column_role_choices(target_numbers)
        for reading in parsed.columns:
            if not reading.heading:
                continue
            name = f"column_{reading.letter}"
            self.fields[name] = forms.ChoiceField(
                label=f"Column {reading.letter}: {reading.heading}", choices=roles, initial=reading.role, required=False
            )
            self.column_fields.append((name, reading))
        self.word_fields: list[tuple[str, str, str]] = []  # field name, kind, word
        words = [(w.kind, w.word, f"{len(w.rows)} row{'s' if len(w.rows) != 1 else ''}") for w in parsed.unknown_words]
        words += [(KIND_STATUS, word, "chosen") for word in choices.status_words]
        words += [(KIND_RAG, word, "chosen") for word in choices.rag_words]
        for position, (kind, word, used) in enumerate(words):
            name = f"word_{position}"
            noun = "delivery status" if kind == KIND_STATUS else "RAG colour"
            known = choices.meaning_of(kind, word)
            self.fields[name] = forms.ChoiceField(
                label=f"‘{word}’ ({used}) means",
                help_text=f"A {noun}.",
                choices=[(NOT_CHOSEN, "Choose what it means"), *word_meaning_choices(kind)],
                initial=NOT_CHOSEN if known is None else known,
                required=False,
            )
            self.word_fields.append((name, kind, word))

    def columns(self):
        return [(self[name], reading) for name, reading in self.column_fields]

    def words(self):
        return [self[name] for name, _, _ in self.word_fields]

    def chosen(self) -> ReadingChoices:
        """This upload's choices: the earlier ones, with every role and meaning changed here."""
        choices = ReadingChoices.from_json(self.previous.to_json())
        for name, reading in self.column_fields:
            role = self.cleaned_data.get(name, reading.role)
            key = normalise_header(reading.heading)
            if role != reading.role or key in choices.columns:
                choices.columns[key] = role
                self.texts[(KIND_COLUMN, key)] = reading.heading
        for name, kind, word in self.word_fields:
            meaning = self.cleaned_data.get(name, NOT_CHOSEN)
            if meaning == NOT_CHOSEN:
                continue
            key = normalise_header(word)
            (choices.status_words if kind == KIND_STATUS else choices.rag_words)[key] = meaning
            self.texts[(kind, key)] = word
        return choices
