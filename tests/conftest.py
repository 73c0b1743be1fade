"""Shared fixtures: a real PostGIS test database holding the demo municipality."""

from pathlib import Path

import pytest
from django.conf import settings

# Kartverket's files, in the repository (CC BY 4.0, see the README beside them).
REFERENCE_DATA = Path(settings.BASE_DIR) / "tests" / "data" / "kartverket"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder with Kartverket's reference files (tests/data/kartverket)."""
    return REFERENCE_DATA


def _load_demo() -> None:
    """The demo municipality. The reference data (default categories, council kinds) is
    the migrations' alone: a transactional test gets it back the way Django restores
    migrated data (serialized rollback), not by seeding it again here."""
    from areas.demo import load_demo

    load_demo()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo municipality once; tests run in transactions rolled back after each."""
    from django.db import connection

    with django_db_blocker.unblock():
        # What the migrations wrote, kept for the serialized rollback of transactional
        # tests (pytest-django keeps it only when a django_db marker asks for it, not
        # for tests that request the fixture through demo_live).
        if not hasattr(connection, "_test_serialized_contents"):
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()
        _load_demo()


@pytest.fixture
def demo_live(transactional_db, django_db_serialized_rollback):
    """The demo municipality for tests with committed data (the live server's browser tests).

    Transactional tests empty the tables when they end: each one gets the migrations'
    data back (serialized rollback) and loads the demo again.
    """
    _load_demo()


def pytest_configure(config):
    """Rate limits are counted in the cache: in tests an in-memory one that each test empties
    (the database cache of the running site would be rolled back with each test anyway)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def _empty_rate_limits():
    from django.core.cache import cache

    cache.clear()
    yield


def run_jobs() -> None:
    """Run the background worker until the queue is empty (in a thread of its own,
    since it runs an event loop and a browser test may already have one)."""
    import threading

    from procrastinate.contrib.django import app

    errors = []

    def work():
        try:
            with app.replace_connector(app.connector.get_worker_connector()) as worker_app:
                worker_app.run_worker(
                    wait=False, install_signal_handlers=False, listen_notify=False
                )
        except Exception as exc:  # noqa: BLE001 - reported in the test thread
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=60)
    if errors:
        raise errors[0]
