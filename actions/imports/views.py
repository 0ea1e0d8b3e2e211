"""The plan admin's import journey: upload, preview (with its mapping step), confirm or cancel, history, undo.

The views only move requests around; reading, comparing, applying and undoing
are in the modules beside this one, which the management command uses too.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from actions.imports.apply import ImportRefused, apply_import, closed_period_problem
from actions.imports.choices import ReadingChoices
from actions.imports.compare import ImportCounts, preview_import
from actions.imports.forms import ImportUploadForm, MappingForm
from actions.imports.pending import hold_upload, parsed_upload, remember, reread
from actions.imports.undo import UndoRefused, undo_blocker, undo_import
from actions.models import ImportBatch, PendingImport
from actions.permissions import PlanAdminRequiredMixin
from actions.services import LockConflict, retry_once_on_lock_conflict
from actions.spreadsheet import ROLE_LABELS
from targets.models import Target

CHANGES_PER_PAGE = 100
WARNINGS_SHOWN = 100


class ImportHistoryView(PlanAdminRequiredMixin, ListView):
    """Every import batch, newest first; the latest one still standing can be undone, unless undo would be
    refused, when the reason is shown instead."""

    template_name = "imports/importbatch_list.html"
    context_object_name = "batches"
    paginate_by = 50

    def get_queryset(self):
        return ImportBatch.objects.with_people().newest_first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        latest = ImportBatch.objects.standing().newest_first().first()
        context["undoable_pk"] = latest.pk if latest else None
        # Undo is offered only where it would succeed; otherwise the list says why, in undo's own words.
        context["undo_refused"] = undo_blocker(latest) if latest else None
        context["count_labels"] = ImportCounts.LABELS.values()
        return context


class ImportUploadView(PlanAdminRequiredMixin, FormView):
    form_class = ImportUploadForm
    template_name = "imports/upload.html"

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        pending = hold_upload(
            data=upload.read(), file_name=upload.name, period_slug=form.cleaned_data["period"], user=self.request.user
        )
        return redirect("imports:preview", pk=pending.pk)


class PendingImportMixin(PlanAdminRequiredMixin):
    """The pending upload named in the URL: only its owner's, and only until it expires."""

    def get_pending(self, *, lock=False) -> PendingImport | None:
        query = PendingImport.objects.filter(user=self.request.user)
        if lock:
            # Only the upload's own row: a lock across a join would also hold the rows joined to it.
            query = query.select_for_update(of=("self",))
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

    def mapping_form(self, pending, parsed, data=None) -> MappingForm:
        return MappingForm(
            data,
            parsed=parsed,
            choices=ReadingChoices.from_json(pending.choices),
            target_numbers=Target.objects.order_by("number").values_list("number", flat=True),
        )


class ImportPreviewView(PendingImportMixin, TemplateView):
    """How the file was read and what it would change, before anything is written; changes first, paged."""

    template_name = "imports/preview.html"

    def get(self, request, *args, **kwargs):
        self.pending = self.get_pending()
        if self.pending is None:
            return self.expired()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pending = self.pending
        parsed = parsed_upload(pending)
        if problem := closed_period_problem(pending.period):
            parsed.problems.insert(0, problem)
        preview = preview_import(parsed, pending.period) if parsed.ok else None
        context.update(pending=pending, parsed=parsed, preview=preview)
        context["mapping"] = self.mapping_form(pending, parsed)
        context["warnings"] = parsed.warnings[:WARNINGS_SHOWN]
        context["missing_labels"] = [ROLE_LABELS[role] for role in parsed.roles_missing]
        if preview is not None:
            page = Paginator(preview.changes, CHANGES_PER_PAGE).get_page(self.request.GET.get("page"))
            context["changes_page"] = page
            warnings_by_row = parsed.warnings_by_row()
            for outcome in page.object_list:
                outcome.warnings = warnings_by_row.get(outcome.row.row, [])
            context["definition_summary"] = preview.definition_summary()
            context["confirmed_numbers"] = number_ranges(o.row.number for o in preview.confirmed)
            context["unchanged_numbers"] = number_ranges(o.row.number for o in preview.unchanged)
            context["missing_numbers"] = number_ranges(a.number for a in preview.missing)
        return context


class ImportChooseView(PendingImportMixin, View):
    """The mapping step's answer: read the upload again with the choices, and remember them if asked."""

    def post(self, request, *args, **kwargs):
        pending = self.get_pending()
        if pending is None:
            return self.expired()
        form = self.mapping_form(pending, parsed_upload(pending), request.POST)
        if not form.is_valid():
            messages.error(request, "Those choices could not be used; choose from the lists offered.")
            return redirect("imports:preview", pk=pending.pk)
        choices = form.chosen()
        parsed = reread(pending, choices)
        message = f"{pending.file_name} was read again with your choices."
        if form.cleaned_data["remember"]:
            count = remember(choices, form.texts, user=request.user)
            message += f" {count} choice{'s' if count != 1 else ''} remembered for future imports."
        messages.success(request, message)
        if not parsed.ok:
            messages.warning(request, f"{len(parsed.problems)} problem(s) remain; see the list below.")
        return redirect("imports:preview", pk=pending.pk)


class ImportConfirmView(PendingImportMixin, View):
    def post(self, request, *args, **kwargs):
        try:
            return retry_once_on_lock_conflict(lambda: self.confirm(request))
        except LockConflict:
            messages.error(
                request,
                "The plan was busy with other changes at that moment, twice, so nothing was imported. Confirm again.",
            )
            return redirect("imports:preview", pk=self.kwargs["pk"])

    def confirm(self, request):
        with transaction.atomic():
            pending = self.get_pending(lock=True)
            if pending is None:
                return self.expired()
            parsed = parsed_upload(pending)
            period = pending.period
            try:
                # Off unless ticked: an import records positions; changing definitions is asked for each time.
                apply_definitions = request.POST.get("apply_definitions") == "on"
                _, batch = apply_import(parsed, period, user=request.user, apply_definitions=apply_definitions)
            except ImportRefused:  # the preview it returns to lists why (a closed period among them)
                messages.error(request, f"{pending.file_name} has problems, so nothing was imported.")
                return redirect("imports:preview", pk=pending.pk)
            pending.delete()
        if batch is None:
            messages.info(request, f"Nothing to change: {pending.file_name} is already recorded for {period}.")
        else:
            messages.success(request, f"Imported {pending.file_name} for {batch.period}: {batch.counts.sentence()}.")
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


def number_ranges(numbers) -> str:
    """Action numbers as runs ("1-40, 42, 44-56", with en dashes): a 5,000-action list stays a line."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)
