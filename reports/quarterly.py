"""The quarterly progress report: every figure for one reporting period, as it stood at the period's end.

`build_report(period)` runs a fixed number of queries whatever the number of
actions or periods, and returns plain data that the page, the chart and the
spreadsheet export all read. Nothing here touches HTTP.

Definitions (shown on the page and in the export, keep them in step):

- An action is in a period's report if it had a status recorded by the end of
  the period, or was added to the plan by then; one added without a status
  counts as "no status".
- Movement compares each action's RAG at the end of the period with its RAG
  at the end of the previous quarter: red < amber < green.
- New: the action's first status update is in this period (so it has no
  position at the previous quarter).
- Completed: delivery status is complete at the end of this period and was
  not at the end of the previous quarter.
- Merged: the tracker does not record when a merge happened, so every report
  lists the actions recorded as merged into another that are in the report;
  they still count in the figures with their own last position.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from actions.bulk import for_ids
from actions.models import RAG, Action, ActionTarget, DeliveryStatus, ReportingPeriod, StatusUpdate
from actions.models.action import summary_of
from actions.models.status import NOT_RECORDED, RAG_SEVERITY, delivery_status_label
from actions.periods import Quarter
from actions.spreadsheet import PlanSheet, PlanSheetRow, TargetColumn
from reports import responsibility
from targets.models import Target

IMPROVED, WORSENED, UNCHANGED = "improved", "worsened", "unchanged"
EXPORT_TICK = "✓"
CHANGE_TERMS = ("New", "Completed", "Merged")

DEFINITIONS = [
    (
        "Position",
        "Each action's latest approved status recorded for this period or an earlier one, as it stood at the "
        "period's end. Updates still awaiting review, or returned to the officer, are not counted.",
    ),
    (
        "Movement",
        "RAG at the end of this period compared with the end of the previous quarter; "
        "red is worse than amber, amber worse than green.",
    ),
    ("New", "Actions whose first status update is in this period."),
    (
        "Completed",
        "Delivery status complete at the end of this period, and not complete at the previous quarter's end.",
    ),
    (
        "Merged",
        "Actions recorded as merged into another. The tracker does not record when a merge happened, so every "
        "report lists all merged actions in it; they still count in the figures with their own last position.",
    ),
    ("Overdue", "The target date's year has passed by the period's end and the action is not complete."),
    ("No update this period", "The action's latest status was recorded for an earlier period, or never."),
]


@dataclass(frozen=True)
class RagSplit:
    """How many actions are green, amber, red, or have no status."""

    green: int = 0
    amber: int = 0
    red: int = 0
    none: int = 0

    @classmethod
    def of(cls, rags) -> "RagSplit":
        return cls.counted(Counter(rag or "none" for rag in rags))

    @classmethod
    def counted(cls, counts: Counter, none: int = 0) -> "RagSplit":
        """From counts by RAG code ("" or "none" for no status), plus `none` more with no status."""
        return cls(
            green=counts["green"],
            amber=counts["amber"],
            red=counts["red"],
            none=counts["none"] + counts[""] + none,
        )

    @property
    def total(self) -> int:
        return self.green + self.amber + self.red + self.none

    def as_dict(self) -> dict[str, int]:
        return {"green": self.green, "amber": self.amber, "red": self.red, "none": self.none}


@dataclass(slots=True)
class Position:
    """An action and its position at the end of a period (one per action in the report: slots keep them small)."""

    pk: int
    number: int
    text: str
    target_date_text: str
    rag: str
    delivery_status: str
    period_id: str | None
    update_id: int | None
    merged_into_number: int | None = None
    commentary: str = ""

    @property
    def summary(self) -> str:
        # Worked out when shown, not for every action: the page shows only the ones it lists.
        return summary_of(self.text)

    @property
    def rag_label(self) -> str:
        return RAG(self.rag).label if self.rag else "No status"

    @property
    def delivery_status_label(self) -> str:
        return delivery_status_label(self.delivery_status) if self.update_id else "No status"

    @property
    def period_label(self) -> str:
        return Quarter.from_slug(self.period_id).label if self.period_id else "Never"


@dataclass(slots=True)
class Move:
    """One action's change of position between the previous quarter and this one."""

    after: Position
    before_rag: str
    before_delivery_status: str
    direction: str

    @property
    def before_rag_label(self) -> str:
        return RAG(self.before_rag).label

    @property
    def before_delivery_status_label(self) -> str:
        return delivery_status_label(self.before_delivery_status)


@dataclass
class TrendRow:
    period: ReportingPeriod
    split: RagSplit
    updates: int  # status updates recorded for the period itself


