from django.urls import path
from rest_framework.routers import SimpleRouter

from properties import views

router = SimpleRouter()
router.register("properties", views.PropertyViewSet, basename="property")
router.register(
    r"properties/(?P<property_pk>[^/.]+)/photos",
    views.PropertyPhotoViewSet,
    basename="property-photo",
)
router.register(
    r"properties/(?P<property_pk>[^/.]+)/open-houses",
    views.PropertyOpenHouseViewSet,
    basename="property-open-house",
)
router.register(
    r"properties/(?P<property_pk>[^/.]+)/inquiries",
    views.PropertyInquiryViewSet,
    basename="property-inquiry",
)
router.register("favorites", views.FavoriteViewSet, basename="favorite")
router.register("inquiries", views.InquiryViewSet, basename="inquiry")

# Routes that are not viewsets; the router's are included by config.urls, in
# the project's API root.
urlpatterns = [
    path("market-stats/", views.MarketStatsView.as_view(), name="market-stats"),
]
