"""The ``listing_data_version`` and ``open_house_data_version`` rules: the cache token."""

from django.conf import settings

from properties.database_rules.base import RuleSQL, Trigger, column_name, table_name

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
        f"INSERT INTO {table_name('properties.ListingDataVersion')} (id, token) "
        f"VALUES (1, {random_text}) ON CONFLICT (id) DO UPDATE SET token = excluded.token;"
    )


def listing_data_version_sql(vendor: str) -> RuleSQL:
    listing, photo = table_name("properties.Property"), table_name("properties.PropertyPhoto")
    user_table = table_name(settings.AUTH_USER_MODEL)
    shown = [column_name(settings.AUTH_USER_MODEL, name) for name in LISTING_AGENT_COLUMNS]
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


def open_house_data_version_sql(vendor: str) -> RuleSQL:
    open_house = table_name("properties.OpenHouse")
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