@dataclass
class QuarterlyReport:
    period: ReportingPeriod
    previous: Quarter
    updates_in_period: int  # approved updates for the period: the ones its figures count
    updates_reviewed: int  # updates for the period a reviewer approved or returned
    positions: list[Position]
    overall: RagSplit
    by_target: list[tuple[Target, RagSplit]]
    delivery_status: list[tuple[str, int]]
    improved: list[Move]
    worsened: list[Move]
    unchanged: list[Move]
    new: list[Position]
    completed: list[Position]
    merged: list[Position]
    overdue: list[Position]
    stale: list[Position]
    trend: list[TrendRow]
    targets_of: dict[int, list[int]] = field(default_factory=dict)  # action pk -> target numbers
    definitions: list[tuple[str, str]] = field(default_factory=lambda: list(DEFINITIONS))
    # Who answers for the plan and what it has to spend (reports/responsibility.py).
    by_service: list[tuple[str, int]] = field(default_factory=list)
    by_funding: list[tuple[str, int]] = field(default_factory=list)
    late_milestones: list = field(default_factory=list)
    _commentary_read: bool = False

    def read_commentary(self) -> None:
        """Fill in each position's commentary (one query, once): the workbook shows it, the page does not."""
        if self._commentary_read:
            return
        wanted = {p.update_id: p for p in self.positions if p.update_id}
        updates = for_ids(StatusUpdate.objects.order_by(), "pk", wanted).filter(period_id__lte=self.period.slug)
        for update_id, text in updates.values_list("pk", "commentary").iterator(chunk_size=5000):
            if update_id in wanted:
                wanted[update_id].commentary = text
        self._commentary_read = True

    @property
    def is_empty(self) -> bool:
        """Nothing on record by the end of the period."""
        return not any(position.update_id for position in self.positions)

    @property
    def change_definitions(self) -> list[tuple[str, str]]:
        return [(term, meaning) for term, meaning in self.definitions if term in CHANGE_TERMS]

    @property
    def movement_counts(self) -> list[tuple[str, int]]:
        return [
            ("Improved", len(self.improved)),
            ("Worsened", len(self.worsened)),
            ("Unchanged", len(self.unchanged)),
            ("New this period", len(self.new)),
        ]


@dataclass
class _Walk:
    """What one pass over the approved status history gives: each action's latest update by the end of the
    period and of the previous quarter (action id, update id, period, RAG, delivery status), and the trend."""

    at_period: dict[int, tuple]
    at_previous: dict[int, tuple]
    trend: list[TrendRow]
    updates_in_period: int


def _walk(period: ReportingPeriod, previous: Quarter, periods: list[ReportingPeriod], added: dict) -> _Walk:
    """RAG counts at the end of every period on record, and the positions the report compares, from one pass
    over the approved status history.

    Walks the updates in the order `with_position` ranks them (period, then recording, then id), a period at a
    time, so the last seen by a period's end is the one `with_position(period, approved_only=True)` picks.
    Counts as "no status" the actions already in the plan by a period's end (`added`: period slug -> the pks
    of the actions added in it) with nothing recorded yet, so each period's counts match its report.
    """
    updates = (
        StatusUpdate.objects.counted(approved_only=True)
        .order_by("period_id", "recorded_at", "id")
        .values_list("action_id", "id", "period_id", "rag", "delivery_status")
    )
    # A period's updates go into the latest positions in one dict update, and each split is counted over
    # the latest positions, so the work per update is done in C rather than in a Python loop.
    by_period = groupby(updates.iterator(chunk_size=5000), key=itemgetter(2))
    latest: dict[int, tuple] = {}
    in_plan: set[int] = set()
    recorded: dict[str, int] = {}
    taken: dict[str, dict[int, tuple]] = {}
    rows = []
    upcoming = next(by_period, None)
    # The trend's periods, and the two the report compares (the previous quarter may have no row).
    by_slug = {each.slug: each for each in periods}
    for slug in sorted({*by_slug, previous.slug, period.slug}):
        while upcoming is not None and upcoming[0] <= slug:
            batch = list(upcoming[1])
            latest.update(zip(map(itemgetter(0), batch), batch, strict=True))
            recorded[upcoming[0]] = len(batch)
            upcoming = next(by_period, None)
        if slug in (previous.slug, period.slug):
            taken[slug] = dict(latest)
        each = by_slug.get(slug)
        if each is None:
            continue
        in_plan.update(added.get(slug, ()))
        split = RagSplit.counted(Counter(map(itemgetter(3), latest.values())), len(in_plan.difference(latest)))
        rows.append(TrendRow(period=each, split=split, updates=recorded.get(slug, 0)))
    return _Walk(taken[period.slug], taken[previous.slug], rows, recorded.get(period.slug, 0))


