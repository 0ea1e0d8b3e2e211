"""The action table shown on the action list and on each target's page.

Cells are rendered by `render_*` methods that build their HTML with `format_html`, not by a template per
cell: on a 50-row page a template per cell costs more than the whole of a hand-written page (see
benchmarks/list_page.py). The RAG cell reproduces `includes/rag_tag.html` exactly; a test holds the two
together.
"""

from functools import cache, cached_property

import django_tables2 as tables
from django import forms
from django.core.paginator import EmptyPage, Paginator
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django_tables2.rows import BoundRow, BoundRows
from django_tables2.utils import OrderBy

from actions.models import RAG
from actions.models.status import delivery_status_label
from actions.periods import Quarter

NO_STATUS = "No status"


@cache
def _period_label(slug: str) -> str:
    return Quarter.from_slug(slug).label


def rag_tag(rag: str) -> str:
    """The same markup as includes/rag_tag.html: colour and word together."""
    if rag:
        return format_html('<strong class="govuk-tag app-rag--{}">{}</strong>', rag, RAG(rag).label)
    return format_html('<strong class="govuk-tag app-rag--none">{}</strong>', NO_STATUS)


class CountingPaginator(Paginator):
    """Counts the table's rows with one COUNT query, or not at all when the caller already knows the count.

    django-tables2 hands the paginator its rows, whose len() would fetch every matching action (and
    prefetch their targets) just to count them.
    """

    def __init__(self, object_list, per_page, *, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.count = count

    @cached_property
    def count(self):
        return self.object_list.data.data.count()


class ActionRow(BoundRow):
    """A row whose cells are `render_<column>(value, record)`, the value read by the column's accessor.

    django-tables2's own cell path also looks for get_FOO_display, tries link and empty-value handling,
    and inspects the render method's signature, for every cell; ActionTable uses none of that, and on a
    50-row page it cost more than rendering the rest of the page.
    """

    def get_cell(self, name):
        column = self.table.columns[name]
        return column.render(value=column.accessor.resolve(self.record), record=self.record)


class ActionRows(BoundRows):
    def __iter__(self):
        for record in self.data:
            yield ActionRow(record, table=self.table)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return ActionRows(data=self.data[key], table=self.table)
        return ActionRow(record=self.data[key], table=self.table)


class ActionTable(tables.Table):
    """Actions with their position (`ActionQuerySet.with_position()`) and target links prefetched.

    Every column has a `render_<name>(value, record)` method (see ActionRow), which also words blanks.
    """

    number = tables.Column("No.")
    summary = tables.Column("Action", accessor="text", order_by=("text", "number"))
    targets = tables.Column("Targets", accessor="number", order_by=("first_target", "number"))
    delivery_status = tables.Column(
        "Delivery status",
        accessor="position_delivery_status",
        order_by=("delivery_progress", "number"),
    )
    rag = tables.Column("RAG", accessor="position_rag", order_by=("rag_severity", "number"))
    target_date = tables.Column("Target date", accessor="target_date_text", order_by=("target_year", "number"))
    last_updated = tables.Column(
        "Last updated", accessor="position_period_id", order_by=("position_period_id", "number")
    )

    class Meta:
        template_name = "actions/includes/action_table.html"
        per_page = 100  # the council's whole plan (56 actions) on one page
        empty_text = "No actions match."
        orderable = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = ActionRows(data=self.data, table=self)

    def render_number(self, value, record):
        return value

    def render_summary(self, value, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>', reverse("actions:detail", args=[record.number]), record.summary
        )

    def render_targets(self, value, record):
        numbers = [link.target.number for link in record.target_links.all()]
        if not numbers:
            return "None"
        return format_html_join(", ", "{}", ((number,) for number in numbers))

    def render_delivery_status(self, value, record):
        return delivery_status_label(value)

    def render_rag(self, value, record):
        return rag_tag(value)

    def render_target_date(self, value, record):
        return value or "Not given"

    def render_last_updated(self, value, record):
        return _period_label(value) if value else "Never"

    # Orderings that need an annotation add it only when the table is sorted by them.
    def order_targets(self, queryset, is_descending):
        return self._order(queryset.with_first_target(), "first_target", is_descending)

    def order_delivery_status(self, queryset, is_descending):
        return self._order(queryset.with_delivery_progress(), "delivery_progress", is_descending)

    def order_rag(self, queryset, is_descending):
        return self._order(queryset.with_rag_severity(), "rag_severity", is_descending)

    @staticmethod
    def _order(queryset, field, is_descending):
        return queryset.order_by(f"-{field}" if is_descending else field, "number"), True


MAX_PER_PAGE = 500


def configure(table: tables.Table, query, *, count: int | None = None) -> list[str]:
    """Sort and paginate `table` from the query string, as django-tables2's RequestConfig would, but say
    what was wrong with each parameter it could not use instead of passing over it in silence. Give
    `count` (the number of rows) if it is known, to save the paginator a query."""
    return [*sort(table, query), *paginate(table, query, count=count)]


def sort(table: tables.Table, query) -> list[str]:
    """Sort `table` by the query string's `sort` columns; returns what could not be used."""
    problems = []
    order_by = []
    for alias in (alias for value in query.getlist(table.prefixed_order_by_field) for alias in value.split(",")):
        name = OrderBy(alias).bare
        if name in table.columns and table.columns[name].orderable:
            order_by.append(alias)
        elif alias:
            problems.append(f"Sort: the list cannot be sorted by ‘{alias}’, so it keeps its usual order")
    if order_by:
        table.order_by = order_by
    return problems


# Far beyond any list's last page, and short enough that int() of it is cheap.
MAX_PAGE = 1_000_000


def is_whole_number(text: str, *, digits: int = 10) -> bool:
    """ASCII digits only, at most `digits` of them: str.isdigit() alone accepts "²", which int() refuses."""
    return text.isascii() and text.isdigit() and len(text) <= digits


def paginate(table: tables.Table, query, *, count: int | None = None) -> list[str]:
    """Paginate `table` by the query string's `page` and `per_page`; returns what could not be used."""
    problems = []
    per_page = table._meta.per_page
    per_page_text = query.get(table.prefixed_per_page_field)
    if per_page_text:
        if is_whole_number(per_page_text) and 1 <= int(per_page_text) <= MAX_PER_PAGE:
            per_page = int(per_page_text)
        else:
            problems.append(
                f"Rows per page: ‘{per_page_text}’ is not a number from 1 to {MAX_PER_PAGE}, so pages hold {per_page}"
            )
    page = 1
    page_text = query.get(table.prefixed_page_field)
    if page_text:
        if is_whole_number(page_text) and 1 <= int(page_text) <= MAX_PAGE:
            page = int(page_text)
        else:
            problems.append(f"Page: ‘{page_text}’ is not a page number, so this is page 1")
    try:
        table.paginate(paginator_class=CountingPaginator, per_page=per_page, page=page, count=count)
    except EmptyPage:
        last = table.paginator.num_pages
        problems.append(f"Page: there is no page {page}; the list has {last} page{'s' if last != 1 else ''}")
        table.page = table.paginator.page(last)
    return problems


def problems_form(problems: list[str]) -> forms.Form:
    """A form carrying `problems` as its errors, for pages whose only parameters are the table's, so they
    show them through includes/error_summary.html like any other form."""
    form = forms.Form(data={})
    form.is_valid()
    for problem in problems:
        form.add_error(None, problem)
    return form
