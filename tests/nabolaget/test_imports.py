"""The API's modules import first, in a fresh interpreter: no import cycle hides behind the
order in which a process happens to import things.

DRF reads DEFAULT_PARSER_CLASSES while it defines APIView; with the parser in core.api
(which imports rest_framework.views), ``import core.api`` or ``nabolaget.views`` as a
process's first import of DRF's views failed with a circular import, and so did
``pytest tests/core/test_problems.py`` run on its own. The modules here are those the
DRF and drf-spectacular settings name and those that import DRF's views (one interpreter
each, as every one of them must be able to come first).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PROJECT_APPS = ("core", "areas", "accounts", "priorities", "cases", "councils", "nabolaget")
SCRIPT = (
    "import importlib, os, sys\n"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'nabolaget.settings')\n"
    "import django\n"
    "django.setup()\n"
    "importlib.import_module(sys.argv[1])\n"
)


def _named_in_settings() -> set[str]:
    names = set()
    for value in [*settings.REST_FRAMEWORK.values(), *settings.SPECTACULAR_SETTINGS.values()]:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.split(".")[0] in PROJECT_APPS:
                names.add(item.rsplit(".", 1)[0])
    return names


def _importing_drf_views() -> set[str]:
    names = set()
    for app in PROJECT_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "rest_framework.views" in path.read_text() or "/api/" in path.as_posix():
                relative = path.relative_to(ROOT).with_suffix("")
                if relative.name != "__init__":
                    names.add(".".join(relative.parts))
    return names


MODULES = sorted(_named_in_settings() | _importing_drf_views() | {"nabolaget.views"})


@pytest.mark.parametrize("module", MODULES)
def test_the_module_imports_first_in_a_fresh_interpreter(module):
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT, module],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr.strip().splitlines()[-1:]
