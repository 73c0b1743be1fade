"""The one place that reads the environment. Every setting has a safe development default."""

from __future__ import annotations

import os

from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)

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


# Keys that are public (the development default in settings.py) or that people type when a
# key is asked for. Compared without case; a production key must be none of them.
KNOWN_SECRET_KEYS = frozenset(
    {
        "x",
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "secret-key",
        "secretkey",
        "password",
        "django",
        "nabolaget",
    }
)


def secret_key_problem(key: str, *, known: frozenset[str] = frozenset()) -> str | None:
    """Why the key may not sign anything in production, or None when it may.

    Django's own rule (``check --deploy``, security.W009: at least 50 characters, 5 different
    ones, not made by ``startproject``), an error here rather than a warning, and not a key
    that is public or a placeholder (``known``, besides KNOWN_SECRET_KEYS).
    """
    if key.strip().lower() in KNOWN_SECRET_KEYS | {k.lower() for k in known}:
        return "DJANGO_SECRET_KEY is a published or placeholder value."
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"DJANGO_SECRET_KEY has fewer than {SECRET_KEY_MIN_LENGTH} characters."
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return (
            f"DJANGO_SECRET_KEY has fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS} "
            "different characters."
        )
    if key.startswith(SECRET_KEY_INSECURE_PREFIX):
        return f"DJANGO_SECRET_KEY begins with '{SECRET_KEY_INSECURE_PREFIX}' (a development key)."
    return None
