"""The ``listing_change_times`` rule: RESO's status, price and photo change timestamps."""

from functools import partial

from properties.database_rules.base import RuleSQL, Trigger, column_name, table_name


def listing_change_times_sql(vendor: str) -> RuleSQL:
    listing, photo = table_name("properties.Property"), table_name("properties.PropertyPhoto")
    column = partial(column_name, "properties.Property")
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
