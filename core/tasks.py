"""What every background job shares (procrastinate): the retry strategy, and a fresh
database connection per job.

What survives what (tests/priorities/test_jobs_crash.py kills a worker and cuts its
database connections in the middle of a batch):

- A job that raises (the database went away, a template failed) is retried with
  ``RETRY``; what it sent before is recorded and not sent again (accounts.notifications).
- A worker that dies (SIGKILL, the machine lost) leaves its job in ``doing``; its
  heartbeat stops, and ``retry_stalled_jobs`` (every minute) puts the job back in the
  queue. ``manage.py procrastinate healthchecks`` checks the queue's database.
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.db import close_old_connections, connections
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

logger = logging.getLogger(__name__)

RETRY = RetryStrategy(max_attempts=8, exponential_wait=5)


def closing_connections(function):
    """Run a job on a fresh database connection and close it afterwards.

    The worker runs sync jobs in a pool of threads; without this each thread would
    keep a connection open (and an old one could have been dropped by the server).
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        close_old_connections()
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    return wrapper


@app.periodic(cron="* * * * *")
@app.task(queue="email", queueing_lock="retry_stalled_jobs", pass_context=True)
async def retry_stalled_jobs(context, timestamp: int) -> None:
    """Put back in the queue the jobs of workers whose heartbeat stopped (killed workers)."""
    manager = context.app.job_manager
    for job in await manager.get_stalled_jobs(
        seconds_since_heartbeat=settings.NABOLAGET_STALLED_WORKER_SECONDS
    ):
        logger.warning("Retrying job %s (%s): its worker stopped", job.id, job.task_name)
        await manager.retry_job(job)
