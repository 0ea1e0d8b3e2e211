"""The plan admin's import journey: upload, preview, confirm or cancel, history, undo.

The views only move requests around; reading, comparing, applying and undoing
are in the modules beside this one, which the management command uses too.
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from actions.imports.apply import ImportRefused, apply_import, closed_period_problem, hold_upload
from actions.imports.compare import preview_import
from actions.imports.forms import ImportUploadForm
from actions.imports.reading import read_plan_file
from actions.imports.rows import target_headings
from actions.imports.undo import UndoRefused, undo_blocker, undo_import
from actions.models import ImportBatch, PendingImport
from actions.permissions import PlanAdminRequiredMixin
from targets.models import Target


def read_pending(pending: PendingImport):
    return read_plan_file(bytes(pending.data), pending.file_name, target_headings(Target.objects.all()))


class ImportHistoryView(PlanAdminRequiredMixin, ListView):
    """Every import batch, newest first; the latest one still standing can be undone."""

    template_name = "imports/importbatch_list.html"
    context_object_name = "batches"
    paginate_by = 50

    def get_queryset(self):
        return ImportBatch.objects.with_people().newest_first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        latest = ImportBatch.objects.standing().newest_first().values_list("pk", flat=True).first()
        context["undoable_pk"] = latest
        return context


class ImportUploadView(PlanAdminRequiredMixin, FormView):
    form_class = ImportUploadForm
    template_name = "imports/upload.html"

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        pending = hold_upload(
            data=upload.read(), file_name=upload.name, period=form.reporting_period, user=self.request.user
        )
        return redirect("imports:preview", pk=pending.pk)


class PendingImportMixin(PlanAdminRequiredMixin):
    """The pending upload named in the URL: only its owner's, and only until it expires."""

    def get_pending(self, *, lock=False) -> PendingImport | None:
        query = PendingImport.objects.filter(user=self.request.user).select_related("period")
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
        return redirect("imports:upload")


class ImportPreviewView(PendingImportMixin, TemplateView):
    """What the file would change, before anything is written."""

    template_name = "imports/preview.html"

    def get(self, request, *args, **kwargs):
        self.pending = self.get_pending()
        if self.pending is None:
            return self.expired()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        parsed = read_pending(self.pending)
        if problem := closed_period_problem(self.pending.period):
            parsed.problems.insert(0, problem)
        context["pending"] = self.pending
        context["parsed"] = parsed
        context["preview"] = preview_import(parsed, self.pending.period) if parsed.ok else None
        return context


class ImportConfirmView(PendingImportMixin, View):
    def post(self, request, *args, **kwargs):
        with transaction.atomic():
            pending = self.get_pending(lock=True)
            if pending is None:
                return self.expired()
            parsed = read_pending(pending)
            try:
                _, batch = apply_import(parsed, pending.period, user=request.user)
            except ImportRefused:  # the preview it returns to lists why (a closed period among them)
                messages.error(request, f"{pending.file_name} has problems, so nothing was imported.")
                return redirect("imports:preview", pk=pending.pk)
            pending.delete()
        if batch is None:
            messages.info(request, f"Nothing to change: {pending.file_name} is already recorded for {pending.period}.")
        else:
            messages.success(
                request,
                f"Imported {pending.file_name} for {pending.period}: {batch.updates_created} status "
                f"update{'s' if batch.updates_created != 1 else ''} and {batch.actions_created} new "
                f"action{'s' if batch.actions_created != 1 else ''}.",
            )
        return redirect("imports:history")


class ImportCancelView(PendingImportMixin, View):
    def post(self, request, *args, **kwargs):
        pending = self.get_pending()
        if pending is not None:
            pending.delete()
            messages.info(request, f"Import of {pending.file_name} cancelled. Nothing was changed.")
        return redirect("imports:history")


class ImportUndoView(PlanAdminRequiredMixin, DetailView):
    """Confirm, then undo, the latest import."""

    template_name = "imports/importbatch_undo.html"
    context_object_name = "batch"

    def get_queryset(self):
        return ImportBatch.objects.with_people()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["blocker"] = undo_blocker(self.object)
        return context

    def post(self, request, *args, **kwargs):
        batch = get_object_or_404(ImportBatch, pk=kwargs["pk"])
        try:
            undo_import(batch, user=request.user)
        except UndoRefused as refusal:
            messages.error(request, f"{batch.file_name} was not undone. {refusal}")
            return redirect(reverse("imports:undo", kwargs={"pk": batch.pk}))
        messages.success(request, f"Undone: the import of {batch.file_name} for {batch.period}.")
        return redirect("imports:history")
