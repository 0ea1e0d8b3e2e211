"""The read-only API, v1. Thin views: what a request may see is api.scope, the action filters are the list
page's (actions.filters.ActionFilter), the figures come from the same querysets as the reports."""

from collections import Counter, defaultdict

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from actions.filters import ActionFilter
from actions.models import ActionTarget, DeliveryStatus
from api import serializers
from api.scope import Scope
from reports.quarterly import RagSplit
from targets.models import Target

ERRORS = {
    400: OpenApiResponse(serializers.ErrorSerializer, description="A query parameter was refused."),
    401: OpenApiResponse(serializers.ErrorSerializer, description="The token is not valid."),
    404: OpenApiResponse(serializers.ErrorSerializer, description="No such item, or not published."),
    429: OpenApiResponse(serializers.ErrorSerializer, description="Too many requests: see Retry-After."),
}


class ScopedMixin:
    @property
    def scope(self) -> Scope:
        if not hasattr(self, "_scope"):
            self._scope = Scope.of(self.request.user)
        return self._scope


def _choices_parameter(name: str, description: str, choices=None, *, many=True) -> OpenApiParameter:
    items = {"type": "string", **({"enum": [code for code, _ in choices]} if choices else {})}
    return OpenApiParameter(
        name,
        {"type": "array", "items": items} if many else items,
        OpenApiParameter.QUERY,
        description=description,
        explode=True if many else None,
    )


def _filter_parameters() -> list[OpenApiParameter]:
    """The list page's filters, as query parameters; the same names and meanings."""
    from actions.filters import STATUS_CHOICES
    from actions.models import RAG

    flag = {"type": "string", "enum": ["on", "true", "1"]}
    return [
        _choices_parameter("rag", "RAG colour of the position; repeat for several.", RAG.choices),
        _choices_parameter("target", "Target number; repeat for several (an action serving any of them)."),
        _choices_parameter("status", "Delivery status; not_recorded for none.", STATUS_CHOICES),
        _choices_parameter("period", "Positions as this period ended (a period slug).", many=False),
        OpenApiParameter("overdue", flag, OpenApiParameter.QUERY, description="Target year passed, not complete."),
        OpenApiParameter("stale", flag, OpenApiParameter.QUERY, description="No update for the period."),
        _choices_parameter("service", "Responsible service id (a directorate includes its services)."),
        _choices_parameter("portfolio", "Portfolio holder id."),
        _choices_parameter("partner", "Partner id."),
        _choices_parameter("funding", "Funding state; none for no funding recorded."),
        OpenApiParameter("late_milestones", flag, OpenApiParameter.QUERY, description="Has late milestones."),
        OpenApiParameter("q", str, OpenApiParameter.QUERY, description="Words in the action or its commentary."),
    ]


@method_decorator(csp_update({"img-src": ["data:"]}), name="dispatch")
class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI, from drf-spectacular-sidecar's files on this site. Its stylesheet draws its icons as data:
    images, which only this page's policy allows."""

    url_name = "api:schema"


class ApiRootView(APIView):
    @extend_schema(exclude=True)
    def get(self, request):
        def link(name):
            return reverse(f"api:{name}", request=request)

        return Response(
            {
                "version": "1",
                "schema": link("schema"),
                "docs": link("docs"),
                "targets": link("targets"),
                "actions": link("actions"),
                "periods": link("periods"),
                "reports": link("reports"),
                "indicators": link("indicators"),
            }
        )


@extend_schema(responses={200: serializers.PeriodSerializer(many=True), **ERRORS})
class PeriodListView(ScopedMixin, generics.ListAPIView):
    """Reporting periods, newest first: every period for the plan's users, the published ones for others."""

    serializer_class = serializers.PeriodSerializer
    pagination_class = None

    def get_queryset(self):
        return self.scope.periods()


@extend_schema(responses={200: serializers.TargetSerializer(many=True), **ERRORS})
class TargetListView(generics.ListAPIView):
    """The plan's strategic targets, in plan order."""

    serializer_class = serializers.TargetSerializer
    pagination_class = None
    queryset = Target.objects.in_plan_order()


