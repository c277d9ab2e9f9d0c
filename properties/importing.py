"""Importing listings from RESO records: validate by the API's rules, upsert in batches.

Semantics an operator can rely on:

* Field names are RESO Data Dictionary 2.0 names, matched case-insensitively
  (``properties.reso``); columns Hearth does not use are named in the summary
  (``ignored columns: …``), never dropped silently.
* ``ListingId`` is the key (``ListingKey`` when a feed has no ``ListingId``). A
  row without one fails; a second row with the same key in one feed fails and
  names the row that came first (which wins).
* A field absent from a record (a column the CSV does not have, a key the JSON
  object leaves out) is left as it is on an existing listing and takes its
  default on a new one. An empty cell clears an optional field.
* A row is validated by ``PropertySerializer``'s rules (the API's), applied to
  the stored listing as a PATCH would be. A bad row is reported and skipped;
  the others are imported.
* ``ListAgentEmail`` links the agent with that email (case-insensitive); an
  email that matches no agent leaves the listing without one (a listing keeps
  a current agent who is no longer one).
* Without a source, rows match local listings only (an MLS source's listing
  with the same number is that MLS's, untouched).
* Given an MLS ``source`` (``mls.sync``), records are matched on the source's
  ``ListingKey`` among that source's listings instead, so two sources never
  overwrite each other; MLS numbers are unique per source (``mls_scope``), so a
  ``ListingId`` another of the source's keys already has fails the row.
* Rows identical to the stored listing are not written, so their
  ``updated_at`` stays; a price change is an UPDATE of ``price``, which the
  database trigger records as a ``PriceChange``.
* ``StatusChangeTimestamp`` and ``PriceChangeTimestamp`` are taken from the feed
  when it has them; otherwise the database stamps a changed status or price
  with the time of the import, as for every write (``database_rules``).
* ``InternetEntireListingDisplayYN`` or ``MlgCanView`` false stores the listing
  as not for display: only its agent and staff see it.
"""

import contextlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models.base import DEFERRED
from django.db.models.functions import Lower
from rest_framework import serializers
from rest_framework.fields import Field, SkipField, empty, get_error_detail
from rest_framework.validators import UniqueValidator

from properties.bulk import BatchWriter, listings_upsert
from properties.feeds import BadRecord
from properties.models import Property
from properties.reso import (
    FIELDS_FROM_RESO,
    UnknownValue,
    record_normalize,
    reso_to_listing_data,
)
from properties.serializers import PropertySerializer
from users.models import User

DEFAULT_BATCH_SIZE = 1000
_RESO_NAME = {hearth: reso for reso, hearth in FIELDS_FROM_RESO.items()}


@dataclass(frozen=True)
class RowFailure:
    """A row that was not imported, and why."""

    row: int
    mls_number: str
    reason: str

    def __str__(self):
        return f"row {self.row} (ListingId {self.mls_number or '-'}): {self.reason}"


