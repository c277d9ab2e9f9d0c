"""Pagination shared by every list endpoint."""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (default 20; larger values are capped at 100).

    DRF silently falls back to the default for a page size it cannot read;
    like every other bad query parameter, it is a 400 here.
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError({self.page_size_query_param: ["Enter a positive whole number."]})
        return min(size, self.max_page_size)
