from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from config.encryption import EncryptedTextField
from jobs.models import RunStatus
from mls.validators import validate_source_url


class MlsSource(models.Model):
    """An MLS that speaks the RESO Web API, replicated into Hearth's listings (SPEC §7)."""

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(
        "OData root URL",
        max_length=500,
        validators=[validate_source_url],
        help_text="The service root, e.g. https://mls.example.com/reso/odata/",
    )
    token_url = models.URLField(
        "OAuth2 token URL", max_length=500, blank=True, validators=[validate_source_url]
    )
    client_id = models.CharField("OAuth2 client id", max_length=255, blank=True)
    # Write-only: never shown by the API or the admin, never logged; encrypted at rest.
    client_secret = EncryptedTextField("OAuth2 client secret", max_length=500, blank=True)
    page_size = models.PositiveIntegerField(
        default=500, validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    schedule_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(7 * 24 * 60)],
        help_text="Sync every N minutes; blank: no schedule.",
    )
    enabled = models.BooleanField(default=True)
    # The highest ModificationTimestamp whose records are all committed here: the
    # next incremental run asks for records modified after it.
    high_water_mark = models.DateTimeField(null=True, blank=True, editable=False)
    # The last EntityEventSequence applied (deletions); null until the first run.
    event_sequence = models.BigIntegerField(null=True, blank=True, editable=False)
    # When a run last compared every key the source serves with ours (sources
    # without an EntityEvent feed learn deletions only that way; see mls.sync).
    keys_reconciled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "MLS source"
        ordering = ["name"]

    def __str__(self):
        return self.name


class SyncRun(models.Model):
    """One replication of an MLS source: what started it, how it ended, what it did."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        API = "api", "API"
        ADMIN = "admin", "Admin"
        COMMAND = "command", "Command"

    Status = RunStatus

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)
    MAX_ERRORS = 20

    source = models.ForeignKey(MlsSource, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    full = models.BooleanField(default=False, help_text="Replicate everything, not only changes.")
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # The first MAX_ERRORS bad records: [{"key": ListingKey, "message": why}].
    errors = models.JSONField(default=list, blank=True)
    # Why a failed run failed (the source's answer, the timeout), for staff.
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["source", "status"], name="syncrun_source_status_idx"),
            # Each source's latest run (the admin dashboard's health panel, the API's
            # last_run) read off the index, however long the history grows.
            models.Index(fields=["source", "-queued_at", "-id"], name="syncrun_source_latest_idx"),
        ]

    def __str__(self):
        return f"{self.source} #{self.pk} ({self.status})"

    @property
    def counts(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "failed": self.failed,
        }

    def summary(self) -> str:
        return ", ".join(f"{name} {value}" for name, value in self.counts.items())
