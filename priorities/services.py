"""Writes on residents' input: each one a transaction that also queues its e-mails.

The feedback loop (``input_set_status``) is one mechanism for every kind of input.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, RoleGrant
from areas.models import STORAGE_SRID, Area, Municipality
from areas.validation import boundary_check
from follows.models import Topic
from follows.services import announce_many
from priorities import kinds, tasks
from priorities.models import (
    Category,
    InputRecord,
    Priority,
    Reply,
    ReplyRole,
    ReplyVisibility,
    Report,
    Status,
    StatusChange,
    Support,
    Visibility,
)
from priorities.notes import merge_note

PRIORITY_PREFIX = "NB"
ANSWER_ROLES = (Role.PLANNER, Role.ADMINISTRATOR)
MODERATOR_ROLES = (Role.MODERATOR, Role.ADMINISTRATOR)
# Who sees a municipality's hidden input (to answer or moderate it).
HIDDEN_INPUT_ROLES = (Role.PLANNER, Role.MODERATOR, Role.ADMINISTRATOR)


def next_reference(prefix: str) -> str:
    """The next receipt number for the prefix this year, e.g. NB-2026-000123."""
    year = timezone.localdate().year
    # Raw SQL: one atomic upsert-and-increment; the ORM would need a lock and two queries.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO priorities_referencecounter (prefix, year, last) VALUES (%s, %s, 1) "
            "ON CONFLICT (prefix, year) DO UPDATE SET last = priorities_referencecounter.last + 1 "
            "RETURNING last",
            [prefix, year],
        )
        number = cursor.fetchone()[0]
    return f"{prefix}-{year}-{number:06d}"


def input_locate(point: Point, *, field: str = "geometry") -> tuple[Municipality, list[Area]]:
    """The municipality and the areas (one per type) a point falls in, or a ValidationError."""
    areas = [
        area
        for area in Area.objects.covering(point)
        .select_related("type", "municipality")
        .defer("geom")
        if area.municipality_id
    ]
    if not areas:
        message = _("This place is outside the municipalities in Nabolaget.")
        if point.srid == 4326 and -90 <= point.x <= 90:
            swapped = Point(point.y, point.x, srid=4326)
            if Area.objects.covering(swapped).filter(municipality__isnull=False).exists():
                message += " " + _(
                    "The coordinates look swapped: GeoJSON gives longitude first, then latitude."
                )
        raise ValidationError({field: message})
    boundary = next((a for a in areas if a.type.slug == "kommune"), areas[0])
    municipality = boundary.municipality
    boundary_check(point, municipality, field=field)
    return municipality, [a for a in areas if a.municipality_id == municipality.pk]


@transaction.atomic
def priority_create(
    *, author, point: Point, category: Category | str, title: str, text: str
) -> Priority:
    """Save a resident's priority with its areas and receipt number, and queue the receipt.

    ``category`` is a Category or a category's slug: of that slug, the point's
    municipality's own category, else the default one.
    ``author=None`` is for input without an account (the demo's sample priorities).
    """
    if author is not None and not author.is_authenticated:
        raise PermissionDenied(_("Log in to pin a priority."))
    municipality, areas = input_locate(point)
    used = Category.objects.for_municipality(municipality.code)
    if isinstance(category, str):
        category = used.with_slug(category).first()
    elif not used.filter(pk=category.pk).exists():
        category = None
    if category is None:
        raise ValidationError({"category": _("This category is not used in this municipality.")})
    priority = Priority(
        reference=next_reference(PRIORITY_PREFIX),
        municipality=municipality,
        author=author,
        point=point.transform(STORAGE_SRID, clone=True),
        category=category,
        title=(title or "").strip(),
        text=(text or "").strip(),
    )
    priority.full_clean()
    priority.save()
    priority.areas.set(areas)
    if author is not None:
        tasks.send_receipt.defer(kind="priority", record_id=priority.pk)
    return priority


def priority_nearby_similar(*, point: Point, category: Category, limit: int = 5):
    """Public priorities near the point in the same category: candidates to support instead."""
    return (
        Priority.public_objects.near(point, settings.NABOLAGET_NEARBY_METRES)
        .filter(category=category)
        .order_by("-support_count", "-created_at")[:limit]
    )


@transaction.atomic
def support_add(*, priority: Priority, user) -> None:
    """Support a priority. One support per resident; a withdrawn one can be renewed."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in to support a priority."))
    if not priority.is_public:
        raise ValidationError(_("This priority cannot be supported now."))
    if priority.author_id == user.pk:
        raise ValidationError(_("You cannot support your own priority."))
    # Renew a withdrawn support, or add one; the unique constraint settles races.
    renewed = Support.objects.filter(
        priority=priority, user=user, withdrawn_at__isnull=False
    ).update(withdrawn_at=None, created_at=timezone.now())
    if not renewed:
        try:
            with transaction.atomic():
                Support.objects.create(priority=priority, user=user)
        except IntegrityError as exc:
            raise ValidationError(_("You already support this priority.")) from exc
    Priority.all_objects.filter(pk=priority.pk).update(support_count=F("support_count") + 1)


