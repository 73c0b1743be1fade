"""Migrations do what they did when they were written: none runs the project's live code."""

import ast
import importlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from priorities import rollups

BASE_DIR = Path(settings.BASE_DIR)
PROJECT_PACKAGES = {path.parent.name for path in BASE_DIR.glob("*/__init__.py")}
# makemigrations writes a field's validators as references to the module that defines them;
# they check input in forms and change nothing the migration does to the database.
# The same for a file field's upload_to (where a file goes, not what the database holds),
# and a callable default (follows' topics: the value a new row gets in Python).
VALIDATOR_REFERENCES = {
    ("follows/migrations/0001_initial.py", "follows.models"),
    ("councils/migrations/0001_initial.py", "councils.models"),
    ("hearings/migrations/0001_initial.py", "councils.models"),
    ("budgets/migrations/0002_rounds_and_input.py", "councils.models"),
    ("areas/migrations/0003_municipality_identity.py", "core.identity"),
}


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
            # "from priorities import rollups" imports priorities.rollups
            modules |= {f"{node.module}.{alias.name}" for alias in node.names}
    return modules


def test_no_migration_imports_a_project_module_other_than_migrations():
    """Editing a project module (e.g. priorities.rollups) cannot change what an old
    migration does: migrations hold their SQL as literal text."""
    offending = []
    for path in sorted(BASE_DIR.glob("*/migrations/*.py")):
        name = str(path.relative_to(BASE_DIR))
        for module in _imported_modules(path):
            parts = module.split(".")
            if parts[0] not in PROJECT_PACKAGES:
                continue
            if len(parts) == 1 or parts[1] == "migrations":
                continue  # the package itself ("from priorities import …" is checked by name)
            if (name, module) not in VALIDATOR_REFERENCES:
                offending.append(f"{name} imports {module}")
    assert offending == []


def test_the_latest_rollup_migration_installs_the_live_trigger_functions():
    """A change to priorities.rollups comes with a migration holding the new SQL: the
    newest migration that installs the trigger functions installs today's."""
    installing = [
        path
        for path in sorted((BASE_DIR / "priorities" / "migrations").glob("0*.py"))
        if "CREATE OR REPLACE FUNCTION priorities_rollup_priority_insert" in path.read_text()
    ]
    latest = importlib.import_module(f"priorities.migrations.{installing[-1].stem}")

    assert latest.FUNCTIONS_SQL == rollups.FUNCTIONS_SQL


DEFAULT_CATEGORIES = {
    "trafikksikkerhet",
    "vei-og-gatelys",
    "kollektivtransport",
    "lek-og-friluft",
    "moteplasser",
    "skole-og-barnehage",
    "kultur-og-idrett",
    "natur-og-miljo",
    "helse-og-omsorg",
    "annet",
}


# migrate runs as the owner role (its own alias on the same database).
@pytest.mark.django_db(transaction=True, databases=["default", "owner"])
def test_the_default_categories_are_seeded_by_their_migration_alone(demo_live):
    """The reference data comes from one place, a reversible data migration (not a
    fixture that the demo and the tests loaded again)."""
    from priorities.models import Category

    loader = MigrationLoader(connection)
    (seeding,) = [
        name
        for app, name in loader.disk_migrations
        if app == "priorities"
        and hasattr(importlib.import_module(f"priorities.migrations.{name}"), "add_categories")
    ]
    before = loader.graph.node_map["priorities", seeding].parents
    (previous,) = [name for app, name in before if app == "priorities"]
    assert set(Category.objects.filter(municipality=None).values_list("slug", flat=True)) == (
        DEFAULT_CATEGORIES
    )

    try:
        call_command("migrate", "priorities", previous, verbosity=0)
        assert not Category.objects.exists()
        call_command("migrate", "priorities", seeding, verbosity=0)

        assert Category.objects.filter(municipality=None).count() == len(DEFAULT_CATEGORIES)
    finally:
        # Every later migration (of priorities and of the apps above it) back, so that the
        # tests after this one find every table.
        call_command("migrate", verbosity=0)


@pytest.mark.django_db(databases=["default", "owner"])
def test_a_database_from_before_the_layering_is_refused_with_what_to_do():
    """Its history names migrations that were made anew: migrating it would create its tables
    again. The command says so, and what to do, and changes nothing."""
    recorder = MigrationRecorder(connections["owner"])
    recorder.record_applied("areas", "0002_councils")
    try:
        with pytest.raises(
            CommandError, match=r"before its apps were layered.*areas\.0002_councils"
        ):
            call_command("migrate", verbosity=0)
    finally:
        recorder.record_unapplied("areas", "0002_councils")
