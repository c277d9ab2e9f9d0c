"""The rules the database enforces itself, for SQLite and PostgreSQL: their SQL, install and check.

Some rules must hold for every write, and most writes never run model code:
``QuerySet.update()`` (admin bulk actions, the status service), ``bulk_create``
and the COPY upsert of ``import_listings``, deletion cascades, raw SQL. Those
rules are triggers, and this module is their one home:

* ``price_history``: a changed ``Property.price`` adds a ``PriceChange`` row.
* ``photo_summary``: ``Property.photo_total`` and ``primary_photo_image`` always
  describe the listing's photos, whatever wrote the photos or the listing.
* ``entity_events``: every create, change and delete of a record the RESO Web API
  serves (listing, photo, open house, office, agent) appends an ``EntityEvent``,
  so a replicating consumer learns of every change, deletions included.
* ``listing_data_version``: anything a listing response shows changing (a
  listing, a photo, a listing agent's shown columns, a deleted user) gives
  ``ListingDataVersion`` a new random token, which keys the response cache.
* ``open_house_data_version``: the same for open houses, which the listing
  filter ``open_house_after``/``open_house_before`` reads.
* ``listing_change_times``: RESO's change timestamps. A changed status or
  price stamps ``status_changed_at``/``price_changed_at``, unless the same
  write sets that timestamp itself (an import carrying the MLS's own); a new
  listing gets ``status_changed_at`` and ``original_list_price`` (its price)
  when left empty; a photo added, removed, moved, reordered or re-captioned
  stamps its listing's ``photos_changed_at``.

Lifecycle, so that nobody adding a field has to know the triggers exist:

* The migration that introduced a rule installs it (``install_operation``).
* After every ``migrate`` (and ``flush``), ``sync`` brings each rule whose
  migration is applied to its current definition and removes the others
  (``post_migrate``, see ``apps.py``). Changing a rule's SQL here is therefore
  enough: the next ``migrate`` installs the new definition.
* On SQLite a schema change rebuilds the table (create, copy, drop, rename),
  which drops the table's own triggers and fails on triggers of other tables
  that name it. So the rules are removed before SQLite migrates
  (``pre_migrate``) and installed once it is done; the rules a migration asks
  for meanwhile wait for the end of the run. PostgreSQL alters tables in place
  and keeps its triggers, so there they are installed at once and never
  lifted: a deployment migrating under traffic never loses price history.
* PostgreSQL triggers name no columns (no ``UPDATE OF`` list, no ``WHEN``):
  their functions test the columns instead, because a trigger that names a
  column stops ``ALTER COLUMN ... TYPE`` of it (a widened field) outright.
* ``manage.py check`` fails (``hearth.E001``) while a rule is missing or out of
  date in the default database; ``migrate`` repairs it.

Installed triggers are recognised by their definition: on SQLite the stored
``CREATE TRIGGER`` text, on PostgreSQL a comment carrying a digest of the rule's SQL.
"""

import hashlib
from dataclasses import dataclass, field
from functools import partial

from django.apps import apps as global_apps
from django.conf import settings
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, migrations, transaction
from django.db.migrations.recorder import MigrationRecorder

VENDORS = ("postgresql", "sqlite")


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    sql: str