@transaction.atomic
def support_withdraw(*, priority: Priority, user) -> None:
    """Withdraw a support. The support stays on the record, marked withdrawn."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in to withdraw a support."))
    withdrawn = Support.objects.filter(priority=priority, user=user, withdrawn_at=None).update(
        withdrawn_at=timezone.now()
    )
    if not withdrawn:
        raise ValidationError(_("You do not support this priority."))
    Priority.all_objects.filter(pk=priority.pk).update(support_count=F("support_count") - 1)


def staff_role(user, municipality_id: int, roles: Sequence[str]) -> str:
    """The first of the roles the account holds in the municipality, or PermissionDenied."""
    if user.is_authenticated:
        held = {role for role, muni in user._grants() if muni == municipality_id}
        for role in roles:
            if role in held:
                return role
    raise PermissionDenied(_("Only staff of this municipality may do this."))


@transaction.atomic
def input_set_status(
    *,
    records: Sequence[InputRecord],
    status: str,
    public_text: str,
    actor,
    case_number: str = "",
) -> list[StatusChange]:
    """The feedback loop, for every kind of input (``priorities.kinds``): give input a new
    status with a public answer, link it to the case the answer names (whatever the
    status: "decided in case 2026/1234" is about that case too), and tell people.

    Every record gets a status change (who answered is shown as a role, never a name).
    One notification job is queued per kind for the whole batch, so a resident whose
    several priorities or supports were answered at once gets one e-mail.

    Set-based, whatever the number of records: per kind of input, one INSERT of the
    status changes, one UPDATE of the records (the statement-level rollup triggers run
    once) and one INSERT of the case links.
    """
    if status not in dict(Status.answers()):
        raise ValidationError({"status": _("Choose one of the statuses after 'received'.")})
    return _record_status(
        records=records,
        status=status,
        public_text=public_text,
        actor=actor,
        case_number=case_number,
    )


@transaction.atomic
def _record_status(
    *, records: Sequence[InputRecord], status: str, public_text: str, actor, case_number: str = ""
) -> list[StatusChange]:
    """input_set_status without the choice of status (merging gives its own)."""
    if not records:
        raise ValidationError({"records": _("Choose at least one piece of input.")})
    case_number = (case_number or "").strip()
    now = timezone.now()
    by_kind: dict[kinds.InputKind, list] = {}
    for record in records:
        by_kind.setdefault(kinds.of(record), []).append(record)
    changes = []
    for kind, kind_records in by_kind.items():
        made = [
            kind.status_changes(
                record=record,
                status=status,
                previous_status=record.status,
                public_text=(public_text or "").strip(),
                case_number=case_number,
                actor=actor,
                actor_role=staff_role(actor, record.municipality_id, ANSWER_ROLES),
            )
            for record in kind_records
        ]
        # The changes differ only in their record (read from the database) and its
        # previous status: validating one validates the answer for all (full_clean
        # queries per row).
        made[0].full_clean()
        kind.status_changes.objects.bulk_create(made)
        kind.model._base_manager.filter(pk__in=[record.pk for record in kind_records]).update(
            status=status,
            status_changed_at=now,
            first_answered_at=Coalesce(F("first_answered_at"), Value(now)),
        )
        if case_number:
            input_link_to_case(kind_records, case_number, actor)
        tasks.notify_status_changes.defer(kind=kind.key, change_ids=[change.pk for change in made])
        if (public_text or "").strip():
            _announce_answers(kind, kind_records, made)
        changes += made
    for record in records:
        record.status = status
        record.status_changed_at = now
        record.first_answered_at = record.first_answered_at or now
    return changes


def _announce_answers(kind: kinds.InputKind, records: Sequence[InputRecord], made) -> None:
    """Announce public answers to their areas' followers (follows): one announcement per
    answered public record, made in bulk (a constant number of queries, however many)."""
    ids = [record.pk for record in records]
    public = set(kind.public_records().filter(pk__in=ids).values_list("pk", flat=True))
    through = kind.model._meta.get_field("areas").remote_field.through
    column = kind.model._meta.model_name + "_id"
    areas: dict[int, list[int]] = {}
    for record_id, area_id in through.objects.filter(**{f"{column}__in": ids}).values_list(
        column, "area_id"
    ):
        areas.setdefault(record_id, []).append(area_id)
    by_municipality: dict[int, list[dict]] = {}
    for record, change in zip(records, made, strict=True):
        if record.pk not in public:
            continue
        by_municipality.setdefault(record.municipality_id, []).append(
            {
                "key": f"answer:{kind.key}:{change.pk}",
                "title": f"{record.reference}: {record.title}",
                "summary": change.public_text,
                "url": record.get_absolute_url(),
                "areas": areas.get(record.pk, []),
            }
        )
    municipalities = Municipality.objects.in_bulk(list(by_municipality))
    for municipality_id, items in by_municipality.items():
        announce_many(municipality=municipalities[municipality_id], topic=Topic.ANSWER, items=items)


def input_link_to_case(records: Sequence[InputRecord], case_number: str, actor) -> None:
    """Link input to the case with this number in each record's municipality (one INSERT
    per kind; a link that exists stays as it was). Whether or not the case is registered
    yet: the case page finds its links by its number."""
    by_kind: dict[kinds.InputKind, list] = {}
    for record in records:
        by_kind.setdefault(kinds.of(record), []).append(record)
    for kind, kind_records in by_kind.items():
        kind.case_links.objects.bulk_create(
            [
                kind.case_links(
                    record=record,
                    municipality_id=record.municipality_id,
                    case_number=case_number,
                    linked_by=actor,
                )
                for record in kind_records
            ],
            ignore_conflicts=True,
        )


@transaction.atomic
def priority_report(*, priority: Priority, user, reason: str) -> Report:
    """A resident reports a priority; enough reports hide it until a moderator looks."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in to report a priority."))
    report = Report(priority=priority, user=user, reason=(reason or "").strip())
    report.full_clean(exclude=["priority", "user"])
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        raise ValidationError(_("You have already reported this priority.")) from exc
    open_reports = Report.objects.filter(priority=priority, resolved_at=None).count()
    threshold = priority.municipality.report_threshold
    if open_reports >= threshold:
        Priority.all_objects.filter(pk=priority.pk, visibility=Visibility.PUBLIC).update(
            visibility=Visibility.PENDING_REVIEW
        )
    return report


