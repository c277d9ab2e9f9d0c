from django.contrib.auth import logout
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from config.filters import DjangoFilterBackend, SearchFilter
from config.parsers import UPLOAD_PARSERS
from config.private import NoStoreMixin
from users import services
from users.filters import UserFilter
from users.lockout import LoginLockoutMixin
from users.models import User
from users.permissions import IsStaff
from users.serializers import (
    JWTObtainSerializer,
    JWTRefreshSerializer,
    LogoutSerializer,
    PublicUserSerializer,
    RegisterSerializer,
    TokenLoginSerializer,
    UserSerializer,
)


@extend_schema(responses={201: UserSerializer})
class RegisterView(NoStoreMixin, generics.CreateAPIView):
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
    request=TokenLoginSerializer,
    responses={200: inline_serializer("AuthToken", {"token": serializers.CharField()})},
)
class TokenView(NoStoreMixin, LoginLockoutMixin, ObtainAuthToken):
    """Exchange a username and password for an API token."""

    serializer_class = TokenLoginSerializer
    # ObtainAuthToken switches throttling off; a login endpoint needs it most.
    throttle_classes = api_settings.DEFAULT_THROTTLE_CLASSES
    # ObtainAuthToken also takes form bodies; Hearth's request bodies are JSON.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    throttle_scope = "auth"

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # ObtainAuthToken's get_or_create would hand back an expired token.
        token = services.user_api_token_issue(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class JWTObtainView(NoStoreMixin, LoginLockoutMixin, TokenObtainPairView):
    """Exchange a username and password for a JWT access and refresh pair."""

    serializer_class = JWTObtainSerializer

    throttle_scope = "auth"
    extra_error_codes = {"401"}  # wrong credentials


class JWTRefreshView(NoStoreMixin, TokenRefreshView):
    """Exchange a refresh token for a new access token and a new refresh token.

    The refresh token sent is blacklisted: each works once.
    """

    serializer_class = JWTRefreshSerializer
    throttle_scope = "auth"
    extra_error_codes = {"401"}  # expired or invalid refresh token


@extend_schema(request=LogoutSerializer, responses={204: None})
class LogoutView(NoStoreMixin, generics.GenericAPIView):
    """Revoke the API token this request is made with, and a JWT refresh token if given.

    A session (browsable API) is ended too. A JWT access token cannot be
    recalled and lives out its JWT_ACCESS_MINUTES; send its refresh token to
    stop it being renewed.
    """

    serializer_class = LogoutSerializer
    permission_classes = [permissions.IsAuthenticated]

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_logout(
            user=request.user,
            api_token=request.auth,
            refresh=serializer.validated_data.get("refresh"),
        )
        if isinstance(request.successful_authenticator, SessionAuthentication):
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
class UserViewSet(NoStoreMixin, viewsets.ReadOnlyModelViewSet):
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

    @extend_schema(methods=["GET"], summary="Read your own profile")
    @extend_schema(
        methods=["PATCH"], summary="Update your own profile (JSON, or multipart with an avatar)"
    )
    @action(
        detail=False,
        methods=["get", "patch"],
        # JSON, or multipart to upload an avatar with the other fields.
        parser_classes=[*api_settings.DEFAULT_PARSER_CLASSES, *UPLOAD_PARSERS],
    )
    def me(self, request):
        """Your own profile; `role` and `is_staff` are read-only."""
        if request.method == "PATCH":
            serializer = self.get_serializer(request.user, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            serializer.save()
        else:
            serializer = self.get_serializer(request.user)
        return Response(serializer.data)
