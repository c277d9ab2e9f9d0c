from django.urls import path

from users import views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("auth/jwt/", views.JWTObtainView.as_view(), name="auth-jwt"),
    path("auth/jwt/refresh/", views.JWTRefreshView.as_view(), name="auth-jwt-refresh"),
]
