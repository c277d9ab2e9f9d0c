import django_filters

from config.filters import LARGEST_ID, FilterSet, IntegerFilter
from mls.models import SyncRun


class SyncRunFilter(FilterSet):
    """Sync runs by source id, status and trigger.

    The source is filtered by id, not looked up: an id of no source matches no
    run (an empty page) rather than failing, as the listing filters do.
    """

    source = IntegerFilter(
        field_name="source_id", min_value=1, max_value=LARGEST_ID, help_text="A source's id."
    )
    status = django_filters.ChoiceFilter(choices=SyncRun.Status.choices)
    trigger = django_filters.ChoiceFilter(choices=SyncRun.Trigger.choices)

    class Meta:
        model = SyncRun
        fields = ["source", "status", "trigger"]