@dataclass(frozen=True)
class RuleSQL:
    """One rule's SQL for one database: triggers, plus what they need (functions, tables)."""

    triggers: list[Trigger]
    setup: list[str] = field(default_factory=list)  # run before the triggers are created
    teardown: list[str] = field(default_factory=list)  # run after they are dropped

    @property
    def digest(self) -> str:
        text = "\n".join([*self.setup, *(trigger.sql for trigger in self.triggers)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Rule:
    name: str
    why: str
    migration: tuple[str, str]  # the migration that introduced the rule
    build: object  # (vendor) -> RuleSQL

    def sql(self, vendor: str) -> RuleSQL:
        if vendor not in VENDORS:
            raise NotImplementedError(f"Hearth's database rules have no SQL for {vendor}.")
        return self.build(vendor)


def _table(label: str) -> str:
    return global_apps.get_model(label)._meta.db_table


def _column(label: str, name: str) -> str:
    return global_apps.get_model(label)._meta.get_field(name).column


# --- price_history --------------------------------------------------------------------


def _price_history(vendor: str) -> RuleSQL:
    listing, history = _table("properties.Property"), _table("properties.PriceChange")
    price = _column("properties.Property", "price")
    insert = (
        f"INSERT INTO {history} (property_id, old_price, new_price, changed_at) "
        f"VALUES (NEW.id, OLD.{price}, NEW.{price}, {{now}});"
    )
    name = f"{listing}_price_change"
    if vendor == "postgresql":
        function = "properties_record_price_change"
        return RuleSQL(
            setup=[
                f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$\n"
                f"BEGIN\n    IF NEW.{price} IS DISTINCT FROM OLD.{price} THEN\n"
                f"        {insert.format(now='now()')}\n    END IF;\n    RETURN NULL;\nEND;\n"
                "$$ LANGUAGE plpgsql;"
            ],
            triggers=[
                Trigger(
                    name,
                    listing,
                    f"CREATE TRIGGER {name} AFTER UPDATE ON {listing} FOR EACH ROW "
                    f"EXECUTE FUNCTION {function}();",
                )
            ],
            teardown=[f"DROP FUNCTION IF EXISTS {function}();"],
        )
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    return RuleSQL(
        triggers=[
            Trigger(
                name,
                listing,
                f"CREATE TRIGGER {name} AFTER UPDATE OF {price} ON {listing} FOR EACH ROW "
                f"WHEN OLD.{price} IS NOT NEW.{price} BEGIN {insert.format(now=now)} END",
            )
        ]
    )


# --- photo_summary --------------------------------------------------------------------


def _photo_summary(vendor: str) -> RuleSQL:
    listing, photo = _table("properties.Property"), _table("properties.PropertyPhoto")

    def summary_of(listing_id):
        total = f"(SELECT COUNT(*) FROM {photo} WHERE property_id = {listing_id})"
        primary = (
            f"COALESCE((SELECT image FROM {photo} WHERE property_id = {listing_id} "
            "ORDER BY position, id LIMIT 1), '')"
        )
        return total, primary

    total, primary = summary_of("NEW.id")
    photo_moved = (
        "OLD.property_id IS DISTINCT FROM NEW.property_id "
        "OR OLD.position IS DISTINCT FROM NEW.position OR OLD.image IS DISTINCT FROM NEW.image"
    )
    if vendor == "postgresql":
        # A photo write stores an impossible photo_total (-1) in its listing, which
        # makes the listing's guard recompute both columns from the photos: the rule
        # for the values is written once, and it runs under the listing's row lock
        # with a fresh snapshot, so concurrent uploads to one listing both count.
        touch = f"UPDATE {listing} SET photo_total = -1 WHERE id ="
        return RuleSQL(
            setup=[
                "CREATE OR REPLACE FUNCTION properties_listing_photo_summary() "
                "RETURNS trigger AS $$\nBEGIN\n"
                "    IF (TG_OP = 'INSERT' AND (NEW.photo_total <> 0 "
                "OR NEW.primary_photo_image <> ''))\n"
                "        OR (TG_OP = 'UPDATE' AND (NEW.photo_total IS DISTINCT FROM OLD.photo_total"
                " OR NEW.primary_photo_image IS DISTINCT FROM OLD.primary_photo_image)) THEN\n"
                f"        NEW.photo_total := {total};\n"
                f"        NEW.primary_photo_image := {primary};\n    END IF;\n"
                "    RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;",
                "CREATE OR REPLACE FUNCTION properties_photo_changed() RETURNS trigger AS $$\n"
                "BEGIN\n"
                f"    IF TG_OP = 'INSERT' THEN {touch} NEW.property_id;\n"
                f"    ELSIF TG_OP = 'DELETE' THEN {touch} OLD.property_id;\n"
                f"    ELSIF {photo_moved} THEN\n"
                f"        {touch} NEW.property_id;\n"
                "        IF OLD.property_id <> NEW.property_id THEN\n"
                f"            {touch} OLD.property_id;\n        END IF;\n    END IF;\n"
                "    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql;",
            ],
            triggers=[
                Trigger(
                    f"{listing}_photo_summary",
                    listing,
                    f"CREATE TRIGGER {listing}_photo_summary BEFORE INSERT OR UPDATE ON {listing} "
                    "FOR EACH ROW EXECUTE FUNCTION properties_listing_photo_summary();",
                ),
                Trigger(
                    f"{photo}_summary",
                    photo,
                    f"CREATE TRIGGER {photo}_summary AFTER INSERT OR DELETE OR UPDATE ON {photo} "
                    "FOR EACH ROW EXECUTE FUNCTION properties_photo_changed();",
                ),
            ],
            teardown=[
                # Names of the triggers before they stopped naming columns.
                f"DROP TRIGGER IF EXISTS {listing}_photo_summary_update ON {listing};",
                f"DROP TRIGGER IF EXISTS {listing}_photo_summary_insert ON {listing};",
                f"DROP TRIGGER IF EXISTS {photo}_summary_insert_delete ON {photo};",
                f"DROP TRIGGER IF EXISTS {photo}_summary_update ON {photo};",
                "DROP FUNCTION IF EXISTS properties_photo_changed();",
                "DROP FUNCTION IF EXISTS properties_listing_photo_summary();",
            ],
        )
    # SQLite triggers cannot assign NEW, so the guard corrects the row with a second
    # UPDATE after the write. That UPDATE does not fire the guard again: SQLite's
    # recursive_triggers is off (Django keeps the default). Writing photo_total to
    # itself makes the guard recompute both columns.
    touch = f"UPDATE {listing} SET photo_total = photo_total WHERE id ="
    recompute = (
        f"UPDATE {listing} SET photo_total = {total}, primary_photo_image = {primary} "
        "WHERE id = NEW.id;"
    )
    return RuleSQL(
        triggers=[
            Trigger(
                f"{listing}_photo_summary_update",
                listing,
                f"CREATE TRIGGER {listing}_photo_summary_update "
                f"AFTER UPDATE OF photo_total, primary_photo_image ON {listing} FOR EACH ROW "
                f"WHEN NEW.photo_total IS NOT {total} OR NEW.primary_photo_image IS NOT {primary} "
                f"BEGIN {recompute} END",
            ),
            Trigger(
                f"{listing}_photo_summary_insert",
                listing,
                f"CREATE TRIGGER {listing}_photo_summary_insert AFTER INSERT ON {listing} "
                "FOR EACH ROW WHEN NEW.photo_total <> 0 OR NEW.primary_photo_image <> '' "
                f"BEGIN {recompute} END",
            ),
            Trigger(
                f"{photo}_summary_insert",
                photo,
                f"CREATE TRIGGER {photo}_summary_insert AFTER INSERT ON {photo} FOR EACH ROW "
                f"BEGIN {touch} NEW.property_id; END",
            ),
            Trigger(
                f"{photo}_summary_delete",
                photo,
                f"CREATE TRIGGER {photo}_summary_delete AFTER DELETE ON {photo} FOR EACH ROW "
                f"BEGIN {touch} OLD.property_id; END",
            ),
            Trigger(
                f"{photo}_summary_update",
                photo,
                f"CREATE TRIGGER {photo}_summary_update "
                f"AFTER UPDATE OF property_id, position, image ON {photo} FOR EACH ROW "
                f"WHEN {photo_moved.replace('IS DISTINCT FROM', 'IS NOT')} "
                f"BEGIN UPDATE {listing} SET photo_total = photo_total "
                "WHERE id IN (OLD.property_id, NEW.property_id); END",
            ),
        ]
    )


# --- listing_data_version -------------------------------------------------------------

# The columns of a user that a listing response shows (its ``listing_agent`` object:
# id, display name, email, phone). Sign-ups, logins and profile fields it does not
# show leave cached listings alone.
LISTING_AGENT_COLUMNS = ("username", "first_name", "last_name", "email", "phone")
CHANGE_TABLE = "properties_listingdatachange"
# Tests run in transactions that never commit, so they set this PostgreSQL setting
# (config/settings_test.py) to have the token replaced at each statement instead.
IMMEDIATE_SETTING = "hearth.listing_version_immediate"


def new_token_sql(vendor: str) -> str:
    """The statement that gives the version row a new random token, creating it if missing."""
    random_text = {
        "postgresql": "gen_random_uuid()::text",
        "sqlite": "lower(hex(randomblob(16)))",
    }[vendor]
    return (
        f"INSERT INTO {_table('properties.ListingDataVersion')} (id, token) "
        f"VALUES (1, {random_text}) ON CONFLICT (id) DO UPDATE SET token = excluded.token;"
    )


def _listing_data_version(vendor: str) -> RuleSQL:
    listing, photo = _table("properties.Property"), _table("properties.PropertyPhoto")
    user_table = _table(settings.AUTH_USER_MODEL)
    shown = [_column(settings.AUTH_USER_MODEL, name) for name in LISTING_AGENT_COLUMNS]
    new_token = new_token_sql(vendor)
    if vendor == "postgresql":
        shown_changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in shown)
        note = (
            f"IF current_setting('{IMMEDIATE_SETTING}', true) = 'on' THEN\n"
            f"        {new_token}\n    ELSE\n"
            f"        INSERT INTO {CHANGE_TABLE} DEFAULT VALUES;\n    END IF;"
        )

        def statement_trigger(table, events):
            name = f"{table}_listing_data_version"
            return Trigger(
                name,
                table,
                f"CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH STATEMENT "
                "EXECUTE FUNCTION properties_listing_data_changed();",
            )

        all_writes = "INSERT OR UPDATE OR DELETE OR TRUNCATE"
        return RuleSQL(
            # A statement notes the change; a deferred constraint trigger replaces the
            # token as the transaction commits. The version row is then locked only
            # while a writer commits: writers of different listings neither queue for
            # their whole transaction nor deadlock on it.
            setup=[
                f"CREATE TABLE IF NOT EXISTS {CHANGE_TABLE} (id bigserial PRIMARY KEY);",
                "CREATE OR REPLACE FUNCTION properties_listing_data_changed() "
                f"RETURNS trigger AS $$\nBEGIN\n    {note}\n"
                "    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql;",
                "CREATE OR REPLACE FUNCTION properties_listing_agent_changed() "
                f"RETURNS trigger AS $$\nBEGIN\n    IF {shown_changed} THEN\n    {note}\n"
                "    END IF;\n    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql;",
                "CREATE OR REPLACE FUNCTION properties_listing_data_commit() "
                "RETURNS trigger AS $$\nBEGIN\n"
                f"    DELETE FROM {CHANGE_TABLE} WHERE id = NEW.id;\n    {new_token}\n"
                "    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql;",
                new_token,
            ],
            triggers=[
                Trigger(
                    f"{CHANGE_TABLE}_at_commit",
                    CHANGE_TABLE,
                    f"CREATE CONSTRAINT TRIGGER {CHANGE_TABLE}_at_commit AFTER INSERT ON "
                    f"{CHANGE_TABLE} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                    "EXECUTE FUNCTION properties_listing_data_commit();",
                ),
                statement_trigger(listing, all_writes),
                statement_trigger(photo, all_writes),
                statement_trigger(user_table, "DELETE OR TRUNCATE"),
                Trigger(
                    f"{user_table}_listing_agent_version",
                    user_table,
                    f"CREATE TRIGGER {user_table}_listing_agent_version "
                    f"AFTER UPDATE ON {user_table} FOR EACH ROW "
                    "EXECUTE FUNCTION properties_listing_agent_changed();",
                ),
            ],
            teardown=[
                f"DROP TABLE IF EXISTS {CHANGE_TABLE};",
                "DROP FUNCTION IF EXISTS properties_listing_agent_changed();",
                "DROP FUNCTION IF EXISTS properties_listing_data_commit();",
                "DROP FUNCTION IF EXISTS properties_listing_data_changed();",
            ],
        )
    # SQLite has row-level triggers only, and locks the whole database for a write anyway.
    shown_changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in shown)
    triggers = [
        Trigger(
            f"{table}_listing_data_version_{event.lower()}",
            table,
            f"CREATE TRIGGER {table}_listing_data_version_{event.lower()} AFTER {event} "
            f"ON {table} FOR EACH ROW BEGIN {new_token} END",
        )
        for table in (listing, photo)
        for event in ("INSERT", "UPDATE", "DELETE")
    ]
    triggers += [
        Trigger(
            f"{user_table}_listing_data_version_delete",
            user_table,
            f"CREATE TRIGGER {user_table}_listing_data_version_delete AFTER DELETE "
            f"ON {user_table} FOR EACH ROW BEGIN {new_token} END",
        ),
        Trigger(
            f"{user_table}_listing_agent_version",
            user_table,
            f"CREATE TRIGGER {user_table}_listing_agent_version AFTER UPDATE OF "
            f"{', '.join(shown)} ON {user_table} FOR EACH ROW WHEN {shown_changed} "
            f"BEGIN {new_token} END",
        ),
    ]
    return RuleSQL(setup=[new_token], triggers=triggers)


