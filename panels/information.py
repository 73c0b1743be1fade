"""What panel members get beforehand and what their sessions leave: per theme the
information text and PDFs (checked by content with councils' PDF gate), and the sessions,
each a meeting (``meetings.Meeting``, with the meeting's own input) and the planner's
summary of it. Multi-model writes, each in one transaction.

The information is public (once the panel is no longer being set up): it is the
municipality's own material on a public case, and anyone may see what the panel was told.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.contrib.gis.db.models.functions import PointOnSurface
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.models import Area
from hearings.services import pdf_errors
from meetings.models import MeetingType
from meetings.services import meeting_errors, meeting_register
from panels.models import (
    Panel,
    PanelSession,
    PanelStatus,
    PanelTheme,
    SessionDetail,
    ThemeDocument,
)
from priorities.services import ANSWER_ROLES, staff_role

MAX_DOCUMENTS = 10


def _staff(actor, panel: Panel) -> None:
    staff_role(actor, panel.case.municipality_id, ANSWER_ROLES)
    if panel.status == PanelStatus.CLOSED:
        raise ValidationError(_("The panel is closed."))


@transaction.atomic
def theme_information_save(*, actor, theme: PanelTheme, information: str) -> PanelTheme:
    """The planner writes what members read about a theme beforehand."""
    _staff(actor, theme.panel)
    theme.information = (information or "").strip()
    theme.full_clean()
    theme.save(update_fields=["information"])
    return theme


def theme_document_errors(*, theme: PanelTheme, uploads: Sequence) -> list[ValidationError]:
    """Why these PDFs are refused: too many, too large, or not a plain PDF (by content)."""
    room = MAX_DOCUMENTS - theme.documents.count()
    return pdf_errors(uploads, "documents", max(room, 0))


@transaction.atomic
def theme_documents_add(*, actor, theme: PanelTheme, uploads: Sequence) -> list[ThemeDocument]:
    """Add PDFs to a theme's information, each checked by its content first; none is kept
    if one is refused."""
    _staff(actor, theme.panel)
    if not uploads:
        raise ValidationError({"documents": _("Choose at least one PDF file.")})
    errors = theme_document_errors(theme=theme, uploads=uploads)
    if errors:
        raise ValidationError({"documents": errors})
    made = []
    for upload in uploads:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        document = ThemeDocument(
            theme=theme, name=upload.name[:200], size=upload.size, sha256=digest.hexdigest()
        )
        document.file.save(upload.name, upload, save=False)
        document.save()
        made.append(document)
    return made


def _digital_point(panel: Panel):
    """Where a digital session's meeting is put on the map (a meeting has a place): a point
    on the case's geometry, else on the municipality's boundary (PostGIS ST_PointOnSurface:
    inside it, also for a ring-shaped area)."""
    case = panel.case
    if case.geom is not None:
        point = case.geom.point_on_surface
        point.srid = case.geom.srid
        return point
    boundary = (
        Area.objects.in_force()
        .filter(municipality=case.municipality, type__slug="kommune")
        .annotate(inside=PointOnSurface("geom"))
        .values_list("inside", flat=True)
        .first()
    )
    if boundary is None:
        raise ValidationError(_("The municipality has no boundary to place the session on."))
    return boundary


def session_errors(
    *, panel: Panel, starts_at, ends_at, digital: bool, link: str, point
) -> dict[str, list[ValidationError]]:
    """Every reason ``session_add`` would refuse these values, for a form to show at once."""
    errors: dict[str, list[ValidationError]] = {}
    if digital and not link:
        errors["link"] = [ValidationError(_("Give the link to the digital meeting."))]
    if not digital and point is None:
        errors["place"] = [ValidationError(_("Mark the place on the map or give coordinates."))]
    if digital and link and not link.startswith("https://"):
        errors["link"] = [ValidationError(_("The link must start with https://."))]
    checked = point if not digital else None
    for field, field_errors in meeting_errors(
        municipality=panel.case.municipality,
        starts_at=starts_at,
        ends_at=ends_at,
        point=checked,
        case=panel.case,
    ).items():
        errors.setdefault(field, []).extend(field_errors)
    return errors


@transaction.atomic
def session_add(
    *,
    actor,
    panel: Panel,
    title: str,
    starts_at,
    ends_at,
    digital: bool,
    link: str = "",
    point=None,
    place_name: str = "",
) -> PanelSession:
    """A planner adds a session: a meeting (a workshop) on the panel's case, physical (its
    place) or digital (a link only members see), tied to the panel. What is said there is
    recorded as the meeting's input; the planner's summary goes into the case's digest."""
    _staff(actor, panel)
    link = (link or "").strip()
    errors = session_errors(
        panel=panel, starts_at=starts_at, ends_at=ends_at, digital=digital, link=link, point=point
    )
    if errors:
        raise ValidationError(errors)
    if digital:
        point = _digital_point(panel)
        place_name = _("Digital meeting (the link is in the members' area)")
    meeting = meeting_register(
        actor=actor,
        municipality=panel.case.municipality,
        type=MeetingType.WORKSHOP,
        title=(title or "").strip(),
        description=_("A session of the citizens' panel “%(title)s”, for its members.")
        % {"title": panel.title},
        starts_at=starts_at,
        ends_at=ends_at,
        point=point,
        place_name=place_name,
        case=panel.case,
        organisers=_("The citizens' panel"),
    )
    session = PanelSession.objects.create(panel=panel, meeting=meeting, digital=digital)
    detail = SessionDetail(session=session, link=link if digital else "")
    detail.full_clean()
    detail.save()
    return session


@transaction.atomic
def session_summary_save(*, actor, session: PanelSession, summary: str) -> SessionDetail:
    """The planner writes (or rewrites) the summary of a session; it is in the case's
    digest (a frozen digest keeps the one it was frozen with)."""
    staff_role(actor, session.panel.case.municipality_id, ANSWER_ROLES)
    summary = (summary or "").strip()
    if len(summary) < 10:
        raise ValidationError({"summary": _("Write a summary of at least 10 characters.")})
    detail, _created = SessionDetail.objects.get_or_create(session=session)
    detail.summary = summary
    detail.summary_by = actor
    detail.summary_at = timezone.now()
    detail.full_clean()
    detail.save()
    return detail
