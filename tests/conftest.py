"""Shared fixtures: a real PostGIS test database holding the demo municipality."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

# Kartverket's files, in the repository (CC BY 4.0, see the README beside them).
REFERENCE_DATA = Path(settings.BASE_DIR) / "tests" / "data" / "kartverket"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder with Kartverket's reference files (tests/data/kartverket)."""
    return REFERENCE_DATA


def _load_demo() -> None:
    """The demo municipality, and the reference data migrations add (a transactional test
    empties every table when it ends, so they are put back the migration's own way)."""
    import importlib

    from django.apps import apps

    from areas.demo import load_demo

    importlib.import_module("areas.migrations.0003_default_council_kinds").add_kinds(apps, None)
    call_command("loaddata", "fixtures/categories.json", verbosity=0)
    load_demo()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo municipality once; tests run in transactions rolled back after each."""
    with django_db_blocker.unblock():
        _load_demo()


@pytest.fixture
def demo_live(transactional_db):
    """The demo municipality for tests with committed data (the live server's browser tests).

    Transactional tests empty the tables when they end, so each one loads the demo again.
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
