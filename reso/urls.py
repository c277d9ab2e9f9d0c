from django.urls import path, re_path
from oauth2_provider.views import TokenView

from reso import views

app_name = "reso"

urlpatterns = [
    path("oauth/token", TokenView.as_view(), name="token"),
    path("odata/", views.ServiceDocumentView.as_view(), name="service"),
    path("odata/$metadata", views.MetadataView.as_view(), name="metadata"),
    re_path(
        r"^odata/(?P<resource>[A-Za-z]+)\('(?P<key>[^'/]{1,64})'\)$",
        views.EntityView.as_view(),
        name="entity",
    ),
    re_path(
        r"^odata/(?P<resource>[A-Za-z]+)\((?P<key>[0-9]{1,19})\)$",
        views.EntityView.as_view(),
        name="entity-number",
    ),
    re_path(r"^odata/(?P<resource>[A-Za-z]+)$", views.CollectionView.as_view(), name="collection"),
]
