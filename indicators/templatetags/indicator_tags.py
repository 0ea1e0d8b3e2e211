"""The indicators' blocks on other apps' pages: one tag each, so those pages change by one line."""

from django import template

from indicators.charts import line_chart
from indicators.models import Indicator, plain
from indicators.progress import VERDICT_RULE, progress_of
from indicators.report import on_track_sections

register = template.Library()
register.filter("plain", plain)


@register.inclusion_tag("indicators/includes/target_indicators.html")
def target_indicators(target):
    """A target's indicators, each with a small chart and its verdict (four queries)."""
    sections = []
    for indicator in Indicator.objects.serving(target).in_order().for_pages():
        progress = progress_of(indicator)
        sections.append((progress, line_chart(f"chart-target-{indicator.slug}", progress, small=True)))
    return {"sections": sections, "demo": any(p.demo for p, _ in sections), "target": target}


@register.inclusion_tag("indicators/includes/report_section.html")
def report_on_track(period):
    """The quarterly report's "Are the targets on track?" section for a ReportingPeriod."""
    sections = on_track_sections(period)
    return {
        "sections": sections,
        "period": period,
        "rule": VERDICT_RULE,
        "demo": any(section.progress.demo for section in sections),
    }
