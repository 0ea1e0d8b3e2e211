from django.db import models


class TargetQuerySet(models.QuerySet):
    def in_plan_order(self):
        return self.order_by("number")

    def with_rag_counts(self):
        """Annotate how many of each target's actions are currently `red`, `amber`, `green` or have no status
        (`no_status`), and how many it has in all (`action_count`), in the same query."""
        from actions.models import RAG

        def count(condition):
            return models.Count("action_links", filter=condition)

        return self.annotate(
            action_count=count(models.Q(action_links__isnull=False)),
            no_status=count(models.Q(action_links__action__current_rag="")),
            **{rag: count(models.Q(action_links__action__current_rag=rag)) for rag in RAG.values},
        )


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
