"""Shared fixtures: a real PostGIS test database holding the demo municipality."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.db.backends.postgresql.operations import DatabaseOperations

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
    from nabolaget.demo import load_demo

    load_demo()


# The tests run as the web role, as the site does (it may not change the schema or
# TRUNCATE); the owner role creates, migrates and drops the test database.
_ROLE_KEYS = ("USER", "PASSWORD")
_ROLES = {
    role: {key: settings.DATABASES[alias][key] for key in _ROLE_KEYS}
    for role, alias in (("web", "default"), ("owner", "owner"))
}


def _connect_as(alias: str, role: str) -> None:
    """Make ``alias`` connect as the ``role`` ("web" or "owner") from now on."""
    connection = connections[alias]
    connection.settings_dict.update(_ROLES[role])
    connection.close()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test database is created and migrated by the owner role (both aliases point to
    the one database: the owner's alias is a mirror of the default one)."""
    _connect_as("default", "owner")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo municipality once, as the web role; tests run in transactions rolled
    back after each."""
    _connect_as("default", "web")
    # The owner's alias on the test database too, whether or not a test asked for it.
    connections["owner"].settings_dict["NAME"] = connections["default"].settings_dict["NAME"]
    connections["owner"].close()
    connection = connections["default"]
    try:
        with django_db_blocker.unblock():
            # What the migrations wrote, kept for the serialized rollback of transactional
            # tests (pytest-django keeps it only when a django_db marker asks for it, not
            # for tests that request the fixture through demo_live).
            if not hasattr(connection, "_test_serialized_contents"):
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()
            # A test that also uses the owner's alias (same database) has it emptied too;
            # "nothing to restore" there keeps that flush from running post_migrate.
            connections["owner"]._test_serialized_contents = "[]"
            _load_demo()
        yield
    finally:
        _connect_as("default", "owner")  # pytest-django drops the test database next


def _flush_as_owner(self: DatabaseOperations, sql_list: list[str]) -> None:
    """Transactional tests empty every table when they end (Django's flush: TRUNCATE). The
    web role may not TRUNCATE, and the records' triggers refuse it to everyone else: the
    owner role does it here, with those triggers ignored (which only the owner may ask)."""
    import pgtrigger

    names = "{" + ",".join(t.get_pgid(m) for m, t in pgtrigger.registered()) + "}"
    owner = connections["owner"]
    # A connection of its own: a test's database guard would refuse the owner's alias.
    with owner.get_new_connection(owner.get_connection_params()) as raw, raw.cursor() as cursor:
        cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [names])
        for sql in sql_list:
            cursor.execute(sql)
        raw.commit()


@pytest.fixture
def demo_live(transactional_db, django_db_serialized_rollback):
    """The demo municipality for tests with committed data (the live server's browser tests).

    Transactional tests empty the tables when they end: each one gets the migrations'
    data back (serialized rollback) and loads the demo again. A test that migrated
    backwards and forwards (tests/test_migrations.py) can leave the restore short of the
    reference data, so the migrations' own (idempotent) seeding functions run again
    here: the data still come from one place, the migrations.
    """
    import importlib

    from django.apps import apps

    for module, function in (
        ("councils.migrations.0002_default_council_kinds", "add_kinds"),
        ("priorities.migrations.0003_default_categories", "add_categories"),
    ):
        getattr(importlib.import_module(module), function)(apps, None)
    _load_demo()


def pytest_collection_modifyitems(items):
    """Every transactional test gets the migrations' data back the way Django keeps it
    (serialized rollback). A transactional test without it would empty the tables and
    let post_migrate make the content types again under new ids, and the next test that
    restores the migrations' data would then collide with them."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and "serialized_rollback" not in marker.kwargs
        ):
            item.add_marker(
                pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True),
                append=False,
            )


def pytest_configure(config):
    """Rate limits are counted in the cache: in tests an in-memory one that each test empties
    (the database cache of the running site would be rolled back with each test anyway)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    DatabaseOperations.execute_sql_flush = _flush_as_owner


@pytest.fixture(autouse=True)
def _empty_rate_limits():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language, whatever an earlier one activated (a job,
    a test client's request or a test that activated a language without undoing it)."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


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
