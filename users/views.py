from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, permissions, serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from config.filters import SearchFilter
from users import services
from users.filters import UserFilter
from users.models import User
from users.permissions import IsStaff
from users.serializers import (
    JWTRefreshSerializer,
    PublicUserSerializer,
    RegisterSerializer,
    UserSerializer,
)


@extend_schema(responses={201: UserSerializer})
class RegisterView(generics.CreateAPIView):
    """Create a client account. Agents are promoted by staff in the admin."""

    serializer_class = RegisterSerializer
    permission_classes = [permissions.AllowAny]
    throttle_scope = "auth"

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data)
        return Response(
            UserSerializer(user, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(
    request=AuthTokenSerializer,
    responses={200: inline_serializer("AuthToken", {"token": serializers.CharField()})},
)
class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token."""

    # ObtainAuthToken switches throttling off; a login endpoint needs it most.
    throttle_classes = api_settings.DEFAULT_THROTTLE_CLASSES
    throttle_scope = "auth"


class JWTObtainView(TokenObtainPairView):
    """Exchange a username and password for a JWT access and refresh pair."""

    throttle_scope = "auth"
    extra_error_codes = {"401"}  # wrong credentials


class JWTRefreshView(TokenRefreshView):
    """Exchange a refresh token for a new access token."""

    serializer_class = JWTRefreshSerializer
    throttle_scope = "auth"
    extra_error_codes = {"401"}  # expired or invalid refresh token


@extend_schema_view(
    retrieve=extend_schema(
        responses=PolymorphicProxySerializer(
            component_name="UserProfile",
            serializers=[UserSerializer, PublicUserSerializer],
            resource_type_field_name=None,
        ),
        description="The whole profile for staff and for yourself; an agent's public profile "
        "for everyone else. Other users are 404.",
    )
)
class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Agents' public profiles for everyone; every account for staff; `me` for yourself."""

    filter_backends = [DjangoFilterBackend, SearchFilter]
    filterset_class = UserFilter
    search_fields = ["username", "email", "first_name", "last_name"]

    def get_queryset(self):
        # The office gives each profile its read-only ``brokerage`` name.
        return User.objects.visible_to(self.request.user).select_related("office")

    def get_permissions(self):
        if self.action == "list":
            return [IsStaff()]
        if self.action == "me":
            return [permissions.IsAuthenticated()]
        return [permissions.AllowAny()]

    def get_serializer_class(self):
        user = self.request.user
        # The list is staff-only, so it always has the whole profile.
        if self.action in {"me", "list"} or user.is_staff:
            return UserSerializer
        if self.action == "retrieve" and self.kwargs.get("pk") == str(user.pk):
            return UserSerializer
        return PublicUserSerializer

    @action(detail=False, methods=["get", "patch"])
    def me(self, request):
        """Your own profile; `role` and `is_staff` are read-only."""
        if request.method == "PATCH":
            serializer = self.get_serializer(request.user, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            serializer.save()
        else:
            serializer = self.get_serializer(request.user)
        return Response(serializer.data)
