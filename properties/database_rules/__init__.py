"""The rules the database enforces itself, for SQLite and PostgreSQL: their SQL, install and check.

Some rules must hold for every write, and most writes never run model code:
``QuerySet.update()`` (admin bulk actions, the status service), ``bulk_create``
and the COPY upsert of ``import_listings``, deletion cascades, raw SQL. Those
rules are triggers, and this package is their one home (a module per rule's SQL,
``catalog`` listing them, ``lifecycle`` installing and checking them):

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
* ``change_log``: every change of a listing adds a ``ListingChange`` row with the
  changed columns (old and new values) and the writer's declared context
  (``history.change_context``).

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

from properties.database_rules.base import Rule, RuleSQL, Trigger
from properties.database_rules.catalog import RULES, RULES_BY_NAME
from properties.database_rules.data_version import (
    IMMEDIATE_SETTING,
    LISTING_AGENT_COLUMNS,
    new_token_sql,
)
from properties.database_rules.lifecycle import (
    after_migrate,
    before_migrate,
    check_rules_installed,
    install,
    install_operation,
    is_current,
    missing,
    sqlite_triggers_aside,
    sync,
    uninstall,
)

__all__ = [
    "IMMEDIATE_SETTING",
    "LISTING_AGENT_COLUMNS",
    "RULES",
    "RULES_BY_NAME",
    "Rule",
    "RuleSQL",
    "Trigger",
    "after_migrate",
    "before_migrate",
    "check_rules_installed",
    "install",
    "install_operation",
    "is_current",
    "missing",
    "new_token_sql",
    "sqlite_triggers_aside",
    "sync",
    "uninstall",
]
