"""What each kind of prepared download holds, built as the user's request would have built it. No HTTP here.

Progress is written to the download's row every spreadsheet.PROGRESS_EVERY actions, outside any transaction,
so the progress page sees it while the file is being written.
"""

from django.http import QueryDict

from actions import exports
from actions.list_export import ListExport
from actions.models import ReportingPeriod
from downloads.models import PreparedDownload
from reports.export import report_workbook_bytes
from reports.quarterly import build_report


class CannotPrepare(Exception):
    """The download can no longer be made as asked (the period has gone, a filter no longer applies)."""


def build(download: PreparedDownload) -> bytes:
    def written(rows: int) -> None:
        PreparedDownload.objects.filter(pk=download.pk).update(rows_done=rows)

    if download.kind == PreparedDownload.Kind.ACTIONS:
        export = ListExport(QueryDict(download.query))
        if export.problems:
            raise CannotPrepare("; ".join(export.problems))
        sheet = export.sheet().reporting_progress(written)
        return exports.xlsx_bytes(sheet)
    if download.kind == PreparedDownload.Kind.REPORT:
        period = ReportingPeriod.objects.filter(slug=download.query).first()
        if period is None:
            raise CannotPrepare(f"Nothing is recorded for the period {download.query} any more.")
        return report_workbook_bytes(build_report(period), on_rows=written)
    raise CannotPrepare(f"Unknown kind of download: {download.kind}")
