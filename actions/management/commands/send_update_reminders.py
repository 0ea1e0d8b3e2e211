from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from actions.models import ReportingPeriod
from actions.periods import InvalidPeriod
from actions.reminders import send_update_reminders


class Command(BaseCommand):
    help = (
        "Email each lead officer the actions still awaiting this reporting period's update, and each reviewer "
        "the updates awaiting review. "
        "Meant for a scheduled job: a person already reminded today is not emailed again unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="Reporting period, e.g. 2023-24-q1 (default: the current one).")
        parser.add_argument("--force", action="store_true", help="Email people already reminded today.")
        parser.add_argument("--dry-run", action="store_true", help="Say who would be emailed; send nothing.")

    def handle(self, *args, period, force, dry_run, verbosity, **options):
        if not settings.CCES_BASE_URL and not dry_run:
            raise CommandError("Set CCES_BASE_URL (e.g. https://climate-plan.example.gov.uk) so the emails can link.")
        try:
            chosen = ReportingPeriod.objects.for_slug(period) if period else None
        except InvalidPeriod as error:
            raise CommandError(str(error)) from error
        run = send_update_reminders(period=chosen, force=force, dry_run=dry_run)

        for user in run.without_email:
            self.stderr.write(f"No email address for {user.get_username()}: not reminded.")
        if dry_run:
            for user, actions in run.would_send:
                numbers = ", ".join(str(action.number) for action in actions)
                self.stdout.write(f"Would remind {user.email} about actions {numbers}.")
            for user, updates in run.reviewers_would_send:
                self.stdout.write(f"Would remind reviewer {user.email} of {len(updates)} update(s) awaiting review.")
        elif verbosity > 1:
            for reminder in run.sent:
                self.stdout.write(f"Reminded {reminder.email}.")
        if verbosity == 0:
            return
        if run.already_reminded:
            self.stdout.write(
                f"{len(run.already_reminded)} already reminded today, not emailed again (use --force to resend)."
            )
        count = len(run.would_send) if dry_run else len(run.sent)
        verb = "Would send" if dry_run else "Sent"
        self.stdout.write(self.style.SUCCESS(f"{verb} {count} reminder{'s' if count != 1 else ''} for {run.period}."))
        reviewers = len(run.reviewers_would_send) if dry_run else len(run.reviewers_sent)
        if reviewers:
            self.stdout.write(
                self.style.SUCCESS(f"{verb} {reviewers} reviewer reminder{'s' if reviewers != 1 else ''}.")
            )