# --- open_house_data_version ---------------------------------------------------------


def _open_house_data_version(vendor: str) -> RuleSQL:
    open_house = _table("properties.OpenHouse")
    new_token = new_token_sql(vendor)
    if vendor == "postgresql":
        # Its own function, the same note as listing_data_version's: that rule's
        # teardown drops its function, which a trigger of this rule must not hold.
        name = f"{open_house}_listing_data_version"
        return RuleSQL(
            setup=[
                "CREATE OR REPLACE FUNCTION properties_open_house_data_changed() "
                "RETURNS trigger AS $$\nBEGIN\n"
                f"    IF current_setting('{IMMEDIATE_SETTING}', true) = 'on' THEN\n"
                f"        {new_token}\n    ELSE\n"
                f"        INSERT INTO {CHANGE_TABLE} DEFAULT VALUES;\n    END IF;\n"
                "    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql;",
            ],
            triggers=[
                Trigger(
                    name,
                    open_house,
                    f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                    f"ON {open_house} FOR EACH STATEMENT "
                    "EXECUTE FUNCTION properties_open_house_data_changed();",
                )
            ],
            teardown=["DROP FUNCTION IF EXISTS properties_open_house_data_changed();"],
        )
    return RuleSQL(
        triggers=[
            Trigger(
                f"{open_house}_listing_data_version_{event.lower()}",
                open_house,
                f"CREATE TRIGGER {open_house}_listing_data_version_{event.lower()} "
                f"AFTER {event} ON {open_house} FOR EACH ROW BEGIN {new_token} END",
            )
            for event in ("INSERT", "UPDATE", "DELETE")
        ]
    )


