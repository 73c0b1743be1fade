"""Rate limits, read from settings.NABOLAGET_RATES, for the API (DRF throttles) and plain
Django views alike; a replayed idempotent request is not counted."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from accounts import idempotency
from core.security import client_address


class SettingsRateThrottle(SimpleRateThrottle):
    """A rate limit read from settings.NABOLAGET_RATES[scope] at request time."""

    by = "user"

    def get_ident(self, request):
        return client_address(request)

    def get_rate(self):
        return settings.NABOLAGET_RATES[self.scope]

    def allow_request(self, request, view):
        # A replayed idempotent request does nothing again, so it is not counted: a client
        # retrying after a lost answer is not told to wait.
        if idempotency.is_replay(request):
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if self.by == "user":
            if not request.user.is_authenticated:
                return None
            ident = f"user:{request.user.pk}"
        else:
            ident = f"address:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


def throttle(scope: str, by: str) -> type[SettingsRateThrottle]:
    """A throttle class for one scope, counted per account (by='user') or per address."""
    return type(
        f"{scope.title().replace('_', '')}Throttle",
        (SettingsRateThrottle,),
        {"scope": f"{scope}_{by}", "by": "user" if by == "user" else "address"},
    )


def check_rate_limits(request, throttles, view=None) -> int | None:
    """For plain Django views: None if allowed, else the seconds to wait (limits counted)."""
    waits = []
    for throttle_class in throttles:
        limiter = throttle_class()
        if not limiter.allow_request(request, view):
            waits.append(limiter.wait() or 1)
    return int(max(waits)) + 1 if waits else None
