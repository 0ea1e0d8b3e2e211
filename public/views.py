"""The public progress site: no sign-in, the plan as of the latest published (closed) quarter.

Every page reads public.published only (approved updates, no officers' names unless
CCES_PUBLIC_SHOW_NAMES), links only to other public pages, runs a fixed number of queries, and is
cacheable: Cache-Control public with CCES_PUBLIC_MAX_AGE, Last-Modified from the latest closing or
reopening, an ETag from the page's content, and 304 Not Modified for a matching conditional request.
The session is never read, so no page varies by cookie.
"""

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.http import ConditionalGetMiddleware
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.decorators import decorator_from_middleware
from django.utils.http import http_date
from django.views.generic import TemplateView, View

from actions.models import ReportingPeriod
from ccesplan.plan import current_plan
from indicators.charts import line_chart
from indicators.progress import VERDICT_RULE
from public import opendata, published
from reports.quarterly import RagSplit
from targets.models import Target

conditional_get = decorator_from_middleware(ConditionalGetMiddleware)


def make_cacheable(response):
    patch_cache_control(response, public=True, max_age=settings.CCES_PUBLIC_MAX_AGE)
    if changed := published.last_changed():
        response["Last-Modified"] = http_date(changed.timestamp())
    return response


class PublicPageMixin:
    """The latest published period as `self.period` (None before anything is published), caching headers."""

    @classmethod
    def as_view(cls, **initkwargs):
        return conditional_get(super().as_view(**initkwargs))

    def dispatch(self, request, *args, **kwargs):
        self.period = published.latest_published()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "period": self.period, "nav_items": self.navigation()}

    def navigation(self) -> list[dict]:
        path = self.request.path
        items = [("Progress", reverse("public:home")), ("Actions", reverse("public:actions"))]
        items.append(("Reports", reverse("public:reports")))
        items.append(("Open data", reverse("public:data")))
        current = max((href for _, href in items if path.startswith(href)), key=len, default=None)
        return [{"label": label, "href": href, "current": href == current} for label, href in items]

    def render_to_response(self, context, **kwargs):
        return make_cacheable(super().render_to_response(context, **kwargs))


class PublicHomeView(PublicPageMixin, TemplateView):
    """The plan as of the latest published quarter: the whole plan's and each target's RAG breakdown."""

    template_name = "public/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.period is not None:
            overall, by_target = published.rag_by_target(self.period, Target.objects.in_plan_order())
            context.update(overall=overall, by_target=by_target)
        return context


class PublicTargetView(PublicPageMixin, TemplateView):
    """One target: its actions' published RAG breakdown and positions, and its indicators as published."""

    template_name = "public/target_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.period is None:
            raise Http404("Nothing has been published yet.")
        target = Target.objects.filter(number=self.kwargs["number"]).first()
        if target is None:
            raise Http404(f"There is no target {self.kwargs['number']}.")
        actions = list(published.published_positions(self.period).serving([target.number]).only("pk", "number", "text"))
        indicators = [
            (progress, line_chart(f"chart-public-{progress.indicator.slug}", progress, small=True))
            for progress in published.published_progress(self.period, target)
        ]
        context.update(
            target=target,
            actions=actions,
            split=RagSplit.of(action.position_rag for action in actions),
            indicators=indicators,
            rule=VERDICT_RULE,
        )
        return context


class PublicActionListView(PublicPageMixin, TemplateView):
    template_name = "public/action_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.period is not None:
            context["actions"] = published.published_positions(self.period).only("pk", "number", "text")
        return context


class PublicActionView(PublicPageMixin, TemplateView):
    """One action: its wording, targets, published position and published history (no one's name)."""

    template_name = "public/action_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.period is None:
            raise Http404("Nothing has been published yet.")
        actions = published.published_positions(self.period).with_target_links().select_related("merged_into")
        if published.names_published():
            actions = actions.prefetch_related("leads")
        action = actions.filter(number=self.kwargs["number"]).first()
        if action is None:
            raise Http404(f"There is no published action {self.kwargs['number']}.")
        history = list(published.published_history(self.period).filter(action=action))
        context.update(
            action=action,
            history=history,
            position=next((update for update in history if update.pk == action.position_update_id), None),
            show_names=published.names_published(),
        )
        return context


class PublicReportListView(PublicPageMixin, TemplateView):
    template_name = "public/report_list.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "periods": list(published.published_periods())}


class PublishedPeriodMixin:
    def get_snapshot(self):
        period = ReportingPeriod.objects.filter(slug=self.kwargs["period"]).first()
        snapshot = published.published_report(period) if period else None
        if snapshot is None:
            raise Http404("That quarter's report has not been published.")
        return snapshot


class PublicReportView(PublishedPeriodMixin, PublicPageMixin, TemplateView):
    """A published quarter's report: the snapshot stored when it closed, linking to the public pages."""

    template_name = "public/report.html"

    def get_context_data(self, **kwargs):
        snapshot = self.get_snapshot()
        return {**super().get_context_data(**kwargs), "snapshot": snapshot, "report_period": snapshot.period}


class PublicReportExportView(PublishedPeriodMixin, View):
    @classmethod
    def as_view(cls, **initkwargs):
        return conditional_get(super().as_view(**initkwargs))

    def get(self, request, *args, **kwargs):
        snapshot = self.get_snapshot()
        response = HttpResponse(
            bytes(snapshot.workbook),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="cces-progress-report-{snapshot.period.slug}.xlsx"'
        return make_cacheable(response)


class OpenDataView(PublicPageMixin, TemplateView):
    """The downloads: each dataset as CSV and JSON with its schema, the licence, and the API."""

    template_name = "public/open_data.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "datasets": opendata.DATASETS.values()}


class DatasetMixin:
    @classmethod
    def as_view(cls, **initkwargs):
        return conditional_get(super().as_view(**initkwargs))

    def get_dataset(self) -> opendata.Dataset:
        dataset = opendata.DATASETS.get(self.kwargs["dataset"])
        if dataset is None:
            raise Http404(f"There is no dataset ‘{self.kwargs['dataset']}’.")
        return dataset

    def licensed(self, response):
        response["Link"] = f'<{current_plan().licence_url}>; rel="license"'
        return make_cacheable(response)


class DatasetView(DatasetMixin, View):
    format = "csv"

    def get(self, request, *args, **kwargs):
        dataset = self.get_dataset()
        period = published.latest_published()
        if period is None:
            raise Http404("Nothing has been published yet.")
        rows = opendata.rows(dataset, period)
        if self.format == "json":
            schema_url = request.build_absolute_uri(reverse("public:dataset-schema", args=[dataset.slug]))
            body = opendata.as_json(dataset, rows, period, schema_url=schema_url)
            response = HttpResponse(body, content_type="application/json; charset=utf-8")
        else:
            response = HttpResponse(opendata.as_csv(dataset, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="cces-{dataset.slug}-{period.slug}.{self.format}"'
        return self.licensed(response)


class DatasetSchemaView(DatasetMixin, View):
    def get(self, request, *args, **kwargs):
        schema = opendata.json_schema(self.get_dataset())
        response = JsonResponse(schema, content_type="application/schema+json", json_dumps_params={"indent": 1})
        return self.licensed(response)
