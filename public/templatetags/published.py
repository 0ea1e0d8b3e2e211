"""Words for the codes an annotated position carries (`position_rag`, `position_delivery_status`, ...)."""

from django import template

from actions.models import RAG
from actions.models.status import delivery_status_label
from actions.periods import Quarter

register = template.Library()


@register.filter
def rag_label(code: str) -> str:
    return RAG(code).label if code else "No status"


@register.filter
def delivery_label(code: str) -> str:
    return delivery_status_label(code)


@register.filter
def period_label(slug: str | None) -> str:
    return Quarter.from_slug(slug).label if slug else "Not yet reported"
