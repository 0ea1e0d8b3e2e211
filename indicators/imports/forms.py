from django import forms

from actions.imports.reading import MAX_FILE_BYTES


class ValuesUploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet",
        help_text=(
            "An Excel workbook (.xlsx) or CSV file: one row per indicator (its name or slug in an 'Indicator' "
            "column), one column per year or quarter, up to "
            f"{MAX_FILE_BYTES // 1_048_576} MB."
        ),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the limit is {MAX_FILE_BYTES // 1_048_576} MB."
            )
        return upload