@dataclass
class ImportResult:
    """What an import did (or, dry, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failures: list[RowFailure] = field(default_factory=list)
    # Column names Hearth does not use, as the feed spelt them, in order of appearance.
    ignored_columns: dict[str, None] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.failed

    def summary(self) -> str:
        line = (
            f"created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, failed {self.failed}"
        )
        if self.ignored_columns:
            line += f"; ignored columns: {', '.join(self.ignored_columns)}"
        return line


class ListingImportSerializer(PropertySerializer):
    """``PropertySerializer``'s rules for the fields a feed carries.

    The agent comes by email (``ListAgentEmail``), not by id, and the fields
    only a response has are dropped.
    """

    url = listing_agent = listing_agent_id = primary_photo = photo_count = distance_km = None
    # Derived: a feed sends the bathroom counts (``reso_to_listing_data`` splits a total).
    bathrooms = days_on_market = time_zone = None

    class Meta(PropertySerializer.Meta):
        fields = list(_RESO_NAME)
        read_only_fields = []

    def get_fields(self):
        fields = super().get_fields()
        # The MLS number is the key rows are matched on, not a clash to refuse;
        # the unique check would also cost a query per row.
        key = fields["mls_number"]
        key.validators = [v for v in key.validators if not isinstance(v, UniqueValidator)]
        return fields

    def to_internal_value(self, data):
        """DRF's loop over the writable fields, with what it looks up per field done once.

        One serializer validates every row of a feed; DRF's own loop spends
        most of a row's validation finding each field's value getter and
        ``validate_<name>`` method again (bench/RESULTS.md, "MLS sync"). The
        same fields' ``run_validation`` and methods run in the same order, so
        the values and errors are DRF's.
        """
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)
        plan = self.__dict__.get("_field_plan")
        if plan is None:
            plan = self._field_plan = [
                (
                    f.field_name,
                    None if type(f).get_value is Field.get_value else f.get_value,
                    f.run_validation,
                    getattr(self, "validate_" + f.field_name, None),
                    f.source_attrs,
                )
                for f in self._writable_fields
            ]
        validated, errors = {}, {}
        for name, get_value, run_validation, validate_method, source_attrs in plan:
            try:
                value = data.get(name, empty) if get_value is None else get_value(data)
                value = run_validation(value)
                if validate_method is not None:
                    value = validate_method(value)
            except serializers.ValidationError as exc:
                errors[name] = exc.detail
            except DjangoValidationError as exc:
                errors[name] = get_error_detail(exc)
            except SkipField:
                pass
            else:
                self.set_value(validated, source_attrs, value)
        if errors:
            raise serializers.ValidationError(errors)
        return validated


class _MemoizedValidation:
    """A field's ``run_validation`` that remembers its answer for values it saw before.

    A feed repeats the same cities, states, statuses, dates and bedroom counts
    thousands of times; each field's rules depend on the value alone, so the
    answer (a value, an error or "skip") is looked up instead of recomputed.
    Keys include the type: ``True``, ``1`` and ``1.0`` are equal to Python but
    not to the rules. The cache stops growing at ``LIMIT`` values per field.
    """

    LIMIT = 5000

    def __init__(self, run_validation):
        self.run_validation = run_validation
        self.answers = {}

    def __call__(self, data=empty):
        try:
            key = (type(data), data)
            answer = self.answers.get(key)
        except TypeError:  # unhashable: a list or an object in a JSON feed
            return self.run_validation(data)
        if answer is None:
            try:
                answer = (True, self.run_validation(data))
            except serializers.ValidationError as exc:
                answer = (False, exc.detail)
            except SkipField:
                answer = (False, None)
            if len(self.answers) < self.LIMIT:
                self.answers[key] = answer
        valid, value = answer
        if valid:
            return value
        if value is None:
            raise SkipField
        raise serializers.ValidationError(value)


class _RowValidator:
    """One serializer for every row: building its fields per row would cost more than the rest."""

    def __init__(self):
        self.serializer = ListingImportSerializer()
        self.fields = self.serializer.fields
        for validated_field in self.fields.values():
            validated_field.run_validation = _MemoizedValidation(validated_field.run_validation)
        self.text_fields = {
            name for name, f in self.fields.items() if isinstance(f, serializers.CharField)
        }

    def validate(self, data: dict, instance: Property | None) -> dict:
        for name in list(data):
            value = data[name]
            if name in self.text_fields and isinstance(value, int) and not isinstance(value, bool):
                # JSON feeds write postal codes and MLS numbers as numbers; the API
                # takes text only, a feed is forgiven the type.
                data[name] = value = str(value)
            if value is None or (isinstance(value, str) and not value.strip()):
                # CSV has no null: an empty cell clears a field, or means "not given"
                # for a field that cannot be empty (the default applies then).
                if name in self.text_fields:
                    data[name] = ""
                elif self.fields[name].allow_null:
                    data[name] = None
                else:
                    del data[name]
        self.serializer.instance = instance
        return self.serializer.run_validation(data)


class _NewListings:
    """``Property(**attrs)`` for a batch's new rows, at a fraction of the cost.

    Django's keyword ``__init__`` looks up and computes the default of every
    field a row leaves out, for each row; here the defaults are computed once
    per batch (they are constants and ``today``) and each listing is built
    from positional values, as Django builds rows it reads.
    """

    def __init__(self):
        fields = Property._meta.concrete_fields
        # A generated column is the database's to compute, as for the keyword form.
        self.defaults = [DEFERRED if f.generated else f.get_default() for f in fields]
        # Positions by column attribute (``listing_agent_id``): a relation's name
        # would take an object where the value goes, so it is left to Django.
        self.position = {f.attname: i for i, f in enumerate(fields)}
        # A mutable default (a dict, a list) would be shared by the batch's listings.
        self.shared = not any(isinstance(d, dict | list | set) for d in self.defaults)

    def __call__(self, attrs: dict) -> Property:
        if not self.shared:
            return Property(**attrs)
        values = self.defaults.copy()
        try:
            for name, value in attrs.items():
                values[self.position[name]] = value
        except KeyError:  # not a column attribute: Django decides
            return Property(**attrs)
        return Property(*values)


def _reason(detail) -> str:
    if not isinstance(detail, dict):
        return " ".join(str(message) for message in detail)
    parts = []
    for name, messages in detail.items():
        label = _RESO_NAME.get(name, "row")
        parts.append(f"{label}: {' '.join(str(message) for message in messages)}")
    return " ".join(parts)


@dataclass
class _Row:
    number: int
    mls_number: str
    data: dict
    agent_email: str | None  # None: the record does not name an agent
    source_key: str = ""  # the source's ListingKey, when importing for an MLS source


def listings_import(
    *,
    records: Iterable[tuple[int, object]],
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_batch: Callable[[ImportResult], None] | None = None,
    context: str = "import",
    source=None,
    writer=None,
) -> ImportResult:
    """Upsert RESO ``records`` (``(row_number, record)`` pairs) on their MLS number.

    Each batch costs three queries (existing listings, agents, one upsert) and
    is written in its own transaction, so an interrupted import leaves whole
    batches and running it again completes it. On PostgreSQL a batch is
    written while the next one is validated (``BatchWriter``).

    A caller that writes more in the same transaction as the batch (``mls.sync``:
    the run's counts and high-water mark) passes its own ``writer``: anything
    with ``submit(write, *args, **kwargs)``, left open.
    """
    result = ImportResult()
    validator = _RowValidator()
    first_row_of = {}
    batch = []
    with contextlib.nullcontext(writer) if writer else BatchWriter(context=context) as writer:
        for number, record in records:
            row = _row_read(number, record, first_row_of, result, keyed=source is not None)
            if row is not None:
                batch.append(row)
            if len(batch) >= batch_size:
                _batch_import(
                    batch, validator, result, writer=writer, dry_run=dry_run, source=source
                )
                batch = []
                if on_batch:
                    on_batch(result)
        if batch:
            _batch_import(batch, validator, result, writer=writer, dry_run=dry_run, source=source)
    if on_batch:
        on_batch(result)
    result.failures.sort(key=lambda failure: failure.row)
    return result


def _row_read(number, record, first_row_of, result, *, keyed=False) -> _Row | None:
    if isinstance(record, BadRecord):
        result.failures.append(RowFailure(number, "", record.reason))
        return None
    if not isinstance(record, dict):
        kind = type(record).__name__
        result.failures.append(
            RowFailure(number, "", f"expected an object of RESO fields, got a JSON {kind}.")
        )
        return None
    normalized = record_normalize(record)
    for name in normalized.ignored:
        result.ignored_columns.setdefault(name, None)
    record = normalized.fields
    source_key = _key(record.get("ListingKey"))
    if keyed and not source_key:
        reason = "ListingKey: This field is required; a source's listings are matched on it."
        result.failures.append(RowFailure(number, _key(record.get("ListingId")), reason))
        return None
    key = _key(record.get("ListingId"))
    if not key:
        # A feed that only has the source system's key (RESO Web API examples) is keyed on it.
        key = _key(record.get("ListingKey"))
        record["ListingId"] = key
    if not key:
        reason = "ListingId: This field is required; imports match listings on it."
        result.failures.append(RowFailure(number, "", reason))
        return None
    match = source_key if keyed else key
    if match in first_row_of:
        name = "ListingKey" if keyed else "ListingId"
        reason = f"{name} {match} already appeared on row {first_row_of[match]}; row skipped."
        result.failures.append(RowFailure(number, match, reason))
        return None
    if keyed:
        # Two keys of one source with one ListingId: the first keeps it (unique per source).
        first = first_row_of.get(("ListingId", key))
        if first is not None:
            reason = f"ListingId {key} already appeared on row {first}; row skipped."
            result.failures.append(RowFailure(number, source_key, reason))
            return None
        first_row_of[("ListingId", key)] = number
    first_row_of[match] = number
    try:
        data = reso_to_listing_data(record)
    except UnknownValue as exc:
        result.failures.append(RowFailure(number, key, f"{exc.field}: {exc}"))
        return None
    data["mls_number"] = key
    email = None
    if "listing_agent" in data:
        raw_email = data.pop("listing_agent")
        email = str(raw_email).strip().lower() if raw_email is not None else ""
    return _Row(number, key, data, email, source_key)


def _key(value) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value).strip()


def _agent_id(user, listing) -> int | None:
    # The API's rule (User.may_list): an unknown email or a user who may not list
    # leaves the listing without an agent rather than failing the row.
    return user.pk if user is not None and user.may_list(listing) else None


def _existing(batch: list[_Row], source, result) -> tuple[list[_Row], dict]:
    """The stored listing of each row, by the row's match key; rows that would clash are failed."""
    keys = [row.mls_number for row in batch]
    if source is None:
        # Local listings only: a source's listing with the same number is that MLS's own.
        local = Property.objects.in_mls_scope(None).filter(mls_number__in=keys)
        return batch, {listing.mls_number: listing for listing in local}
    existing = {
        listing.source_key: listing
        for listing in Property.objects.filter(
            mls_source=source, source_key__in=[row.source_key for row in batch]
        )
    }
    # A ListingId is unique within the source: one held by another of its keys is
    # reported, never taken over. Other sources and local listings number their own.
    taken = dict(
        Property.objects.in_mls_scope(source.pk)
        .filter(mls_number__in=keys)
        .exclude(source_key__in=list(existing))
        .values_list("mls_number", "id")
    )
    kept = []
    for row in batch:
        if row.mls_number in taken:
            holder = taken[row.mls_number]
            reason = f"ListingId {row.mls_number} belongs to listing {holder}; row skipped."
            result.failures.append(RowFailure(row.number, row.source_key, reason))
        else:
            kept.append(row)
    return kept, existing


def _batch_import(batch: list[_Row], validator, result, *, writer, dry_run, source=None) -> None:
    batch, existing = _existing(batch, source, result)
    emails = {row.agent_email for row in batch if row.agent_email}
    users = {}
    if emails:
        users = {
            user.email_lower: user
            for user in User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails)
            .only("id", "role", "is_active")
        }
    to_write, changed_fields = [], set()
    new_listing = _NewListings()
    for row in batch:
        listing = existing.get(row.source_key if source is not None else row.mls_number)
        try:
            attrs = validator.validate(row.data, listing)
        except serializers.ValidationError as exc:
            key = row.source_key if source is not None else row.mls_number
            result.failures.append(RowFailure(row.number, key, _reason(exc.detail)))
            continue
        if source is not None:
            attrs.update(mls_source_id=source.pk, source_key=row.source_key)
        # The feed is the authority on who lists what it carries: a row naming
        # no agent (column missing or empty) leaves the listing without one, so
        # whoever held the number before the feed claimed it keeps no control.
        attrs["listing_agent_id"] = (
            _agent_id(users.get(row.agent_email), listing) if row.agent_email else None
        )
        if listing is None:
            to_write.append(new_listing(attrs))
            result.created += 1
            continue
        changes = {name: value for name, value in attrs.items() if getattr(listing, name) != value}
        if not changes:
            result.unchanged += 1
            continue
        for name, value in changes.items():
            setattr(listing, name, value)
        listing.pk = None
        to_write.append(listing)
        changed_fields.update(changes)
        result.updated += 1
    if to_write and not dry_run:
        update_fields = {"listing_agent" if f == "listing_agent_id" else f for f in changed_fields}
        # One INSERT ... ON CONFLICT (key) DO UPDATE for new and changed rows alike.
        writer.submit(
            listings_upsert,
            to_write,
            update_fields=sorted(update_fields | {"updated_at"}),
            unique_fields=(
                ["mls_source", "source_key"] if source is not None else ["mls_scope", "mls_number"]
            ),
        )
