"""What Hearth's admin pages share: money, agents by full name, the agent filter, search."""

import re
from decimal import Decimal

from django.contrib import admin
from django.db.models import Q

from users.models import User


def money(value) -> str:
    """``752000.00`` → ``$752,000``; cents only when there are any."""
    if value in (None, ""):
        return "—"
    amount = Decimal(value)
    if amount == amount.to_integral_value():
        return f"${amount:,.0f}"
    return f"${amount:,.2f}"


def agent_name(agent) -> str:
    """An agent as staff know them: full name, username when there is none."""
    if agent is None:
        return "—"
    return agent.get_full_name() or agent.get_username()


NO_AGENT = "none"


class AgentFilter(admin.SimpleListFilter):
    """Listing agents by full name, sorted by last then first name (not agent1, agent10...)."""

    title = "listing agent"
    parameter_name = "agent"
    field_path = "listing_agent_id"

    def lookups(self, request, model_admin):
        agents = User.objects.agents().order_by("last_name", "first_name", "username")
        return [
            *(
                (agent.pk, agent_name(agent))
                for agent in agents.only("pk", "first_name", "last_name", "username")
            ),
            (NO_AGENT, "No agent"),
        ]

    def queryset(self, request, queryset):
        if self.value() == NO_AGENT:
            # Unassigned listings (e.g. their agent's account was deleted), to reassign.
            return queryset.filter(**{self.field_path: None})
        if self.value():
            try:
                return queryset.filter(**{self.field_path: int(self.value())})
            except ValueError:
                return queryset.none()  # a hand-edited URL: nothing matches, no 500
        return queryset


# "3170 Lincoln Way, Austin" or "3170 Lincoln Way Unit 4, Austin, TX 78701"
STATE_AND_POSTAL = re.compile(r"^(?P<state>[A-Za-z .]+?)?\s*(?P<postal>[0-9][0-9A-Za-z -]*)?$")


def address_query(term: str) -> Q | None:
    """A filter for an address as Hearth displays it (street, city, state postal), or None.

    Only a term with a comma is read as an address; anything else is left to
    the admin's ordinary word-by-word search.
    """
    parts = [part.strip() for part in term.split(",")]
    if len(parts) < 2 or not parts[0]:
        return None
    query = Q(street_address__istartswith=parts[0]) | Q(street_address__iexact=parts[0])
    street_and_unit = parts[0].rsplit(" ", 1)
    if len(street_and_unit) == 2:
        query |= Q(street_address__iexact=street_and_unit[0], unit__iexact=street_and_unit[1])
    if parts[1]:
        query &= Q(city__iexact=parts[1])
    if len(parts) > 2 and parts[2]:
        match = STATE_AND_POSTAL.match(parts[2])
        if match and match["state"]:
            query &= Q(state__iexact=match["state"].strip())
        if match and match["postal"]:
            query &= Q(postal_code__istartswith=match["postal"].strip())
    return query


def run_health_class(status: str) -> str:
    """The theme's colour class for a background run's status (an import, an MLS sync)."""
    return {"succeeded": "hearth-ok", "failed": "hearth-bad"}.get(status, "hearth-busy")
