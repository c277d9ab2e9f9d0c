from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from properties import services
from properties.conditional import if_none_match_hits, listing_etag
from properties.filters import PropertyFilter
from properties.models import Property
from properties.permissions import ListingPermission
from properties.serializers import PriceChangeSerializer, PropertySerializer


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The listing has changed since you read it (If-Match does not match its ETag). "
        "Fetch it again and retry with the new ETag."
    )
    default_code = "precondition_failed"


class PropertyViewSet(viewsets.ModelViewSet):
    """Listings. Anyone reads; agents create and change their own; staff change all.

    Detail responses carry an `ETag`: send it back as `If-None-Match` to get
    304 when nothing changed, or as `If-Match` on PUT, PATCH or DELETE to be
    refused with 412 instead of overwriting someone else's change.
    """

    serializer_class = PropertySerializer
    filterset_class = PropertyFilter
    permission_classes = [ListingPermission]
    conditional_writes = True  # documents 412 in the schema

    def get_queryset(self):
        return Property.objects.visible_to(self.request.user).with_list_data()

    def retrieve(self, request, *args, **kwargs):
        listing = self.get_object()
        etag = listing_etag(listing)
        if if_none_match_hits(request.headers.get("If-None-Match"), etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(self.get_serializer(listing).data, headers={"ETag": etag})

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        response["ETag"] = listing_etag(self._written)
        return response

    def perform_create(self, serializer):
        serializer.instance = services.property_create(
            listing=Property(**serializer.validated_data), user=self.request.user
        )

    def perform_update(self, serializer):
        try:
            self._written = services.property_update(
                listing=serializer.instance,
                data=serializer.validated_data,
                if_match=self.request.headers.get("If-Match"),
            )
        except services.ListingChanged:
            raise PreconditionFailed from None
        serializer.instance = self._written

    def perform_destroy(self, instance):
        try:
            services.property_delete(
                listing=instance, if_match=self.request.headers.get("If-Match")
            )
        except services.ListingChanged:
            raise PreconditionFailed from None

    @extend_schema(responses=PriceChangeSerializer(many=True))
    @action(
        detail=True,
        url_path="price-history",
        serializer_class=PriceChangeSerializer,
        filter_backends=[],  # listing filters do not apply to a listing's history
    )
    def price_history(self, request, pk=None):
        """Every change of the asking price, newest first."""
        listing = self.get_object()
        page = self.paginate_queryset(listing.price_changes.all())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
