from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.generic import DetailView, ListView, View

from actions.permissions import PlanReaderRequiredMixin
from downloads.models import PreparedDownload
from downloads.tasks import prepare_download

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_too_large(rows: int) -> bool:
    """Whether a workbook of `rows` actions is built by the background worker rather than in the request."""
    return rows > settings.CCES_WORKBOOK_ACTIONS_IN_REQUEST


def offer(request, *, rows: int, what: str, back_href: str, back_text: str):
    """The page a large workbook's link leads to: what will happen, and a button (a POST to the same address)
    that asks the background worker to build it."""
    context = {"rows": rows, "what": what, "back_href": back_href, "back_text": back_text}
    return TemplateResponse(request, "downloads/offer.html", context)


def prepare(request, *, kind: str, query: str, file_name: str, rows: int):
    """Queues the download (or finds the same one already asked for) and sends the user to its progress page."""
    with transaction.atomic():
        download, new = PreparedDownload.objects.request(
            user=request.user, kind=kind, query=query, file_name=file_name, rows=rows
        )
        if new:
            prepare_download.enqueue(download.pk)
    return redirect("downloads:detail", token=download.token)


class OwnDownloadsMixin(PlanReaderRequiredMixin):
    """Each download is its requester's alone: anyone else's address is not found."""

    def get_queryset(self):
        return PreparedDownload.objects.of(self.request.user).current().without_content()


class DownloadListView(OwnDownloadsMixin, ListView):
    template_name = "downloads/download_list.html"
    context_object_name = "downloads"

    def get_queryset(self):
        return super().get_queryset().newest_first()


class DownloadDetailView(OwnDownloadsMixin, DetailView):
    """The download's progress, then its link. The page does not refresh itself: the user checks again."""

    template_name = "downloads/download_detail.html"
    context_object_name = "download"
    slug_field = slug_url_kwarg = "token"
    stalled_minutes = 5  # queued this long, the worker is probably not running

    def get_context_data(self, **kwargs):
        stalled_before = timezone.now() - timedelta(minutes=self.stalled_minutes)
        return super().get_context_data(stalled_before=stalled_before, stalled_minutes=self.stalled_minutes, **kwargs)


class DownloadFileView(OwnDownloadsMixin, View):
    def get(self, request, *args, **kwargs):
        ready = PreparedDownload.objects.of(request.user).current().filter(state=PreparedDownload.State.READY)
        download = get_object_or_404(ready, token=kwargs["token"])
        if download.content is None:
            raise Http404("The file is not there.")
        response = HttpResponse(bytes(download.content), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{download.file_name}"'
        return response
