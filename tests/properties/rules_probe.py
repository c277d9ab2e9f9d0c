"""Run in a separate process by test_database_rules: does every database rule still fire?

``python -m tests.properties.rules_probe setup`` creates a listing and an
agent with the ORM (the schema then matches the models); ``probe`` exercises
each rule with raw SQL only, so it works whatever schema change is applied
meanwhile, runs ``manage.py check`` and prints what it saw as JSON.
"""

import json
import sys
import uuid

import django


def setup():
    from properties.factories import PropertyFactory
    from users.factories import AgentFactory

    agent = AgentFactory(phone="555-0100")
    listing = PropertyFactory(listing_agent=agent, mls_number="RULES1")
    return {"listing": listing.pk, "agent": agent.pk}


def probe():
    from django.core.management import call_command
    from django.db import connection

    from properties import database_rules

    def one(sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()

    def run(sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    def token():
        return one("SELECT token FROM properties_listingdataversion WHERE id = 1")[0]

    listing_id, agent_id = one("SELECT id, listing_agent_id FROM properties_property")
    seen = {}

    history = "SELECT COUNT(*) FROM properties_pricechange WHERE property_id = %s"
    events = (
        "SELECT COUNT(*) FROM reso_entityevent "
        "WHERE resource_name = 'Property' AND resource_record_key = %s"
    )
    before = one(history, [listing_id])[0]
    events_before = one(events, [str(listing_id)])[0]
    version = token()
    run("UPDATE properties_property SET price = price + 1 WHERE id = %s", [listing_id])
    seen["price_history_recorded"] = one(history, [listing_id])[0] - before
    seen["entity_events_written"] = one(events, [str(listing_id)])[0] - events_before
    seen["listing_write_new_token"] = token() != version

    run(
        "INSERT INTO properties_propertyphoto "
        "(property_id, image, caption, position, width, height, created_at) "
        "VALUES (%s, 'photos/probe.jpg', '', 0, 1, 1, CURRENT_TIMESTAMP)",
        [listing_id],
    )
    summary = "SELECT photo_total, primary_photo_image FROM properties_property WHERE id = %s"
    seen["photo_summary_after_insert"] = list(one(summary, [listing_id]))
    run("DELETE FROM properties_propertyphoto WHERE property_id = %s", [listing_id])
    seen["photo_summary_after_delete"] = list(one(summary, [listing_id]))

    version = token()
    run("UPDATE users_user SET last_login = CURRENT_TIMESTAMP WHERE id = %s", [agent_id])
    seen["last_login_keeps_token"] = token() == version
    # A number it never had: writing the same value again shows nothing new.
    run("UPDATE users_user SET phone = %s WHERE id = %s", [uuid.uuid4().hex[:12], agent_id])
    seen["agent_phone_new_token"] = token() != version

    seen["missing_rules"] = database_rules.missing(connection)
    call_command("check", stdout=sys.stderr)  # raises SystemCheckError on hearth.E001
    return seen


if __name__ == "__main__":
    django.setup()
    step = {"setup": setup, "probe": probe}[sys.argv[1]]
    print(json.dumps(step()))
