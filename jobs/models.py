from django.db import models


class RunStatus(models.TextChoices):
    """Where a background run (an MLS sync, an admin import) stands; one vocabulary for both."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class JobLock(models.Model):
    """A lease on a named resource (``mls-source-3``) held by one running job.

    A lease rather than a held row lock: a job commits its work in many short
    transactions, and a worker killed with ``kill -9`` holds nothing after its
    lease expires, so the next job resumes without an operator.
    """

    name = models.CharField(max_length=100, primary_key=True)
    owner = models.CharField(max_length=64)
    expires_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} (held by {self.owner} until {self.expires_at:%H:%M:%S})"
