"""Leases that keep one job per resource running at a time, on any database and any worker."""

import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from jobs.models import JobLock

DEFAULT_TTL_SECONDS = 60


def job_lock_acquire(*, name: str, ttl: float = DEFAULT_TTL_SECONDS) -> str | None:
    """Take the lease on ``name``; return its owner token, or None while someone else holds it."""
    owner = uuid.uuid4().hex
    now = timezone.now()
    expires_at = now + timedelta(seconds=ttl)
    # One conditional UPDATE (or INSERT) is atomic on both databases: two workers
    # racing for an expired lease cannot both see their row count be 1.
    taken = JobLock.objects.filter(Q(name=name), Q(expires_at__lte=now)).update(
        owner=owner, expires_at=expires_at
    )
    if taken:
        return owner
    try:
        with transaction.atomic():
            JobLock.objects.create(name=name, owner=owner, expires_at=expires_at)
    except IntegrityError:
        return None
    return owner


def job_lock_renew(*, name: str, owner: str, ttl: float = DEFAULT_TTL_SECONDS) -> bool:
    """Extend a lease this owner holds; False when it expired and someone else took it."""
    expires_at = timezone.now() + timedelta(seconds=ttl)
    return bool(JobLock.objects.filter(name=name, owner=owner).update(expires_at=expires_at))


def job_lock_release(*, name: str, owner: str) -> None:
    JobLock.objects.filter(name=name, owner=owner).delete()


def job_lock_held(*, name: str) -> bool:
    return JobLock.objects.filter(name=name, expires_at__gt=timezone.now()).exists()