@transaction.atomic
def priority_moderate(*, priority: Priority, moderator, hide: bool, reason: str = "") -> None:
    """A moderator hides a priority (with a reason its author sees) or makes it public again."""
    staff_role(moderator, priority.municipality_id, MODERATOR_ROLES)
    if hide and len((reason or "").strip()) < 5:
        raise ValidationError({"reason": _("Give the author a reason for hiding.")})
    priority.visibility = Visibility.HIDDEN if hide else Visibility.PUBLIC
    priority.hidden_reason = reason.strip() if hide else ""
    priority.save(update_fields=["visibility", "hidden_reason"])
    Report.objects.filter(priority=priority, resolved_at=None).update(resolved_at=timezone.now())
    if hide:
        tasks.notify_hidden.defer(priority_id=priority.pk)


@transaction.atomic
def priority_redact(*, priority: Priority, moderator, title: str, text: str) -> None:
    """A moderator removes personal data from the text; the original stays in the history."""
    staff_role(moderator, priority.municipality_id, MODERATOR_ROLES)
    priority.title = (title or "").strip()
    priority.text = (text or "").strip()
    priority.full_clean(exclude=["areas"])
    priority.save(update_fields=["title", "text"])


def priorities_relocate(*, area_ids: Sequence[int], area_type_id: int) -> int:
    """Re-assign priorities to the areas of one type now in force, after areas changed.

    Touches only the priorities linked to a changed area or lying in one, so a
    re-import costs in proportion to what changed. Returns how many were looked at.
    """
    # Raw SQL: a set-based delete-and-insert over the M2M table with the same border
    # rule as Area.objects.covering (lowest code, then id, wins).
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMP TABLE relocate ON COMMIT DROP AS
            SELECT pa.priority_id AS id FROM priorities_priority_areas pa
             WHERE pa.area_id = ANY(%(ids)s)
            UNION
            SELECT p.id FROM priorities_priority p
              JOIN areas_areasubdivision s ON ST_Covers(s.geom, p.point)
             WHERE s.area_id = ANY(%(ids)s);
            DELETE FROM priorities_priority_areas pa USING areas_area a, relocate r
             WHERE pa.area_id = a.id AND a.type_id = %(type)s AND pa.priority_id = r.id;
            INSERT INTO priorities_priority_areas (priority_id, area_id)
            SELECT DISTINCT ON (p.id) p.id, a.id
              FROM relocate r
              JOIN priorities_priority p ON p.id = r.id
              JOIN areas_areasubdivision s ON ST_Covers(s.geom, p.point)
              JOIN areas_area a ON a.id = s.area_id AND a.type_id = %(type)s
             WHERE (a.valid_from IS NULL OR a.valid_from <= CURRENT_DATE)
               AND (a.valid_to IS NULL OR a.valid_to > CURRENT_DATE)
               AND a.municipality_id = p.municipality_id
             ORDER BY p.id, a.code, a.id;
            """,
            {"ids": list(area_ids), "type": area_type_id},
        )
        cursor.execute("SELECT count(*) FROM relocate")
        count = cursor.fetchone()[0]
        cursor.execute("DROP TABLE relocate")
    return count


MAP_CELLS_REBUILD_SQL = """
DELETE FROM priorities_prioritymapcell;
INSERT INTO priorities_prioritymapcell
       (level, cx, cy, municipality_id, category_id, status, count, sum_x, sum_y)
