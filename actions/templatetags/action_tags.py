"""Template filters for the plan's own words."""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

WORDING_NOTE = "wording to be checked"


@register.filter
def mark_wording(text: str, phrases) -> str:
    """`text` escaped, line breaks as <br>, with each of `phrases` (the action's uncertain words) marked and
    followed by a visible "wording to be checked" label, so the mark is never colour alone."""
    text = text or ""
    spans: list[tuple[int, int]] = []
    for phrase in phrases or ():
        start = text.find(phrase)
        while start != -1:
            end = start + len(phrase)
            if not any(start < other_end and other_start < end for other_start, other_end in spans):
                spans.append((start, end))
            start = text.find(phrase, end)
    pieces, position = [], 0
    for start, end in sorted(spans):
        pieces.append(escape(text[position:start]))
        pieces.append(
            format_html(
                '<mark class="app-wording-check">{}</mark> <strong class="govuk-tag govuk-tag--yellow '
                'app-wording-check__tag">{}</strong>',
                text[start:end],
                WORDING_NOTE,
            )
        )
        position = end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(str(piece) for piece in pieces).replace("\n", "<br>"))  # noqa: S308 - each piece escaped
