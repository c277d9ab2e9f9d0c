from django.urls import path
from rest_framework.routers import SimpleRouter

from users import views

router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")

# Routes that are not viewsets; the router's are included by config.urls.

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("auth/jwt/", views.JWTObtainView.as_view(), name="auth-jwt"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/jwt/refresh/", views.JWTRefreshView.as_view(), name="auth-jwt-refresh"),
]
