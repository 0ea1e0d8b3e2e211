from django.core.management.base import BaseCommand

from actions.seed import SEED_CSV, build_seed_workbook


class Command(BaseCommand):
    help = "Build fixtures/cces-action-plan-2022-23-q4.xlsx from the curated CSV beside it."

    def handle(self, *args, **options):
        path = build_seed_workbook()
        self.stdout.write(f"Wrote {path.name} from {SEED_CSV.name}.")
