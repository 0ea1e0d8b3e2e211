"""An action's definition history, as plan admins read it on the action's page: every change to its wording,
target date, service, portfolio holder, leads, partners, merges, targets, funding, milestones and links, with
who, when, how (the admin, an import, an undo) and the old and new values.

Read from django-simple-history's tables in a fixed number of queries, however long the history.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.contrib.auth import get_user_model

from actions import definitions
from actions.models import ActionFunding, ActionLink, ActionMilestone, ActionTarget, Partner, PortfolioHolder, Service

# The Action fields a history row is compared on, with their names in words.
_ACTION_FIELDS = {
    "number": "number",
    "text": "action text",
    "target_date_text": "target date",
    "service_id": "responsible service",
    "portfolio_holder_id": "portfolio holder",
    "merged_into_id": "merged into",
}


@dataclass
class Change:
    what: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    how: str  # the change reason ("Import of ..."), or "Admin" / "Created"
    changes: list[Change] = field(default_factory=list)


def definition_history(action) -> list[HistoryEntry]:
    """Newest first. Entries recorded together (one save, one import) are shown as one."""
    records = list(action.history.select_related("history_user").order_by("history_date", "history_id"))
    leads = _m2m("HistoricalAction_leads", "user_id", records)
    partners = _m2m("HistoricalAction_partners", "partner_id", records)
    names = _Names(records, leads, partners)
    entries: list[HistoryEntry] = []
    previous = None
    for record in records:
        changes = []
        if previous is None:
            how = record.history_change_reason or "Created"
            changes.append(Change("action", "", f"created as action {record.number}"))
        else:
            how = record.history_change_reason or "Admin"
            for name, label in _ACTION_FIELDS.items():
                old, new = getattr(previous, name), getattr(record, name)
                if old != new:
                    changes.append(Change(label, names.of(name, old), names.of(name, new)))
            for label, sets, kind in (("lead officers", leads, "user"), ("partners", partners, "partner")):
                old, new = sets.get(previous.history_id, set()), sets.get(record.history_id, set())
                if old != new:
                    changes.append(Change(label, names.listed(kind, old), names.listed(kind, new)))
        if changes:
            entries.append(HistoryEntry(record.history_date, _who(record), how, changes))
        previous = record
    for model, label, describe, related in _PARTS:
        rows = model.history.filter(action_id=action.pk).select_related("history_user", *related)
        for row in rows.order_by("history_date"):
            text = describe(row)
            old, new = ("", text) if row.history_type == "+" else (text, "") if row.history_type == "-" else ("", text)
            reason = row.history_change_reason or "Admin"
            entries.append(HistoryEntry(row.history_date, _who(row), reason, [Change(label, old, new)]))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return _merged(entries)


def _merged(entries: list[HistoryEntry]) -> list[HistoryEntry]:
    """One entry per moment, person and reason: an import's dozen rows read as one change."""
    merged: list[HistoryEntry] = []
    for entry in entries:
        last = merged[-1] if merged else None
        if (
            last
            and last.who == entry.who
            and last.how == entry.how
            and abs((last.when - entry.when).total_seconds()) < 2
        ):
            last.changes.extend(entry.changes)
        else:
            merged.append(entry)
    return merged


def _who(record) -> str:
    user = record.history_user
    return definitions.user_name(user) if user else "the system"


def _m2m(model_name: str, column: str, records) -> dict[int, set[int]]:
    model = apps.get_model("actions", model_name)
    found: dict[int, set[int]] = {record.history_id: set() for record in records}
    rows = model.objects.filter(history_id__in=list(found)).values_list("history_id", column)
    for history_id, related_id in rows:
        found[history_id].add(related_id)
    return found


class _Names:
    """The names of everything a history refers to by id, each kind loaded once."""

    def __init__(self, records, leads, partners):
        def ids(name):
            return {getattr(record, name) for record in records} - {None}

        self.services = {
            s.pk: str(s) for s in Service.objects.filter(pk__in=ids("service_id")).select_related("parent")
        }
        self.holders = {h.pk: str(h) for h in PortfolioHolder.objects.filter(pk__in=ids("portfolio_holder_id"))}
        self.actions = {pk: f"action {number}" for pk, number in _action_numbers(ids("merged_into_id"))}
        user_ids = set().union(*leads.values()) if leads else set()
        self.users = {u.pk: definitions.user_name(u) for u in get_user_model().objects.filter(pk__in=user_ids)}
        partner_ids = set().union(*partners.values()) if partners else set()
        self.partners = dict(Partner.objects.filter(pk__in=partner_ids).values_list("pk", "name"))

    def of(self, name: str, value) -> str:
        if value in (None, ""):
            return "none"
        lookup = {"service_id": self.services, "portfolio_holder_id": self.holders, "merged_into_id": self.actions}
        if name in lookup:
            return lookup[name].get(value, f"#{value} (since deleted)")
        return str(value)

    def listed(self, kind: str, ids: set[int]) -> str:
        names = self.users if kind == "user" else self.partners
        return "; ".join(sorted(names.get(pk, f"#{pk}") for pk in ids)) or "none"


def _action_numbers(ids):
    from actions.models import Action

    return Action.objects.filter(pk__in=ids).values_list("pk", "number") if ids else []


_PARTS = (  # model, what, the row in words, what that reads
    (ActionFunding, "funding", definitions.funding_text, ()),
    (ActionMilestone, "milestone", lambda row: definitions.milestone_text(definitions.milestone_value(row)), ()),
    (ActionLink, "link", lambda row: f"{row.title} – {row.url}", ()),
    (ActionTarget, "target", lambda row: f"target {row.target.number}", ("target",)),
)
