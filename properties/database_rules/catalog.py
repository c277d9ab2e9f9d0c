"""Every rule: its name, why it exists, the migration that introduced it, its SQL."""

from properties.database_rules.base import Rule
from properties.database_rules.change_log import change_log_sql
from properties.database_rules.change_times import listing_change_times_sql
from properties.database_rules.data_version import (
    listing_data_version_sql,
    open_house_data_version_sql,
)
from properties.database_rules.entity_events import entity_events_sql
from properties.database_rules.photo_summary import photo_summary_sql
from properties.database_rules.price_history import price_history_sql

RULES = [
    Rule(
        "price_history",
        "A changed listing price is recorded as a PriceChange, by any write path.",
        ("properties", "0002_price_change_trigger_and_search_index"),
        price_history_sql,
    ),
    Rule(
        "photo_summary",
        "A listing's photo_total and primary_photo_image always match its photos.",
        ("properties", "0004_listing_photo_summary"),
        photo_summary_sql,
        # A photo an MLS serves is its URL (0013 installs the rule again).
        reads_later=(("properties.PropertyPhoto", "source_url"),),
    ),
    Rule(
        "listing_data_version",
        "Whatever a listing response shows changing replaces the cache's data version token.",
        ("properties", "0005_listing_data_version"),
        listing_data_version_sql,
    ),
    Rule(
        "open_house_data_version",
        "An open house written replaces the cache's data version token (the open house filter).",
        ("properties", "0008_reso_data_dictionary"),
        open_house_data_version_sql,
    ),
    Rule(
        "listing_change_times",
        "A listing's status, price and photo change times (RESO's) are stamped by any write path.",
        ("properties", "0008_reso_data_dictionary"),
        listing_change_times_sql,
    ),
    Rule(
        "entity_events",
        "Every create, change and delete of a served RESO record appends an EntityEvent.",
        ("reso", "0001_entity_event_and_lookup"),
        entity_events_sql,
    ),
    Rule(
        "change_log",
        "Every change of a listing is recorded as a ListingChange with who or what changed it.",
        ("properties", "0010_listing_change"),
        change_log_sql,
    ),
]
RULES_BY_NAME = {rule.name: rule for rule in RULES}
