"""The plan admin's journey for indicator values: upload, preview, confirm or cancel, history, undo.

The views only move requests around; reading, comparing, applying and undoing are in the modules beside.
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from indicators.imports.apply import ImportRefused, UndoRefused, apply_values, hold_upload, undo_blocker, undo_values
from indicators.imports.forms import ValuesUploadForm
from indicators.imports.preview import preview_values
from indicators.imports.reading import read_values_file
from indicators.models import IndicatorImport, PendingIndicatorImport
from indicators.permissions import ValuesImporterRequiredMixin


def read_pending(pending: PendingIndicatorImport):
    return read_values_file(bytes(pending.data), pending.file_name)


class ValuesImportHistoryView(ValuesImporterRequiredMixin, ListView):
    template_name = "indicators/imports/history.html"
    context_object_name = "batches"
    paginate_by = 50

    def get_queryset(self):
        return IndicatorImport.objects.select_related("imported_by", "undone_by").order_by("-imported_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["undoable_pk"] = (
            IndicatorImport.objects.filter(undone_at__isnull=True)
            .order_by("-imported_at", "-pk")
            .values_list("pk", flat=True)
            .first()
        )
        return context


class ValuesUploadView(ValuesImporterRequiredMixin, FormView):
    form_class = ValuesUploadForm
    template_name = "indicators/imports/upload.html"

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        pending = hold_upload(data=upload.read(), file_name=upload.name, user=self.request.user)
        return redirect("indicators:import-preview", pk=pending.pk)


class PendingMixin(ValuesImporterRequiredMixin):
    """The pending upload named in the URL: only its owner's, and only until it expires."""

    def get_pending(self, *, lock=False) -> PendingIndicatorImport | None:
        query = PendingIndicatorImport.objects.filter(user=self.request.user)
        if lock:
            query = query.select_for_update()
        pending = query.filter(pk=self.kwargs["pk"]).first()
        if pending is None:
            raise Http404("No such upload.")
        if pending.expires_at <= timezone.now():
            pending.delete()
            return None
        return pending

    def expired(self):
        messages.warning(self.request, "That upload has expired, so nothing was imported. Upload the file again.")
        return redirect("indicators:import-upload")


class ValuesPreviewView(PendingMixin, TemplateView):
    template_name = "indicators/imports/preview.html"

    def get(self, request, *args, **kwargs):
        self.pending = self.get_pending()
        if self.pending is None:
            return self.expired()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        parsed = read_pending(self.pending)
        context.update(pending=self.pending, parsed=parsed, preview=preview_values(parsed) if parsed.ok else None)
        return context


class ValuesConfirmView(PendingMixin, View):
    def post(self, request, *args, **kwargs):
        with transaction.atomic():
            pending = self.get_pending(lock=True)
            if pending is None:
                return self.expired()
            try:
                _, batch = apply_values(read_pending(pending), user=request.user)
            except ImportRefused:
                messages.error(request, f"{pending.file_name} has problems, so nothing was imported.")
                return redirect("indicators:import-preview", pk=pending.pk)
            pending.delete()
        if batch is None:
            messages.info(request, f"Nothing to change: every value in {pending.file_name} is already recorded.")
        else:
            count = batch.values_created
            messages.success(request, f"Imported {pending.file_name}: {count} value{'s' if count != 1 else ''}.")
        return redirect("indicators:import-history")


class ValuesCancelView(PendingMixin, View):
    def post(self, request, *args, **kwargs):
        pending = self.get_pending()
        if pending is not None:
            pending.delete()
            messages.info(request, f"Import of {pending.file_name} cancelled. Nothing was changed.")
        return redirect("indicators:import-history")


class ValuesUndoView(ValuesImporterRequiredMixin, DetailView):
    template_name = "indicators/imports/undo.html"
    context_object_name = "batch"

    def get_queryset(self):
        return IndicatorImport.objects.select_related("imported_by")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "blocker": undo_blocker(self.object)}

    def post(self, request, *args, **kwargs):
        batch = get_object_or_404(IndicatorImport, pk=kwargs["pk"])
        try:
            undo_values(batch, user=request.user)
        except UndoRefused as refusal:
            messages.error(request, f"{batch.file_name} was not undone. {refusal}")
            return redirect("indicators:import-undo", pk=batch.pk)
        messages.success(request, f"Undone: the import of {batch.file_name}.")
        return redirect("indicators:import-history")
