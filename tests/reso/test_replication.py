"""Replication: ModificationTimestamp order and nextLink pages, while listings change underneath."""

import pytest

from properties.factories import PropertyFactory
from properties.models import Property
from tests.reso.conftest import ROOT, error

pytestmark = pytest.mark.django_db


def replicate(odata, url, between_pages=lambda page: None):
    """Follow nextLinks from ``url``; calls ``between_pages(n)`` after page n. Returns records."""
    records, page = [], 0
    while url:
        response = odata.get(url)
        body = response.json()
        assert response.status_code == 200, body
        records += body["value"]
        page += 1
        between_pages(page)
        url = body.get("@odata.nextLink")
    return records


def test_a_pass_reads_every_record_once_while_writes_happen(odata):
    # Given 250 public listings, replicated 100 a page in ModificationTimestamp order
    listings = PropertyFactory.create_batch(250, status="active", listing_agent=None)
    by_age = sorted(listings, key=lambda listing: (listing.updated_at, listing.pk))
    already_read, not_yet_read = by_age[:50], by_age[150:200]
    deleted = by_age[220]
    created = []

    def write(page):
        if page != 1:
            return
        # While the consumer is between pages: change records on both sides of its
        # cursor, add one and delete one. Offsets would now skip or repeat records.
        for listing in already_read + not_yet_read:
            listing.description = "changed during the pass"
            listing.save()
        created.append(PropertyFactory(status="active", listing_agent=None))
        deleted.delete()

    # When the consumer replicates, then resumes from the newest timestamp it saw
    first = replicate(odata, f"{ROOT}Property?$orderby=ModificationTimestamp", write)
    high_water = max(record["ModificationTimestamp"] for record in first)
    second = replicate(
        odata,
        f"{ROOT}Property?$orderby=ModificationTimestamp"
        f"&$filter=ModificationTimestamp gt {high_water}",
    )

    # Then no pass repeats a record, and together they hold every record's latest version
    first_keys = [record["ListingKey"] for record in first]
    second_keys = [record["ListingKey"] for record in second]
    assert len(first_keys) == len(set(first_keys))
    assert len(second_keys) == len(set(second_keys))
    changed = {str(listing.pk) for listing in already_read + not_yet_read + created}
    assert set(second_keys) == changed
    current = {str(pk) for pk in Property.objects.values_list("pk", flat=True)}
    assert set(first_keys) | set(second_keys) == current  # the deleted one never read
    latest = {record["ListingKey"]: record for record in first + second}
    for listing in already_read + not_yet_read:
        assert latest[str(listing.pk)]["PublicRemarks"] == "changed during the pass"


def test_the_pass_is_fixed_when_it_starts(odata):
    PropertyFactory.create_batch(120, status="active", listing_agent=None)

    first_page = odata.get(f"{ROOT}Property", {"$orderby": "ModificationTimestamp"}).json()
    newcomer = PropertyFactory(status="active", listing_agent=None)
    rest = replicate(odata, first_page["@odata.nextLink"])

    assert str(newcomer.pk) not in [record["ListingKey"] for record in rest]
    assert len(first_page["value"]) + len(rest) == 120


def test_descending_keyset_pages(odata):
    PropertyFactory.create_batch(130, status="active", listing_agent=None)

    records = replicate(odata, f"{ROOT}Property?$orderby=ModificationTimestamp desc")

    stamps = [(r["ModificationTimestamp"], int(r["ListingKey"])) for r in records]
    assert stamps == sorted(stamps, reverse=True)
    assert len(records) == 130


def test_a_token_from_another_ordering_is_refused(odata):
    PropertyFactory.create_batch(101, status="active", listing_agent=None)
    link = odata.get(f"{ROOT}Property", {"$orderby": "ModificationTimestamp"}).json()[
        "@odata.nextLink"
    ]
    token = link.split("skiptoken=")[1]

    response = odata.get(
        f"{ROOT}Property", {"$orderby": "ListPrice desc, City", "$skiptoken": token}
    )

    assert error(response, 400) == "$skiptoken: it belongs to another $orderby."
