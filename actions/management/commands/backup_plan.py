from django.core.management import call_command
from django.core.management.base import BaseCommand

# Whole apps, so models added later are backed up without changing this list. Content types and
# permissions are left out: `migrate` makes them, and the dump names them by natural key instead of id.
# XML, because Django's JSON encoder cuts times to milliseconds, and the order of two recordings within
# one millisecond decides which is an action's current status.
BACKED_UP = ["targets", "actions", "indicators", "reports", "auth.group", "auth.user", "admin.logentry"]


class Command(BaseCommand):
    help = (
        "Write the plan (targets, actions, periods, status history, import batches, indicators and their "
        "values) and the accounts and roles to a fixture file. Restore with `manage.py migrate` then "
        "`manage.py loaddata FILE` on an "
        "empty database. The file is XML; a .gz, .bz2, .xz or .zip ending compresses the file."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Where to write the backup, for example var/backup.xml.gz.")

    def handle(self, *args, path, verbosity, **options):
        call_command(
            "dumpdata",
            *BACKED_UP,
            natural_foreign=True,
            natural_primary=True,
            format="xml",
            output=path,
            verbosity=0,
        )
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Backed up the plan and accounts to {path}."))
