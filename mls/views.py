from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from mls.filters import SyncRunFilter
from mls.models import SyncRun
from mls.selectors import sources_with_last_run
from mls.serializers import MlsSourceSerializer, SyncRunSerializer
from mls.services import sync_run_request
from users.permissions import IsStaff


class MlsSourceViewSet(viewsets.ModelViewSet):
    """MLS sources replicated into Hearth (staff only)."""

    serializer_class = MlsSourceSerializer
    permission_classes = [IsStaff]

    def get_queryset(self):
        return sources_with_last_run()

    @extend_schema(request=None, responses={202: SyncRunSerializer})
    @action(detail=True, methods=["post"])
    def sync(self, request, pk=None):
        """Start a sync of this source now (or return the one already queued or running)."""
        run = sync_run_request(source=self.get_object(), trigger=SyncRun.Trigger.API)
        data = SyncRunSerializer(run, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


class SyncRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sync runs, newest first (staff only)."""

    queryset = SyncRun.objects.all()
    serializer_class = SyncRunSerializer
    permission_classes = [IsStaff]
    filterset_class = SyncRunFilter
