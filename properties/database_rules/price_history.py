"""The ``price_history`` rule: a changed listing price adds a ``PriceChange`` row."""

from properties.database_rules.base import RuleSQL, Trigger, column_name, table_name


def price_history_sql(vendor: str) -> RuleSQL:
    listing, history = table_name("properties.Property"), table_name("properties.PriceChange")
    price = column_name("properties.Property", "price")
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
