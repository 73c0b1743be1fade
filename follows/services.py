"""Announcing something new to the people who follow its areas."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from follows.models import Announcement


@transaction.atomic
def announce(
    *,
    key: str,
    municipality,
    areas: Iterable,
    topic: str,
    title: str,
    url: str,
    summary: str = "",
) -> Announcement:
    """Announce something new in these areas (none: the whole municipality), once per
    ``key`` (e.g. ``"hearing:12:opened"``): a second call with the same key changes nothing
    and returns the first announcement. Call it in the transaction that makes the thing."""
    announcement, created = Announcement.objects.get_or_create(
        key=key,
        defaults={
            "municipality": municipality,
            "topic": topic,
            "title": title[:300],
            "summary": summary[:2000],
            "url": url,
        },
    )
    if created:
        announcement.areas.set(list(areas))
    return announcement
