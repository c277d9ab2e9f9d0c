"""Rules for listing values, shared by the model, the API, the admin and the importer."""

import re
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

ONE_CENT = Decimal("0.01")
FIRST_YEAR_BUILT = 1600
# The database can only hold a fixed bound; the moving one (this year + 5) is checked here.
LAST_YEAR_BUILT_IN_DATABASE = 2200
YEARS_AHEAD_ALLOWED = 5
MAX_AREA_SQFT = 2_000_000_000

# ISO 3166-1 alpha-2, officially assigned codes.
ISO_COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
    """.split()
)

_MLS_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def today():
    return timezone.localdate()


def validate_mls_number(value):
    if not _MLS_NUMBER.match(value):
        raise ValidationError(
            "MLS number may contain only letters, digits, '.', '_' and '-'.", code="invalid"
        )


def validate_country_code(value):
    if value not in ISO_COUNTRY_CODES:
        raise ValidationError(
            "%(value)s is not an ISO 3166-1 alpha-2 country code (for example US, CA, GB).",
            code="invalid",
            params={"value": value},
        )


def validate_year_built(value):
    last = today().year + YEARS_AHEAD_ALLOWED
    if value is not None and value > last:
        raise ValidationError(
            "Year built cannot be later than %(last)s.", code="max_value", params={"last": last}
        )


def validate_sale_fields(*, status, sold_at, sold_price):
    """A sale date and price describe a sale: only a sold listing has them."""
    if status == "sold":
        return
    errors = {}
    if sold_at is not None:
        errors["sold_at"] = "Only a sold listing can have a sale date."
    if sold_price is not None:
        errors["sold_price"] = "Only a sold listing can have a sale price."
    if errors:
        raise ValidationError(errors)


HALF = Decimal("0.5")


def resolve_bathrooms(attrs: dict, *, current) -> None:
    """Turn a written ``bathrooms`` total into the counts the database stores, in ``attrs``.

    The total is derived (full + ½ × half), so a write sends either the total
    or the counts; a total sent with counts must agree with them. ``current``
    answers a field's value after the write (``attrs`` or the stored listing).
    """
    if "bathrooms" not in attrs:
        return
    total = attrs.pop("bathrooms")
    if "bathrooms_full" in attrs or "bathrooms_half" in attrs:
        full, half = current("bathrooms_full"), current("bathrooms_half")
        derived = None if full is None and half is None else (full or 0) + (half or 0) * HALF
        if total != derived:
            raise ValidationError(
                {
                    "bathrooms": f"{total} does not equal bathrooms_full + ½ × bathrooms_half "
                    f"({derived}); send the counts or the total, not both."
                }
            )
        return
    if total is None:
        attrs["bathrooms_full"] = attrs["bathrooms_half"] = None
        return
    full = int(total)
    if total - full not in (0, HALF):
        raise ValidationError(
            {
                "bathrooms": "Use whole or half baths (for example 2.5), or send "
                "bathrooms_full and bathrooms_half."
            }
        )
    attrs["bathrooms_full"], attrs["bathrooms_half"] = full, int(total != full)


def random_filename(filename):
    """A fresh name that keeps only a known image extension of ``filename``."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    suffix = f".{extension}" if extension in {"jpg", "jpeg", "png", "webp"} else ""
    return f"{uuid.uuid4().hex}{suffix}"
