"""Filter backends shared by the API's list endpoints."""

from django_filters import rest_framework as django_filters
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


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, with its form class built once per FilterSet class.

    django-filter builds a new form class for every request: each filter makes
    its form field anew and computes its label from the model's verbose names,
    a quarter of a filtered list request's Python time. The fields depend on the
    declarations alone, so one class serves every request; a form instance still
    deep-copies the class's fields, so requests never share field state. A
    FilterSet whose fields depend on the request (a queryset chosen per user)
    must not use this base.
    """

    def get_form_class(self):
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            type(self)._form_class = form_class
        return form_class


class DjangoFilterBackend(django_filters.DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the filters.

    Building a FilterSet costs a deep copy of every filter, a form class made
    on the fly and a form validated field by field, and with no filter parameter it
    filters nothing. Every filter here reads the query parameter of its own
    name, so "none of the names present" is exactly "nothing to filter".
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
