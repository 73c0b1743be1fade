"""Housekeeping jobs of the project package."""

from __future__ import annotations

from procrastinate.contrib.django import app

from priorities.tasks import closing_connections


@app.periodic(cron="17 * * * *")
@app.task(queue="maintenance", queueing_lock="delete_expired_idempotency_keys")
@closing_connections
def delete_expired_idempotency_keys(timestamp: int) -> int:
    """Remove the idempotency keys older than NABOLAGET_IDEMPOTENCY_KEY_HOURS (hourly)."""
    from nabolaget.idempotency import delete_expired_keys

    return delete_expired_keys()
