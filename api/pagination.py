from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

MAX_PER_PAGE = 500


class Pages(PageNumberPagination):
    """`?page=` and `?per_page=` as on the action list: 100 a page unless asked, at most 500."""

    page_size = 100
    page_size_query_param = "per_page"
    max_page_size = MAX_PER_PAGE

    def get_page_size(self, request):
        asked = request.query_params.get(self.page_size_query_param)
        if asked is None:
            return self.page_size
        # DRF would quietly use 100 for a size it can't read; a client asking for 1,000 should hear why it got 500.
        if not (asked.isascii() and asked.isdigit() and 1 <= int(asked) <= MAX_PER_PAGE):
            raise ValidationError(
                {
                    "detail": "Some query parameters were refused.",
                    "problems": [f"per_page: ‘{asked}’ is not a whole number from 1 to {MAX_PER_PAGE}"],
                }
            )
        return int(asked)
