"""config.filters.FilterSet: one form class per FilterSet class, no state shared."""

from django.http import QueryDict

from properties.filters import PropertyFilter
from properties.models import Property
from users.filters import UserFilter
from users.models import User


def test_form_class_is_built_once_per_filterset_class():
    first = PropertyFilter(QueryDict("price_min=1"), queryset=Property.objects.none())
    second = PropertyFilter(QueryDict("city=Austin"), queryset=Property.objects.none())
    users = UserFilter(QueryDict("role=agent"), queryset=User.objects.none())

    assert type(first.form) is type(second.form)
    assert type(users.form) is not type(first.form)
    assert set(type(users.form).base_fields) == {"role"}


def test_a_bad_value_in_one_request_does_not_leak_into_the_next():
    bad = PropertyFilter(QueryDict("price_min=cheap"), queryset=Property.objects.none())
    good = PropertyFilter(QueryDict("price_min=100"), queryset=Property.objects.none())

    assert not bad.is_valid()
    assert "price_min" in bad.errors
    assert good.is_valid(), good.errors
    assert good.form.cleaned_data["price_min"] == 100
    assert good.form.fields["price_min"] is not bad.form.fields["price_min"]
