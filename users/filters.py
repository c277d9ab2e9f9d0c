import django_filters

from config.filters import FilterSet
from users.models import User


class UserFilter(FilterSet):
    role = django_filters.ChoiceFilter(choices=User.Role.choices)

    class Meta:
        model = User
        fields = ["role"]
