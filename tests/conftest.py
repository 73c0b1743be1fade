"""Shared fixtures: a real PostGIS test database holding the demo municipality."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test thread; Django's ORM in the
# same thread is still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SHARED_DATA = Path(
    os.environ.get("NABOLAGET_SHARED_DATA", Path(settings.BASE_DIR).parent / "shared" / "data")
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder with Kartverket's reference files (../shared/data)."""
    if not (SHARED_DATA / "kommuner-2024.geojson").exists():
        pytest.fail(f"The reference data is missing: {SHARED_DATA} (set NABOLAGET_SHARED_DATA).")
    return SHARED_DATA


def _load_demo() -> None:
    from areas.demo import load_demo

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
