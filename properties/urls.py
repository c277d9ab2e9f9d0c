from rest_framework.routers import SimpleRouter

from properties import views

router = SimpleRouter()
router.register("properties", views.PropertyViewSet, basename="property")

# The router's routes are included by config.urls, in the project's API root.
urlpatterns = []
