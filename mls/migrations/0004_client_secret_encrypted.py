from django.db import migrations

import config.encryption


def _secrets_rewrite(schema_editor, convert) -> None:
    # Raw SQL: the field class of this migration would decrypt what it reads.
    table = schema_editor.connection.ops.quote_name("mls_mlssource")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, client_secret FROM {table} WHERE client_secret <> ''")  # noqa: S608
        for pk, stored in cursor.fetchall():
            cursor.execute(
                f"UPDATE {table} SET client_secret = %s WHERE id = %s",  # noqa: S608
                [convert(stored), pk],
            )


def secrets_encrypt(apps, schema_editor):
    _secrets_rewrite(
        schema_editor,
        lambda stored: stored
        if stored.startswith(config.encryption.PREFIX)
        else config.encryption.encrypt(stored),
    )


def secrets_decrypt(apps, schema_editor):
    _secrets_rewrite(schema_editor, config.encryption.decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("mls", "0003_syncrun_source_latest_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="mlssource",
            name="client_secret",
            field=config.encryption.EncryptedTextField(
                blank=True, max_length=500, verbose_name="OAuth2 client secret"
            ),
        ),
        migrations.RunPython(secrets_encrypt, secrets_decrypt),
    ]
