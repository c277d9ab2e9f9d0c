import django_filters

from users.models import User


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=User.Role.choices)

    class Meta:
        model = User
        fields = ["role"]
