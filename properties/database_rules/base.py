"""The shapes every rule is written in: a trigger, a rule's SQL for one database, a rule."""

import hashlib
from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.core.exceptions import FieldDoesNotExist

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
    # Columns today's SQL reads that later migrations added, as ("app.Model", "field"):
    # a migration whose state lacks one leaves the rule to the migration adding it.
    reads_later: tuple[tuple[str, str], ...] = ()

    def fits(self, apps) -> bool:
        """Whether today's SQL fits the schema of ``apps`` (a migration's state)."""
        for label, name in self.reads_later:
            try:
                apps.get_model(label)._meta.get_field(name)
            except (LookupError, FieldDoesNotExist):
                return False
        return True

    def sql(self, vendor: str) -> RuleSQL:
        if vendor not in VENDORS:
            raise NotImplementedError(f"Hearth's database rules have no SQL for {vendor}.")
        return self.build(vendor)


def table_name(label: str) -> str:
    return global_apps.get_model(label)._meta.db_table


def column_name(label: str, name: str) -> str:
    return global_apps.get_model(label)._meta.get_field(name).column
