from django.conf import settings
from django.db import models
from django.utils import timezone


class UpdateReminderQuerySet(models.QuerySet):
    def sent_on(self, day, kind="update"):
        return self.filter(sent_on=day, kind=kind)


class UpdateReminder(models.Model):
    """One reminder email sent to a lead officer (or to a reviewer), kept so a day's second run sends nothing
    again."""

    class Kind(models.TextChoices):
        UPDATE = "update", "Updates due"
        REVIEW = "review", "Updates awaiting review"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="update_reminders")
    email = models.EmailField(help_text="The address the reminder went to.")
    period = models.ForeignKey("actions.ReportingPeriod", on_delete=models.PROTECT, related_name="+")
    actions = models.ManyToManyField("actions.Action", related_name="+", help_text="The actions it listed.")
    sent_on = models.DateField(help_text="The council's day (Europe/London) it was sent on.")
    sent_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.UPDATE)
    forced = models.BooleanField(default=False, help_text="Sent again the same day on request (--force).")

    objects = UpdateReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["recipient", "sent_on"], name="reminder_recipient_day_idx")]

    def __str__(self):
        return f"Reminder to {self.email} on {self.sent_on} for {self.period_id}"
