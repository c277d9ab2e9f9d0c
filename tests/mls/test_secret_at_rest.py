"""An MLS source's client secret is stored encrypted: a database dump does not hold it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mls.factories import MlsSourceFactory
from mls.models import MlsSource, SyncRun
from mls.sync import sync_run_execute
from tests.mls.fake_source import FakeSource, record

pytestmark = pytest.mark.django_db(transaction=True)


def _stored(source) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM mls_mlssource WHERE id = %s", [source.pk])
        return cursor.fetchone()[0]


def _run(source) -> SyncRun:
    run = SyncRun.objects.create(source=source, trigger=SyncRun.Trigger.COMMAND)
    return sync_run_execute(run_id=run.pk)


def test_the_column_holds_ciphertext_and_the_model_the_secret():
    source = MlsSourceFactory(client_secret="s3cret-value")

    assert "s3cret-value" not in _stored(source)
    assert _stored(source).startswith("fernet:")
    assert MlsSource.objects.get(pk=source.pk).client_secret == "s3cret-value"


def test_no_secret_stays_empty():
    source = MlsSourceFactory(client_secret="")

    assert _stored(source) == ""


def test_the_sync_authenticates_with_the_decrypted_secret():
    with FakeSource([record(1)], secret="s3cret-value") as fake:
        source = MlsSourceFactory(
            url=fake.url, token_url=fake.token_url, client_id="hearth", client_secret="s3cret-value"
        )
        run = _run(MlsSource.objects.get(pk=source.pk))

    assert (run.status, run.created) == ("succeeded", 1)


def test_a_rotated_secret_key_still_reads_secrets_through_the_fallbacks(settings):
    source = MlsSourceFactory(client_secret="s3cret-value")
    old_key = settings.SECRET_KEY

    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old_key]

    assert MlsSource.objects.get(pk=source.pk).client_secret == "s3cret-value"


def test_a_secret_under_a_retired_key_fails_the_run_asking_for_it_again(settings):
    with FakeSource([record(1)], secret="s3cret-value") as fake:
        source = MlsSourceFactory(
            url=fake.url, token_url=fake.token_url, client_id="hearth", client_secret="s3cret-value"
        )
        settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
        settings.SECRET_KEY_FALLBACKS = []
        run = _run(MlsSource.objects.get(pk=source.pk))

    assert run.status == "failed"
    assert "enter it again" in run.message
    assert fake.tokens_issued == 0


def test_the_migration_encrypts_stored_secrets_and_its_reverse_restores_them():
    executor = MigrationExecutor(connection)
    before = [("mls", "0003_syncrun_source_latest_index")]
    after = [("mls", "0004_client_secret_encrypted")]
    try:
        # Given a secret stored in clear, before this migration
        executor.migrate(before)
        old_source = executor.loader.project_state(before).apps.get_model("mls", "MlsSource")
        source = old_source.objects.create(
            name="Front Range", url="https://mls.example.com/odata/", client_secret="s3cret-value"
        )

        executor.loader.build_graph()
        executor.migrate(after)
        assert _stored(source).startswith("fernet:")
        assert MlsSource.objects.get(pk=source.pk).client_secret == "s3cret-value"

        executor.loader.build_graph()
        executor.migrate(before)
        assert _stored(source) == "s3cret-value"
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
