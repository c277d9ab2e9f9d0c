"""The authentication backend that puts django-axes' lockout in front of every login."""

from axes.backends import AxesStandaloneBackend


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins that come with an HTTP request.

    Every login a client can reach passes its request to ``authenticate()``
    (Django's login views, DRF's token serializer, simplejwt), so each is
    counted. A call without one (the test client's ``login()``, a shell, a
    management command) cannot be driven from the network; axes would refuse it
    outright, so here it skips the check and the next backend decides.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
