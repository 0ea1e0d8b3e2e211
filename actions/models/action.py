import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .status import RAG, RAG_SEVERITY, DeliveryStatus, delivery_status_label

_YEAR = re.compile(r"\b(19|20)\d{2}\b")
SUMMARY_LENGTH = 140
NO_FUNDING = "none"  # the funding filter's word for an action with no funding line


def summary_of(text: str) -> str:
    """An action's first line, short enough for a table cell (`Action.summary`, for rows read as values)."""
    first = text.split(" - ", 1)[0].split("\n", 1)[0].strip()
    if len(first) <= SUMMARY_LENGTH:
        return first
    return first[: SUMMARY_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def year_in(target_date_text: str) -> int | None:
    """The first four-digit year in a target date as the plan gives it ("2023 (to have ...)" -> 2023)."""
    match = _YEAR.search(target_date_text or "")
    return int(match.group()) if match else None


class ActionQuerySet(models.QuerySet):
    def in_plan_order(self):
        return self.order_by("number")

    def visible_to(self, user):
        """The actions `user` may read: the whole plan for anyone who may read it, else none."""
        from actions.permissions import can_read_plan

        return self.all() if can_read_plan(user) else self.none()

    def editable_by(self, user):
        """The actions `user` may record status for: all for a plan admin, those they lead for an officer."""
        from actions.permissions import EDIT_ANY_ACTION, RECORD_STATUS

        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.has_perm(EDIT_ANY_ACTION):
            return self.all()
        if user.has_perm(RECORD_STATUS):
            return self.led_by(user)
        return self.none()

    def led_by(self, user):
        return self.filter(leads=user) if user.is_authenticated else self.none()

    def awaiting_update(self, period):
        """Still to report for `period`: no update for it yet, not complete, not merged away. Adds `with_position()`."""
        return (
            self.with_position()
            .stale(period)
            .filter(merged_into__isnull=True)
            .exclude(current_delivery_status=DeliveryStatus.COMPLETE)
        )

    def with_current_status(self):
        return self.select_related(
            "current_update",
            "current_update__recorded_by",
            "current_update__latest_review__decided_by",
            "current_period",
        )

    def with_target_links(self):
        """Each action's target links, with their targets, in one extra query."""
        return self.prefetch_related(
            models.Prefetch("target_links", queryset=ActionTarget.objects.select_related("target"))
        )

    def serving(self, target_numbers):
        """Actions contributing to any of the targets numbered; a subquery, so each action stays one row."""
        links = ActionTarget.objects.filter(target__number__in=list(target_numbers))
        return self.filter(pk__in=links.values("action_id"))

    def with_details(self):
        """Everything an action's own page shows, fetched up front."""
        return (
            self.with_current_status()
            .with_target_links()
            .with_definition()
            .prefetch_related("merged_from")
            .select_related("merged_into")
        )

    def with_definition(self):
        """The definition beyond the wording (service, portfolio holder, leads, partners, funding, milestones,
        links), in five extra queries however many actions: what exports and the importer compare read."""
        return self.select_related("service__parent", "portfolio_holder").prefetch_related(
            "leads", "partners", "funding", "milestones", "links"
        )

    def in_service(self, services):
        """Actions whose responsible service is one of `services` or sits in one of them (a directorate)."""
        ids = [getattr(service, "pk", service) for service in services]
        return self.filter(models.Q(service_id__in=ids) | models.Q(service__parent_id__in=ids))

    def with_partner(self, partners):
        """Actions delivered with any of `partners`; a subquery, so each action stays one row."""
        through = Action.partners.through.objects.filter(partner_id__in=[getattr(p, "pk", p) for p in partners])
        return self.filter(pk__in=through.values("action_id"))

    def funded(self, states):
        """Actions with a funding line in any of `states` (FundingState values); NO_FUNDING for none at all."""
        from .definition import ActionFunding

        states = list(states)
        condition = models.Q(pk__in=ActionFunding.objects.filter(state__in=states).values("action_id"))
        if NO_FUNDING in states:
            condition |= ~models.Q(pk__in=ActionFunding.objects.values("action_id"))
        return self.filter(condition)

    def with_late_milestones(self, on: date):
        """Actions with a milestone due before `on` and not done."""
        from .definition import ActionMilestone

        return self.filter(pk__in=ActionMilestone.objects.late(on).values("action_id"))

    def with_position(self, period=None, *, approved_only: bool = False):
        """Annotate each action's position: `position_rag`, `position_delivery_status`,
        `position_period_id` and `position_update_id`.

        With no period, the position is the current one (the denormalised copy,
        no subquery). With a period (a ReportingPeriod or its slug), it is the
        position as that period ended: the latest update recorded for it or any
        earlier period. Filters and reports read these names, so the same code
        answers "now" and "as it stood".

        `approved_only` reads the latest approved update instead of the latest of
        any review state: reports and the public site ask for it, internal pages
        do not. It is the one place that choice is made.
        """
        if period is None and not approved_only:
            return self.annotate(
                position_rag=models.F("current_rag"),
                position_delivery_status=models.F("current_delivery_status"),
                position_period_id=models.F("current_period_id"),
                position_update_id=models.F("current_update_id"),
            )
        from .status import StatusUpdate

        latest = StatusUpdate.objects.counted(approved_only=approved_only).filter(action=models.OuterRef("pk"))
        if period is not None:
            latest = latest.filter(period_id__lte=getattr(period, "slug", period))
        latest = latest.order_by("-period_id", "-recorded_at", "-id")
        return self.annotate(
            position_update_id=models.Subquery(latest.values("pk")[:1]),
            position_rag=Coalesce(
                models.Subquery(latest.values("rag")[:1]), models.Value(""), output_field=models.CharField()
            ),
            position_delivery_status=Coalesce(
                models.Subquery(latest.values("delivery_status")[:1]), models.Value(""), output_field=models.CharField()
            ),
            position_period_id=models.Subquery(latest.values("period_id")[:1]),
        )

    def published(self, period):
        """The actions in the plan by `period`'s end, each with its published position then (the latest
        approved update), for the public site and anything built on it (public.published)."""
        return (
            self.with_position(period, approved_only=True)
            .filter(models.Q(position_update_id__isnull=False) | models.Q(created_at__lt=period.ends_at))
            .in_plan_order()
        )

    def with_period_added(self, periods):
        """Annotate `added_in`: the slug of the first of `periods` (in date order) by whose end the action was in
        the plan, or None for one added after the last of them."""
        return self.annotate(
            added_in=models.Case(
                *(models.When(created_at__lt=each.ends_at, then=models.Value(each.slug)) for each in periods),
                default=None,
                output_field=models.CharField(),
            )
        )

    def overdue(self, on: date):
        """Target year passed by `on`, and not complete. Needs `with_position()`."""
        return self.filter(target_year__lt=on.year).exclude(position_delivery_status=DeliveryStatus.COMPLETE)

    def stale(self, period):
        """No update recorded for `period`. Needs `with_position()`."""
        slug = getattr(period, "slug", period)
        return self.filter(models.Q(position_period_id__lt=slug) | models.Q(position_period_id__isnull=True))

    def with_rag_severity(self):
        """Annotate `rag_severity`: red 0, amber 1, green 2, no status 3, so RAG sorts by severity. Needs
        `with_position()`."""
        return self.annotate(
            rag_severity=models.Case(
                *(models.When(position_rag=rag, then=models.Value(rank)) for rag, rank in RAG_SEVERITY.items()),
                default=models.Value(len(RAG_SEVERITY)),
                output_field=models.IntegerField(),
            )
        )

    def with_delivery_progress(self):
        """Annotate `delivery_progress`: not recorded 0, then not started to complete, so delivery status sorts
        by how far along it is. Needs `with_position()`."""
        return self.annotate(
            delivery_progress=models.Case(
                *(
                    models.When(position_delivery_status=code, then=models.Value(rank))
                    for rank, code in enumerate(DeliveryStatus.values, start=1)
                ),
                default=models.Value(0),
                output_field=models.IntegerField(),
            )
        )

    def with_first_target(self):
        """Annotate `first_target`: the lowest target number the action serves (None if it serves none)."""
        first = (
            ActionTarget.objects.filter(action=models.OuterRef("pk"))
            .order_by("target__number")
            .values("target__number")[:1]
        )
        return self.annotate(first_target=models.Subquery(first))

    def rag_counts(self, *, include_none: bool = False) -> dict[str, int]:
        """How many actions are red, amber and green (in that order; colours with none count 0).

        Counts the annotated position (`with_position()`) where there is one, otherwise the current
        RAG. With `include_none`, actions with no status at all are counted under "".
        """
        field = "position_rag" if "position_rag" in self.query.annotations else "current_rag"
        found = dict(self.order_by().values_list(field).annotate(count=models.Count("pk")))
        counts = {rag: found.get(rag, 0) for rag in RAG.values}
        if include_none:
            counts[""] = found.get("", 0) + found.get(None, 0)
        return counts

    def recompute_current(self) -> int:
        """Point each action's current-status copy at its latest update, in one UPDATE (no rows loaded).

        Latest means the latest period, then the latest recording, as StatusUpdate.sort_key orders them.
        """
        from .status import StatusUpdate

        latest = StatusUpdate.objects.filter(action=models.OuterRef("pk")).order_by("-period_id", "-recorded_at", "-id")
        return self.update(
            current_update=models.Subquery(latest.values("pk")[:1]),
            current_period=models.Subquery(latest.values("period_id")[:1]),
            current_rag=Coalesce(models.Subquery(latest.values("rag")[:1]), models.Value("")),
            current_delivery_status=Coalesce(models.Subquery(latest.values("delivery_status")[:1]), models.Value("")),
        )


class DefinitionHistory(HistoricalRecords):
    """django-simple-history, also for leads and partners changed from the other side
    (`user.led_actions.set(...)`, `partner.actions.add(...)`): the library records only the forward side,
    and with the reverse side's instance (a user) it would fail. Each action touched gets its history row."""

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return None
        through = kwargs["sender"]
        if action == "pre_clear":
            other = next(f for f in through._meta.fields if f.is_relation and f.related_model is type(instance))
            own = next(f for f in through._meta.fields if f.is_relation and f.related_model is self.cls)
            instance._history_cleared = set(
                through.objects.filter(**{other.name: instance}).values_list(own.attname, flat=True)
            )
            return None
        if action in ("post_add", "post_remove"):
            touched = pk_set or set()
        elif action == "post_clear":
            touched = getattr(instance, "_history_cleared", set())
        else:
            return None
        for changed in self.cls.objects.filter(pk__in=touched):
            changed._history_user = getattr(instance, "_history_user", None) or self.get_history_user(changed)
            self.create_historical_record(changed, "~")
        return None


CURRENT_STATUS_FIELDS = ["current_update", "current_period", "current_rag", "current_delivery_status"]

# The largest action number: PostgreSQL's integer column holds no more. The model, the admin and the importer
# all refuse beyond it, so the same bound holds on SQLite too.
MAX_ACTION_NUMBER = 2_147_483_647


class Action(models.Model):
    """A numbered action of the plan. Its status lives in StatusUpdate rows."""

    number = models.PositiveIntegerField(
        unique=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ACTION_NUMBER)],
        help_text="The action's number in the plan.",
    )
    text = models.TextField(help_text="The action as the plan words it.")
    targets = models.ManyToManyField("targets.Target", through="ActionTarget", related_name="actions")
    target_date_text = models.CharField(
        "target date",
        max_length=100,
        blank=True,
        help_text='As the plan gives it: a year, a year with a note, "ongoing", "none" or blank.',
    )
    target_year = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, help_text="The year read from the target date, where it has one."
    )
    leads = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="led_actions")
    service = models.ForeignKey(
        "actions.Service",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name="responsible service",
        help_text="The directorate, or the service within it, that answers for the action.",
    )
    portfolio_holder = models.ForeignKey(
        "actions.PortfolioHolder", null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    partners = models.ManyToManyField("actions.Partner", blank=True, related_name="actions")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from")
    wording_to_check = models.TextField(
        "wording to be checked",
        blank=True,
        help_text="Words in the text kept as the source gave them because they are uncertain (garbled by OCR, "
        "or a possible typo), one phrase per line, exactly as in the text. Plan admins see them marked on the "
        "action's page. Empty this box (or use the list's \"Mark the wording as checked\") once checked.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by_import = models.ForeignKey(
        "actions.ImportBatch", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )

    # A copy of the latest status update, kept in the same transaction as the
    # update itself, so the list can filter and sort without a subquery.
    current_update = models.ForeignKey(
        "actions.StatusUpdate", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    current_period = models.ForeignKey(
        "actions.ReportingPeriod", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    current_rag = models.CharField("RAG", max_length=10, choices=RAG.choices, blank=True, editable=False)
    current_delivery_status = models.CharField(
        "delivery status", max_length=20, choices=DeliveryStatus.choices, blank=True, editable=False
    )

    objects = ActionQuerySet.as_manager()
    # The definition's history, who and when (django-simple-history): not the current-status copy, which
    # StatusUpdate rows already keep, so recording a status adds no row here.
    history = DefinitionHistory(
        excluded_fields=[
            *CURRENT_STATUS_FIELDS,
            *(
                "target_year",
                "created_at",
                "created_by_import",
                "wording_to_check",
            ),  # wording_to_check: a curator's note
        ],
        m2m_fields=["leads", "partners"],
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=models.Q(number__gte=1), name="action_number_positive"),
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("pk")), name="action_not_merged_into_itself"
            ),
            models.CheckConstraint(
                condition=models.Q(current_rag__in=[*RAG.values, ""]), name="action_current_rag_valid"
            ),
        ]
        indexes = [models.Index(fields=["current_rag"], name="action_current_rag_idx")]

    def __str__(self):
        return f"Action {self.number}: {self.summary}"

    def save(self, *args, **kwargs):
        self.target_year = year_in(self.target_date_text)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        # The database refuses an action merged into itself; a longer circle (30 into 31, 31 into 30) only
        # shows by following the chain. Each step is one query; chains are a merge or two long.
        seen = {self.pk}
        into = self.merged_into
        while into is not None:
            if into.pk in seen:
                raise ValidationError(
                    {
                        "merged_into": f"Action {self.merged_into.number} is merged, directly or through others, "
                        f"into action {self.number}: merging {self.number} into it would make a circle."
                    }
                )
            seen.add(into.pk)
            into = into.merged_into

    @property
    def summary(self) -> str:
        """The first line of the action, short enough for a table cell."""
        return summary_of(self.text)

    @property
    def text_parts(self) -> tuple[str, list[str]]:
        """The text as the plan sets it out: its opening words, then its sub-points, which the source
        runs together with " - " (the page shows them as a list)."""
        opening, *points = [part.strip() for part in self.text.split(" - ")]
        return opening, [point for point in points if point]

    @property
    def phrases_to_check(self) -> list[str]:
        """The uncertain phrases (wording_to_check), one a line, blanks left out."""
        return [line.strip() for line in self.wording_to_check.splitlines() if line.strip()]

    @property
    def has_short_title(self) -> bool:
        """Whether the opening words fit a heading whole (the summary is not cut with "…")."""
        return self.summary == self.text_parts[0]

    @property
    def current_delivery_status_label(self) -> str:
        return delivery_status_label(self.current_delivery_status)

    def set_current(self, update) -> None:
        """Point the denormalised copy at `update`; the caller saves."""
        self.current_update = update
        self.current_period_id = update.period_id if update else None
        self.current_rag = update.rag if update else ""
        self.current_delivery_status = update.delivery_status if update else ""

    CURRENT_FIELDS = CURRENT_STATUS_FIELDS


class ActionTarget(models.Model):
    """That an action contributes to a target, with the mark the source used for it."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="target_links")
    target = models.ForeignKey("targets.Target", on_delete=models.PROTECT, related_name="action_links")
    mark = models.CharField(max_length=8, blank=True, help_text="The tick or symbol the source spreadsheet used.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["target__number"]
        constraints = [models.UniqueConstraint(fields=["action", "target"], name="action_target_unique")]

    def __str__(self):
        return f"Action {self.action.number} → target {self.target.number}"