@extend_schema(responses={200: serializers.TargetSerializer, **ERRORS})
class TargetDetailView(generics.RetrieveAPIView):
    serializer_class = serializers.TargetSerializer
    queryset = Target.objects.all()
    lookup_field = "number"


class ActionQueryMixin(ScopedMixin):
    def filterset(self) -> ActionFilter:
        return ActionFilter(
            self.request.query_params, queryset=self.scope.actions(), published_only=not self.scope.internal
        )


@extend_schema(parameters=_filter_parameters(), responses={200: serializers.ActionSerializer(many=True), **ERRORS})
class ActionListView(ActionQueryMixin, generics.ListAPIView):
    """Every action with its position, narrowed by the action list's filters, in plan order, 100 a page.

    Anonymous clients get positions as the latest published quarter ended (or as `period` ended, a
    published one), from approved updates only."""

    serializer_class = serializers.ActionSerializer

    def get_queryset(self):
        filterset = self.filterset()
        if problems := filterset.problems:
            raise ValidationError({"detail": "Some query parameters were refused.", "problems": problems})
        return filterset.qs.order_by("number").prefetch_related("partners")


@extend_schema(responses={200: serializers.ActionDetailSerializer, **ERRORS})
class ActionDetailView(ActionQueryMixin, generics.GenericAPIView):
    """One action with its position (as for the list) and its history, newest first."""

    serializer_class = serializers.ActionDetailSerializer

    def get(self, request, number: int):
        filterset = ActionFilter({}, queryset=self.scope.actions(), published_only=not self.scope.internal)
        action = filterset.qs.prefetch_related("partners").filter(number=number).first()
        if action is None:
            raise NotFound(f"There is no action {number}" + ("." if self.scope.internal else " published."))
        action.history = list(self.scope.history().filter(action=action))
        return Response(self.get_serializer(action).data)


@extend_schema(responses={200: serializers.PeriodSerializer(many=True), **ERRORS})
class ReportListView(PeriodListView):
    """The periods with a report: as the period list (its figures at /reports/<period>/)."""


@extend_schema(responses={200: serializers.ReportSerializer, **ERRORS})
class ReportView(ScopedMixin, generics.GenericAPIView):
    """A period's figures: actions by RAG and by delivery status, and each target's RAG split, counted from
    approved updates as the quarterly report counts them."""

    serializer_class = serializers.ReportSerializer

    def get(self, request, period: str):
        found = self.scope.period(period)
        if found is None:
            raise NotFound(f"There is no {'' if self.scope.internal else 'published '}reporting period ‘{period}’.")
        rags = dict(self.scope.report_actions(found).values_list("pk", "position_rag"))
        statuses = Counter(self.scope.report_actions(found).values_list("position_delivery_status", flat=True))
        serving = defaultdict(list)
        for action_id, target_number in ActionTarget.objects.values_list("action_id", "target__number"):
            serving[target_number].append(action_id)
        targets = [
            {"number": number, "rag": RagSplit.of(rags[pk] for pk in serving[number] if pk in rags).as_dict()}
            for number in Target.objects.in_plan_order().values_list("number", flat=True)
        ]
        figures = {
            "period": found,
            "actions": len(rags),
            "rag": RagSplit.of(rags.values()).as_dict(),
            "delivery_status": {code: statuses.get(code, 0) for code in ["", *DeliveryStatus.values]},
            "targets": targets,
        }
        return Response(self.get_serializer(figures).data)


@extend_schema(responses={200: serializers.IndicatorSerializer(many=True), **ERRORS})
class IndicatorListView(ScopedMixin, generics.GenericAPIView):
    """Every indicator with its baseline, goals, verdict and standing values (as published, for anonymous
    clients)."""

    serializer_class = serializers.IndicatorSerializer
    pagination_class = None

    def get(self, request):
        return Response(self.get_serializer(self.scope.indicators(), many=True).data)
