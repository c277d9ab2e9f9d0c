"""Filter backends shared by the API's list endpoints.

A filter that takes several values reads them comma-separated and as a
repeated parameter (``?status=active&status=pending``, what generated clients
send for arrays); any other parameter given twice answers 400 naming it, since
silently keeping one of the values answers a question nobody asked.
"""

import django_filters as filters_library
from django import forms
from django_filters import rest_framework as django_filters
from rest_framework import filters
from rest_framework.exceptions import ValidationError

MAX_SEARCH_LENGTH = 200


def single_value(request, name):
    """The query parameter ``name`` (None when absent); 400 naming it when it is repeated."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ValidationError({name: ["Give this parameter once: it takes a single value."]})
    return values[0] if values else None


class CommaSeparatedSelectMultiple(forms.SelectMultiple):
    """A multi-select (repeated parameters) that also reads comma-separated values."""

    def value_from_datadict(self, data, files, name):
        values = super().value_from_datadict(data, files, name) or []
        return [part for value in values for part in value.split(",") if part]


class MultipleChoiceFilter(filters_library.MultipleChoiceFilter):
    """One or more of the choices: ``?status=active,pending`` or ``?status=active&status=pending``.

    Filters with one ``IN`` and no ``DISTINCT`` (django-filter's default ORs one
    condition per value and adds ``DISTINCT``, which defeats the list's indexes).
    """

    def __init__(self, *args, **kwargs):
        # Every choice visible at once in the browsable API's Filters form.
        kwargs.setdefault(
            "widget", CommaSeparatedSelectMultiple(attrs={"size": len(kwargs.get("choices", ()))})
        )
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


def _takes_several(filter_):
    return isinstance(filter_, MultipleChoiceFilter | filters_library.filters.BaseCSVFilter)


class SearchFilter(filters.SearchFilter):
    """DRF's search, with its errors keyed by the parameter like every other bad filter value."""

    def get_search_terms(self, request):
        value = single_value(request, self.search_param) or ""
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

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        data = kwargs["data"]
        filterset_class = self.get_filterset_class(view, queryset)
        for name, filter_ in filterset_class.base_filters.items():
            values = data.getlist(name)
            if len(values) < 2:
                continue
            if not _takes_several(filter_):
                single_value(request, name)  # raises: a single-value filter given twice
            if isinstance(filter_, filters_library.filters.BaseCSVFilter):
                # Its widget reads one comma-separated value.
                data = data.copy() if not data._mutable else data
                data[name] = ",".join(values)
        kwargs["data"] = data
        return kwargs


# The largest id a bigint primary key holds; larger ones can name no row.
LARGEST_ID = 2**63 - 1


class IntegerFilter(django_filters.NumberFilter):
    """A NumberFilter that takes whole numbers only (and says so in the schema)."""

    field_class = forms.IntegerField