# --- listing_change_times -------------------------------------------------------------


def _listing_change_times(vendor: str) -> RuleSQL:
    listing, photo = _table("properties.Property"), _table("properties.PropertyPhoto")
    column = partial(_column, "properties.Property")
    status, price = column("status"), column("price")
    status_at, price_at = column("status_changed_at"), column("price_changed_at")
    photos_at, original = column("photos_changed_at"), column("original_list_price")
    photo_changed = (
        "OLD.property_id IS DISTINCT FROM NEW.property_id OR OLD.position IS DISTINCT FROM "
        "NEW.position OR OLD.image IS DISTINCT FROM NEW.image "
        "OR OLD.caption IS DISTINCT FROM NEW.caption"
    )
    if vendor == "postgresql":
        stamp_photos = f"UPDATE {listing} SET {photos_at} = now() WHERE id"
        return RuleSQL(
            setup=[
                "CREATE OR REPLACE FUNCTION properties_listing_change_times() "
                "RETURNS trigger AS $$\nBEGIN\n"
                "    IF TG_OP = 'INSERT' THEN\n"
                f"        NEW.{status_at} := coalesce(NEW.{status_at}, now());\n"
                f"        NEW.{original} := coalesce(NEW.{original}, NEW.{price});\n"
                "    ELSE\n"
                f"        IF NEW.{status} IS DISTINCT FROM OLD.{status} "
                f"AND NEW.{status_at} IS NOT DISTINCT FROM OLD.{status_at} THEN\n"
                f"            NEW.{status_at} := now();\n        END IF;\n"
                f"        IF NEW.{price} IS DISTINCT FROM OLD.{price} "
                f"AND NEW.{price_at} IS NOT DISTINCT FROM OLD.{price_at} THEN\n"
                f"            NEW.{price_at} := now();\n        END IF;\n"
                "    END IF;\n    RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;",
                "CREATE OR REPLACE FUNCTION properties_photos_changed_at() "
                "RETURNS trigger AS $$\nBEGIN\n"
                f"    IF TG_OP = 'INSERT' THEN {stamp_photos} = NEW.property_id;\n"
                f"    ELSIF TG_OP = 'DELETE' THEN {stamp_photos} = OLD.property_id;\n"
                f"    ELSIF {photo_changed} THEN\n"
                f"        {stamp_photos} IN (OLD.property_id, NEW.property_id);\n"
                "    END IF;\n    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql;",
            ],
            triggers=[
                Trigger(
                    f"{listing}_change_times",
                    listing,
                    f"CREATE TRIGGER {listing}_change_times BEFORE INSERT OR UPDATE ON {listing} "
                    "FOR EACH ROW EXECUTE FUNCTION properties_listing_change_times();",
                ),
                Trigger(
                    f"{photo}_changed_at",
                    photo,
                    f"CREATE TRIGGER {photo}_changed_at AFTER INSERT OR DELETE OR UPDATE "
                    f"ON {photo} FOR EACH ROW EXECUTE FUNCTION properties_photos_changed_at();",
                ),
            ],
            teardown=[
                "DROP FUNCTION IF EXISTS properties_photos_changed_at();",
                "DROP FUNCTION IF EXISTS properties_listing_change_times();",
            ],
        )
    # SQLite triggers cannot assign NEW: they write the row again after the statement.
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    stamp_photos = f"UPDATE {listing} SET {photos_at} = {now} WHERE id"
    return RuleSQL(
        triggers=[
            Trigger(
                f"{listing}_change_times_insert",
                listing,
                f"CREATE TRIGGER {listing}_change_times_insert AFTER INSERT ON {listing} "
                f"FOR EACH ROW WHEN NEW.{status_at} IS NULL OR NEW.{original} IS NULL "
                f"BEGIN UPDATE {listing} SET {status_at} = coalesce({status_at}, {now}), "
                f"{original} = coalesce({original}, {price}) WHERE id = NEW.id; END",
            ),
            Trigger(
                f"{listing}_change_times_status",
                listing,
                f"CREATE TRIGGER {listing}_change_times_status AFTER UPDATE OF {status} "
                f"ON {listing} FOR EACH ROW WHEN NEW.{status} IS NOT OLD.{status} "
                f"AND NEW.{status_at} IS OLD.{status_at} "
                f"BEGIN UPDATE {listing} SET {status_at} = {now} WHERE id = NEW.id; END",
            ),
            Trigger(
                f"{listing}_change_times_price",
                listing,
                f"CREATE TRIGGER {listing}_change_times_price AFTER UPDATE OF {price} "
                f"ON {listing} FOR EACH ROW WHEN NEW.{price} IS NOT OLD.{price} "
                f"AND NEW.{price_at} IS OLD.{price_at} "
                f"BEGIN UPDATE {listing} SET {price_at} = {now} WHERE id = NEW.id; END",
            ),
            Trigger(
                f"{photo}_changed_at_insert",
                photo,
                f"CREATE TRIGGER {photo}_changed_at_insert AFTER INSERT ON {photo} "
                f"FOR EACH ROW BEGIN {stamp_photos} = NEW.property_id; END",
            ),
            Trigger(
                f"{photo}_changed_at_delete",
                photo,
                f"CREATE TRIGGER {photo}_changed_at_delete AFTER DELETE ON {photo} "
                f"FOR EACH ROW BEGIN {stamp_photos} = OLD.property_id; END",
            ),
            Trigger(
                f"{photo}_changed_at_update",
                photo,
                f"CREATE TRIGGER {photo}_changed_at_update "
                f"AFTER UPDATE OF property_id, position, image, caption ON {photo} FOR EACH ROW "
                f"WHEN {photo_changed.replace('IS DISTINCT FROM', 'IS NOT')} "
                f"BEGIN {stamp_photos} IN (OLD.property_id, NEW.property_id); END",
            ),
        ]
    )


