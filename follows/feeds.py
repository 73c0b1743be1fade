"""Atom feeds (RFC 4287) of the announcements in an area or a municipality, made with
feedgen; every link absolute (NABOLAGET_SITE_URL)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from feedgen.feed import FeedGenerator

from accounts.notifications import site_url

# The newest announcements a feed lists (readers keep what they have seen).
FEED_LENGTH = 50


def entry_id(announcement) -> str:
    """A permanent id for an announcement (a tag URI, RFC 4151), the same in every feed."""
    host = urlsplit(settings.NABOLAGET_SITE_URL).hostname or "localhost"
    return f"tag:{host},2026:announcement:{announcement.pk}"


def atom(*, title: str, subtitle: str, feed_path: str, page_path: str, announcements, updated):
    """The Atom document (bytes) listing ``announcements`` (newest first)."""
    feed = FeedGenerator()
    feed.id(site_url(feed_path))
    feed.title(title)
    feed.subtitle(subtitle)
    feed.link(href=site_url(feed_path), rel="self", type="application/atom+xml")
    feed.link(href=site_url(page_path), rel="alternate", type="text/html")
    feed.language(translation.get_language() or settings.LANGUAGE_CODE)
    feed.author({"name": "Nabolaget"})
    feed.generator("Nabolaget")
    items = list(announcements[:FEED_LENGTH])
    newest = max(
        [*([updated] if updated else []), *(item.created_at for item in items)], default=None
    )
    newest = newest or timezone.now()
    feed.updated(newest)
    for item in items:
        entry = feed.add_entry(order="append")
        entry.id(entry_id(item))
        entry.title(item.title)
        entry.link(href=site_url(item.url), rel="alternate", type="text/html")
        entry.published(item.created_at)
        entry.updated(item.created_at)
        entry.category(term=item.topic, label=str(item.get_topic_display()))
        if item.summary:
            entry.summary(item.summary)
    return feed.atom_str(pretty=True)


def feed_title(place: str) -> str:
    return _("New in %(place)s") % {"place": place}
