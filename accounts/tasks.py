"""Scheduled work of the accounts app (procrastinate): the retention of inactive
residents' accounts, and housekeeping."""

from __future__ import annotations

import datetime as dt

from procrastinate.contrib.django import app

from accounts.idempotency import delete_expired_keys
from accounts.services import account_retention_run
from core.tasks import RETRY, closing_connections


@app.periodic(cron="30 3 * * *", periodic_id="account_retention")
@app.task(queue="privacy", queueing_lock="account_retention", retry=RETRY)
@closing_connections
def account_retention(timestamp: int) -> dict[str, int]:
    """Every night: close the accounts inactive past NABOLAGET_RETENTION_DAYS after notice,
    and tell those that will be (see accounts.services.account_retention_run)."""
    return account_retention_run(now=dt.datetime.fromtimestamp(timestamp, tz=dt.UTC))


@app.periodic(cron="17 * * * *")
@app.task(queue="maintenance", queueing_lock="delete_expired_idempotency_keys")
@closing_connections
def delete_expired_idempotency_keys(timestamp: int) -> int:
    """Remove the idempotency keys older than NABOLAGET_IDEMPOTENCY_KEY_HOURS (hourly)."""
    return delete_expired_keys()
