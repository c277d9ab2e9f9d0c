from rest_framework import permissions


def can_manage_listing(user, listing) -> bool:
    """Staff manage every listing; an agent only the listings they are the agent of."""
    if not user.is_authenticated:
        return False
    return user.is_staff or (user.is_agent and listing.listing_agent_id == user.id)


class ListingPermission(permissions.IsAuthenticatedOrReadOnly):
    """Anyone reads (visibility is the queryset's job); agents and staff write, agents their own.

    Also used for a listing's photos: they follow the listing's rules.
    """

    message = "Only agents and staff can create listings, and agents change only their own."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        return bool(user and user.is_authenticated and (user.is_staff or user.is_agent))

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_manage_listing(request.user, obj)


class ListingPhotoPermission(ListingPermission):
    """A listing's photos follow the listing's rules; only the refusal says what was refused."""

    message = "Only the listing's agent and staff can add or delete its photos."


class ListingOpenHousePermission(ListingPermission):
    """A listing's open houses follow the listing's rules."""

    message = "Only the listing's agent and staff can schedule, change or delete its open houses."
