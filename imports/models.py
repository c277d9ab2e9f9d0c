from django.conf import settings
from django.db import models

from jobs.models import RunStatus


class ImportRun(models.Model):
    """One listing file uploaded by staff and imported in the background (SPEC §4).

    The file's bytes are kept in the row, not in media storage: media is served
    publicly at /media/, a feed names agents by email, and a Celery worker on
    another host reads the database anyway.
    """

    Status = RunStatus

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)
    # Per-row errors kept for the page; the count of failed rows is always exact.
    MAX_ERRORS = 1000

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_runs",
    )
    file_name = models.CharField(max_length=255)
    content = models.BinaryField(editable=False)
    size = models.PositiveIntegerField(default=0, help_text="Bytes.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    # Share of the file read so far, 0 to 1 (characters of a CSV, records of a JSON).
    progress = models.FloatField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # The first MAX_ERRORS bad rows: [{"row": 3, "listing_id": "A1", "reason": "City: ..."}].
    errors = models.JSONField(default=list, blank=True)
    # import_listings' summary line (with the ignored columns), once the run ends.
    summary = models.CharField(max_length=1000, blank=True)
    # Why a failed run failed (a malformed row that stops the file, the database).
    message = models.TextField(blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "listing import"
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["-queued_at", "-id"], name="importrun_queued_idx")]

    def __str__(self):
        return f"Import #{self.pk} {self.file_name} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.failed

    def counts_line(self) -> str:
        """``created N, updated N, unchanged N, failed N``: the command's summary, so far."""
        return (
            f"created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, failed {self.failed}"
        )
