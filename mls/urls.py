from rest_framework.routers import SimpleRouter

from mls import views

router = SimpleRouter()
router.register("mls-sources", views.MlsSourceViewSet, basename="mls-source")
router.register("sync-runs", views.SyncRunViewSet, basename="sync-run")
