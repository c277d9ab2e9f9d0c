"""Responses that carry one user's private data."""

from django.utils.cache import add_never_cache_headers


class NoStoreMixin:
    """Sends ``Cache-Control: no-store`` (Django's never-cache set), for every answer of the view.

    A profile, an inquiry list or a token kept by a shared proxy, a CDN or the
    browser's disk cache can be read by the next person to use them.
    """

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response
