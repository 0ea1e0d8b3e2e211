"""The API's representations. Within v1 a field never changes meaning; new fields may be added.

Codes are the plan's own: RAG `red`/`amber`/`green` ("" when no status is recorded), delivery status as in
DeliveryStatus ("" when none is recorded), periods by slug (`2022-23-q4`: the financial year 2022/23's fourth
quarter, January to March 2023).
"""

from rest_framework import serializers

from actions.models import RAG, DeliveryStatus, ReviewState
from indicators.models import Direction, Frequency
from indicators.progress import Verdict

RAG_CODES = ["", *RAG.values]
STATUS_CODES = ["", *DeliveryStatus.values]


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What is wrong, in words.")
    problems = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Each query parameter that was refused, and why."
    )


class PeriodSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="For example 2022-23-q4.")
    label = serializers.CharField(help_text="For example 2022/23 Q4.")
    start = serializers.DateField()
    end = serializers.DateField()
    published = serializers.BooleanField(source="is_closed", help_text="Closed and published on the public site.")
    published_at = serializers.DateTimeField(source="closed_at", allow_null=True)


class TargetSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    short_title = serializers.CharField()
    target_year = serializers.IntegerField(allow_null=True)
    description = serializers.CharField(allow_blank=True)


class ActionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    summary = serializers.CharField(help_text="The action's opening words, short enough for a table cell.")
    text = serializers.CharField(help_text="The action as the plan words it.")
    targets = serializers.SerializerMethodField(help_text="The numbers of the targets it contributes to.")
    target_date = serializers.CharField(source="target_date_text", allow_blank=True, help_text="As the plan gives it.")
    target_year = serializers.IntegerField(allow_null=True)
    rag = serializers.ChoiceField(source="position_rag", choices=RAG_CODES, help_text='"" when none is recorded.')
    delivery_status = serializers.ChoiceField(source="position_delivery_status", choices=STATUS_CODES)
    position_period = serializers.CharField(
        source="position_period_id", allow_null=True, help_text="The period of the update the position comes from."
    )
    merged_into = serializers.IntegerField(source="merged_into.number", allow_null=True, default=None)
    service = serializers.CharField(source="service.name", allow_null=True, default=None)
    portfolio_holder = serializers.CharField(source="portfolio_holder.name", allow_null=True, default=None)
    partners = serializers.SerializerMethodField()

    def get_targets(self, action) -> list[int]:
        return [link.target.number for link in action.target_links.all()]

    def get_partners(self, action) -> list[str]:
        return [partner.name for partner in action.partners.all()]


class StatusUpdateSerializer(serializers.Serializer):
    period = serializers.CharField(source="period_id")
    rag = serializers.ChoiceField(choices=RAG.values)
    delivery_status = serializers.ChoiceField(choices=STATUS_CODES)
    commentary = serializers.CharField(allow_blank=True)
    recorded_at = serializers.DateTimeField()
    review_state = serializers.ChoiceField(
        choices=ReviewState.values, help_text="Anonymous clients see approved updates only."
    )


class ActionDetailSerializer(ActionSerializer):
    history = StatusUpdateSerializer(many=True, help_text="Newest first.")


class RagCountsSerializer(serializers.Serializer):
    green = serializers.IntegerField()
    amber = serializers.IntegerField()
    red = serializers.IntegerField()
    none = serializers.IntegerField(help_text="Actions with no status recorded.")


class TargetFiguresSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    rag = RagCountsSerializer()


class ReportSerializer(serializers.Serializer):
    period = PeriodSerializer()
    actions = serializers.IntegerField(help_text="Actions in the plan at the period's end.")
    rag = RagCountsSerializer(help_text="From approved updates, as the quarterly report counts them.")
    delivery_status = serializers.DictField(child=serializers.IntegerField(), help_text='Keyed by code; "" is none.')
    targets = TargetFiguresSerializer(many=True)


class IndicatorValueSerializer(serializers.Serializer):
    period = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=4, coerce_to_string=False)
    provisional = serializers.BooleanField()
    recorded_at = serializers.DateTimeField()


class IndicatorGoalSerializer(serializers.Serializer):
    period = serializers.CharField(source="period.label")
    value = serializers.FloatField(allow_null=True, help_text="null: a share of a baseline not known yet.")
    description = serializers.CharField()


class IndicatorSerializer(serializers.Serializer):
    slug = serializers.CharField(source="indicator.slug")
    name = serializers.CharField(source="indicator.name")
    description = serializers.CharField(source="indicator.description", allow_blank=True)
    unit = serializers.CharField(source="indicator.unit")
    direction = serializers.ChoiceField(source="indicator.direction", choices=Direction.values)
    frequency = serializers.ChoiceField(source="indicator.frequency", choices=Frequency.values)
    targets = serializers.SerializerMethodField()
    baseline_period = serializers.CharField(source="indicator.baseline_period", allow_blank=True)
    baseline_value = serializers.DecimalField(
        source="indicator.baseline_value", max_digits=20, decimal_places=4, coerce_to_string=False, allow_null=True
    )
    goals = IndicatorGoalSerializer(many=True)
    verdict = serializers.ChoiceField(choices=Verdict.values)
    values = IndicatorValueSerializer(source="standing", many=True, help_text="The standing value of each period.")

    def get_targets(self, progress) -> list[int]:
        return [target.number for target in progress.indicator.targets.all()]
