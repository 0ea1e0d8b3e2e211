"""What one API request may see, the one place the API decides it. No HTTP here.

- A user who may read the plan (an officer, manager or plan admin, by session or token) sees what the
  internal pages show: every reporting period, each action's latest update whatever its review state, its
  whole history, and every indicator value recorded.
- Anyone else (anonymous, or an account with no role) sees what the public site shows (public.published):
  published quarters only, positions and history from approved updates as the latest published quarter
  ended, indicator values as published.

Reports' figures are from approved updates for everyone, as the quarterly report counts them.
"""

from dataclasses import dataclass
from functools import cached_property

from actions.models import Action, ReportingPeriod, StatusUpdate
from actions.permissions import can_read_plan
from indicators.models import Indicator
from indicators.progress import Progress, progress_of
from public import published


@dataclass
class Scope:
    internal: bool

    @classmethod
    def of(cls, user) -> "Scope":
        return cls(internal=can_read_plan(user))

    @cached_property
    def as_of(self) -> ReportingPeriod | None:
        """The published quarter the public sees the plan at (None for internal users: now)."""
        return None if self.internal else published.latest_published()

    @property
    def sees_anything(self) -> bool:
        return self.internal or self.as_of is not None

    def periods(self):
        periods = ReportingPeriod.objects.all() if self.internal else published.published_periods()
        return periods.order_by("-slug")

    def period(self, slug: str) -> ReportingPeriod | None:
        return self.periods().filter(slug=slug).first()

    def history(self):
        """Status updates, newest first, as the requester may see them."""
        if self.internal:
            return StatusUpdate.objects.select_related("period").newest_first()
        if self.as_of is None:
            return StatusUpdate.objects.none()
        return published.published_history(self.as_of)

    def actions(self):
        """Every action the requester sees, unpositioned: the filter (ActionFilter) adds the position."""
        return Action.objects.with_target_links().select_related("service", "portfolio_holder", "merged_into")

    def report_actions(self, period: ReportingPeriod):
        return Action.objects.published(period)

    def indicators(self) -> list[Progress]:
        """Each indicator with its values as the requester may see them. Four queries."""
        if not self.internal:
            return published.published_progress(self.as_of) if self.as_of else []
        return [progress_of(indicator) for indicator in Indicator.objects.in_order().for_pages()]