# --- entity_events --------------------------------------------------------------------

# Served tables (model label), the RESO resource their rows are, the rows that count
# (a column value, or every row), and columns whose change alone is no change of the
# record (a login, a password). The key is the row's id, as the OData layer serves it.
ENTITY_EVENT_SOURCES = (
    ("properties.Property", "Property", None, ()),
    ("properties.PropertyPhoto", "Media", None, ()),
    ("properties.OpenHouse", "OpenHouse", None, ()),
    ("users.Office", "Office", None, ()),
    (settings.AUTH_USER_MODEL, "Member", ("role", "agent"), ("last_login", "password")),
)


def _sqlite_columns(table: str, model) -> list[str]:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "sqlite":
        try:
            with connection.cursor() as cursor:
                description = connection.introspection.get_table_description(cursor, table)
            return [column.name for column in description]
        except DatabaseError:
            pass  # the table is not created yet
    return [field.column for field in model._meta.concrete_fields]


def _entity_events(vendor: str) -> RuleSQL:
    """Every create, change and delete of a served record appends one EntityEvent row."""
    events = _table("reso.EntityEvent")
    columns = "(resource_name, resource_record_key, created_at)"
    if vendor == "postgresql":
        function = "reso_entity_event"
        # The function reads rows as jsonb, so no trigger names a column: arguments are
        # the resource, the columns to ignore, and the (column, value) rows must have.
        setup = [
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$\n"
            "DECLARE\n"
            "    old_row jsonb := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END;\n"
            "    new_row jsonb := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END;\n"
            "    ignored text[] := TG_ARGV[1]::text[];\n"
            "    required jsonb := TG_ARGV[2]::jsonb;\n"
            "BEGIN\n"
            "    IF TG_OP = 'UPDATE' AND (old_row - ignored) = (new_row - ignored) THEN\n"
            "        RETURN NULL;\n    END IF;\n"
            "    IF NOT (coalesce(new_row @> required, false) "
            "OR coalesce(old_row @> required, false)) THEN\n"
            "        RETURN NULL;\n    END IF;\n"
            # clock_timestamp: the events of one long transaction keep their order in time.
            f"    INSERT INTO {events} {columns}\n"
            "    VALUES (TG_ARGV[0], coalesce(new_row, old_row) ->> 'id', clock_timestamp());\n"
            "    RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql;"
        ]
        triggers = []
        for label, resource, required, ignored in ENTITY_EVENT_SOURCES:
            table = _table(label)
            ignored_array = "{" + ",".join(_column(label, name) for name in ignored) + "}"
            required_json = (
                f'{{"{_column(label, required[0])}": "{required[1]}"}}' if required else "{}"
            )
            name = f"{table}_entity_event"
            triggers.append(
                Trigger(
                    name,
                    table,
                    f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {function}"
                    f"('{resource}', '{ignored_array}', '{required_json}');",
                )
            )
        return RuleSQL(
            setup=setup, triggers=triggers, teardown=[f"DROP FUNCTION IF EXISTS {function}();"]
        )
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    triggers = []
    for label, resource, required, ignored in ENTITY_EVENT_SOURCES:
        model = global_apps.get_model(label)
        table = model._meta.db_table
        ignored_columns = {_column(label, name) for name in ignored}
        # SQLite has no row comparison: the change test names the table's columns as the
        # database has them now, so a migration that adds or renames one changes this SQL,
        # which the sync after it installs.
        changed = " OR ".join(
            f'OLD."{column}" IS NOT NEW."{column}"'
            for column in _sqlite_columns(table, model)
            if column not in ignored_columns
        )

        def counts(row, required=required, label=label):
            if required is None:
                return "1"
            return f"{row}.{_column(label, required[0])} = '{required[1]}'"

        def event(row, resource=resource):
            # Other rules' triggers correct a row with a second UPDATE on SQLite (it cannot
            # assign NEW): one write fires this trigger twice within the same millisecond.
            # An event repeating the newest one (same record, same instant) tells a consumer
            # nothing new, so it is not written.
            key = f"CAST({row}.id AS TEXT)"
            return (
                f"INSERT INTO {events} {columns} SELECT '{resource}', {key}, {now} "
                f"WHERE NOT EXISTS (SELECT 1 FROM {events} WHERE id = "
                f"(SELECT MAX(id) FROM {events}) AND resource_name = '{resource}' "
                f"AND resource_record_key = {key} AND created_at = {now});"
            )

        triggers += [
            Trigger(
                f"{table}_entity_event_insert",
                table,
                f"CREATE TRIGGER {table}_entity_event_insert AFTER INSERT ON {table} "
                f"FOR EACH ROW WHEN {counts('NEW')} BEGIN {event('NEW')} END",
            ),
            Trigger(
                f"{table}_entity_event_update",
                table,
                f"CREATE TRIGGER {table}_entity_event_update AFTER UPDATE ON {table} "
                f"FOR EACH ROW WHEN ({counts('NEW')} OR {counts('OLD')}) AND ({changed}) "
                f"BEGIN {event('NEW')} END",
            ),
            Trigger(
                f"{table}_entity_event_delete",
                table,
                f"CREATE TRIGGER {table}_entity_event_delete AFTER DELETE ON {table} "
                f"FOR EACH ROW WHEN {counts('OLD')} BEGIN {event('OLD')} END",
            ),
        ]
    return RuleSQL(triggers=triggers)


