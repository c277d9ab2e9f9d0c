"""Reads of listings: the querysets every view, admin page and command builds on."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import Exists, OuterRef, Q, QuerySet

from properties import geo

MAX_SEARCH_WORDS = 12


def search_vector():
    """The document full-text search matches; the GIN index (migration 0002) is built on it.

    tests/properties/test_database_rules.py checks that the two stay identical.
    """
    return SearchVector(
        "street_address", "city", "postal_code", "mls_number", "description", config="english"
    )


class PropertyQuerySet(QuerySet):
    def visible_to(self, user):
        """Listings ``user`` may see: public ones, plus an agent's own, plus all for staff.

        Public means a public status and published: a listing the MLS marks
        not for display (``internet_display`` off) is hidden like a withdrawn one.
        Archived (deleted) listings are seen by no one through the API.
        """
        live = self.filter(archived_at__isnull=True)
        if user.is_authenticated and user.is_staff:
            return live
        public = Q(status__in=self.model.PUBLIC_STATUSES, internet_display=True)
        if user.is_authenticated:
            public |= Q(listing_agent=user)
        return live.filter(public)

    def in_mls_scope(self, source_id: int | None):
        """The listings whose MLS numbers share a numbering: one source's, or local ones."""
        return self.filter(mls_scope=source_id or 0)

    def mls_number_taken(self, mls_number: str, *, source_id=None, exclude_pk=None) -> bool:
        """Whether another listing of the same MLS (or local, without one) has ``mls_number``."""
        clash = self.in_mls_scope(source_id).filter(mls_number=mls_number)
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        return clash.exists()

    def archived(self):
        return self.filter(archived_at__isnull=False)

    def with_reso_data(self):
        """Everything ``properties.reso.PROPERTY_FIELDS`` reads, in one query: agent and office."""
        return self.select_related("listing_agent__office")

    def with_open_house_between(self, after=None, before=None):
        """Listings with an active open house dated in [after, before] (either end open)."""
        from properties.models import OpenHouse

        open_houses = OpenHouse.objects.filter(
            property=OuterRef("pk"), status=OpenHouse.Status.ACTIVE
        )
        if after is not None:
            open_houses = open_houses.filter(date__gte=after)
        if before is not None:
            open_houses = open_houses.filter(date__lte=before)
        return self.filter(Exists(open_houses))

    def with_list_data(self):
        """Everything the list and detail shape needs, in one query whatever the page size.

        The photo count and primary photo are columns the database keeps
        (``Property.photo_total``, ``primary_photo_image``), read with the row.
        """
        return self.select_related("listing_agent")

    def within_bbox(self, box: geo.BoundingBox):
        queryset = self.filter(latitude__gte=box.min_latitude, latitude__lte=box.max_latitude)
        if box.crosses_antimeridian:
            return queryset.filter(
                Q(longitude__gte=box.min_longitude) | Q(longitude__lte=box.max_longitude)
            )
        return queryset.filter(longitude__gte=box.min_longitude, longitude__lte=box.max_longitude)

    def near(self, latitude, longitude, radius_km):
        """Listings within ``radius_km``, annotated with ``distance_km`` and nearest first.

        A bounding box narrows the rows through the (latitude, longitude)
        index before the exact great-circle distance is computed; on
        PostgreSQL a cube around the point does, and the page is read nearest
        first from the same GiST index (``geo.nearest_first``).
        """
        distance = geo.distance_km_expression(latitude, longitude)
        if connections[self.db].vendor == "postgresql":
            # The same rows and order, served by the GiST index of migration 0012.
            return (
                self.filter(geo.within_cube(latitude, longitude, radius_km))
                .annotate(distance_km=distance)
                .filter(distance_km__lte=radius_km)
                .order_by(*geo.nearest_first(latitude, longitude))
            )
        return (
            self.within_bbox(geo.bounding_box(latitude, longitude, radius_km))
            .annotate(distance_km=distance)
            .filter(distance_km__lte=radius_km)
            .order_by("distance_km", "id")
        )

    def search(self, text):
        """Listings matching every word of ``text``; ranked by relevance on PostgreSQL."""
        words = text.split()[:MAX_SEARCH_WORDS]
        if not words:
            return self
        if connections[self.db].vendor == "postgresql":
            query = SearchQuery(" ".join(words), config="english", search_type="websearch")
            return (
                # MLS numbers are in the document too, so one GIN index answers everything.
                self.annotate(search_document=search_vector())
                .filter(search_document=query)
                .annotate(search_rank=SearchRank(search_vector(), query))
                .order_by("-search_rank", "-id")
            )
        queryset = self
        for word in words:
            queryset = queryset.filter(
                Q(street_address__icontains=word)
                | Q(city__icontains=word)
                | Q(postal_code__icontains=word)
                | Q(mls_number__icontains=word)
                | Q(description__icontains=word)
            )
        return queryset
