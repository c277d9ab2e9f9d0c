"""Nothing a user created disappears as a side effect of someone else's action.

Every relation that points at a Hearth model is listed below with what
deleting its target does, and each is exercised by deleting the target with
the ORM, the most direct path. A new relation fails the first test until
someone decides, and writes here, what deleting its target should do.
"""

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import ProtectedError
from rest_framework.authtoken.models import Token
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from imports.factories import ImportRunFactory
from properties.factories import (
    FavoriteFactory,
    InquiryFactory,
    ListingChangeFactory,
    OpenHouseFactory,
    PriceChangeFactory,
    PropertyFactory,
    PropertyPhotoFactory,
)
from properties.models import Favorite, Inquiry, Property
from users.factories import AgentFactory, OfficeFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

HEARTH_APPS = {"users", "properties"}

# (target model, the relation's model.field): what deleting the target does, and why.
# OAuth2 credentials (django-oauth-toolkit) are the account's own, like its API
# token: they go with it. The library decides these; the test pins them.
OAUTH2_CREDENTIALS = {
    ("users.User", f"oauth2_provider.{model}.user"): models.CASCADE
    for model in ("AccessToken", "Application", "DeviceGrant", "Grant", "IDToken", "RefreshToken")
}

DELETION_RULES = {
    **OAUTH2_CREDENTIALS,
    # A user's own credential and saved list go with the account.
    ("users.User", "authtoken.Token.user"): models.CASCADE,
    # A refresh token issued to a deleted account stays on record (simplejwt's
    # blacklist), so a copy of it can never be replayed.
    ("users.User", "token_blacklist.OutstandingToken.user"): models.SET_NULL,
    ("users.User", "properties.Favorite.user"): models.CASCADE,
    # Django's admin history of a staff account (staff are deactivated, not deleted).
    ("users.User", "admin.LogEntry.user"): models.CASCADE,
    # A departed agent's listings stay, unassigned, for staff to reassign.
    ("users.User", "properties.Property.listing_agent"): models.SET_NULL,
    # An inquiry outlives its sender's account: it keeps their name and email.
    ("users.User", "properties.Inquiry.sender"): models.SET_NULL,
    # An agent stays when their brokerage is removed, without an office.
    ("users.Office", "users.User.office"): models.SET_NULL,
    # An answered lead stays answered when whoever answered it leaves.
    ("users.User", "properties.Inquiry.answered_by"): models.SET_NULL,
    # An import run stays on record when whoever uploaded it leaves.
    ("users.User", "imports.ImportRun.uploaded_by"): models.SET_NULL,
    # Deleting a listing archives it (services.property_delete); erasing one
    # takes its own photos and price history, and is refused while anyone's
    # favourite or inquiry refers to it.
    ("properties.Property", "properties.PriceChange.property"): models.CASCADE,
    ("properties.Property", "properties.PropertyPhoto.property"): models.CASCADE,
    ("properties.Property", "properties.OpenHouse.property"): models.CASCADE,
    ("properties.Property", "properties.ListingChange.property"): models.CASCADE,
    ("properties.Property", "properties.Favorite.property"): models.PROTECT,
    ("properties.Property", "properties.Inquiry.property"): models.PROTECT,
}


def deletion_paths():
    """Every relation, from any app, that points at a model of Hearth's own apps."""
    found = {}
    for model in apps.get_models():
        if model._meta.app_label not in HEARTH_APPS:
            continue
        for relation in model._meta.related_objects:
            if relation.many_to_many:
                continue  # deleting either side only removes the link row
            field = relation.field
            key = (model._meta.label, f"{field.model._meta.label}.{field.name}")
            found[key] = relation.on_delete
    return found


def test_every_relation_to_a_hearth_model_has_a_decided_deletion_rule():
    assert deletion_paths() == DELETION_RULES


def _token():
    token = Token.objects.create(user=UserFactory())
    return token.user, token