RULES = [
    Rule(
        "price_history",
        "A changed listing price is recorded as a PriceChange, by any write path.",
        ("properties", "0002_price_change_trigger_and_search_index"),
        _price_history,
    ),
    Rule(
        "photo_summary",
        "A listing's photo_total and primary_photo_image always match its photos.",
        ("properties", "0004_listing_photo_summary"),
        _photo_summary,
    ),
    Rule(
        "listing_data_version",
        "Whatever a listing response shows changing replaces the cache's data version token.",
        ("properties", "0005_listing_data_version"),
        _listing_data_version,
    ),
    Rule(
        "open_house_data_version",
        "An open house written replaces the cache's data version token (the open house filter).",
        ("properties", "0007_reso_data_dictionary"),
        _open_house_data_version,
    ),
    Rule(
        "listing_change_times",
        "A listing's status, price and photo change times (RESO's) are stamped by any write path.",
        ("properties", "0007_reso_data_dictionary"),
        _listing_change_times,
    ),
    Rule(
        "entity_events",
        "Every create, change and delete of a served RESO record appends an EntityEvent.",
        ("reso", "0001_entity_event_and_lookup"),
        _entity_events,
    ),
]
RULES_BY_NAME = {rule.name: rule for rule in RULES}

# --- install, uninstall, inspect ------------------------------------------------------

