import factory

from imports.models import ImportRun
from users.factories import StaffFactory

CSV_HEADER = b"ListingId,StandardStatus,ListPrice\n"


class ImportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportRun

    uploaded_by = factory.SubFactory(StaffFactory)
    file_name = factory.Sequence(lambda n: f"listings-{n}.csv")
    content = CSV_HEADER
    size = factory.LazyAttribute(lambda run: len(run.content))
    status = ImportRun.Status.SUCCEEDED
