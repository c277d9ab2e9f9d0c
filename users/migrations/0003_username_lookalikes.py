import django.db.models.functions.text
from django.db import migrations, models


def fill_skeletons(apps, schema_editor):
    """Key every existing user; a look-alike that already exists keeps working under its id.

    Existing accounts are not renamed behind their owners' backs: the later of
    two look-alikes gets a key of its own (``skeleton#id``), and only new names
    are held to the rule.
    """
    from users.lookalikes import skeleton

    User = apps.get_model("users", "User")
    seen = set()
    for user in User.objects.order_by("pk").only("pk", "username").iterator():
        key = skeleton(user.username)
        if key in seen:
            key = f"{key}#{user.pk}"
        seen.add(key)
        User.objects.filter(pk=user.pk).update(username_skeleton=key)


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0002_avatar_random_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_skeleton",
            field=models.CharField(default="", editable=False, max_length=600),
        ),
        migrations.RunPython(fill_skeletons, migrations.RunPython.noop),
        # Fails, naming the constraint, if two existing usernames differ only in
        # case: rename one (manage.py shell) and migrate again.
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("username"),
                name="users_user_username_ci_unique",
                violation_error_message="A user with that username already exists.",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                fields=("username_skeleton",),
                name="users_user_username_lookalike_unique",
                violation_error_message="This username looks too much like an existing one.",
            ),
        ),
    ]
