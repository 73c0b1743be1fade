"""Following areas, and announcing something new to the people who follow its areas."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from follows import tasks
from follows.links import unsubscribe_parse
from follows.models import Announcement, Follow


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
    and returns the first announcement. Call it in the transaction that makes the thing.

    The e-mails to the followers who want them at once are a job deferred in the same
    transaction (it runs once that commits; a rollback queues nothing)."""
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
        tasks.deliver_announcements.defer(announcement_ids=[announcement.pk])
    return announcement


@transaction.atomic
def announce_many(*, municipality, topic: str, items: list[dict]) -> list[Announcement]:
    """Announce many things at once (a bulk answer): each item has ``key``, ``title``,
    ``url``, ``areas`` (ids) and optionally ``summary``. A constant number of queries
    whatever the number of items; keys announced before are left as they were."""
    if not items:
        return []
    known = set(
        Announcement.objects.filter(key__in=[item["key"] for item in items]).values_list(
            "key", flat=True
        )
    )
    items = [
        item for item in {item["key"]: item for item in items}.values() if item["key"] not in known
    ]
    made = Announcement.objects.bulk_create(
        [
            Announcement(
                key=item["key"],
                municipality=municipality,
                topic=topic,
                title=item["title"][:300],
                summary=item.get("summary", "")[:2000],
                url=item["url"],
            )
            for item in items
        ]
    )
    through = Announcement.areas.through
    through.objects.bulk_create(
        [
            through(announcement_id=announcement.pk, area_id=area_id)
            for announcement, item in zip(made, items, strict=True)
            for area_id in sorted(set(item["areas"]))
        ]
    )
    if made:
        tasks.deliver_announcements.defer(announcement_ids=[a.pk for a in made])
    return made


@transaction.atomic
def follow_save(*, user, municipality, area=None, topics: list[str], frequency: str) -> Follow:
    """Follow an area (or, with none, the whole municipality) for these topics, this often;
    following it again changes what and how often. Validated (the area must be the
    municipality's)."""
    follow = Follow.objects.filter(user=user, municipality=municipality, area=area).first()
    if follow is None:
        follow = Follow(user=user, municipality=municipality, area=area)
    follow.topics = sorted(set(topics))
    follow.frequency = frequency
    follow.full_clean(validate_unique=False)
    follow.save()
    return follow


@transaction.atomic
def follow_delete(*, user, follow_ids: Iterable[int]) -> int:
    """Stop the account's follows with these ids (others' are left alone); how many."""
    deleted, _ = Follow.objects.filter(user=user, pk__in=list(follow_ids)).delete()
    return deleted


@transaction.atomic
def unsubscribe(token: str) -> int:
    """End the follows a signed link names; how many there were still."""
    user_id, follow_ids = unsubscribe_parse(token)
    deleted, _ = Follow.objects.filter(user_id=user_id, pk__in=follow_ids).delete()
    return deleted
