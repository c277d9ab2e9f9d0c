from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.validators import UniqueValidator
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from config import images
from config.serializers import CharField, EmailField, ModelSerializer
from users.models import User

_email_unique = UniqueValidator(
    queryset=User.objects.all(),
    lookup="iexact",
    message="A user with that email address already exists.",
)


class UserSerializer(ModelSerializer):
    """A whole profile, as its owner and staff see it; role and staff status are read-only."""

    email = EmailField(max_length=254, validators=[_email_unique])
    # A plain FileField: the upload passes the same gate as listing photos
    # (config.images), not DRF's limit-less ImageField; null clears it.
    avatar = serializers.FileField(
        max_length=None,
        required=False,
        allow_null=True,
        help_text="JPEG, PNG or WebP; at most 10 MB and 50 megapixels. Null removes it.",
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
            "license_number",
            "date_joined",
        ]
        read_only_fields = ["id", "role", "is_staff", "date_joined"]

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
            "license_number",
        ]
        read_only_fields = fields


class RegisterSerializer(serializers.Serializer):
    """Sign-up input. Only these fields are read, so nothing else can be assigned."""

    username = CharField(
        max_length=150,
        validators=[
            User.username_validator,
            UniqueValidator(
                queryset=User.objects.all(), message="A user with that username already exists."
            ),
        ],
    )
    email = EmailField(max_length=254, validators=[_email_unique])
    password = CharField(
        write_only=True, max_length=128, style={"input_type": "password"}, trim_whitespace=False
    )
    first_name = CharField(max_length=150, required=False, allow_blank=True)
    last_name = CharField(max_length=150, required=False, allow_blank=True)


class JWTRefreshSerializer(TokenRefreshSerializer):
    """simplejwt's refresh, which also refuses a refresh token issued before a password change.

    simplejwt checks the password claim only when an access token is used; a
    stale refresh token would still mint access tokens that then fail.
    """

    def validate(self, attrs):
        refresh = RefreshToken(attrs["refresh"])
        user = User.objects.filter(pk=refresh.payload.get(jwt_settings.USER_ID_CLAIM)).first()
        claim = refresh.payload.get(jwt_settings.REVOKE_TOKEN_CLAIM)
        if user is None or claim != get_md5_hash_password(user.password):
            raise AuthenticationFailed(
                "The user's password has been changed.", code="password_changed"
            )
        return super().validate(attrs)
