"""Recording an indicator value in the browser."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from indicators.models import VALUE_DIGITS, Indicator, IndicatorValue
from indicators.periods import recent_periods

RECENT_PERIODS = 10


def period_choices(indicator: Indicator, today: date | None = None) -> list[tuple[str, str]]:
    """The period under way and the nine before it, plus any earlier period already holding a value."""
    periods = {period.key: period for period in recent_periods(indicator.frequency, today=today, count=RECENT_PERIODS)}
    for key in indicator.values.values_list("period", flat=True).distinct():
        if key not in periods:
            periods[key] = indicator.period(key)
    return [(key, periods[key].label) for key in sorted(periods, reverse=True)]


class ValueForm(forms.Form):
    period = forms.ChoiceField(label="Period", error_messages={"required": "Select the period this value is for"})
    value = forms.DecimalField(
        **VALUE_DIGITS,
        label="Value",
        error_messages={
            "required": "Enter the value",
            "invalid": "Enter the value as a number, like 1250 or 12.5",
            "max_digits": "Enter a value with no more than 16 digits before the decimal point",
            "max_decimal_places": "Enter a value with no more than 4 decimal places",
            "max_whole_digits": "Enter a value with no more than 16 digits before the decimal point",
        },
    )
    provisional = forms.BooleanField(label="This value is provisional", required=False)
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Where the figure comes from, or why it corrects an earlier one.",
    )
    based_on = forms.IntegerField(required=False, widget=forms.HiddenInput, label="Value this form was based on")

    def __init__(self, *args, indicator: Indicator, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.fields["period"].choices = period_choices(indicator, today)
        self.fields["value"].label = f"Value ({indicator.unit})"
        self.based_on_value: IndicatorValue | None = None

    def clean_based_on(self):
        based_on = self.cleaned_data["based_on"]
        if based_on is not None:
            self.based_on_value = self.indicator.values.select_related("recorded_by").filter(pk=based_on).first()
            if self.based_on_value is None:
                raise ValidationError(
                    "This form does not match the indicator's history. Reload the page and try again."
                )
        return based_on

    @classmethod
    def initial_for(cls, indicator: Indicator) -> dict:
        latest = indicator.values.latest_recorded()
        return {"based_on": latest.pk if latest else None}
