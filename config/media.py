"""Serving uploaded media from the local filesystem, for the embedded deployment.

With object storage (``AWS_STORAGE_BUCKET_NAME``) photo and avatar URLs point
at the bucket or its CDN and nothing here is used. With the filesystem (the
default) someone must answer ``/media/``: WhiteNoise serves only files that
exist when the process starts, so this view does, while ``SERVE_MEDIA`` is on.
A front server (nginx ``location /media/ { alias ...; }``) is faster and can
take over by turning it off; README "Deploy" shows both.
"""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

# Stored names are random and never reused (a replaced photo or avatar gets a
# new name), so a browser or CDN may keep a file for good.
CACHE_CONTROL = "public, max-age=31536000, immutable"


def media_file(request, path):
    """One uploaded file; ``django.views.static.serve`` refuses paths outside ``MEDIA_ROOT``."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    if response.status_code == 200:
        response["Cache-Control"] = CACHE_CONTROL
        # Nothing uploaded is a page: no script in it may run, whatever a browser sniffs.
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def media_urlpatterns():
    """The ``/media/`` route, when this process serves media at all."""
    if not settings.SERVE_MEDIA:
        return []
    prefix = settings.MEDIA_URL.strip("/")
    return [re_path(rf"^{prefix}/(?P<path>.+)$", media_file, name="media")]
