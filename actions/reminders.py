"""Reminding lead officers of the actions still awaiting this period's update. No HTTP; the command wraps it."""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ReportingPeriod, StatusUpdate, UpdateReminder
from actions.permissions import RECORD_STATUS, REVIEW_UPDATES


@dataclass
class ReminderRun:
    period: ReportingPeriod
    sent: list[UpdateReminder] = field(default_factory=list)
    would_send: list = field(default_factory=list)  # (user, actions) on a dry run
    already_reminded: list = field(default_factory=list)  # users reminded earlier the same day
    without_email: list = field(default_factory=list)
    reviewers_sent: list[UpdateReminder] = field(default_factory=list)
    reviewers_would_send: list = field(default_factory=list)  # (user, updates) on a dry run


def reminders_due(period: ReportingPeriod) -> dict:
    """Each lead who may record status, with the actions they lead that still await `period`'s update."""
    recorders = set(
        get_user_model()
        .objects.with_perm(RECORD_STATUS, is_active=True, backend="django.contrib.auth.backends.ModelBackend")
        .values_list("pk", flat=True)
    )
    due: dict = {}
    for action in Action.objects.awaiting_update(period).in_plan_order().prefetch_related("leads"):
        for lead in action.leads.all():
            if lead.pk in recorders:
                due.setdefault(lead, []).append(action)
    return dict(sorted(due.items(), key=lambda item: item[0].get_username()))


def reviews_due() -> tuple[list, list[StatusUpdate]]:
    """The active reviewers, and every update awaiting review (any period), oldest first; none if nothing waits."""
    waiting = list(StatusUpdate.objects.awaiting_review().select_related("action", "period").order_by("recorded_at"))
    if not waiting:
        return [], []
    reviewers = (
        get_user_model()
        .objects.with_perm(REVIEW_UPDATES, is_active=True, backend="django.contrib.auth.backends.ModelBackend")
        .order_by("username")
    )
    return list(reviewers), waiting


def review_reminder_message(user, updates: list[StatusUpdate], base_url: str) -> EmailMessage:
    context = {"user": user, "updates": updates, "review_url": f"{base_url}{reverse('actions:review-queue')}"}
    count = len(updates)
    subject = f"Climate action plan: {count} status update{'s' if count != 1 else ''} awaiting your review"
    return EmailMessage(
        subject=subject, body=render_to_string("actions/email/review_reminder.txt", context), to=[user.email]
    )


def reminder_message(user, actions: list[Action], period: ReportingPeriod, base_url: str) -> EmailMessage:
    context = {
        "user": user,
        "period": period,
        "actions": [(action, f"{base_url}{reverse('actions:update', args=[action.number])}") for action in actions],
        "my_actions_url": f"{base_url}{reverse('actions:mine')}",
    }
    subject = render_to_string("actions/email/update_reminder_subject.txt", context).strip()
    body = render_to_string("actions/email/update_reminder.txt", context)
    return EmailMessage(subject=subject, body=body, to=[user.email])


def send_update_reminders(
    *,
    today: date | None = None,
    period: ReportingPeriod | None = None,
    force: bool = False,
    dry_run: bool = False,
    base_url: str | None = None,
) -> ReminderRun:
    """Email each lead the actions awaiting `period`'s update (default: the current period), at most once a
    day per person unless `force`; every email sent is recorded as an UpdateReminder."""
    today = today or timezone.localdate()
    period = period or ReportingPeriod.objects.current(today)
    base_url = (settings.CCES_BASE_URL if base_url is None else base_url).rstrip("/")
    run = ReminderRun(period)
    reminded_today = set(UpdateReminder.objects.sent_on(today).values_list("recipient_id", flat=True))
    with get_connection() as connection:
        for user, actions in reminders_due(period).items():
            if not user.email:
                run.without_email.append(user)
                continue
            if user.pk in reminded_today and not force:
                run.already_reminded.append(user)
                continue
            if dry_run:
                run.would_send.append((user, actions))
                continue
            message = reminder_message(user, actions, period, base_url)
            message.connection = connection
            # Record, then send, in one transaction: a failed send leaves no record, so the next run retries.
            with transaction.atomic():
                reminder = UpdateReminder.objects.create(
                    recipient=user,
                    email=user.email,
                    period=period,
                    sent_on=today,
                    forced=user.pk in reminded_today,
                )
                reminder.actions.set(actions)
                message.send()
            run.sent.append(reminder)
        _remind_reviewers(run, today=today, force=force, dry_run=dry_run, base_url=base_url, connection=connection)
    return run


def _remind_reviewers(run: ReminderRun, *, today, force, dry_run, base_url, connection) -> None:
    """Email each reviewer what awaits review, at most once a day unless `force`, recorded like lead reminders."""
    reviewers, waiting = reviews_due()
    reminded_today = set(
        UpdateReminder.objects.sent_on(today, kind=UpdateReminder.Kind.REVIEW).values_list("recipient_id", flat=True)
    )
    for user in reviewers:
        if not user.email:
            run.without_email.append(user)
            continue
        if user.pk in reminded_today and not force:
            run.already_reminded.append(user)
            continue
        if dry_run:
            run.reviewers_would_send.append((user, waiting))
            continue
        message = review_reminder_message(user, waiting, base_url)
        message.connection = connection
        with transaction.atomic():
            reminder = UpdateReminder.objects.create(
                recipient=user,
                email=user.email,
                period=run.period,
                sent_on=today,
                kind=UpdateReminder.Kind.REVIEW,
                forced=user.pk in reminded_today,
            )
            reminder.actions.set({update.action for update in waiting})
            message.send()
        run.reviewers_sent.append(reminder)