def _refresh_token():
    user = UserFactory()
    RefreshToken.for_user(user)  # recorded as an OutstandingToken
    return user, OutstandingToken.objects.get(user=user)


def _own_favorite():
    favorite = FavoriteFactory()
    return favorite.user, favorite


def _log_entry():
    staff = StaffFactory()
    entry = LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(Property),
        object_id="1",
        object_repr="a listing",
        action_flag=ADDITION,
    )
    return staff, entry


def _agents_listing():
    agent = AgentFactory()
    return agent, PropertyFactory(listing_agent=agent)


def _agents_office():
    agent = AgentFactory(office=OfficeFactory())
    return agent.office, agent


def _sent_inquiry():
    inquiry = InquiryFactory(sender=UserFactory(), name="Ana Client", email="ana@example.com")
    return inquiry.sender, inquiry


def _answered_inquiry():
    inquiry = InquiryFactory(answered_by=StaffFactory())
    return inquiry.answered_by, inquiry


def _uploaded_import():
    run = ImportRunFactory()
    return run.uploaded_by, run


def _on_listing(factory):
    def build():
        row = factory()
        return row.property, row

    return build


# For each relation: a target and a row that refers to it through the relation.
BUILDERS = {
    "authtoken.Token.user": _token,
    "token_blacklist.OutstandingToken.user": _refresh_token,
    "properties.Favorite.user": _own_favorite,
    "admin.LogEntry.user": _log_entry,
    "properties.Property.listing_agent": _agents_listing,
    "properties.Inquiry.sender": _sent_inquiry,
    "properties.PriceChange.property": _on_listing(PriceChangeFactory),
    "properties.PropertyPhoto.property": _on_listing(PropertyPhotoFactory),
    "properties.OpenHouse.property": _on_listing(OpenHouseFactory),
    "users.User.office": _agents_office,
    "properties.Favorite.property": _on_listing(FavoriteFactory),
    "properties.Inquiry.property": _on_listing(InquiryFactory),
    "properties.ListingChange.property": _on_listing(ListingChangeFactory),
    "properties.Inquiry.answered_by": _answered_inquiry,
    "imports.ImportRun.uploaded_by": _uploaded_import,
}


@pytest.mark.parametrize(
    ("path", "rule"),
    [(path, rule) for (_, path), rule in DELETION_RULES.items() if path in BUILDERS],
    ids=[path for _, path in DELETION_RULES if path in BUILDERS],
)
def test_deleting_the_target_of_each_relation_does_what_its_rule_says(path, rule):
    # Given a row that refers to its target through this relation
    target, referrer = BUILDERS[path]()
    field_name = path.rsplit(".", 1)[1]
    referrer_model = type(referrer)

    # When the target is deleted with the ORM
    if rule is models.PROTECT:
        with pytest.raises(ProtectedError):
            type(target).objects.filter(pk=target.pk).delete()
    else:
        type(target).objects.filter(pk=target.pk).delete()

    # Then the referring row is gone, kept without it, or both are kept
    kept = referrer_model.objects.filter(pk=referrer.pk).first()
    if rule is models.CASCADE:
        assert kept is None
    elif rule is models.SET_NULL:
        assert kept is not None
        assert getattr(kept, f"{field_name}_id") is None
    else:
        assert kept is not None
        assert type(target).objects.filter(pk=target.pk).exists()


