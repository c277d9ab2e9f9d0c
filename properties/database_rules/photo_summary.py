"""The ``photo_summary`` rule: a listing's photo count and primary photo match its photos."""

from properties.database_rules.base import RuleSQL, Trigger, table_name


def photo_summary_sql(vendor: str) -> RuleSQL:
    listing, photo = table_name("properties.Property"), table_name("properties.PropertyPhoto")

    def summary_of(listing_id):
        total = f"(SELECT COUNT(*) FROM {photo} WHERE property_id = {listing_id})"
        primary = (
            # A replicated listing's photo is its MLS's URL (SPEC 7), an upload its path.
            "COALESCE((SELECT CASE WHEN source_url <> '' THEN source_url ELSE image END "
            f"FROM {photo} WHERE property_id = {listing_id} ORDER BY position, id LIMIT 1), '')"
        )
        return total, primary

    total, primary = summary_of("NEW.id")
    photo_moved = (
        "OLD.property_id IS DISTINCT FROM NEW.property_id "
        "OR OLD.position IS DISTINCT FROM NEW.position OR OLD.image IS DISTINCT FROM NEW.image "
        "OR OLD.source_url IS DISTINCT FROM NEW.source_url"
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
                f"AFTER UPDATE OF property_id, position, image, source_url ON {photo} FOR EACH ROW "
                f"WHEN {photo_moved.replace('IS DISTINCT FROM', 'IS NOT')} "
                f"BEGIN UPDATE {listing} SET photo_total = photo_total "
                "WHERE id IN (OLD.property_id, NEW.property_id); END",
            ),
        ]
    )
