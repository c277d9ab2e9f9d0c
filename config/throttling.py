"""Request rate limits shared by the API's views."""

from rest_framework.throttling import UserRateThrottle


class AnonOrUserRateThrottle(UserRateThrottle):
    """One limit per caller: THROTTLE_USER for a signed-in user, THROTTLE_ANON per address.

    DRF's AnonRateThrottle and UserRateThrottle pair checks an anonymous caller
    twice (the user throttle falls back to the address too): two cache reads
    and writes per request, two Redis round trips each in production, for the
    limit the anonymous rate alone sets.
    """

    def __init__(self):
        # The rate depends on who is asking; allow_request() picks it.
        pass

    def allow_request(self, request, view):
        self.scope = "user" if request.user and request.user.is_authenticated else "anon"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