# Aliases of SQLite databases being migrated: rules wait for the end of the run.
_deferred_aliases: set[str] = set()


def _drop_trigger_sql(vendor: str, trigger: Trigger) -> str:
    if vendor == "postgresql":
        return f"DROP TRIGGER IF EXISTS {trigger.name} ON {trigger.table};"
    return f"DROP TRIGGER IF EXISTS {trigger.name};"


def _marker(rule: Rule, sql: RuleSQL) -> str:
    return f"hearth rule {rule.name} {sql.digest}"


def _table_names(connection) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def uninstall(connection, rule: Rule) -> None:
    """Drop a rule's triggers, then what they used."""
    vendor = connection.vendor
    sql = rule.sql(vendor)
    tables = _table_names(connection)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for trigger in sql.triggers:
            if vendor == "sqlite" or trigger.table in tables:
                cursor.execute(_drop_trigger_sql(vendor, trigger))
        for statement in sql.teardown:
            cursor.execute(statement)


def install(connection, rule: Rule) -> None:
    """Create a rule's current definition, replacing whatever version is installed."""
    vendor = connection.vendor
    sql = rule.sql(vendor)
    uninstall(connection, rule)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in sql.setup:
            cursor.execute(statement)
        for trigger in sql.triggers:
            cursor.execute(trigger.sql)
            if vendor == "postgresql":
                cursor.execute(
                    f"COMMENT ON TRIGGER {trigger.name} ON {trigger.table} IS %s",
                    [_marker(rule, sql)],
                )


