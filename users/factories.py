"""Factories for users, shared by the tests and `seed_demo`."""

import factory
from factory.django import DjangoModelFactory

from users.models import User

# Every factory user has this password, so tests and demo logins can sign in.
DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = User.Role.CLIENT
    password = factory.django.Password(DEFAULT_PASSWORD)

    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True


class AgentFactory(UserFactory):
    username = factory.Sequence(lambda n: f"agent{n}")
    role = User.Role.AGENT
    phone = factory.Faker("numerify", text="(###) 555-####")
    brokerage = factory.Faker("company")
    license_number = factory.Faker("bothify", text="RE-#######")
    bio = factory.Faker("paragraph", nb_sentences=3)


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
