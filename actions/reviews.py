"""Reviewers' pages: what awaits review (newest first, by target and officer), approving several at once,
and one update's page to approve it or return it with a note. The writes are services.review_updates."""

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from actions.models import ReviewState, StatusUpdate
from actions.permissions import REVIEW_UPDATES
from actions.services import ReviewRefused, review_updates
from actions.tables import is_whole_number
from targets.models import Target


class ReviewerRequiredMixin(PermissionRequiredMixin):
    """Reviewers only (managers by default): anonymous visitors go to sign-in, others get 403."""

    permission_required = REVIEW_UPDATES
    permission_denied_message = "Only reviewers (managers) approve or return status updates."


class AwaitingReviewFilter(django_filters.FilterSet):
    target = django_filters.ModelChoiceFilter(
        label="Target",
        queryset=Target.objects.in_plan_order(),
        to_field_name="number",
        method="filter_target",
        empty_label="All targets",
    )
    officer = django_filters.ModelChoiceFilter(
        label="Officer",
        field_name="recorded_by",
        queryset=get_user_model().objects.none(),  # the officers with updates awaiting review, set in __init__
        empty_label="All officers",
    )

    class Meta:
        model = StatusUpdate
        fields = ["target", "officer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        waiting = StatusUpdate.objects.awaiting_review().values("recorded_by")
        officers = get_user_model().objects.filter(pk__in=waiting).order_by("first_name", "last_name", "username")
        self.filters["officer"].queryset = officers
        self.form.fields["officer"].label_from_instance = lambda user: user.get_full_name() or user.get_username()

    def filter_target(self, queryset, name, value):
        return queryset.filter(action__targets=value) if value else queryset


def awaiting_review():
    """Updates awaiting review, newest first, with what their pages show."""
    return (
        StatusUpdate.objects.awaiting_review()
        .select_related("action", "period", "recorded_by", "based_on__period")
        .order_by("-recorded_at", "-pk")
    )


class ReviewQueueView(ReviewerRequiredMixin, TemplateView):
    template_name = "reviews/review_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = AwaitingReviewFilter(self.request.GET, queryset=awaiting_review())
        context["filter"] = filterset
        context["updates"] = list(filterset.qs) if filterset.is_valid() else list(awaiting_review())
        context["query_string"] = self.request.GET.urlencode()
        return context


class ApproveSelectedView(ReviewerRequiredMixin, View):
    """Approve every ticked update on the queue at once; all or nothing."""

    def post(self, request, *args, **kwargs):
        back = reverse("actions:review-queue") + (f"?{request.POST['query']}" if request.POST.get("query") else "")
        ids = [value for value in request.POST.getlist("update") if is_whole_number(value, digits=9)]
        try:
            approved = review_updates(updates=ids, decision=ReviewState.APPROVED, reviewer=request.user)
        except ReviewRefused as refusal:
            messages.error(request, f"Nothing was approved. {refusal}.".replace("..", "."))
            return redirect(back)
        messages.success(request, f"Approved {len(approved)} update{'s' if len(approved) != 1 else ''}.")
        return redirect(back)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(ReviewState.APPROVED, "Approve"), (ReviewState.RETURNED, "Return to the officer")],
        widget=forms.HiddenInput,
    )
    note = forms.CharField(
        label="Note to the officer",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required to return the update: say what should change. The officer sees it on My actions.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == ReviewState.RETURNED and not cleaned.get("note", "").strip():
            self.add_error("note", "Enter a note saying what the officer should change")
        return cleaned


class ReviewUpdateView(ReviewerRequiredMixin, FormView):
    """One update beside the position it would replace; approve it, or return it with a note."""

    template_name = "reviews/review_update.html"
    form_class = ReviewForm

    def dispatch(self, request, *args, **kwargs):
        self.update = get_object_or_404(
            StatusUpdate.objects.with_details().select_related("action", "based_on__period"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "POST":
            kwargs["data"] = {**self.request.POST.dict(), "decision": self.request.POST.get("decision", "")}
        return kwargs

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "update": self.update, "action": self.update.action}

    def form_valid(self, form):
        decision = form.cleaned_data["decision"]
        try:
            review_updates(
                updates=[self.update], decision=decision, reviewer=self.request.user, note=form.cleaned_data["note"]
            )
        except ReviewRefused as refusal:
            form.add_error(None, str(refusal))
            return self.form_invalid(form)
        verb = "Approved" if decision == ReviewState.APPROVED else "Returned to the officer:"
        messages.success(self.request, f"{verb} the update for action {self.update.action.number}.")
        return redirect("actions:review-queue")
