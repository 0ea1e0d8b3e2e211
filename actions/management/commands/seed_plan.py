import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actions import roles
from actions.imports.apply import apply_import
from actions.imports.reading import read_plan_file
from actions.imports.rows import target_headings
from actions.models import Action, ReportingPeriod
from actions.seed import SEED_PERIOD, SEED_TARGETS, SEED_WORKBOOK, mark_wording_to_check
from indicators.models import Indicator
from indicators.seed import DemoRefused, add_demo_values, load_indicators
from targets.models import Target

# Demo passwords are read off a terminal and typed: no characters that look alike (0 O o, 1 l I).
UNAMBIGUOUS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

# Demo accounts for development: username, name, role, and the actions an officer leads.
DEMO_USERS = [
    ("officer", "Olu Officer", roles.OFFICER, range(1, 15)),
    ("manager", "Mina Manager", roles.MANAGER, ()),
    ("planadmin", "Pat Plan-Admin", roles.PLAN_ADMIN, ()),
]

# The indicators each demo account owns.
DEMO_OWNED = {"officer": ["council-scope-1-2-emissions"]}


class Command(BaseCommand):
    help = "Load the seeded plan (targets, then the 2022/23 Q4 workbook through the importer) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-users",
            action="store_true",
            help="Also create one demo account per role (development only; passwords are printed once).",
        )
        parser.add_argument(
            "--demo-values",
            action="store_true",
            help="Also record demonstration indicator values, labelled as such (development only).",
        )

    def handle(self, *args, demo_users, demo_values=False, **options):
        if not Target.objects.exists():
            call_command("loaddata", str(SEED_TARGETS), verbosity=0)
            self.stdout.write(f"Loaded {Target.objects.count()} targets.")
        if Action.objects.exists():
            self.stdout.write("The plan already has actions; the seed workbook was not imported.")
        else:
            parsed = read_plan_file(
                SEED_WORKBOOK.read_bytes(), SEED_WORKBOOK.name, target_headings(Target.objects.all())
            )  # the seed is the council's own file: no remembered choices
            if not parsed.ok:
                raise CommandError("The seed workbook has problems:\n" + "\n".join(map(str, parsed.problems)))
            _, batch = apply_import(parsed, ReportingPeriod.objects.for_slug(SEED_PERIOD))
            self.stdout.write(f"Imported {batch.actions_created} actions from {SEED_WORKBOOK.name} for {batch.period}.")
            marked = mark_wording_to_check()
            self.stdout.write(
                f"Marked the wording to be checked on {marked} actions (words the source left uncertain)."
            )
        loaded = load_indicators()
        if loaded:
            self.stdout.write(f"Loaded {loaded} indicators with their goals (no values: the source has none).")
        if demo_users:
            self.create_demo_users()
        if demo_values:
            try:
                created = add_demo_values()
            except DemoRefused as refusal:
                raise CommandError(str(refusal)) from refusal
            if created:
                self.stdout.write(self.style.WARNING(f"Recorded {created} demonstration indicator values."))

    @transaction.atomic
    def create_demo_users(self):
        if not settings.DEBUG:
            raise CommandError("Demo accounts are for development only; they are not created when DEBUG is off.")
        User = get_user_model()
        for username, name, role, led in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                continue
            first, last = name.split(" ", 1)
            password = "".join(secrets.choice(UNAMBIGUOUS) for _ in range(16))
            user = User.objects.create_user(
                username,
                password=password,
                email=f"{username}@example.org",
                first_name=first,
                last_name=last,
                is_staff=role != roles.MANAGER,
            )
            user.groups.add(Group.objects.get(name=role))
            for action in Action.objects.filter(number__in=led):
                action.leads.add(user)
            for indicator in Indicator.objects.filter(slug__in=DEMO_OWNED.get(username, ())):
                indicator.owners.add(user)
            self.stdout.write(self.style.WARNING(f"Demo {role.lower()}: username {username}, password {password}"))
