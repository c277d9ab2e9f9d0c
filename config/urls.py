from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from config import views
from config.media import media_urlpatterns
from mls.urls import router as mls_router
from properties.urls import router as properties_router
from users.urls import router as users_router

admin.site.site_header = "Hearth administration"
admin.site.site_title = "Hearth admin"
admin.site.index_title = "Listings, users and imports"
# The admin's "View site" link: the landing page.
admin.site.site_url = "/"


class APIRouter(DefaultRouter):
    """DefaultRouter whose browsable root also links the endpoints that are not viewsets."""

    root_links = {
        "market-stats": "market-stats",
        "register": "auth-register",
        "token": "auth-token",
        "jwt": "auth-jwt",
        "schema": "schema",
        "docs": "swagger-ui",
    }

    def get_api_root_view(self, api_urls=None):
        links = {
            prefix: self.routes[0].name.format(basename=basename)
            for prefix, _viewset, basename in self.registry
        }
        return self.APIRootView.as_view(api_root_dict={**links, **self.root_links})


# One router for the whole API, so the browsable root at /api/ lists every
# collection; each app declares its own routes.
router = APIRouter()
router.registry.extend(properties_router.registry)
router.registry.extend(users_router.registry)
router.registry.extend(mls_router.registry)

urlpatterns = [
    path("", views.landing, name="landing"),
    path("admin/", admin.site.urls),
    path("api/", include("users.urls")),
    path("api/", include("properties.urls")),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file, which the Content-Security-Policy allows.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/redoc/redoc.standalone.js", views.redoc_bundle, name="redoc-bundle"),
    path("api-auth/", include("rest_framework.urls")),
    path("reso/", include("reso.urls")),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]

urlpatterns += media_urlpatterns()

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
