"""$metadata and the service document, read by a generic OData v4 client library."""

import xml.etree.ElementTree as ET

import pytest
import requests
from odata import ODataService

from properties.factories import PropertyFactory, PropertyPhotoFactory
from properties.reso import PROPERTY_FIELDS
from tests.reso.conftest import ROOT

pytestmark = pytest.mark.django_db

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


@pytest.fixture
def metadata(odata):
    response = odata.get(ROOT + "$metadata", HTTP_ACCEPT="application/xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response["OData-Version"] == "4.0"
    return ET.fromstring(response.content)  # noqa: S314  (our own document)


def _entity_type(metadata, name):
    return next(t for t in metadata.iter(f"{EDM}EntityType") if t.get("Name") == name)


def test_every_resource_is_declared_with_its_key(metadata):
    types = {t.get("Name"): t for t in metadata.iter(f"{EDM}EntityType")}
    keys = {name: t.find(f"{EDM}Key/{EDM}PropertyRef").get("Name") for name, t in types.items()}

    assert keys == {
        "Property": "ListingKey",
        "Member": "MemberKey",
        "Office": "OfficeKey",
        "Media": "MediaKey",
        "OpenHouse": "OpenHouseKey",
        "EntityEvent": "EntityEventSequence",
        "Lookup": "LookupKey",
    }


def test_property_declares_exactly_the_mapping_fields_and_types(metadata):
    declared = {
        p.get("Name"): p.get("Type")
        for p in _entity_type(metadata, "Property").iter(f"{EDM}Property")
    }

    assert declared == {field.name: field.edm_type for field in PROPERTY_FIELDS}
    assert declared["ListPrice"] == "Edm.Decimal"
    assert declared["BathroomsTotalInteger"] == "Edm.Int64"


def test_lookups_are_strings_naming_their_lookup(metadata):
    status = next(
        p for p in _entity_type(metadata, "Property").iter(f"{EDM}Property")
        if p.get("Name") == "StandardStatus"
    )  # fmt: skip

    assert status.get("Type") == "Edm.String"
    assert status.find(f"{EDM}Annotation").attrib == {
        "Term": "RESO.OData.Metadata.LookupName",
        "String": "StandardStatus",
    }


def test_navigation_properties(metadata):
    navigation = {
        n.get("Name"): n.get("Type")
        for n in _entity_type(metadata, "Property").iter(f"{EDM}NavigationProperty")
    }

    assert navigation == {
        "Media": "Collection(org.reso.metadata.Media)",
        "ListAgent": "org.reso.metadata.Member",
        "ListOffice": "org.reso.metadata.Office",
        "OpenHouse": "Collection(org.reso.metadata.OpenHouse)",
    }


def test_service_document_lists_the_entity_sets(odata):
    body = odata.get(ROOT).json()

    assert [entity_set["name"] for entity_set in body["value"]] == [
        "Property", "Member", "Office", "Media", "OpenHouse", "EntityEvent", "Lookup",
    ]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_generic_odata_client_reads_property_and_media(live_server, client_token):
    # Given a listing with two photos, served over HTTP
    listing = PropertyFactory(status="active", city="Austin", listing_agent=None)
    photos = [PropertyPhotoFactory(property=listing, position=n) for n in (1, 2)]
    PropertyFactory(status="active", city="Denver", listing_agent=None)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {client_token}"

    # When python-odata reflects the service from $metadata and queries it
    service = ODataService(f"{live_server.url}{ROOT}", session=session, reflect_entities=True)
    Property, Media = service.entities["Property"], service.entities["Media"]
    austin = service.query(Property).filter(Property.City == "Austin").all()
    media = (
        service.query(Media)
        .filter(Media.ResourceRecordKey == str(listing.pk))
        .order_by(Media.Order.asc())
        .all()
    )

    session.close()  # no kept-alive connection left for the server thread after the test

    # Then it gets the records, typed as $metadata declares them
    assert [p.ListingKey for p in austin] == [str(listing.pk)]
    assert austin[0].ListPrice == float(listing.price)
    assert [m.MediaKey for m in media] == [str(photo.pk) for photo in photos]
    assert media[0].MediaURL.startswith(live_server.url)
