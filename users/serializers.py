from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from config import images
from config.serializers import CharField, EmailField, ModelSerializer
from users.authentication import PasswordChanged, VersionedRefreshToken, token_version_matches
from users.models import User
from users.validators import email_problem, username_problem


class AccountNamesMixin:
    """Usernames and emails unique case-insensitively and not passing for another's."""

    def _exclude_pk(self):
        return getattr(self.instance, "pk", None)

    def validate_username(self, username):
        problem = username_problem(username, exclude_pk=self._exclude_pk())
        if problem:
            raise serializers.ValidationError(problem)
        return username

    def validate_email(self, email):
        problem = email_problem(email, exclude_pk=self._exclude_pk())
        if problem:
            raise serializers.ValidationError(problem)
        return email


class UserSerializer(AccountNamesMixin, ModelSerializer):
    """A whole profile, as its owner and staff see it; role and staff status are read-only."""

    email = EmailField(max_length=254)
    # A plain FileField: the upload passes the same gate as listing photos
    # (config.images), not DRF's limit-less ImageField; null clears it.
    avatar = serializers.FileField(
        max_length=None,
        required=False,
        allow_null=True,
        help_text="JPEG, PNG or WebP; at most 10 MB and 50 megapixels. Null removes it.",
    )
    brokerage = CharField(
        read_only=True, help_text="The name of the user's office (brokerage); staff set the office."
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "role",
            "is_staff",
            "phone",
            "bio",
            "avatar",
            "brokerage",
            "office",
            "license_number",
            "date_joined",
        ]
        read_only_fields = ["id", "role", "is_staff", "office", "date_joined"]

    def validate_avatar(self, upload):
        if upload is None:
            return upload
        try:
            clean, _verified = images.sanitized_upload(upload)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return clean


class PublicUserSerializer(ModelSerializer):
    """An agent's public profile: what a client needs to get in touch."""

    name = CharField(source="display_name", read_only=True)
    brokerage = CharField(read_only=True, help_text="The name of the agent's office (brokerage).")

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "first_name",
            "last_name",
            "role",
            "email",
            "phone",
            "bio",
            "avatar",
            "brokerage",
            "office",
            "license_number",
        ]
        read_only_fields = fields


class RegisterSerializer(AccountNamesMixin, serializers.Serializer):
    """Sign-up input. Only these fields are read, so nothing else can be assigned."""

    username = CharField(max_length=150, validators=[User.username_validator])
    email = EmailField(max_length=254)
    password = CharField(
        write_only=True, max_length=128, style={"input_type": "password"}, trim_whitespace=False
    )
    first_name = CharField(max_length=150, required=False, allow_blank=True)
    last_name = CharField(max_length=150, required=False, allow_blank=True)


class JWTRefreshSerializer(TokenRefreshSerializer):
    """simplejwt's refresh (rotating: it answers a new refresh token), refusing a token
    issued before a password change.

    simplejwt checks the token version only when an access token is used; a
    stale refresh token would still mint access tokens that then fail.
    """

    token_class = VersionedRefreshToken

    def validate(self, attrs):
        refresh = self.token_class(attrs["refresh"])
        user = User.objects.filter(pk=refresh.payload.get(jwt_settings.USER_ID_CLAIM)).first()
        if user is None or not token_version_matches(refresh.payload, user):
            raise PasswordChanged()
        return super().validate(attrs)


class LogoutSerializer(serializers.Serializer):
    """What to revoke besides the API token the request was made with."""

    refresh = CharField(
        required=False,
        write_only=True,
        help_text="A JWT refresh token of yours to blacklist: it mints no more access tokens.",
    )

    def validate_refresh(self, raw):
        try:
            refresh = VersionedRefreshToken(raw)
        except TokenError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        user = self.context["request"].user
        if str(refresh.payload.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
            raise serializers.ValidationError("This refresh token belongs to another account.")
        return refresh

    def validate(self, attrs):
        # DRF reads an empty form field as "not sent"; an empty refresh token is
        # still a refresh token that cannot be revoked, whatever the encoding.
        if "refresh" not in attrs and self.initial_data.get("refresh") == "":
            raise serializers.ValidationError({"refresh": ["This field may not be blank."]})
        return attrs


def _signed_in(serializer, user):
    # A token or JWT is a sign-in like the session one: last_login is set, and
    # django-axes forgets the account's earlier failures (AXES_RESET_ON_SUCCESS).
    request = serializer.context.get("request")
    if request is not None:
        user_logged_in.send(sender=type(user), request=request, user=user)


class TokenLoginSerializer(AuthTokenSerializer):
    """DRF's username and password check, reporting the sign-in like a session login."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        _signed_in(self, attrs["user"])
        return attrs


class JWTObtainSerializer(TokenObtainPairSerializer):
    """simplejwt's pair, stamped with the token version, reporting the sign-in."""

    token_class = VersionedRefreshToken

    def validate(self, attrs):
        data = super().validate(attrs)
        _signed_in(self, self.user)
        return data
