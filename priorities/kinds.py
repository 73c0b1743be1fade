"""Kinds of input: where each registers itself with the feedback loop, the case link and
the digest.

A kind of input (priorities, councils' submissions, and later hearing answers, meeting
input, panel results, budget input) is a model made from ``InputRecord`` with its own
status-change and case-link tables (from the abstract ``StatusChange`` and ``CaseLink``).
Its app registers it once, in its ``AppConfig.ready``::

    kinds.register(InputKind(key="submission", model=Submission,
                             status_changes=SubmissionStatusChange,
                             case_links=SubmissionCaseLink,
                             replies=SubmissionReply, ...))

The status loop (``priorities.services.input_set_status``), its e-mails
(``priorities.tasks``), the link to a case and the case's and areas' digests
(``cases.digests``) read the registry and need no edit for a new kind; nor do elected
members' replies (``priorities.services.reply_create``), when the kind has a reply table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import models
from django.db.models import Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse


@dataclass(frozen=True)
class InputKind:
    """How the loop, the link and the digest handle one kind of input.

    - ``key``: a short name, stable (it is in job arguments and e-mail keys);
    - ``model``, ``status_changes``, ``case_links``: the kind's three tables;
    - ``label``, ``label_plural``: how people call it (lazy translations);
    - ``yours``: how an e-mail names a record to the person who filed it ("your
      priority", "your council's submission"), a lazy translation of its own, since the
      languages put the possessive in different places;
    - ``public``: the records anyone may see (e.g. not hidden, not withdrawn);
    - ``select``: what to read with a record for its e-mails and rows (``select_related``);
    - ``digest_row``: a record as a row of a digest (a JSON-serialisable dict with at
      least ``id``, ``reference``, ``title``, ``status``, ``status_label`` and ``url``);
    - ``digest_groups``: optional; splits a kind's digest rows into named groups (e.g. a
      council's statements asked for in a consultation, and its other submissions).
    - ``in_digest``: whether the digest, the planner and an area's page list it as a section
      of its own (priorities have their own figures, maps and lists, and are not listed
      again);
    - ``list_template``: how a list of its records is shown on pages (``items``);
    - ``replies``: optional; the kind's reply table (from the abstract ``Reply``, with
      ``record`` its foreign key and ``related_name="replies"``): elected members then
      reply to its records, on its page (``priorities/_replies.html``), in the API and in
      the digests, with no other edit;
    - ``geometry_field``: the field of a record's own place, if it may have one (a case's
      map then offers a layer of the records in its areas), and ``layer_properties``: a
      record's properties in that layer;
    - ``participants``: optional; who took part through a record, for the comparison of
      participants with the population (``cases.representation``):
      ``(records) -> [QuerySet, ...]``, each a ``values_list`` of pairs (the record's id,
      a text naming one participant, e.g. ``"user:12"``, ``"council:3"``,
      ``"org:974760673"``), from the kind's public records given. Participants with the
      same text are one person or body, across every kind. Without it a record's
      participant is its author's account;
    - ``counted_participants``: optional; people counted but not named (a meeting's
      participants by age group): ``(municipality_id, since, until) -> QuerySet`` of
      ``values_list`` triples (area id, age group, count).
    """

    key: str
    model: type[models.Model]
    status_changes: type[models.Model]
    case_links: type[models.Model]
    label: str
    label_plural: str
    yours: str = ""
    public: Callable[[models.QuerySet], models.QuerySet] = lambda queryset: queryset
    select: Sequence[str] = ("municipality", "author")
    digest_row: Callable[[models.Model], dict] | None = None
    digest_groups: Callable[[list[dict]], list[tuple[str, list[dict]]]] | None = None
    in_digest: bool = True
    list_template: str = "priorities/_input_list.html"
    geometry_field: str | None = None
    layer_properties: Callable[[models.Model], dict] | None = None
    replies: type[models.Model] | None = None
    participants: Callable[[models.QuerySet], Sequence[models.QuerySet]] | None = None
    counted_participants: Callable[..., models.QuerySet] | None = None

    def participant_pairs(self, records: models.QuerySet) -> list[models.QuerySet]:
        """(record id, participant) pairs of these records: the kind's own rule, or the
        author's account."""
        if self.participants is not None:
            return list(self.participants(records))
        return [
            records.filter(author__isnull=False)
            .annotate(
                participant=Concat(
                    Value("user:", output_field=models.TextField()),
                    Cast("author_id", models.TextField()),
                )
            )
            .order_by()
            .values_list("pk", "participant")
        ]

    def public_records(self) -> models.QuerySet:
        return self.public(self.model._base_manager.all())

    def replies_url(self, record, *, fragment: bool = True) -> str:
        """Where a record's replies are read: its own page when the replies are shown there
        (``#replies``), else (a record shown inside another's page, e.g. meeting input on
        its meeting's page) the replies' own page. ``fragment=False`` leaves ``#replies``
        off: where a form sends the person after a success, since a page opened at a
        fragment runs no ``autofocus`` (HTML) and its message must take focus."""
        url = record.get_absolute_url()
        if "#" in url:
            url = reverse("priorities:replies", args=[self.key, record.pk])
        return f"{url}#replies" if fragment else url

    def linked_to(self, municipality_id: int, case_number: str) -> models.QuerySet:
        """The public records of this kind linked to the case with this number."""
        links = self.case_links.objects.filter(
            municipality_id=municipality_id, case_number=case_number
        )
        return self.public_records().filter(pk__in=links.values("record_id"))

    def in_areas(self, area_ids: Sequence[int]) -> models.QuerySet:
        """The public records of this kind in any of these areas."""
        through = self.model._meta.get_field("areas").remote_field.through
        column = self.model._meta.model_name + "_id"
        return self.public_records().filter(
            pk__in=through.objects.filter(area_id__in=area_ids).values(column)
        )


_KINDS: dict[str, InputKind] = {}


def register(kind: InputKind) -> InputKind:
    """Register a kind of input (once, from its app's ``ready``)."""
    if kind.in_digest and kind.digest_row is None:
        raise ValueError(f"The kind of input {kind.key!r} is listed in digests: give digest_row")
    existing = _KINDS.get(kind.key)
    if existing is not None and existing.model is not kind.model:
        raise ValueError(f"Another kind of input is registered as {kind.key!r}")
    _KINDS[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    """Take a kind out of the registry (tests that register a throwaway kind)."""
    _KINDS.pop(key, None)


def listed_sections(filter_records: Callable[[models.QuerySet], models.QuerySet], limit: int):
    """For pages that list every kind of input besides priorities (the planner, an area's
    page): per listed kind, its public records filtered by ``filter_records``, newest
    first, at most ``limit``."""
    return [
        {
            "kind": kind,
            "items": filter_records(kind.public_records())
            .select_related(*kind.select)
            .prefetch_related("case_links")
            .order_by("-created_at", "-id")[:limit],
        }
        for kind in all_kinds()
        if kind.in_digest
    ]


def with_replies() -> list[InputKind]:
    """The kinds whose records elected members may reply to."""
    return [kind for kind in _KINDS.values() if kind.replies is not None]


def all_kinds() -> list[InputKind]:
    """Every registered kind, in the order they were registered."""
    return list(_KINDS.values())


def get(key: str) -> InputKind:
    return _KINDS[key]


def of(model_or_record) -> InputKind:
    """The kind of a record or of its model."""
    model = model_or_record if isinstance(model_or_record, type) else type(model_or_record)
    for kind in _KINDS.values():
        if issubclass(model, kind.model):
            return kind
    raise LookupError(f"{model.__name__} is not a registered kind of input")
