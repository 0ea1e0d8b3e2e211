"""Recording an action's status: the officer's form and the rules it shares with the admin."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from actions.models import RAG, Action, DeliveryStatus, PeriodClosed, ReportingPeriod, StatusUpdate
from actions.models.status import MAX_COMMENTARY_LENGTH, delivery_status_label
from actions.periods import Quarter

RECENT_PERIODS = 5


def period_choices(today: date | None = None, count: int = RECENT_PERIODS) -> list[tuple[str, str]]:
    """The current reporting period first, then the ones before it."""
    quarter, choices = Quarter.current(today), []
    for _ in range(count):
        choices.append((quarter.slug, quarter.label))
        quarter = quarter.previous()
    return choices


def commentary_problem(*, rag: str, delivery_status: str, commentary: str, previous: StatusUpdate | None) -> str | None:
    """Why commentary is required and missing, or None. Amber and red need a reason; so does a change of status."""
    if commentary.strip():
        return None
    if rag in (RAG.AMBER, RAG.RED):
        return f"Enter commentary to explain why the RAG status is {RAG(rag).label.lower()}"
    if previous is not None and delivery_status != previous.delivery_status:
        return (
            "Enter commentary to explain the change of delivery status from "
            f"{delivery_status_label(previous.delivery_status).lower()} "
            f"to {delivery_status_label(delivery_status).lower()}"
        )
    return None


def based_on_update(action: Action, update_id: int | None) -> StatusUpdate | None:
    """The update a form was based on; ValidationError if the id is not one of this action's updates."""
    if update_id is None:
        return None
    update = StatusUpdate.objects.with_details().filter(action=action, pk=update_id).first()
    if update is None:
        raise ValidationError("This form does not match the action's history. Reload the page and try again.")
    return update


class StatusForm(forms.Form):
    """Period, delivery status, RAG and commentary, with the update the officer saw when they opened it."""

    period = forms.ChoiceField(
        label="Reporting period", error_messages={"required": "Select the reporting period this update is for"}
    )
    delivery_status = forms.ChoiceField(
        label="Delivery status",
        choices=DeliveryStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a delivery status", "invalid_choice": "Select a delivery status"},
    )
    rag = forms.ChoiceField(
        label="RAG status",
        choices=[(rag.value, f"{rag.label} – {rag.meaning.lower()}") for rag in RAG],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a RAG status", "invalid_choice": "Select a RAG status"},
    )
    commentary = forms.CharField(
        label="Progress commentary",
        required=False,
        max_length=MAX_COMMENTARY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Required if the RAG status is amber or red, or if the delivery status changes.",
    )
    based_on = forms.IntegerField(required=False, widget=forms.HiddenInput, label="Update this form was based on")

    def __init__(self, *args, action: Action, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["period"].choices = period_choices(today)
        self.based_on_update: StatusUpdate | None = None

    def clean_based_on(self):
        self.based_on_update = based_on_update(self.action, self.cleaned_data["based_on"])
        return self.cleaned_data["based_on"]

    def clean_period(self):
        slug = self.cleaned_data["period"]
        if closing := ReportingPeriod.objects.closing(slug):
            raise ValidationError(str(PeriodClosed(ReportingPeriod.objects.for_slug(slug), closing)))
        return slug

    def clean(self):
        cleaned = super().clean()
        if "rag" in cleaned and "delivery_status" in cleaned and "based_on" in cleaned:
            problem = commentary_problem(
                rag=cleaned["rag"],
                delivery_status=cleaned["delivery_status"],
                commentary=cleaned.get("commentary", ""),
                previous=self.based_on_update,
            )
            if problem:
                self.add_error("commentary", problem)
        return cleaned

    @classmethod
    def initial_for(cls, action: Action, today: date | None = None) -> dict:
        """Pre-fill with the action's current position, for the current reporting period."""
        current = action.current_update
        return {
            "period": Quarter.current(today).slug,
            "delivery_status": current.delivery_status if current else "",
            "rag": current.rag if current else "",
            "commentary": current.commentary if current else "",
            "based_on": current.pk if current else None,
        }
