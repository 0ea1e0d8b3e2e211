"""The quarterly report's figures on who answers for the plan and what it has to spend: actions by responsible
service (each directorate with its services) and by funding state, and the milestones late at the period's end.

One query each whatever the size of the plan; plain data for the page, the snapshot and the workbook.
"""

from collections import Counter
from dataclasses import dataclass

from actions.bulk import for_ids
from actions.models import Action, ActionFunding, ActionMilestone, FundingState
from actions.models.action import summary_of

NO_SERVICE = "No responsible service"
NOT_STATED = "State not given"
NO_FUNDING = "No funding recorded"


@dataclass
class LateMilestone:
    action_number: int
    action_summary: str
    title: str
    due: object  # a date


def by_service(action_pks) -> list[tuple[str, int]]:
    """(directorate, or directorate and service, actions): each directorate's total, then its services'."""
    return service_lines(Action.objects.filter(pk__in=action_pks).values_list("service__name", "service__parent__name"))


def service_lines(rows) -> list[tuple[str, int]]:
    """`by_service` from each action's (service name, its directorate's name), read with the actions."""
    directorates: Counter[str] = Counter()
    services: Counter[tuple[str, str]] = Counter()
    none = 0
    for service, parent in rows:
        if service is None:
            none += 1
        elif parent is None:
            directorates[service] += 1
        else:
            directorates[parent] += 1
            services[(parent, service)] += 1
    lines = []
    for directorate in sorted(directorates):
        lines.append((directorate, directorates[directorate]))
        lines += [(f"{d} › {s}", n) for (d, s), n in sorted(services.items()) if d == directorate]
    lines.append((NO_SERVICE, none))
    return lines


def by_funding_state(action_pks) -> list[tuple[str, int]]:
    """(funding state, actions with a funding line in it): an action with lines in two states counts in both."""
    pks = set(action_pks)
    lines = for_ids(ActionFunding.objects.order_by(), "action_id", pks).values_list("action_id", "state")
    pairs = {pair for pair in lines if pair[0] in pks}
    counts = Counter(state for _, state in pairs)
    funded = {action_id for action_id, _ in pairs}
    return [
        *((choice.label, counts[choice.value]) for choice in FundingState),
        (NOT_STATED, counts[""]),
        (NO_FUNDING, len(pks - funded)),
    ]


def late_milestones(action_pks, on) -> list[LateMilestone]:
    """Milestones due before `on` and not done by then, in action order then due date."""
    pks = set(action_pks)
    late = (
        for_ids(ActionMilestone.objects.filter(due__lt=on), "action_id", pks)
        .exclude(done__lte=on)
        .order_by("action__number", "due", "pk")
        .values_list("action_id", "action__number", "action__text", "title", "due")
    )
    return [LateMilestone(number, summary_of(text), title, due) for pk, number, text, title, due in late if pk in pks]
