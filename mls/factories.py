import factory

from mls.models import MlsSource, SyncRun


class MlsSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MlsSource

    name = factory.Sequence(lambda n: f"MLS {n}")
    url = factory.Sequence(lambda n: f"https://mls{n}.example.com/reso/odata/")
    token_url = ""
    client_id = ""
    client_secret = ""
    page_size = 100
    schedule_minutes = None
    enabled = True


class SyncRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SyncRun

    source = factory.SubFactory(MlsSourceFactory)
    trigger = SyncRun.Trigger.API
    status = SyncRun.Status.SUCCEEDED