def _installed_triggers(connection) -> dict[str, str]:
    """Trigger name -> how it is recognised (SQLite: its SQL; PostgreSQL: its comment)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, coalesce(obj_description(t.oid, 'pg_trigger'), '') "
                "FROM pg_trigger t WHERE NOT t.tgisinternal"
            )
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        return dict(cursor.fetchall())


def is_current(connection, rule: Rule, installed: dict[str, str] | None = None) -> bool:
    """Whether every trigger of the rule is in the database, as defined here."""
    sql = rule.sql(connection.vendor)
    installed = _installed_triggers(connection) if installed is None else installed
    if connection.vendor == "postgresql":
        return all(installed.get(t.name) == _marker(rule, sql) for t in sql.triggers)
    return all(installed.get(t.name) == t.sql for t in sql.triggers)


def _applied(connection) -> set[tuple[str, str]]:
    recorder = MigrationRecorder(connection)
    return set(recorder.applied_migrations()) if recorder.has_table() else set()


def expected_rules(connection) -> list[Rule]:
    """The rules this database should have: those whose migration is applied."""
    applied = _applied(connection)
    return [rule for rule in RULES if rule.migration in applied]


def sync(connection) -> list[str]:
    """Install every expected rule that is missing or outdated and drop the others.

    Returns the names of the rules it installed. Idempotent and cheap when
    nothing is to do: one query for the applied migrations, one for the triggers.
    """
    expected = expected_rules(connection)
    installed = _installed_triggers(connection)
    done = []
    for rule in RULES:
        if rule not in expected:
            if any(t.name in installed for t in rule.sql(connection.vendor).triggers):
                uninstall(connection, rule)
        elif not is_current(connection, rule, installed):
            install(connection, rule)
            done.append(rule.name)
    return done


def missing(connection) -> list[str]:
    """Names of the expected rules that are not installed as defined here."""
    installed = _installed_triggers(connection)
    return [
        rule.name
        for rule in expected_rules(connection)
        if not is_current(connection, rule, installed)
    ]


# --- migrations and the migrate command -----------------------------------------------


def _install_from_migration(names, apps, schema_editor):
    connection = schema_editor.connection
    if connection.alias in _deferred_aliases:
        return  # SQLite mid-migrate: installed by sync() when the run ends
    for name in names:
        install(connection, RULES_BY_NAME[name])


def _uninstall_from_migration(names, apps, schema_editor):
    for name in names:
        uninstall(schema_editor.connection, RULES_BY_NAME[name])


def install_operation(*names: str) -> migrations.RunPython:
    """The migration operation that installs these rules (and drops them when reversed)."""
    return migrations.RunPython(
        partial(_install_from_migration, names), partial(_uninstall_from_migration, names)
    )


def before_migrate(sender, using=DEFAULT_DB_ALIAS, plan=None, **kwargs):
    """``pre_migrate``: on SQLite, lift every rule so table rebuilds cannot trip on them."""
    connection = connections[using]
    if connection.vendor != "sqlite" or not plan:
        return
    _deferred_aliases.add(using)
    for rule in RULES:
        uninstall(connection, rule)


def after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """``post_migrate`` (also sent by ``flush``): every rule as defined here."""
    _deferred_aliases.discard(using)
    sync(connections[using])


@checks.register("hearth")
def check_rules_installed(app_configs=None, databases=None, **kwargs):
    """hearth.E001: a rule whose migration is applied is missing or out of date.

    Runs with ``manage.py check`` and at server start (``databases`` not given),
    on the default database. ``migrate`` passes ``databases`` and is skipped:
    it is the command that repairs the rules.
    """
    if databases is not None:
        return []
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        names = missing(connection)
    except DatabaseError as exc:
        return [
            checks.Warning(
                f"Could not check Hearth's database rules: {exc}",
                id="hearth.W001",
            )
        ]
    return [
        checks.Error(
            f"The database rule '{name}' is missing or out of date: {RULES_BY_NAME[name].why}",
            hint="Run `manage.py migrate`, which installs every rule as defined in "
            "properties/database_rules.py.",
            id="hearth.E001",
        )
        for name in names
    ]
