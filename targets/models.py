from django.db import models


class TargetQuerySet(models.QuerySet):
    def in_plan_order(self):
        return self.order_by("number")


class Target(models.Model):
    """One of the strategy's seven headline targets; actions contribute to them."""

    number = models.PositiveSmallIntegerField(unique=True, help_text="The target's column in the plan, counted from 1.")
    title = models.CharField(max_length=200)
    short_title = models.CharField(max_length=40, help_text="A short label for table headings and filters.")
    target_year = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)
    source_header = models.TextField(
        blank=True, help_text="The column header exactly as the source report left it, if any survived."
    )
    title_reconstructed = models.BooleanField(
        default=False,
        help_text="Ticked where the title was inferred because the source lost it; correct it and untick.",
    )

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=models.Q(number__gte=1), name="target_number_positive"),
        ]

    def __str__(self):
        return f"Target {self.number}: {self.short_title}"
