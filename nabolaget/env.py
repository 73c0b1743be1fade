"""The one place that reads the environment. Every setting has a safe development default."""

from __future__ import annotations

import os

TRUE = {"1", "true", "yes", "on"}


def env_str(name: str, default: str = "") -> str:
    """Return the variable as text, or the default when it is unset or empty."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    """Return True for 1/true/yes/on (any case)."""
    value = os.environ.get(name)
    return default if value in (None, "") else value.strip().lower() in TRUE


def env_int(name: str, default: int) -> int:
    """Return the variable as an integer."""
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Return a comma-separated variable as a list without blanks."""
    value = os.environ.get(name)
    if value in (None, ""):
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]
