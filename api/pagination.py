from rest_framework.pagination import PageNumberPagination

MAX_PER_PAGE = 500


class Pages(PageNumberPagination):
    """`?page=` and `?per_page=` as on the action list: 100 a page unless asked, at most 500."""

    page_size = 100
    page_size_query_param = "per_page"
    max_page_size = MAX_PER_PAGE
