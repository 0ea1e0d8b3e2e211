from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from actions.imports.apply import ImportRefused, apply_import
from actions.imports.choices import KIND_COLUMN, KIND_RAG, KIND_STATUS, ReadingChoices, valid_meaning
from actions.imports.compare import ImportPreview, preview_import
from actions.imports.pending import read_with_choices
from actions.models import ReportingPeriod
from actions.periods import InvalidPeriod
from actions.spreadsheet import ROLE_LABELS

FIELD_LABELS = {"rag": "RAG", "delivery_status": "delivery status", "commentary": "commentary"}


class Command(BaseCommand):
    help = "Import a quarter's action plan spreadsheet (.xlsx or .csv) for a reporting period."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The spreadsheet to import.")
        parser.add_argument("--period", required=True, help="Reporting period, for example 2022-23-q4.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change and write nothing.")
        parser.add_argument(
            "--apply-definitions",
            action="store_true",
            help="Also change actions' definitions (wording, service, funding, ...) where the file differs.",
        )
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            metavar='"Heading=role"',
            help="The role of a column: number, action, delivery status, RAG, commentary, target date, target:N, "
            "or nothing after = for not used. Repeat for each column. Remembered choices apply too.",
        )
        parser.add_argument(
            "--status-word",
            action="append",
            default=[],
            metavar='"Word=status"',
            help="What a delivery status word means: not_started, in_progress, in_delivery, complete, nothing "
            "after = for not recorded, or refuse (its rows are not imported).",
        )
        parser.add_argument(
            "--rag-word",
            action="append",
            default=[],
            metavar='"Word=rag"',
            help="What a RAG word means: green, amber, red, or refuse.",
        )

    def handle(self, *args, path, period, dry_run, verbosity, column, status_word, rag_word, **options):
        self.verbosity = verbosity
        file_path = Path(path)
        if not file_path.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            # Not created yet: a refused file writes nothing, not even the period.
            reporting_period = ReportingPeriod.objects.peek(period)
        except InvalidPeriod as error:
            raise CommandError(str(error)) from error
        choices = ReadingChoices.from_pairs(
            _pairs(KIND_COLUMN, column, "--column"),
            _pairs(KIND_STATUS, status_word, "--status-word"),
            _pairs(KIND_RAG, rag_word, "--rag-word"),
        )

        parsed = read_with_choices(file_path.read_bytes(), file_path.name, choices)
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
            preview, batch = apply_import(parsed, reporting_period, apply_definitions=options["apply_definitions"])
        except (ImportRefused, InvalidPeriod) as refused:  # InvalidPeriod: a quarter too implausible to create
            raise CommandError(f"{file_path.name} was not imported: {refused}") from refused
        self.report(preview)
        if batch is None:
            self.stdout.write(f"Nothing to change: {file_path.name} is already recorded for {reporting_period}.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {file_path.name} for {batch.period} as batch {batch.pk}: {batch.counts.sentence()}."
                )
            )

    def report(self, preview: ImportPreview) -> None:
        verbose = self.verbosity >= 2
        self.stdout.write(
            f"{len(preview.parsed.rows)} action(s) read from sheet '{preview.parsed.sheet or 'CSV'}' "
            f"for {preview.period}: {preview.counts.sentence()}."
        )
        missing_roles = [ROLE_LABELS[role].lower() for role in preview.parsed.roles_missing]
        if missing_roles:
            self.stdout.write(f"No column found for: {', '.join(missing_roles)}; those are left as the plan has them.")
        for warning in preview.parsed.warnings:
            self.stdout.write(f"  Warning: {warning}")
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
                        f"{_label(name, getattr(outcome, name))}"
                    )
            self.stdout.write(f"  Action {outcome.row.number}: {'; '.join(details)}")
        differing = preview.definition_differences
        if differing:
            self.stdout.write(
                f"  {len(differing)} action(s) differ from the plan in {preview.definition_summary()}; an import does "
                "not change the plan's definitions (edit the action in the admin)."
            )
        for outcome in differing if verbose else ():
            self.stdout.write(f"  Action {outcome.row.number}: {', '.join(outcome.definition_differs)} differ(s)")
        if preview.missing:
            numbers = ", ".join(str(action.number) for action in preview.missing)
            self.stdout.write(f"  Missing from the file (kept, not deleted): {numbers}")
        for row, reason in preview.parsed.skipped if verbose else preview.parsed.rows_skipped:
            self.stdout.write(f"  Row {row} skipped: {reason}")


def _pairs(kind: str, values: list[str], flag: str) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        text, separator, meaning = value.rpartition("=")
        meaning = meaning.strip()
        if kind == KIND_COLUMN and meaning.lower() == "rag":
            meaning = "RAG"
        if not separator or not text.strip() or not valid_meaning(kind, meaning):
            raise CommandError(f'{flag} "{value}": give it as "Text=meaning"; see --help for the meanings.')
        pairs.append((text.strip(), meaning))
    return pairs


def _label(name: str, code: str) -> str:
    from actions.models import RAG, DeliveryStatus

    if not code:
        return "not recorded"
    return (RAG if name == "rag" else DeliveryStatus)(code).label
