from django import forms


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why is the period being reopened?",
        help_text="This is recorded with your name and shown in the period's history.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter why the period is being reopened"},
    )
