from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from actions.imports.apply import ImportRefused, apply_import
from actions.imports.compare import ImportPreview, preview_import
from actions.imports.reading import read_plan_file
from actions.imports.rows import target_headings
from actions.models import ReportingPeriod
from actions.periods import InvalidPeriod
from targets.models import Target

FIELD_LABELS = {"rag": "RAG", "delivery_status": "delivery status", "commentary": "commentary"}


class Command(BaseCommand):
    help = "Import a quarter's action plan spreadsheet (.xlsx or .csv) for a reporting period."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The spreadsheet to import.")
        parser.add_argument("--period", required=True, help="Reporting period, for example 2022-23-q4.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change and write nothing.")

    def handle(self, *args, path, period, dry_run, verbosity, **options):
        self.verbosity = verbosity
        file_path = Path(path)
        if not file_path.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            reporting_period = ReportingPeriod.objects.for_slug(period)
        except InvalidPeriod as error:
            raise CommandError(str(error)) from error

        parsed = read_plan_file(file_path.read_bytes(), file_path.name, target_headings(Target.objects.all()))
        if not parsed.ok:
            for problem in parsed.problems:
                self.stderr.write(f"{file_path.name}: {problem}")
            raise CommandError(
                f"{file_path.name} was not imported: {len(parsed.problems)} problem(s). Nothing was changed."
            )

        if dry_run:
            self.report(preview_import(parsed, reporting_period))
            self.stdout.write("Dry run: nothing was written.")
            return
        try:
            preview, batch = apply_import(parsed, reporting_period)
        except ImportRefused as refused:
            raise CommandError(f"{file_path.name} was not imported: {refused}") from refused
        self.report(preview)
        if batch is None:
            self.stdout.write(f"Nothing to change: {file_path.name} is already recorded for {reporting_period}.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {file_path.name} for {reporting_period} as batch {batch.pk}: "
                    f"{batch.updates_created} status update(s), {batch.actions_created} new action(s)."
                )
            )

    def report(self, preview: ImportPreview) -> None:
        verbose = self.verbosity >= 2
        self.stdout.write(
            f"{len(preview.parsed.rows)} action(s) read from sheet '{preview.parsed.sheet or 'CSV'}' "
            f"for {preview.period}: {len(preview.new)} new, {len(preview.changed)} changed, "
            f"{len(preview.confirmed)} confirmed unchanged, {len(preview.unchanged)} already recorded, "
            f"{len(preview.missing)} missing from the file."
        )
        if preview.previous_batch:
            batch = preview.previous_batch
            imported_at = timezone.localtime(batch.imported_at)
            self.stdout.write(f"This file was already imported for {preview.period} on {imported_at:%d %b %Y %H:%M}.")
        if self.verbosity < 1:
            return
        for outcome in preview.new:
            self.stdout.write(f"  New action {outcome.row.number}: {outcome.row.text[:70]}")
        for outcome in preview.changed:
            before = outcome.before
            details = []
            for name in outcome.changed:
                if name == "commentary":
                    details.append("commentary changed")
                elif before is None:
                    details.append(f"{FIELD_LABELS[name]} set")
                else:
                    details.append(
                        f"{FIELD_LABELS[name]} {getattr(before, f'get_{name}_display')() or 'not recorded'} → "
                        f"{_label(name, getattr(outcome.row, name))}"
                    )
            self.stdout.write(f"  Action {outcome.row.number}: {'; '.join(details)}")
        for outcome in preview.outcomes:
            if outcome.definition_differs and (verbose or outcome.kind != "unchanged"):
                self.stdout.write(
                    f"  Action {outcome.row.number}: the file's {', '.join(outcome.definition_differs)} differ(s) "
                    "from the plan; the plan is not changed by an import (edit the action in the admin)."
                )
        if preview.missing:
            numbers = ", ".join(str(action.number) for action in preview.missing)
            self.stdout.write(f"  Missing from the file (kept, not deleted): {numbers}")
        for row, reason in preview.parsed.skipped:
            if verbose:
                self.stdout.write(f"  Row {row} skipped: {reason}")


def _label(name: str, code: str) -> str:
    from actions.models import RAG, DeliveryStatus

    if not code:
        return "not recorded"
    return (RAG if name == "rag" else DeliveryStatus)(code).label
