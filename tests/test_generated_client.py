"""A client generated from the live /api/schema/ by openapi-python-client completes the journeys.

The client is generated at test time into a temporary directory (never
committed, never edited) from the schema the running server publishes, then
imported and driven against pytest-django's live server: what a third-party
developer would do with a standard generator.
"""

import importlib
import io
import json
import subprocess
import sys
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from properties.factories import PropertyFactory
from users.factories import DEFAULT_PASSWORD, AgentFactory, UserFactory
from users.models import User

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fuzz]

PACKAGE = "hearth_generated_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture(scope="module")
def api(live_server, tmp_path_factory, django_db_blocker):
    """The generated package, imported from a fresh temporary directory."""
    tmp_path = tmp_path_factory.mktemp("generated")
    # Serving the schema reads nothing, but the request passes the session middleware.
    with (
        django_db_blocker.unblock(),
        urllib.request.urlopen(f"{live_server.url}/api/schema/?format=json") as response,  # noqa: S310
    ):
        schema = json.load(response)
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    # No post hooks: the code is used exactly as generated (they only reformat it).
    (tmp_path / "config.yaml").write_text("post_hooks: []\n")
    result = subprocess.run(  # noqa: S603
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--output-path",
            str(tmp_path / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(tmp_path / "config.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The generator warns (and leaves endpoints out) for anything it cannot use.
    assert "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        package = importlib.import_module(PACKAGE)
        package.url = live_server.url
        yield package
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def module(name):
    return importlib.import_module(f"{PACKAGE}.{name}")


def signed_in(api, username, password=DEFAULT_PASSWORD):
    token_create = module("api.auth.auth_token_create")
    models = module("models")
    anonymous = api.Client(base_url=api.url, raise_on_unexpected_status=True)
    token = token_create.sync(
        client=anonymous, body=models.TokenLoginRequest(username=username, password=password)
    )
    assert isinstance(token, models.AuthToken), token
    return api.AuthenticatedClient(
        base_url=api.url, token=token.token, prefix="Token", raise_on_unexpected_status=True
    )


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), color=(10, 120, 200)).save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def test_register_token_profile(api):
    models = module("models")
    register = module("api.auth.auth_register_create")
    me = module("api.users.users_me_retrieve")
    anonymous = api.Client(base_url=api.url, raise_on_unexpected_status=True)

    user = register.sync(
        client=anonymous,
        body=models.RegisterRequest(
            username="ana", email="ana@example.com", password="a-long-passphrase-42"
        ),
    )
    client = signed_in(api, "ana", "a-long-passphrase-42")
    profile = me.sync(client=client)

    assert isinstance(user, models.User)
    assert (profile.username, profile.email, profile.role) == (
        "ana",
        "ana@example.com",
        models.UserRoleEnum.CLIENT,
    )


def test_agent_lists_uploads_reprices_and_cleans_up(api):
    models = module("models")
    types = module("types")
    properties = "api.properties.properties_"
    create, retrieve, update = (
        module(f"{properties}create"),
        module(f"{properties}retrieve"),
        module(f"{properties}partial_update"),
    )
    photo_create, photo_list, photo_destroy = (
        module(f"{properties}photos_create"),
        module(f"{properties}photos_list"),
        module(f"{properties}photos_destroy"),
    )
    history = module(f"{properties}price_history_list")
    AgentFactory(username="rita")
    client = signed_in(api, "rita")

    # Given a listing the agent created
    listing = create.sync(
        client=client,
        body=models.PropertyRequest(
            property_type=models.PropertyTypeEnum.RESIDENTIAL,
            street_address="12 Elm St",
            city="Austin",
            state="TX",
            postal_code="78701",
            price="450000.00",
        ),
    )
    assert isinstance(listing, models.Property), listing
    # When they upload a photo, change the price with If-Match and delete the photo
    photo = photo_create.sync(
        listing.id,
        client=client,
        body=models.PropertyPhotoRequest(
            image=types.File(payload=png(), file_name="front.png", mime_type="image/png"),
            caption="Front",
        ),
    )
    assert isinstance(photo, models.PropertyPhoto), photo
    read = retrieve.sync_detailed(listing.id, client=client)
    repriced = update.sync_detailed(
        listing.id,
        client=client,
        body=models.PatchedPropertyRequest(price="425000.00"),
        if_match=read.headers["ETag"],
    )
    changes = history.sync(listing.id, client=client)
    photos_before = photo_list.sync(listing.id, client=client)
    deleted = photo_destroy.sync_detailed(listing.id, photo.id, client=client)
    photos_after = photo_list.sync(listing.id, client=client)

    # Then each step did what it says
    assert listing.mls_number == f"H{listing.id:07d}"
    assert (photo.caption, photo.width, photo.height) == ("Front", 16, 12)
    assert repriced.status_code == 200
    assert repriced.parsed.price == "425000.00"
    assert [(c.old_price, c.new_price) for c in changes.results] == [("450000.00", "425000.00")]
    assert [p.id for p in photos_before.results] == [photo.id]
    assert deleted.status_code == 204
    assert photos_after.count == 0


def test_client_filters_saves_and_asks(api):
    models = module("models")
    listing_list = module("api.properties.properties_list")
    favorite = module("api.properties.properties_favorite_create")
    favorites = module("api.favorites.favorites_list")
    inquire = module("api.properties.properties_inquiries_create")
    UserFactory(username="carl")
    active = PropertyFactory(status="active", city="Denver", price=Decimal("300000"))
    pending = PropertyFactory(status="pending", city="Denver", price=Decimal("350000"))
    PropertyFactory(status="sold", city="Denver", price=Decimal("320000"))
    PropertyFactory(status="active", city="Boston", price=Decimal("310000"))
    client = signed_in(api, "carl")
    status = models.PropertiesListStatusItem

    found = listing_list.sync(
        client=client,
        status=[status.ACTIVE, status.PENDING],
        city="denver",
        price_min=250000,
        ordering=[models.PropertiesListOrderingItem.PRICE],
    )
    saved = favorite.sync_detailed(active.id, client=client)
    saved_list = favorites.sync(client=client)
    inquiry = inquire.sync(
        pending.id, client=client, body=models.InquiryCreateRequest(message="Can I visit?")
    )

    assert [row.id for row in found.results] == [active.id, pending.id]
    assert saved.status_code == 201
    assert [row.id for row in saved_list.results] == [active.id]
    assert isinstance(inquiry, models.InquiryCreate), inquiry
    assert inquiry.message == "Can I visit?"


def test_market_stats_with_filters(api):
    models = module("models")
    stats = module("api.market_stats.market_stats_retrieve")
    PropertyFactory(status="sold", city="Denver", price=Decimal("300000"))
    PropertyFactory(status="sold", city="Denver", price=Decimal("500000"))
    PropertyFactory(status="active", city="Denver", price=Decimal("900000"))
    anonymous = api.Client(base_url=api.url, raise_on_unexpected_status=True)

    answer = stats.sync(
        client=anonymous, city="denver", status=[models.MarketStatsRetrieveStatusItem.SOLD]
    )

    assert answer.count == 2
    assert answer.median_price == "400000.00"


def test_conditional_get_and_stale_if_match(api):
    models = module("models")
    retrieve = module("api.properties.properties_retrieve")
    update = module("api.properties.properties_partial_update")
    AgentFactory(username="rita")
    client = signed_in(api, "rita")
    listing = PropertyFactory(listing_agent=User.objects.get(username="rita"))
    client_no_raise = client.with_headers({})
    client_no_raise.raise_on_unexpected_status = False

    first = retrieve.sync_detailed(listing.id, client=client)
    again = retrieve.sync_detailed(listing.id, client=client, if_none_match=first.headers["ETag"])
    changed = update.sync_detailed(
        listing.id,
        client=client,
        body=models.PatchedPropertyRequest(description="Freshly painted."),
        if_match=first.headers["ETag"],
    )
    stale = update.sync_detailed(
        listing.id,
        client=client_no_raise,
        body=models.PatchedPropertyRequest(description="Overwrites the paint."),
        if_match=first.headers["ETag"],
    )

    assert again.status_code == 304
    assert changed.status_code == 200
    assert stale.status_code == 412
    listing.refresh_from_db()
    assert listing.description == "Freshly painted."
