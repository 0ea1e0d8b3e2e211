"""The action list as a file: the rows the list shows for a query string (every page, in the list's order) as
the council's sheet. The export view and the background worker that builds large workbooks
(`downloads.tasks`) both start here, so a workbook made later is the list the user asked for. No HTTP here."""

from datetime import date

from actions import exports
from actions.filters import ActionFilter
from actions.models import Action
from actions.spreadsheet import PlanSheet
from actions.tables import ActionTable, sort


class ListExport:
    """The list narrowed and sorted by `query` (a QueryDict, as the list page reads it)."""

    def __init__(self, query, *, today: date | None = None):
        self.filterset = ActionFilter(query, queryset=Action.objects.with_target_links(), today=today)
        self.table = ActionTable(self.filterset.qs)
        # An export that quietly dropped a filter would not be the list the user asked for.
        self.problems = [*self.filterset.problems, *sort(self.table, query)]
        self.today = today or date.today()

    @property
    def actions(self):
        return self.table.data.data

    def count(self) -> int:
        return self.actions.count()

    def notes(self) -> list[str]:
        filterset = self.filterset
        position = (
            f"Each action's position as it stood at the end of {filterset.chosen_period_label}."
            if filterset.chosen_period
            else f"Each action's latest position on {self.today.day} {self.today:%B %Y}."
        )
        return [
            "Climate Change and Environment Strategy action plan: actions exported from the tracker.",
            position,
            *(f"Filter: {description}" for description in filterset.describe()),
        ]

    def sheet(self) -> PlanSheet:
        return exports.plan_sheet(self.actions, exports.plan_targets(), notes=self.notes())

    def file_name(self, extension: str) -> str:
        return f"{exports.file_name(period=self.filterset.chosen_period, today=self.today)}.{extension}"
