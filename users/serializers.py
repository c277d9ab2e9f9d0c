from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from users.models import User

_email_unique = UniqueValidator(
    queryset=User.objects.all(),
    lookup="iexact",
    message="A user with that email address already exists.",
)


class UserSerializer(serializers.ModelSerializer):
    """A whole profile, as its owner and staff see it; role and staff status are read-only."""

    email = serializers.EmailField(max_length=254, validators=[_email_unique])

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


class PublicUserSerializer(serializers.ModelSerializer):
    """An agent's public profile: what a client needs to get in touch."""

    name = serializers.CharField(source="display_name", read_only=True)

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

    username = serializers.CharField(
        max_length=150,
        validators=[
            User.username_validator,
            UniqueValidator(
                queryset=User.objects.all(), message="A user with that username already exists."
            ),
        ],
    )
    email = serializers.EmailField(max_length=254, validators=[_email_unique])
    password = serializers.CharField(
        write_only=True, max_length=128, style={"input_type": "password"}, trim_whitespace=False
    )
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
