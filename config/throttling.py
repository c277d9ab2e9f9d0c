"""Request rate limits shared by the API's views."""

from rest_framework.throttling import BaseThrottle, UserRateThrottle


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


def client_address(request) -> str:
    """The caller's address by the rule every limit shares (settings.TRUSTED_PROXIES).

    DRF's own: ``X-Forwarded-For`` is believed through ``NUM_PROXIES`` proxies we
    run and ignored otherwise, so a forged header cannot dodge a limit. Login
    lockouts (django-axes, ``AXES_CLIENT_IP_CALLABLE``) use it too, rather than
    django-ipware's own guess, so the API's and the logins' idea of "one
    address" cannot drift apart.
    """
    return BaseThrottle().get_ident(request)
