"""The sync engine: replicate one MLS source's listings incrementally, page by page.

A run asks for ``Property?$filter=ModificationTimestamp gt <high-water mark>
&$orderby=ModificationTimestamp`` and follows ``@odata.nextLink``. Each page is
upserted through ``import_listings``' rules (``listings_import`` with the
source: validation, price history by the database rules, bad records reported
by key) in ONE transaction that also advances the source's high-water mark and
the run's counts. A worker killed mid-run therefore leaves whole pages only,
and the mark says exactly where the next run resumes: records it reads again
are unchanged, never applied twice. On PostgreSQL a page is written on a second
connection while the next one is fetched and validated; a page naming a key or
MLS number of the page still being written waits for it first.

The mark moves to the highest timestamp whose records are all committed: a
page that ends inside a group of records sharing a timestamp moves it only to
the timestamp before that group (the rest of the group is on the next page).

Photos: each record's ``Media`` (``$expand``) become references to the source's
URLs, in order, in the page's transaction (``mls.media``).

Deletions: from the source's ``EntityEvent`` feed when it has one (events for
Property keys are checked against the source; a record it no longer serves is
withdrawn here), otherwise by a key reconcile (every key the source serves,
compared with ours) on full runs and on the first run after
``MLS_SYNC_RECONCILE_HOURS``, so a scheduled source with no feed still loses
what its MLS deleted or hid. Withdrawn, never deleted, never left public.
"""

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jobs.locks import job_lock_acquire, job_lock_release, job_lock_renew
from mls.client import ODataClient, QueryRefused, SyncError, odata_timestamp
from mls.media import listings_media_apply
from mls.models import MlsSource, SyncRun
from properties.bulk import BatchWriter
from properties.importing import listings_import
from properties.models import Property
from properties.services import properties_set_status

logger = logging.getLogger(__name__)


def _lease() -> float:
    # How long a silent worker keeps its source: a killed one frees it after this.
    return settings.MLS_SYNC_LEASE_SECONDS


# Keys per existence check of EntityEvent keys (``ListingKey in (...)`` as ORs).
KEYS_PER_CHECK = 40
INACTIVE = (Property.Status.WITHDRAWN, Property.Status.EXPIRED)


def lock_name(source_id: int) -> str:
    return f"mls-source-{source_id}"


class SourceBusy(Exception):
    """Another worker holds the source's lease; the run stays as it is."""


def sync_run_execute(*, run_id: int, sleep=None, on_page: Callable | None = None) -> SyncRun:
    """Run (or resume) ``run_id``; idempotent: a finished run is left as it is.

    Raises ``SourceBusy`` while another worker holds the source.
    """
    run = SyncRun.objects.select_related("source").get(pk=run_id)
    if run.status not in SyncRun.ACTIVE_STATUSES:
        return run
    owner = job_lock_acquire(name=lock_name(run.source_id), ttl=_lease())
    if owner is None:
        raise SourceBusy(run.source_id)
    try:
        run.refresh_from_db()
        if run.status not in SyncRun.ACTIVE_STATUSES:
            return run
        _run_update(run, status=SyncRun.Status.RUNNING, started_at=run.started_at or timezone.now())
        kwargs = {"sleep": sleep} if sleep else {}
        replication = _Replication(run, ODataClient(run.source, **kwargs), owner, on_page)
        try:
            replication.replicate()
            replication.deletions()
        except SyncError as exc:
            _run_update(run, status=SyncRun.Status.FAILED, message=str(exc))
        except Exception as exc:
            logger.exception("MLS sync run %s failed", run.pk)
            _run_update(run, status=SyncRun.Status.FAILED, message=f"Internal error: {exc!r}")
        else:
            _run_update(run, status=SyncRun.Status.SUCCEEDED, message="")
        return run
    finally:
        job_lock_release(name=lock_name(run.source_id), owner=owner)


def _run_update(run: SyncRun, **changes) -> None:
    if changes.get("status") in (SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED):
        changes["finished_at"] = timezone.now()
    for name, value in changes.items():
        setattr(run, name, value)
    SyncRun.objects.filter(pk=run.pk).update(**changes)


