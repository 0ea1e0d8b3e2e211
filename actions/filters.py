"""The action list's filters. Every filter lives in the query string, so a filtered list can be bookmarked.

A parameter that does not validate (`?rag=purple`, `?target=99`, `?period=nonsense`) is left out and
reported through the form's errors; the filters that did validate still apply. The view shows those
errors above the list, so a list is never narrowed (or emptied) without saying why.
"""

from datetime import date

import django_filters
from django import forms
from django.db import models

from actions.models import (
    RAG,
    Action,
    DeliveryStatus,
    FundingState,
    Partner,
    PortfolioHolder,
    ReportingPeriod,
    Service,
    StatusUpdate,
)
from actions.models.action import NO_FUNDING
from actions.periods import Quarter
from targets.models import Target

# Delivery status is blank where the source left it blank; the filter needs a word for that.
NOT_RECORDED = "not_recorded"
STATUS_CHOICES = [*DeliveryStatus.choices, (NOT_RECORDED, "Not recorded")]


class CheckboxFilter(django_filters.Filter):
    """A single checkbox: ticked (`on`, `1`, `true`) applies the filter's method, unticked does nothing."""

    field_class = forms.BooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxInput)
        super().__init__(*args, **kwargs)


class ActionFilter(django_filters.FilterSet):
    rag = django_filters.MultipleChoiceFilter(
        label="RAG",
        field_name="position_rag",
        choices=RAG.choices,
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "‘%(value)s’ is not a RAG colour: choose red, amber or green"},
    )
    target = django_filters.MultipleChoiceFilter(
        label="Target",
        method="filter_target",
        choices=[],  # the plan's targets, read once per request in __init__
        distinct=False,  # filter_target uses a subquery, so no row is repeated
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "There is no target ‘%(value)s’: choose from the targets listed"},
    )
    status = django_filters.MultipleChoiceFilter(
        label="Delivery status",
        method="filter_status",
        choices=STATUS_CHOICES,
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "‘%(value)s’ is not a delivery status: choose from the statuses listed",
        },
    )
    overdue = CheckboxFilter(
        label="Overdue only (target year passed and not complete)",
        method="filter_overdue",
    )
    stale = CheckboxFilter(
        label="Not updated in the current reporting period",
        method="filter_stale",
    )
    service = django_filters.MultipleChoiceFilter(
        label="Responsible service (a directorate includes its services)",
        method="filter_service",
        choices=[],  # read once per request in __init__
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "There is no service ‘%(value)s’: choose from the services listed"},
    )
    portfolio = django_filters.MultipleChoiceFilter(
        label="Portfolio holder",
        field_name="portfolio_holder_id",
        choices=[],  # read once per request in __init__
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "There is no portfolio holder ‘%(value)s’: choose from those listed"},
    )
    partner = django_filters.MultipleChoiceFilter(
        label="Partner",
        method="filter_partner",
        choices=[],  # read once per request in __init__
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "There is no partner ‘%(value)s’: choose from the partners listed"},
    )
    funding = django_filters.MultipleChoiceFilter(
        label="Funding",
        method="filter_funding",
        choices=[*FundingState.choices, (NO_FUNDING, "No funding recorded")],
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "‘%(value)s’ is not a funding state: choose from those listed"},
    )
    late_milestones = CheckboxFilter(label="Has late milestones (due and not done)", method="filter_late_milestones")
    q = django_filters.CharFilter(label="Words in the action or its commentary", method="filter_words", max_length=200)
    period = django_filters.ChoiceFilter(
        label="Position as it stood at the end of",
        method="keep_all",  # applied in filter_queryset, before every other filter
        choices=[],  # the recorded periods, read once per request in __init__
        empty_label="Now (latest position)",
        error_messages={"invalid_choice": "‘%(value)s’ is not a reporting period of the plan"},
    )

    class Meta:
        model = Action
        fields = []  # every filter is declared above

    def __init__(self, data=None, queryset=None, *, today: date | None = None, published_only: bool = False, **kwargs):
        self.today = today or date.today()
        # Published only (the public API): positions are the latest approved updates, periods the published ones,
        # and with no period chosen the position is as the latest published quarter ended, as on /public/.
        self.published_only = published_only
        super().__init__(data, queryset, **kwargs)
        self.filters["target"].extra["choices"] = [
            (str(number), f"{number}: {short_title}")
            for number, short_title in Target.objects.in_plan_order().values_list("number", "short_title")
        ]
        self.filters["service"].extra["choices"] = [
            (str(service.pk), str(service))
            for service in sorted(
                Service.objects.select_related("parent"),
                key=lambda s: (s.directorate.name, s.parent_id is not None, s.name),
            )
        ]
        self.filters["portfolio"].extra["choices"] = [
            (str(pk), name) for pk, name in PortfolioHolder.objects.values_list("pk", "name")
        ]
        self.filters["partner"].extra["choices"] = [
            (str(pk), name) for pk, name in Partner.objects.values_list("pk", "name")
        ]
        periods = ReportingPeriod.objects.published() if published_only else ReportingPeriod.objects.all()
        self.filters["period"].extra["choices"] = [
            (slug, Quarter.from_slug(slug).label) for slug in periods.order_by("-slug").values_list("slug", flat=True)
        ]

    @property
    def current_period_slug(self) -> str:
        # The quarter's slug is all `stale()` needs; no ReportingPeriod row is created on a GET.
        return Quarter.current(self.today).slug

    @property
    def chosen_period(self) -> str | None:
        """The chosen period's slug, or None for the current position (also when `period` did not validate)."""
        if not self.is_bound:
            return None
        self.form.is_valid()  # validate once, so cleaned_data holds the fields that passed
        return self.form.cleaned_data.get("period") or None

    @property
    def as_of_period(self) -> str | None:
        """The period the positions are read at: the chosen one, else now (or, published only, the latest
        published quarter's end)."""
        if self.chosen_period or not self.published_only:
            return self.chosen_period
        return self.filters["period"].extra["choices"][0][0] if self.filters["period"].extra["choices"] else None

    @property
    def chosen_period_label(self) -> str:
        return Quarter.from_slug(self.chosen_period).label if self.chosen_period else ""

    # How a chosen filter is named on its removable tag (the MOJ filter layout's "Selected filters").
    TAG_NAMES = {
        "rag": "RAG",
        "target": "Target",
        "status": "Status",
        "service": "Service",
        "portfolio": "Portfolio holder",
        "partner": "Partner",
        "funding": "Funding",
        "q": "Words",
        "period": "As at",
    }

    def selected(self, query) -> list[dict]:
        """Each filter that validated and narrows the list, as a tag: its words (`label`) and the address of the
        same list without it (`href`: the query string less that one value, back to page one)."""
        if not self.is_bound:
            return []
        self.form.is_valid()
        tags = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, "", [], False):
                continue
            field = self.form.fields[name]
            if isinstance(field, forms.BooleanField):
                tags.append({"label": field.label, "href": self._without(query, name)})
                continue
            if name == "q":
                tags.append({"label": f"{self.TAG_NAMES[name]}: “{value}”", "href": self._without(query, name)})
                continue
            labels = {str(code): label for code, label in field.choices}
            for code in value if isinstance(value, list) else [value]:
                tags.append(
                    {
                        "label": f"{self.TAG_NAMES[name]}: {labels.get(str(code), code)}",
                        "href": self._without(query, name, str(code)),
                    }
                )
        return tags

    @staticmethod
    def _without(query, name: str, value: str | None = None) -> str:
        query = query.copy()
        query.pop("page", None)
        if value is None:
            query.pop(name, None)
        else:
            query.setlist(name, [kept for kept in query.getlist(name) if kept != value])
        encoded = query.urlencode()
        return f"?{encoded}" if encoded else "?"

    def filter_queryset(self, queryset):
        return self.filtered(queryset)

    def filtered(self, queryset=None, *, ignoring: tuple[str, ...] = ()):
        """The queryset narrowed by every filter that validated, except those named in `ignoring`."""
        if queryset is None:
            queryset = self.queryset.all()
        # Every filter reads the position, so annotate it first: now, or as the chosen period ended.
        queryset = self.positioned(queryset)
        for name, value in self.form.cleaned_data.items():
            if name not in ignoring:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def positioned(self, queryset):
        if not self.published_only:
            return queryset.with_position(self.chosen_period)
        if self.as_of_period is None:
            return queryset.none()  # nothing is published yet
        return queryset.published(ReportingPeriod.objects.get(slug=self.as_of_period))

    def keep_all(self, queryset, name, value):
        return queryset

    def filter_target(self, queryset, name, value):
        return queryset.serving(int(number) for number in value)

    def filter_status(self, queryset, name, value):
        codes = ["" if code == NOT_RECORDED else code for code in value]
        return queryset.filter(position_delivery_status__in=codes)

    def filter_overdue(self, queryset, name, value):
        # As a past period ended, "overdue" is judged on that period's last day, like the rest of its position.
        on = Quarter.from_slug(self.as_of_period).end if self.as_of_period else self.today
        return queryset.overdue(on=on) if value else queryset

    def filter_stale(self, queryset, name, value):
        return queryset.stale(self.as_of_period or self.current_period_slug) if value else queryset

    def filter_service(self, queryset, name, value):
        return queryset.in_service(int(pk) for pk in value)

    def filter_partner(self, queryset, name, value):
        return queryset.with_partner(int(pk) for pk in value)

    def filter_funding(self, queryset, name, value):
        return queryset.funded(value)

    def filter_late_milestones(self, queryset, name, value):
        # As a past period ended, "late" is judged on its last day, like the rest of its position.
        on = Quarter.from_slug(self.as_of_period).end if self.as_of_period else self.today
        return queryset.with_late_milestones(on) if value else queryset

    def filter_words(self, queryset, name, value):
        """Every word must appear in the action's text or in the commentary of its position."""
        for word in value.split():
            in_commentary = StatusUpdate.objects.filter(
                pk=models.OuterRef("position_update_id"), commentary__icontains=word
            )
            queryset = queryset.filter(models.Q(text__icontains=word) | models.Exists(in_commentary))
        return queryset

    def describe(self) -> list[str]:
        """The filters that apply, in words (for an export's About sheet)."""
        return [
            f"{self.form.fields[name].label}: {', '.join(map(str, value)) if isinstance(value, list) else value}"
            for name, value in self.form.cleaned_data.items()
            if value not in (None, "", [], False)
        ]

    @property
    def problems(self) -> list[str]:
        """Each parameter that did not validate, in words, for the page's error summary."""
        return [f"{self.form.fields[name].label}: {error}" for name, errors in self.errors.items() for error in errors]
