"""The apps are layers: each imports only the apps below it, with no import hidden in a
function to get round that, and their migrations depend only downwards.

The order is the project's apps in settings.INSTALLED_APPS, lowest first (README,
"Layout"): core, areas, accounts, follows, priorities, cases, councils, hearings, meetings,
budgets, panels, nabolaget."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings
from django.db.migrations.loader import MigrationLoader

BASE_DIR = Path(settings.BASE_DIR)
LAYERS = [
    name
    for name in settings.INSTALLED_APPS
    if "." not in name and (BASE_DIR / name / "__init__.py").exists()
]


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported top-level package, whether the import is inside a function) of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node, in_function: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend((alias.name.split(".")[0], in_function) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], in_function))
        inside = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(tree, False)
    return found


def app_imports() -> list[tuple[str, str, str, bool]]:
    """(app, module path, imported app, inside a function) for every import of another app,
    migrations left out (they import nothing of the apps: tests/test_migrations.py)."""
    rows = []
    for app in LAYERS:
        for path in sorted((BASE_DIR / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for imported, in_function in _imports(path):
                if imported in LAYERS and imported != app:
                    rows.append((app, str(path.relative_to(BASE_DIR)), imported, in_function))
    return rows


def test_the_project_apps_are_the_layers_of_the_readme():
    assert LAYERS == [
        "core",
        "areas",
        "accounts",
        "follows",
        "priorities",
        "cases",
        "councils",
        "hearings",
        "meetings",
        "budgets",
        "panels",
        "nabolaget",
    ]


def test_every_app_imports_only_apps_below_it():
    upward = [
        f"{path} imports {imported}"
        for app, path, imported, _ in app_imports()
        if LAYERS.index(imported) > LAYERS.index(app)
    ]
    assert upward == []


def test_no_import_of_another_app_is_hidden_in_a_function():
    hidden = [
        f"{path} imports {imported} in a function"
        for _, path, imported, in_function in app_imports()
        if in_function
    ]
    assert hidden == []


def test_the_apps_import_each_other_in_no_cycle():
    """Follows from the two above; said on its own, as the graph a newcomer would draw."""
    graph: dict[str, set[str]] = {app: set() for app in LAYERS}
    for app, _, imported, _ in app_imports():
        graph[app].add(imported)
    state: dict[str, str] = {}

    def cycle_from(app: str, trail: list[str]) -> list[str] | None:
        state[app] = "open"
        for other in sorted(graph[app]):
            if state.get(other) == "open":
                return [*trail, app, other]
            if other not in state and (found := cycle_from(other, [*trail, app])):
                return found
        state[app] = "done"
        return None

    cycles = [found for app in LAYERS if app not in state and (found := cycle_from(app, []))]
    assert cycles == []


def test_migrations_depend_only_downwards():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    upward = []
    for (app, name), migration in loader.disk_migrations.items():
        if app not in LAYERS:
            continue
        for dependency_app, _ in migration.dependencies:
            if dependency_app in LAYERS and LAYERS.index(dependency_app) > LAYERS.index(app):
                upward.append(f"{app}.{name} depends on {dependency_app}")
    assert upward == []
