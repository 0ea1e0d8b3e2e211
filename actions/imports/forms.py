from datetime import date

from django import forms

from actions.imports.reading import MAX_FILE_BYTES
from actions.models import PeriodClosed, ReportingPeriod
from actions.periods import Quarter

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
        return ReportingPeriod.objects.for_slug(self.cleaned_data["period"])
