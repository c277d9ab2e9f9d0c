"""Records as OData JSON: DD names, JSON numbers, only the selected fields, expansions."""

from django.db.models import Prefetch

from reso.resources import RESOURCES, Resource


def with_expansions(queryset, resource: Resource, expand):
    """The queryset loading every expanded navigation in a fixed number of queries."""
    for navigation in expand:
        if navigation.select:
            queryset = queryset.select_related(navigation.select)
        else:
            target = RESOURCES[navigation.target]
            related = target.queryset(None).model.objects.order_by(*navigation.order)
            queryset = queryset.prefetch_related(Prefetch(navigation.prefetch, queryset=related))
    return queryset


def record(obj, resource: Resource, request, *, select=None, expand=()) -> dict:
    """One entity as a JSON object; ``select`` limits the fields (the key always comes)."""
    fields = resource.fields if select is None else select
    data = {dd_field.name: dd_field.value(obj, request) for dd_field in fields}
    for navigation in expand:
        target = RESOURCES[navigation.target]
        if navigation.collection:
            related = getattr(obj, navigation.prefetch).all()
            data[navigation.name] = [record(item, target, request) for item in related]
        else:
            related = getattr(obj, navigation.select)
            data[navigation.name] = None if related is None else record(related, target, request)
    return data