def _literal(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


class _Replication:
    def __init__(self, run: SyncRun, client: ODataClient, owner: str, on_page):
        self.run = run
        self.source: MlsSource = run.source
        self.client = client
        self.owner = owner
        self.on_page = on_page

    def _renew(self) -> None:
        if not job_lock_renew(name=lock_name(self.source.pk), owner=self.owner, ttl=_lease()):
            raise SyncError("The run lost its lock on the source (it stalled past its lease).")

    # --- changed records ----------------------------------------------------------

    def replicate(self) -> None:
        source = self.source
        self.events = self.client.page_or_none(
            self.client.url("EntityEvent", **{"$orderby": "EntityEventSequence desc", "$top": 1})
        )
        if self.events is not None and source.event_sequence is None:
            # Events before the first run are covered by the records it reads.
            latest = self.events["value"]
            sequence = int(latest[0]["EntityEventSequence"]) if latest else 0
            MlsSource.objects.filter(pk=source.pk).update(event_sequence=sequence)
            source.event_sequence = sequence
        query = {"$orderby": "ModificationTimestamp asc"}
        mark = None if self.run.full else source.high_water_mark
        if mark is not None:
            query["$filter"] = f"ModificationTimestamp gt {_literal(mark)}"
        # Photos come with their listing (mls.media): one request per page, not two.
        # A source that refuses $expand (it is optional in OData 4.0) is read
        # without it, and each page's photos from its Media resource instead.
        media_apart = False
        try:
            page = self.client.page(self.client.url("Property", **query, **{"$expand": "Media"}))
        except QueryRefused:
            page = self.client.page(self.client.url("Property", **query))
            media_apart = True
        # On PostgreSQL each page is written on a second connection while the next
        # one is fetched and validated (``BatchWriter``); one page at most is in flight.
        with BatchWriter(context=f"sync: {source.name}") as self.writer:
            self.in_flight: set[str] = set()
            # Kept here, not read back from the run: the page in flight has not stored its own.
            self.errors = list(self.run.errors)
            while page is not None:
                url = page.get("@odata.nextLink")
                if media_apart:
                    self._media_attach(page["value"])
                self._page_apply(page["value"], last_page=not url)
                self._renew()
                page = self.client.page(url) if url else None

    def _media_attach(self, records: list) -> None:
        """Give each record its ``Media`` list from the source's Media resource.

        A source without a Media resource leaves the records without one, and
        their listings' photos as they are (``mls.media``).
        """
        keys = sorted(
            {str(r["ListingKey"]) for r in records if isinstance(r, dict) and r.get("ListingKey")}
        )
        media: dict[str, list] = {key: [] for key in keys}
        for start in range(0, len(keys), KEYS_PER_CHECK):
            chunk = keys[start : start + KEYS_PER_CHECK]
            condition = " or ".join(f"ResourceRecordKey eq '{_quote(key)}'" for key in chunk)
            url = self.client.url(
                "Media", **{"$filter": f"ResourceName eq 'Property' and ({condition})"}
            )
            while url:
                page = self.client.page_or_none(url)
                if page is None:
                    return  # no Media resource: nothing to attach
                url = page.get("@odata.nextLink")
                for item in page["value"]:
                    if isinstance(item, dict) and str(item.get("ResourceRecordKey")) in media:
                        media[str(item["ResourceRecordKey"])].append(item)
        for record in records:
            if isinstance(record, dict) and str(record.get("ListingKey")) in media:
                record["Media"] = media[str(record["ListingKey"])]

    def _page_apply(self, records: list, *, last_page: bool) -> None:
        stamps = [
            odata_timestamp(r.get("ModificationTimestamp")) for r in records if isinstance(r, dict)
        ]
        stamps = sorted(s for s in stamps if s is not None)
        mark = self.source.high_water_mark
        if stamps:
            top = stamps[-1]
            if last_page:
                candidate = top
            else:
                below = [s for s in stamps if s < top]
                candidate = below[-1] if below else None
            if candidate is not None and (mark is None or candidate > mark):
                mark = candidate
        keys = _page_keys(records)
        if keys is None or keys & self.in_flight:
            # This page reads listings the page in flight writes (a record changed
            # while the run was reading, a ListingId moving to another key): what it
            # finds stored must include that page.
            self.writer.wait()
        writes = _Writes()
        result = listings_import(
            records=enumerate(records, start=1),
            batch_size=len(records) + 1,
            source=self.source,
            writer=writes,
        )
        self.errors += [
            {"key": failure.mls_number, "message": failure.reason} for failure in result.failures
        ][: SyncRun.MAX_ERRORS - len(self.errors)]
        counts = {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "failed": result.failed,
        }
        # The listings, the counts and the mark commit together: a worker killed
        # mid-run leaves whole pages, and the mark says where the next run resumes.
        self.writer.submit(
            self._page_store,
            writes,
            counts,
            list(self.errors),
            mark if mark != self.source.high_water_mark else None,
            records,
            {failure.mls_number for failure in result.failures},
        )
        self.in_flight = keys or set()
        self.source.high_water_mark = mark
        if self.on_page:
            # Progress is reported for committed pages only.
            self.writer.wait()
            self.on_page(self.run)

    def _page_store(self, writes, counts, errors, mark, records, failed_keys) -> None:
        writes.run()
        # After the listings exist, in the same transaction: their photos follow.
        listings_media_apply(source=self.source, records=records, skip_keys=failed_keys)
        self._counts_add(errors=errors, **counts)
        if mark is not None:
            MlsSource.objects.filter(pk=self.source.pk).update(high_water_mark=mark)

    def _counts_add(self, *, errors=None, **counts) -> None:
        changes = {name: F(name) + value for name, value in counts.items() if value}
        if errors is not None:
            changes["errors"] = errors
        if changes:
            SyncRun.objects.filter(pk=self.run.pk).update(**changes)
        for name, value in counts.items():
            setattr(self.run, name, getattr(self.run, name) + value)
        if errors is not None:
            self.run.errors = errors

    # --- deletions ----------------------------------------------------------------

    def deletions(self) -> None:
        if self.events is not None:
            self._events_apply()
        elif self.run.full or self._reconcile_due():
            started = timezone.now()
            self._keys_reconcile()
            MlsSource.objects.filter(pk=self.source.pk).update(keys_reconciled_at=started)
            self.source.keys_reconciled_at = started

    def _reconcile_due(self) -> bool:
        last = self.source.keys_reconciled_at
        every = datetime.timedelta(hours=settings.MLS_SYNC_RECONCILE_HOURS)
        return last is None or last <= timezone.now() - every

    def _withdraw(self, keys) -> int:
        listings = Property.objects.filter(mls_source=self.source, source_key__in=list(keys))
        return properties_set_status(
            queryset=listings.exclude(status__in=INACTIVE), status=Property.Status.WITHDRAWN
        )

    def _events_apply(self) -> None:
        query = {
            "$filter": f"EntityEventSequence gt {self.source.event_sequence} "
            "and ResourceName eq 'Property'",
            "$orderby": "EntityEventSequence asc",
        }
        url = self.client.url("EntityEvent", **query)
        while url:
            page = self.client.page(url)
            url = page.get("@odata.nextLink")
            events = [e for e in page["value"] if isinstance(e, dict)]
            if not events:
                break
            keys = {str(e.get("ResourceRecordKey")) for e in events}
            served = self._keys_served(keys)
            sequence = max(int(e["EntityEventSequence"]) for e in events)
            with transaction.atomic():
                deleted = self._withdraw(keys - served)
                self._counts_add(deleted=deleted)
                MlsSource.objects.filter(pk=self.source.pk).update(event_sequence=sequence)
                self.source.event_sequence = sequence
            self._renew()

    def _keys_served(self, keys: set[str]) -> set[str]:
        """Which of ``keys`` the source still serves (visible to this client)."""
        ours = set(
            Property.objects.filter(mls_source=self.source, source_key__in=list(keys))
            .exclude(status__in=INACTIVE)
            .values_list("source_key", flat=True)
        )
        served = set()
        ordered = sorted(ours)
        for start in range(0, len(ordered), KEYS_PER_CHECK):
            chunk = ordered[start : start + KEYS_PER_CHECK]
            condition = " or ".join(f"ListingKey eq '{_quote(key)}'" for key in chunk)
            url = self.client.url(
                "Property", **{"$filter": condition, "$select": "ListingKey", "$top": len(chunk)}
            )
            served.update(str(r.get("ListingKey")) for r in self.client.page(url)["value"])
        # Keys we do not hold (or hold withdrawn already) need no answer from the source.
        return served | (keys - ours)

    def _keys_reconcile(self) -> None:
        served = set()
        url = self.client.url("Property", **{"$select": "ListingKey", "$orderby": "ListingKey"})
        while url:
            page = self.client.page(url)
            url = page.get("@odata.nextLink")
            served.update(str(r.get("ListingKey")) for r in page["value"] if isinstance(r, dict))
            self._renew()
        ours = set(
            Property.objects.filter(mls_source=self.source)
            .exclude(status__in=INACTIVE)
            .values_list("source_key", flat=True)
        )
        with transaction.atomic():
            self._counts_add(deleted=self._withdraw(ours - served))


class _Writes:
    """Collects an import's writes, to run them later in the page's own transaction."""

    def __init__(self):
        self.calls = []

    def submit(self, write, *args, **kwargs) -> None:
        self.calls.append((write, args, kwargs))

    def run(self) -> None:
        for write, args, kwargs in self.calls:
            write(*args, **kwargs)


def _page_keys(records: list) -> set[str] | None:
    """The source keys and MLS numbers a page names; None when some record may hide one."""
    keys = set()
    for rec in records:
        if not isinstance(rec, dict):
            continue
        if "ListingKey" not in rec:
            return None  # a name in another case, or none: compare nothing, wait
        key = str(rec["ListingKey"]).strip()
        # The listing's MLS number is its ListingId, or its ListingKey without one.
        number = rec.get("ListingId")
        keys.update((f"key:{key}", f"number:{key if number is None else str(number).strip()}"))
    return keys


def _quote(key: str) -> str:
    return key.replace("'", "''")