class TestDeletingAListingArchivesIt:
    def test_the_clients_inquiries_and_favourites_stay_readable(self, api_client):
        # Given a client who asked about three listings and saved two of them
        agent, client = AgentFactory(), UserFactory()
        listings = PropertyFactory.create_batch(3, listing_agent=agent)
        inquiries = [InquiryFactory(property=listing, sender=client) for listing in listings]
        FavoriteFactory(user=client, property=listings[0])
        FavoriteFactory(user=client, property=listings[1])

        # When the agent deletes two of the listings
        api_client.force_authenticate(agent)
        for listing in listings[:2]:
            assert api_client.delete(f"/api/properties/{listing.pk}/").status_code == 204

        # Then they are gone from the API and its lists...
        assert api_client.get(f"/api/properties/{listings[0].pk}/").status_code == 404
        listed = api_client.get("/api/properties/", {"listing_agent": agent.pk}).json()
        assert [row["id"] for row in listed["results"]] == [listings[2].pk]
        # ...while the client still reads every inquiry and both favourites
        api_client.force_authenticate(client)
        sent = api_client.get("/api/inquiries/").json()
        assert sorted(row["id"] for row in sent["results"]) == sorted(i.pk for i in inquiries)
        saved = api_client.get("/api/favorites/").json()
        assert sorted(row["id"] for row in saved["results"]) == sorted(
            listing.pk for listing in listings[:2]
        )
        assert all(row["archived_at"] is not None for row in saved["results"])
        # ...and so does the agent, about their deleted listings
        api_client.force_authenticate(agent)
        received = api_client.get("/api/inquiries/").json()
        assert received["count"] == 3
        assert Inquiry.objects.count() == 3 and Favorite.objects.count() == 2

    def test_an_archived_listing_is_in_no_list_search_or_statistic(self, api_client, staff):
        kept, deleted = PropertyFactory(city="Austin"), PropertyFactory(city="Austin")
        api_client.force_authenticate(staff)
        assert api_client.delete(f"/api/properties/{deleted.pk}/").status_code == 204

        listed = api_client.get("/api/properties/", {"city": "austin"}).json()
        stats = api_client.get("/api/market-stats/", {"city": "austin"}).json()

        assert [row["id"] for row in listed["results"]] == [kept.pk]
        assert stats["count"] == 1
        # Deleting it again: it is no longer there to delete
        assert api_client.delete(f"/api/properties/{deleted.pk}/").status_code == 404

    def test_the_admin_delete_archives_too(self, admin_client):
        listing = PropertyFactory()
        InquiryFactory(property=listing)

        response = admin_client.post(
            f"/admin/properties/property/{listing.pk}/delete/", {"post": "yes"}
        )

        assert response.status_code == 302
        listing.refresh_from_db()
        assert listing.archived_at is not None
        assert Inquiry.objects.filter(property=listing).count() == 1

    def test_the_admin_bulk_delete_archives_too(self, admin_client):
        listings = PropertyFactory.create_batch(2)
        FavoriteFactory(property=listings[0])

        response = admin_client.post(
            "/admin/properties/property/",
            {
                "action": "delete_selected",
                "_selected_action": [str(listing.pk) for listing in listings],
                "post": "yes",
            },
        )

        assert response.status_code == 302
        assert Property.objects.archived().count() == 2
        assert Favorite.objects.count() == 1


class TestDeletingAUserKeepsWhatOthersRelyOn:
    def test_a_deleted_agents_listings_stay_public_and_unassigned(self, api_client):
        agent = AgentFactory()
        listing = PropertyFactory(listing_agent=agent)
        inquiry = InquiryFactory(property=listing)

        agent.delete()

        row = api_client.get(f"/api/properties/{listing.pk}/").json()
        assert (row["id"], row["listing_agent"]) == (listing.pk, None)
        assert Inquiry.objects.get().pk == inquiry.pk

    def test_a_deleted_clients_inquiries_stay_with_their_name_and_email(self):
        client = UserFactory(first_name="Ana", last_name="Client", email="ana@example.com")
        inquiry = InquiryFactory(sender=client, name="Ana Client", email="ana@example.com")

        client.delete()

        inquiry.refresh_from_db()
        assert (inquiry.sender_id, inquiry.name, inquiry.email) == (
            None,
            "Ana Client",
            "ana@example.com",
        )


def test_only_the_librarys_oauth2_credentials_go_unprobed():
    unprobed = {key for key in DELETION_RULES if key[1] not in BUILDERS}

    assert unprobed == set(OAUTH2_CREDENTIALS)
