"""A cache that fails, for the tests that a cache outage degrades reads rather than breaks them."""


class BrokenCache:
    """Every call fails, as a Redis that is down or unreachable does."""

    def get(self, *args, **kwargs):
        raise ConnectionError("cache down")

    set = get
