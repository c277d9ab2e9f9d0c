"""Factories for users, shared by the tests and `seed_demo`."""

import factory
from factory.django import DjangoModelFactory

from users.models import Office, User

# Every factory user has this password, so tests and demo logins can sign in.
DEFAULT_PASSWORD = "correct-horse-battery-staple"


class OfficeFactory(DjangoModelFactory):
    name = factory.Faker("company")
    phone = factory.Faker("numerify", text="(###) 555-####")
    email = factory.LazyAttribute(
        lambda o: f"office@{''.join(c for c in o.name.lower() if c.isalnum())[:30]}.example.com"
    )
    street_address = factory.Faker("street_address", locale="en_US")
    city = factory.Faker("city", locale="en_US")
    state = factory.Faker(
        "state_abbr",
        locale="en_US",
        include_territories=False,
        include_freely_associated_states=False,
    )
    postal_code = factory.Faker("postcode", locale="en_US")
    country = "US"

    class Meta:
        model = Office


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
    office = factory.SubFactory(OfficeFactory)
    license_number = factory.Faker("bothify", text="RE-#######")
    bio = factory.Faker("paragraph", nb_sentences=3)


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