def build_report(period: ReportingPeriod) -> QuarterlyReport:
    """Every figure of the report for `period`, from approved updates only.

    Runs 8 queries whatever the size of the plan, each reading plain values: the actions (with their
    services), the periods and one pass over the approved history (positions at this period's end and the
    previous quarter's, and the trend), the updates reviewed, the targets and target links, funding and late
    milestones. The positions' commentary, which only the workbook shows, is one more
    (`QuarterlyReport.read_commentary`).
    """
    previous = period.as_quarter.previous()
    periods = list(ReportingPeriod.objects.order_by("slug"))
    actions = list(
        Action.objects.with_period_added(periods)
        .order_by("number")
        .values_list(
            "pk",
            "number",
            "text",
            "target_date_text",
            "target_year",
            "added_in",
            "merged_into__number",
            "service__name",
            "service__parent__name",
        )
    )
    added: dict[str, list[int]] = defaultdict(list)
    for row in actions:
        added[row[5]].append(row[0])
    walk = _walk(period, previous, periods, added)
    at_period, before = walk.at_period, walk.at_previous

    positions, services, overdue = [], [], []
    for pk, number, text, target_date_text, target_year, added_in, merged_into, service, parent in actions:
        position = at_period.get(pk)
        if position is None and (added_in is None or added_in > period.slug):
            continue  # not yet in the plan by the period's end
        _, update_id, period_id, rag, delivery_status = position or (None, None, None, "", "")
        positions.append(
            Position(
                pk=pk,
                number=number,
                text=text,
                target_date_text=target_date_text,
                rag=rag,
                delivery_status=delivery_status,
                period_id=period_id,
                update_id=update_id,
                merged_into_number=merged_into,
            )
        )
        services.append((service, parent))
        # Overdue as ActionQuerySet.overdue(on=period.end) reads it: target year passed, not complete.
        if target_year is not None and target_year < period.end.year and delivery_status != DeliveryStatus.COMPLETE:
            overdue.append(positions[-1])
    by_pk = {position.pk: position for position in positions}
    stale = [p for p in positions if p.period_id is None or p.period_id < period.slug]  # as .stale(period)

    targets = list(Target.objects.in_plan_order())
    targets_of: dict[int, list[int]] = defaultdict(list)
    links = for_ids(ActionTarget.objects.order_by("target__number"), "action_id", by_pk)
    for action_id, target_number in links.values_list("action_id", "target__number"):
        if action_id in by_pk:
            targets_of[action_id].append(target_number)
    per_target: dict[int, Counter] = defaultdict(Counter)
    for position in positions:
        for number in targets_of.get(position.pk, ()):
            per_target[number][position.rag] += 1
    by_target = [(target, RagSplit.counted(per_target[target.number])) for target in targets]

    reported = [p for p in positions if p.update_id]
    status_counts = Counter(p.delivery_status for p in reported)
    delivery_status = [(choice.label, status_counts[choice.value]) for choice in DeliveryStatus]
    delivery_status.append((NOT_RECORDED, status_counts[""]))

    improved, worsened, unchanged, new, completed = [], [], [], [], []
    for position in reported:
        if position.pk not in before:
            new.append(position)
            if position.delivery_status == DeliveryStatus.COMPLETE:
                completed.append(position)
            continue
        before_rag, before_status = before[position.pk][3:]
        # RAG codes are the enum's values, so they index RAG_SEVERITY as they are (no RAG(...) per action).
        change = RAG_SEVERITY[position.rag] - RAG_SEVERITY[before_rag]
        direction = IMPROVED if change > 0 else WORSENED if change < 0 else UNCHANGED
        {IMPROVED: improved, WORSENED: worsened, UNCHANGED: unchanged}[direction].append(
            Move(after=position, before_rag=before_rag, before_delivery_status=before_status, direction=direction)
        )
        if position.delivery_status == DeliveryStatus.COMPLETE and before_status != DeliveryStatus.COMPLETE:
            completed.append(position)

    return QuarterlyReport(
        period=period,
        previous=previous,
        updates_in_period=walk.updates_in_period,
        updates_reviewed=StatusUpdate.objects.filter(period=period).reviewed().count(),
        positions=positions,
        overall=RagSplit.of(p.rag for p in positions),
        by_target=by_target,
        delivery_status=delivery_status,
        improved=improved,
        worsened=worsened,
        unchanged=unchanged,
        new=new,
        completed=completed,
        merged=[p for p in positions if p.merged_into_number is not None],
        overdue=overdue,
        stale=stale,
        trend=walk.trend,
        targets_of=dict(targets_of),
        by_service=responsibility.service_lines(services),
        by_funding=responsibility.by_funding_state(by_pk),
        # Late as the period ended: due before its last day and not done by then.
        late_milestones=responsibility.late_milestones(by_pk, period.end),
    )


def plan_sheet(report: QuarterlyReport) -> PlanSheet:
    """The report's actions in the council's layout, positions as at the period's end.

    Built from the report's own positions rather than `actions.exports.plan_sheet`
    (which reads a queryset), so the Actions sheet cannot disagree with the
    Summary sheet beside it, and the export costs no extra queries.
    """
    targets = [t for t, _ in report.by_target]
    report.read_commentary()
    return PlanSheet(
        title="Actions",
        targets=[TargetColumn(number=t.number, heading=t.short_title) for t in targets],
        rows=[
            PlanSheetRow(
                number=p.number,
                marks=dict.fromkeys(report.targets_of.get(p.pk, []), EXPORT_TICK),
                text=p.text,
                delivery_status=p.delivery_status,
                rag=p.rag,
                commentary=p.commentary,
                target_date=p.target_date_text,
            )
            for p in report.positions
        ],
        notes=[
            f"CCES action plan progress report, {report.period.label}: "
            f"each action's position at {report.period.end:%-d %B %Y}.",
            *(f"{term}: {meaning}" for term, meaning in report.definitions),
        ],
    )
