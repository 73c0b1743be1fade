"""Records that stay on the record: the pieces their database triggers are built from.

Append-only models (submissions, status changes, consultations, attachments, frozen
digests) are protected by triggers (django-pgtrigger) in the database itself, so the
ORM, ``QuerySet.update``, ``bulk_create`` and raw SQL are all refused alike. Their
history (django-pghistory event tables) is append-only too, and each history row
points to the context of the change: the acting user, the URL and the HTTP method
(``HistoryMiddleware`` below).

The protection stops the application and anyone using its database role; a database
superuser can still disable triggers, which is what the audit log of PostgreSQL and
the backups (``make backup``) are for.
"""

from __future__ import annotations

from typing import Any

import pghistory.middleware
import pgtrigger


def append_only_history(name: str) -> dict[str, Any]:
    """``Meta`` options for a pghistory event model: its rows are never changed or deleted.

    ``name`` is the event model's name in lower case; it keeps the trigger names unique.
    """
    return {
        "triggers": [
            pgtrigger.Protect(
                name=f"{name}_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]
    }


def only_cleared(name: str, field: str) -> pgtrigger.Protect:
    """A trigger that lets ``field`` (a foreign key to an account) change only to NULL,
    which is what deleting that account does (``on_delete=SET_NULL``)."""
    return pgtrigger.Protect(
        name=name,
        operation=pgtrigger.Update,
        condition=pgtrigger.Q(**{f"old__{field}__df": pgtrigger.F(f"new__{field}")})
        & pgtrigger.Q(**{f"new__{field}__isnull": False}),
    )


def only_set_once(name: str, field: str) -> pgtrigger.Protect:
    """A trigger that lets ``field`` (a foreign key) change only from NULL to a value: a
    link made later (a submission included in a case) that, once made, stays."""
    return pgtrigger.Protect(
        name=name,
        operation=pgtrigger.Update,
        condition=pgtrigger.Q(**{f"old__{field}__isnull": False})
        & pgtrigger.Q(**{f"old__{field}__df": pgtrigger.F(f"new__{field}")}),
    )


class HistoryMiddleware(pghistory.middleware.HistoryMiddleware):
    """pghistory's context for every change a request makes: user id, URL and method.

    The user is updated when Django REST framework authenticates a token later in the
    request (pghistory's request class watches ``request.user``).
    """

    def get_context(self, request) -> dict[str, Any]:
        return {**super().get_context(request), "method": request.method}