SELECT l.size, floor(ST_X(p.point) / l.size)::int, floor(ST_Y(p.point) / l.size)::int,
       p.municipality_id, p.category_id, p.status, count(*), sum(ST_X(p.point)), sum(ST_Y(p.point))
  FROM priorities_priority p, unnest(%s::int[]) AS l(size)
 WHERE p.visibility = 'public'
 GROUP BY 1, 2, 3, 4, 5, 6;
"""


@transaction.atomic
def priority_map_cells_rebuild() -> None:
    """Recompute the map rollup from the priorities (after a bulk load with triggers off)."""
    from priorities.models import MAP_CELL_LEVELS

    with connection.cursor() as cursor:
        cursor.execute(MAP_CELLS_REBUILD_SQL, [list(MAP_CELL_LEVELS)])


@transaction.atomic
def priority_merge(*, target: Priority, duplicates: Sequence[Priority], actor) -> StatusChange:
    """Merge priorities that say the same thing into one, keeping every record.

    Supports move to the target without counting anyone twice; the duplicates' authors
    become supporters of the target; each duplicate gets a public answer pointing to the
    target (so its author and supporters are told) and leaves the public lists.
    """
    staff_role(actor, target.municipality_id, ANSWER_ROLES)
    duplicates = [d for d in duplicates if d.pk != target.pk]
    if not duplicates:
        raise ValidationError({"records": _("Choose the priorities to merge into this one.")})
    if any(d.municipality_id != target.municipality_id for d in duplicates):
        raise ValidationError(
            {"records": _("Only priorities in the same municipality can be merged.")}
        )
    if target.visibility != Visibility.PUBLIC:
        raise ValidationError({"target": _("Merge into a public priority.")})
    text = merge_note(target.reference)
    changes = _record_status(
        records=duplicates,
        status=Status.MERGED,
        public_text=text,
        actor=actor,
    )
    people = set(
        Support.objects.filter(priority__in=duplicates, withdrawn_at=None).values_list(
            "user_id", flat=True
        )
    ) | {d.author_id for d in duplicates if d.author_id}
    people.discard(target.author_id)
    already = set(Support.objects.filter(priority=target).values_list("user_id", flat=True))
    Support.objects.filter(priority=target, user_id__in=people & already).update(withdrawn_at=None)
    Support.objects.bulk_create(
        [Support(priority=target, user_id=user_id) for user_id in people - already]
    )
    target.support_count = Support.objects.filter(priority=target, withdrawn_at=None).count()
    target.save(update_fields=["support_count"])
    Priority.all_objects.filter(pk__in=[d.pk for d in duplicates]).update(
        merged_into=target, visibility=Visibility.MERGED
    )
    return changes[0]


def export_start(*, user, municipality, format: str, query: dict, include_personal_data: bool):
    """Log an export and decide where it is made: returns (export, queryset or None).

    Personal data (the author's name and e-mail) only for administrators who ask for it;
    the choice is kept on the Export row. Over BACKGROUND_ROWS rows the export is queued
    and the queryset is None; otherwise the caller writes it at once.
    """
    from priorities.exports import BACKGROUND_ROWS, queryset_for
    from priorities.models import Export

    role = staff_role(user, municipality.pk, ANSWER_ROLES)
    if include_personal_data and role != Role.ADMINISTRATOR:
        raise PermissionDenied(_("Only administrators may export residents' contact details."))
    if format not in Export.Format.values:
        raise ValidationError({"format": _("Choose CSV, GeoJSON or GeoPackage.")})
    query = {**query, "municipality": municipality.code}
    queryset = queryset_for(query)
    rows = queryset.count()
    background = rows > BACKGROUND_ROWS
    from urllib.parse import urlencode

    export = Export.objects.create(
        user=user,
        municipality=municipality,
        format=format,
        query=urlencode(sorted(query.items()))[:2000],
        include_personal_data=include_personal_data,
        rows=None if background else rows,
        state=Export.State.QUEUED if background else Export.State.DONE,
        progress=0 if background else 100,
    )
    if background:
        tasks.build_export.defer(export_id=export.pk)
        return export, None
    return export, queryset


# --- Elected members' replies (the same for every kind with a reply table) ---------------


def reply_kind(record) -> kinds.InputKind:
    """The kind of a record, if its records take replies; else a ValidationError."""
    kind = kinds.of(record)
    if kind.replies is None:
        raise ValidationError(_("Elected members cannot reply to this kind of input."))
    return kind


def councillor_grant(user, municipality_id: int) -> RoleGrant:
    """The account's councillor role in the municipality, or PermissionDenied (403)."""
    if user.is_authenticated and user.is_active:
        grant = RoleGrant.objects.filter(
            user=user, role=Role.COUNCILLOR, municipality_id=municipality_id
        ).first()
        if grant is not None:
            return grant
    raise PermissionDenied(_("Only elected members of this municipality may reply."))


def reply_author_check(user, reply: Reply) -> None:
    """Only the author of the input replied to may answer the reply back (403)."""
    if not user.is_authenticated or reply.record.author_id != user.pk:
        raise PermissionDenied(_("Only the author of the input may answer this reply."))


@transaction.atomic
def reply_create(record: InputRecord, councillor, text: str) -> Reply:
    """An elected member's public reply to a piece of input, in their own name, party and
    elected body (copied onto the reply). It changes no status. The author and the
    record's followers are told by e-mail, in the background."""
    kind = reply_kind(record)
    grant = councillor_grant(councillor, record.municipality_id)
    if not kind.public_records().filter(pk=record.pk).exists():
        raise ValidationError(_("This input is not public, so it cannot be replied to."))
    reply = kind.replies(
        record=record,
        role=ReplyRole.COUNCILLOR,
        author=councillor,
        name=grant.public_display_name(),
        party=grant.party,
        elected_body=grant.elected_body,
        text=text or "",
    )
    reply.full_clean(exclude=["record", "parent", "author"])
    reply.save()
    tasks.notify_reply.defer(kind=kind.key, reply_id=reply.pk)
    return reply


@transaction.atomic
def reply_answer_back(reply: Reply, user, text: str) -> Reply:
    """The input's author answers an elected member's reply, once (the database holds one
    answer per reply). The member is told by e-mail."""
    kind = reply_kind(reply.record)
    reply_author_check(user, reply)
    if reply.parent_id is not None:
        raise ValidationError(_("Answer the elected member's reply, not an answer to it."))
    if not reply.is_public:
        raise ValidationError(_("This reply is hidden and cannot be answered."))
    answer = kind.replies(
        record=reply.record,
        parent=reply,
        role=ReplyRole.AUTHOR,
        author=user,
        text=text or "",
    )
    answer.full_clean(exclude=["record", "parent", "author"])
    if kind.replies.objects.filter(parent=reply).exists():
        raise ValidationError(_("You have already answered this reply."))
    try:
        with transaction.atomic():
            answer.save()
    except IntegrityError as exc:  # answered at the same moment in another request
        raise ValidationError(_("You have already answered this reply.")) from exc
    tasks.notify_reply.defer(kind=kind.key, reply_id=answer.pk)
    return answer


@transaction.atomic
def reply_moderate(reply: Reply, moderator, *, hide: bool, reason: str = "") -> None:
    """A moderator hides a reply or an answer back (with a reason shown in its place), or
    shows it again. The row and its text stay on the record."""
    staff_role(moderator, reply.record.municipality_id, MODERATOR_ROLES)
    reason = (reason or "").strip()
    if hide and len(reason) < 5:
        raise ValidationError({"reason": _("Give a reason for hiding.")})
    reply.visibility = ReplyVisibility.HIDDEN if hide else ReplyVisibility.PUBLIC
    reply.hidden_reason = reason if hide else ""
    reply.full_clean(exclude=["record", "parent", "author"])
    reply.save(update_fields=["visibility", "hidden_reason"])
