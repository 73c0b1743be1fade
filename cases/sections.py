"""Sections that apps above ``cases`` add to a case's digest (a hearing's summary by theme,
later a meeting's input): registered once, from the app's ``AppConfig.ready``::

    sections.register(DigestSection(key="hearings", build=summaries,
                                    template="hearings/_digest_section.html"))

``build(case)`` returns a JSON-serialisable dict, or None when the case has nothing for the
section. ``cases.digests.case_digest`` puts every section's data in the digest under
``sections`` (with the template that shows it), so a frozen digest stores what was shown,
and the digest's HTML and PDF include every section's template with its data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class DigestSection:
    """One section of a case's digest.

    - ``key``: a short, stable name (it is in frozen digests' data);
    - ``build``: ``(case) -> dict | None``, the section's data;
    - ``template``: shows the data (``section``) in the digest, its HTML and its PDF;
    - ``tracked``: models (with pghistory events) whose changes change the section, so
      that a case page tells when the live digest has moved on from a frozen one.
    """

    key: str
    build: Callable[[models.Model], dict | None]
    template: str
    tracked: Sequence[type[models.Model]] = ()


_SECTIONS: dict[str, DigestSection] = {}


def register(section: DigestSection) -> DigestSection:
    """Register a digest section (once, from its app's ``ready``)."""
    existing = _SECTIONS.get(section.key)
    if existing is not None and existing.build is not section.build:
        raise ValueError(f"Another digest section is registered as {section.key!r}")
    _SECTIONS[section.key] = section
    return section


def unregister(key: str) -> None:
    """Take a section out of the registry (tests that register a throwaway one)."""
    _SECTIONS.pop(key, None)


def all_sections() -> list[DigestSection]:
    """Every registered section, in the order they were registered."""
    return list(_SECTIONS.values())


def build_all(case) -> list[dict]:
    """The data of every section that has something for the case, with its template."""
    built = []
    for section in all_sections():
        data = section.build(case)
        if data is not None:
            built.append({"key": section.key, "template": section.template, "data": data})
    return built
