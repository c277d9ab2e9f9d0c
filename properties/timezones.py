"""The time zone of a listing's location, for the wall-clock times of its open houses.

Hearth stores no zone per listing: it follows from where the property is.
Each US state (and territory) maps to the zone most of its people live in;
the few states split between two zones (Texas' El Paso, Florida's panhandle,
western Kentucky…) get their main one, which is what their MLSs use. Outside
the US a country with one zone gets it; any other place is read as UTC. A
listing whose zone is wrong here would show its open house times shifted in
feeds that convert them to instants; the times themselves are stored as
entered and never change.
"""

from functools import cache
from zoneinfo import ZoneInfo

US_STATE_ZONES = {
    "America/New_York": "CT DC DE FL GA IN MA MD ME MI NC NH NJ NY OH PA RI SC VA VT WV KY",
    "America/Chicago": "AL AR IA IL KS LA MN MO MS ND NE OK SD TN TX WI",
    "America/Denver": "CO MT NM UT WY ID",
    "America/Phoenix": "AZ",
    "America/Los_Angeles": "CA NV OR WA",
    "America/Anchorage": "AK",
    "Pacific/Honolulu": "HI",
    "America/Puerto_Rico": "PR VI",
    "Pacific/Guam": "GU MP",
    "Pacific/Pago_Pago": "AS",
}
_STATE_ZONE = {state: zone for zone, states in US_STATE_ZONES.items() for state in states.split()}

COUNTRY_ZONES = {
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "FR": "Europe/Paris",
    "DE": "Europe/Berlin",
    "ES": "Europe/Madrid",
    "IT": "Europe/Rome",
    "NL": "Europe/Amsterdam",
    "PR": "America/Puerto_Rico",
    "JP": "Asia/Tokyo",
    "NZ": "Pacific/Auckland",
}
DEFAULT_ZONE = "UTC"


def listing_time_zone_name(*, country: str, state: str) -> str:
    """The IANA zone name for a property in ``country`` (ISO code) and ``state``."""
    if (country or "US").upper() == "US":
        return _STATE_ZONE.get((state or "").strip().upper(), DEFAULT_ZONE)
    return COUNTRY_ZONES.get(country.upper(), DEFAULT_ZONE)


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
