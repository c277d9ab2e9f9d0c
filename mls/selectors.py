from django.db.models import Prefetch, QuerySet

from mls.models import MlsSource, SyncRun


def sources_with_last_run() -> QuerySet[MlsSource]:
    """Sources with their runs newest first in ``latest_runs`` (the API's ``last_run``)."""
    return MlsSource.objects.prefetch_related(
        Prefetch(
            "runs", queryset=SyncRun.objects.order_by("-queued_at", "-id"), to_attr="latest_runs"
        )
    )
