"""Filter backends shared by the API's list endpoints."""

from rest_framework import filters
from rest_framework.exceptions import ValidationError

MAX_SEARCH_LENGTH = 200


class SearchFilter(filters.SearchFilter):
    """DRF's search, with its errors keyed by the parameter like every other bad filter value."""

    def get_search_terms(self, request):
        value = request.query_params.get(self.search_param, "")
        if len(value) > MAX_SEARCH_LENGTH:
            raise ValidationError(
                {
                    self.search_param: [
                        f"Ensure this value has at most {MAX_SEARCH_LENGTH} characters."
                    ]
                }
            )
        try:
            return super().get_search_terms(request)
        except ValidationError as exc:
            raise ValidationError({self.search_param: exc.detail}) from exc
