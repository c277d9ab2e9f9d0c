"""Template tags of Hearth's admin: the dashboard, money and the index's app order."""

from django import template

from properties import admin_display
from properties.dashboard import dashboard_data

register = template.Library()

# Staff work with listings and leads; accounts and API tokens come after.
APP_ORDER = {"properties": 0, "imports": 1, "mls": 1, "users": 2}


@register.simple_tag
def hearth_dashboard():
    return dashboard_data()


@register.filter
def hearth_app_order(app_list):
    """The index's apps with Hearth's own first; stock ones (Groups, Tokens) last."""
    return sorted(app_list, key=lambda app: (APP_ORDER.get(app["app_label"], 9), app["name"]))


@register.filter
def money(value):
    """``752000.00`` → ``$752,000`` (cents shown only when there are any)."""
    return admin_display.money(value)


@register.filter
def health_class(status):
    """A run's status as the theme's colour class (``hearth-ok``, ``-bad``, ``-busy``)."""
    return admin_display.run_health_class(status)
