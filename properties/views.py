from functools import partial

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.response import Response

from config.parsers import UPLOAD_PARSERS
from config.private import NoStoreMixin
from properties import caching, history, selectors, services
from properties.conditional import listing_etag
from properties.filters import PropertyFilter
from properties.memo import ListingPagination
from properties.models import OpenHouse, Property, PropertyPhoto
from properties.permissions import (
    ListingOpenHousePermission,
    ListingPermission,
    ListingPhotoPermission,
)
from properties.serializers import (
    FavoriteListingSerializer,
    FavoriteSerializer,
    InquiryAnswerSerializer,
    InquiryCreateSerializer,
    InquirySerializer,
    ListingChangeSerializer,
    MarketStatsSerializer,
    OpenHouseSerializer,
    PriceChangeSerializer,
    PropertyPhotoSerializer,
    PropertySerializer,
    ValuationSerializer,
)
from properties.valuation import property_valuation


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The listing has changed since you read it (If-Match does not match its ETag). "
        "Fetch it again and retry with the new ETag."
    )
    default_code = "precondition_failed"


class PropertyViewSet(viewsets.ModelViewSet):
    """Listings. Anyone reads; agents create and change their own; staff change all.

    Detail responses carry an `ETag` (list responses too, while the response
    cache is on): send it back as `If-None-Match` to get 304 when nothing
    changed, or as `If-Match` on PUT, PATCH or DELETE to be refused with 412
    instead of overwriting someone else's change.
    """

    serializer_class = PropertySerializer
    filterset_class = PropertyFilter
    pagination_class = ListingPagination
    permission_classes = [ListingPermission]
    schema_noun = "listing"  # operation summaries: "Read a listing"
    conditional_writes = True  # documents 412 in the schema
    conditional_reads = {"list", "retrieve"}  # documents ETag, If-None-Match and 304

    def get_queryset(self):
        return Property.objects.visible_to(self.request.user).with_list_data()

    def list(self, request, *args, **kwargs):
        return caching.cached_read(request, partial(super().list, request, *args, **kwargs))

    def retrieve(self, request, *args, **kwargs):
        return caching.cached_read(request, self._detail, own_etag=True)

    def _detail(self):
        listing = self.get_object()
        return Response(self.get_serializer(listing).data, headers={"ETag": listing_etag(listing)})

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
            with history.change_context(history.actor_label(user=self.request.user, via="api")):
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

    @extend_schema(
        responses=ListingChangeSerializer(many=True),
        description="Every change of the listing by any path (admin, API, bulk action, import, "
        "sync, SQL), newest first, with who or what made it. Staff only.",
    )
    @action(
        detail=True,
        serializer_class=ListingChangeSerializer,
        permission_classes=[permissions.IsAdminUser],
        filter_backends=[],
    )
    def history(self, request, pk=None):
        """The listing's change history (staff only)."""
        listing = self.get_object()
        changes = history.listing_history(listing_id=listing.pk)
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        methods=["POST"],
        summary="Save a listing to your favourites",
        request=None,
        responses={201: FavoriteSerializer, 200: FavoriteSerializer},
        description="Save the listing: 201 the first time, 200 when it was already saved.",
    )
    @extend_schema(
        methods=["DELETE"], summary="Remove a listing from your favourites", responses={204: None}
    )
    @action(
        detail=True,
        methods=["post", "delete"],
        permission_classes=[permissions.IsAuthenticated],
        serializer_class=FavoriteSerializer,
        filter_backends=[],
    )
    def favorite(self, request, pk=None):
        """Save the listing to your favorites (POST, repeatable) or forget it (DELETE)."""
        listing = self.get_object()
        if request.method == "DELETE":
            services.favorite_remove(user=request.user, listing=listing)
            return Response(status=status.HTTP_204_NO_CONTENT)
        favorite, created = services.favorite_add(user=request.user, listing=listing)
        return Response(
            self.get_serializer(favorite).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @action(detail=True, serializer_class=ValuationSerializer, filter_backends=[])
    def valuation(self, request, pk=None):
        """An automated estimate from comparable listings nearby; `method` explains it."""
        listing = self.get_object()
        return Response(self.get_serializer(property_valuation(listing)).data)


class ListingChildMixin:
    """For routes under /properties/{property_pk}/: the listing, as its reader may see it."""

    def get_listing(self) -> Property:
        if not hasattr(self, "_listing"):
            # DRF's get_object_or_404 answers 404 (not 500) for a malformed id too.
            self._listing = generics.get_object_or_404(
                Property.objects.visible_to(self.request.user).select_related("listing_agent"),
                pk=self.kwargs["property_pk"],
            )
        return self._listing


LISTING_ID = OpenApiParameter(
    "property_pk", int, OpenApiParameter.PATH, description="The listing's id."
)


@extend_schema(parameters=[LISTING_ID])
@extend_schema_view(
    destroy=extend_schema(
        parameters=[
            OpenApiParameter("photo_id", int, OpenApiParameter.PATH, description="The photo's id.")
        ]
    )
)
class PropertyPhotoViewSet(
    ListingChildMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A listing's photos, primary (lowest `position`) first.

    Everyone who can see the listing reads them; its agent and staff upload
    (multipart: `image`, `caption`, `position`) and delete.
    """

    # The model, for the schema; get_queryset() scopes it to the listing.
    queryset = PropertyPhoto.objects.none()
    serializer_class = PropertyPhotoSerializer
    permission_classes = [ListingPhotoPermission]
    parser_classes = UPLOAD_PARSERS
    lookup_url_kwarg = "photo_id"

    def get_queryset(self):
        return self.get_listing().photos.order_by("position", "id")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        listing = self.get_listing()
        # Writes are allowed on the listing, not on a photo by itself.
        self.check_object_permissions(request, listing)

    def get_object(self):
        # Permissions were checked against the listing in initial(); a photo
        # has no agent of its own.
        return generics.get_object_or_404(self.get_queryset(), pk=self.kwargs["photo_id"])

    def perform_create(self, serializer):
        data = serializer.validated_data
        verified = serializer.verified_image
        serializer.instance = services.photo_add(
            listing=self.get_listing(),
            image=data["image"],
            width=verified.width,
            height=verified.height,
            caption=data.get("caption", ""),
            position=data.get("position"),
        )

    def perform_destroy(self, photo):
        services.photo_delete(photo=photo)


# The open house's id is documented from the route (lookup_url_kwarg), on the detail paths only.
@extend_schema(parameters=[LISTING_ID])
class PropertyOpenHouseViewSet(
    ListingChildMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A listing's open houses, soonest first.

    Everyone who can see the listing reads them; its agent and staff schedule,
    change (PATCH) and delete them. `date`, `start_time` and `end_time` are the
    wall-clock times at the property, in the listing's `time_zone`.
    """

    queryset = OpenHouse.objects.none()  # the model, for the schema
    serializer_class = OpenHouseSerializer
    permission_classes = [ListingOpenHousePermission]
    lookup_url_kwarg = "open_house_id"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (
            self.get_listing()
            .open_houses.select_related("property")
            .order_by("date", "start_time", "id")
        )

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Writes are allowed on the listing, not on an open house by itself.
        self.check_object_permissions(request, self.get_listing())

    def get_object(self):
        return generics.get_object_or_404(self.get_queryset(), pk=self.kwargs["open_house_id"])

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "property_pk" in self.kwargs:
            context["listing"] = self.get_listing()
        return context

    def perform_create(self, serializer):
        serializer.instance = services.open_house_create(
            listing=self.get_listing(), data=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.open_house_update(
            open_house=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, open_house):
        services.open_house_delete(open_house=open_house)


@extend_schema(parameters=[LISTING_ID])
@extend_schema_view(create=extend_schema(summary="Send an inquiry about a listing"))
class PropertyInquiryViewSet(
    NoStoreMixin, ListingChildMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Send a message to the listing's agent, signed in or with your `name` and `email`."""

    serializer_class = InquiryCreateSerializer
    permission_classes = [permissions.AllowAny]
    throttle_scope = "inquiries"

    def create(self, request, *args, **kwargs):
        listing = self.get_listing()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request.user if request.user.is_authenticated else None
        inquiry = services.inquiry_send(listing=listing, sender=user, **serializer.validated_data)
        return Response(
            InquirySerializer(inquiry, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class InquiryViewSet(NoStoreMixin, viewsets.ReadOnlyModelViewSet):
    """Inquiries: agents see those on their listings, clients those they sent, staff all."""

    serializer_class = InquirySerializer
    permission_classes = [permissions.IsAuthenticated]
    schema_noun, schema_noun_plural = "inquiry", "inquiries"

    def get_queryset(self):
        return selectors.inquiries_visible_to(self.request.user)

    @extend_schema(request=InquiryAnswerSerializer, responses=InquirySerializer)
    @action(detail=True, methods=["post"], serializer_class=InquiryAnswerSerializer)
    def answered(self, request, pk=None):
        """Mark the inquiry answered or awaiting an answer: its listing's agent and staff only."""
        inquiry = self.get_object()
        if not (request.user.is_staff or inquiry.property.listing_agent_id == request.user.pk):
            raise PermissionDenied(
                "Only the listing's agent or staff can mark an inquiry answered."
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        inquiry = services.inquiry_set_answered(
            inquiry=inquiry, answered=serializer.validated_data["answered"], user=request.user
        )
        return Response(InquirySerializer(inquiry, context=self.get_serializer_context()).data)


@extend_schema_view(list=extend_schema(summary="List your saved listings"))
class FavoriteViewSet(NoStoreMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your saved listings, most recently saved first, in the listing shape.

    A listing deleted since you saved it stays here, with its `archived_at`.
    """

    serializer_class = FavoriteListingSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return selectors.favorite_listings(user=self.request.user)


class MarketStatsView(generics.GenericAPIView):
    """Statistics of the listings matching the listing filters (the same parameters).

    Medians and the average are null when nothing matches. While the response
    cache is on, responses carry an `ETag` for `If-None-Match` (304).
    """

    serializer_class = MarketStatsSerializer
    filterset_class = PropertyFilter
    schema_filters = True  # documents the listing filters
    pagination_class = None
    conditional_reads = {"get"}  # documents ETag, If-None-Match and 304

    def get_queryset(self):
        return Property.objects.visible_to(self.request.user)

    def get(self, request):
        return caching.cached_read(request, self._stats)

    def _stats(self):
        stats = selectors.market_stats(self.filter_queryset(self.get_queryset()))
        return Response(self.get_serializer(stats).data)
