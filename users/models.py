import uuid

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower


def avatar_upload_to(instance, filename):
    # The client's file name is never used; the gate (config.images) names the
    # file after its verified format, and the extension is all that is kept.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    suffix = f".{extension}" if extension in {"jpg", "png", "webp"} else ""
    return f"avatars/{uuid.uuid4().hex}{suffix}"


def listing_agent_choices() -> models.Q:
    """Who may become a listing's agent: active agent accounts (``User.may_list``, as a filter).

    The model field's ``limit_choices_to`` (admin choices and autocomplete), the
    API and imports all use this rule.
    """
    return models.Q(role=User.Role.AGENT, is_active=True)


class UserQuerySet(models.QuerySet):
    def agents(self):
        return self.filter(role=User.Role.AGENT)

    def listing_agent_choices(self):
        return self.filter(listing_agent_choices())

    def visible_to(self, user):
        """Profiles ``user`` may look up: staff see everyone, others agents and themselves."""
        if user.is_authenticated and user.is_staff:
            return self
        public = models.Q(role=User.Role.AGENT)
        if user.is_authenticated:
            public |= models.Q(pk=user.pk)
        return self.filter(public)


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A Hearth account: a client looking for a home, or an agent who lists them."""

    class Role(models.TextChoices):
        CLIENT = "client", "Client"
        AGENT = "agent", "Agent"

    email = models.EmailField("email address", max_length=254)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLIENT)
    phone = models.CharField(max_length=32, blank=True)
    bio = models.TextField(blank=True, max_length=5000)
    avatar = models.ImageField(upload_to=avatar_upload_to, blank=True)
    brokerage = models.CharField(max_length=255, blank=True)
    license_number = models.CharField(max_length=64, blank=True)

    REQUIRED_FIELDS = ["email"]

    objects = UserManager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="users_user_email_ci_unique",
                violation_error_message="A user with that email address already exists.",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["client", "agent"]), name="users_user_role_valid"
            ),
        ]

    def __str__(self):
        return self.username

    @property
    def is_agent(self):
        return self.role == self.Role.AGENT

    def may_list(self, listing=None) -> bool:
        """Whether this user may be ``listing``'s agent (``listing_agent_choices``, per object).

        A listing keeps the agent it already has, whatever their account became,
        so changing other fields (or re-importing its export) never drops them.
        """
        if listing is not None and listing.listing_agent_id == self.pk:
            return True
        return self.role == self.Role.AGENT and self.is_active

    @property
    def display_name(self):
        return self.get_full_name() or self.username
