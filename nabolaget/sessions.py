"""Sessions in the database whose saving, at the very end of a request, cannot turn a
success into an error.

SessionMiddleware saves the session after the view has answered, so after the view's
work is committed. If the database has just gone away (a PostgreSQL restart), Django's
store raises and the resident sees an error page for a priority that was saved, and sends
it again. Here a lost or refused connection while saving is logged and the answer goes
out as it was; the session's changes of that request are lost (at worst the idle timer
is not moved on, or a login made in that request does not hold). A session deleted
during the request (logged out elsewhere) is still refused as Django refuses it.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)
CONNECTION_ERRORS = (OperationalError, InterfaceError)


class SessionStore(DatabaseSessionStore):
    """Django's database sessions; saving over a lost connection is logged, not raised."""

    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as exc:
            # Django turns every database error of an update into UpdateError ("the
            # session was deleted"); the error it came from tells the two apart.
            if not isinstance(exc.__context__, CONNECTION_ERRORS):
                raise
            self._lost(exc.__context__)
        except CONNECTION_ERRORS as exc:
            self._lost(exc)

    def _lost(self, error: Exception) -> None:
        logger.warning("The session could not be saved, the database is unreachable: %s", error)
