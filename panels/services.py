"""What a planner and a volunteer do to a panel (part A): set it up, upload the register
extract, draw the invitations, volunteer with a code, choose the panel, tell the members,
close it; and the register's deletion. Each is one transaction."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from areas.models import POPULATION_AGE_GROUPS
from cases.representation import Representation, representation
from panels import tasks
from panels.models import (
    DeletionReason,
    Invitation,
    Panel,
    PanelStatus,
    PanelTheme,
    RegisterPerson,
    RegisterUpload,
    Volunteer,
    VolunteerStatus,
)
from panels.register import COPY_COLUMNS, RegisterReport, read_register
from panels.retention import register_delete as _register_delete
from panels.selection import (
    NO_AREA,
    Candidate,
    Quota,
    QuotaProblem,
    SelectionResult,
    age_group,
    code_check,
    count_volunteers,
    draw_invitations,
    new_code,
    new_seed,
    quotas,
    select_panel,
)
from priorities.services import staff_role

PANEL_ROLES = (Role.PLANNER, Role.ADMINISTRATOR)
# Alternates ranked after a selection: a quarter of the panel's size, at least three.
ALTERNATE_SHARE = 0.25


def panel_staff_check(user, panel: Panel) -> None:
    """PermissionDenied unless the account is a planner (or administrator) of the panel's
    municipality: the panel's staff, the only ones who see its register."""
    staff_role(user, panel.case.municipality_id, PANEL_ROLES)


@transaction.atomic
def panel_create(
    *,
    user,
    case,
    title: str,
    description: str,
    themes: list[str],
    target_size: int,
    invitations: int,
    strata: list[str],
    area_type=None,
    minimum_age: int = 16,
    quota_tolerance: int = 10,
    retention_days: int = 0,
) -> Panel:
    """Set up a panel on a case, with its themes in order."""
    staff_role(user, case.municipality_id, PANEL_ROLES)
    panel = Panel(
        case=case,
        title=title,
        description=description,
        target_size=target_size,
        invitations=invitations,
        strata=strata,
        area_type=area_type,
        minimum_age=minimum_age,
        quota_tolerance=quota_tolerance,
        retention_days=retention_days,
        created_by=user,
    )
    if "area" in strata and area_type is None:
        raise ValidationError({"area_type": _("Choose the area type of the area stratum.")})
    if invitations < target_size:
        raise ValidationError(
            {"invitations": _("Send at least as many invitations as the panel has members.")}
        )
    panel.full_clean()
    panel.save()
    for position, theme in enumerate(themes):
        PanelTheme(panel=panel, title=theme, position=position).full_clean(exclude=["panel"])
        PanelTheme.objects.create(panel=panel, title=theme, position=position)
    return panel


class _Refused(Exception):
    """Rolls the upload's transaction back; the report says why."""


def register_upload(*, user, panel: Panel, data: bytes) -> RegisterReport:
    """Read an extract and, if every row is good, write it in place of any earlier one: the
    rows by COPY, then their places set in PostGIS (addresses looked up, inside the
    municipality, the area of the panel's area type). Any bad row, found while reading or
    while placing, and nothing is written: the report names the rows (RegisterFileError if
    the file is unusable as a whole)."""
    panel_staff_check(user, panel)
    if panel.status != PanelStatus.DRAFT:
        raise ValidationError(_("The invitations are drawn: the extract can no longer change."))
    parsed = read_register(data)
    report = parsed.report
    if report.bad:
        return report
    try:
        with transaction.atomic():
            _register_delete(panel, DeletionReason.REPLACED, user, only_if_any=True)
            _copy_rows(panel, parsed.rows)
            if parsed.has_address:
                RegisterPerson.objects.locate_addresses(panel)
            RegisterPerson.objects.mark_inside(panel)
            RegisterPerson.objects.place_in_areas(panel)
            for line, address, point in RegisterPerson.objects.bad_places(panel).values_list(
                "line", "address", "point"
            ):
                if point is None:
                    report.add(
                        line,
                        _("the address %(address)s is not in the municipality's address list")
                        % {"address": repr(address[:60])},
                    )
                else:
                    report.add(line, _("the place lies outside the municipality"))
            if report.bad:
                raise _Refused
            RegisterUpload.objects.update_or_create(
                panel=panel,
                defaults={
                    "uploaded_by": user,
                    "rows": len(parsed.rows),
                    "encoding": report.encoding,
                    "delimiter": report.delimiter,
                    "columns": report.columns,
                },
            )
    except _Refused:
        return report
    report.written = True
    return report


def _copy_rows(panel: Panel, rows: list[tuple]) -> None:
    """The rows into a temporary table by COPY, then into the register in one INSERT that
    makes the points (reprojected to the storage SRID)."""
    person = connection.ops.quote_name(RegisterPerson._meta.db_table)
    # Raw SQL: COPY and a set-based INSERT ... SELECT with ST_Transform; the ORM would send
    # 120,000 INSERTs' worth of parameters.
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pg_temp.panel_register_rows")
        cursor.execute(
            "CREATE TEMPORARY TABLE panel_register_rows (line integer, person_id text, "
            "birth_year integer, gender text, address text, household text, "
            "postal_address text, postcode text, post_town text, x float8, y float8, "
            "srid integer, extra jsonb) ON COMMIT DROP"
        )
        with cursor.cursor.copy(
            f"COPY panel_register_rows ({', '.join(COPY_COLUMNS)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row((*row[:-1], _json(row[-1])))
        cursor.execute(
            f"""INSERT INTO {person} (panel_id, line, person_id, birth_year, gender, address,
                    household, postal_address, postcode, post_town, point, inside, extra)
                SELECT %s, line, person_id, birth_year, gender, address, household,
                       postal_address, postcode, post_town,
                       CASE WHEN srid IS NULL THEN NULL ELSE ST_Transform(
                           ST_SetSRID(ST_MakePoint(x, y), srid), %s) END,
                       false, extra
                  FROM panel_register_rows ORDER BY line""",
            [panel.pk, RegisterPerson._meta.get_field("point").srid],
        )


def _json(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False)


def stratum_values(panel: Panel, *, birth_year: int, gender: str, area_id, extra: dict, year: int):
    """A person's value in each of the panel's strata (as the lottery and the quotas use
    them)."""
    values = {}
    for stratum in panel.strata:
        if stratum == "age_group":
            values[stratum] = age_group(birth_year, year, panel.minimum_age)
        elif stratum == "gender":
            values[stratum] = gender
        elif stratum == "area":
            values[stratum] = str(area_id) if area_id else NO_AREA
        else:
            values[stratum] = str(extra.get(stratum, "")) or NO_AREA
    return values


def _household(row: dict) -> str:
    if row["household"]:
        return "h:" + row["household"]
    if row["address"]:
        return "a:" + row["address"].upper() + "|" + row["postcode"]
    if row["postal_address"]:
        return "p:" + row["postal_address"].upper() + "|" + row["postcode"]
    return f"x:{row['point'].x:.1f},{row['point'].y:.1f}"


def _candidates(panel: Panel, year: int):
    rows = (
        RegisterPerson.objects.eligible(panel, year)
        .values(
            "pk",
            "person_id",
            "birth_year",
            "gender",
            "area_id",
            "extra",
            "household",
            "address",
            "postal_address",
            "postcode",
            "point",
        )
        .iterator(chunk_size=5000)
    )
    for row in rows:
        values = stratum_values(
            panel,
            birth_year=row["birth_year"],
            gender=row["gender"],
            area_id=row["area_id"],
            extra=row["extra"],
            year=year,
        )
        yield Candidate(
            pk=row["pk"],
            person_id=row["person_id"],
            cell=tuple(values[s] for s in panel.strata),
            household=_household(row),
        )


@transaction.atomic
def invitations_draw(*, user, panel: Panel, seed: str = "") -> int:
    """Draw the invitations from the extract with the seed (a new one if empty), each with
    a new signed code; the seed is published on the panel's page. Returns how many."""
    panel = Panel.objects.select_for_update().select_related("case").get(pk=panel.pk)
    panel_staff_check(user, panel)
    if panel.status != PanelStatus.DRAFT:
        raise ValidationError(_("The invitations are drawn already."))
    if not RegisterPerson.objects.of_panel(panel).exists():
        raise ValidationError(_("Upload the register extract first."))
    seed = seed.strip() or new_seed()
    year = timezone.localdate().year
    drawn = draw_invitations(_candidates(panel, year), panel.invitations, seed)
    if not drawn:
        raise ValidationError(_("No one in the extract is old enough to be invited."))
    codes: set[str] = set()
    while len(codes) < len(drawn):
        codes.add(new_code())
    Invitation.objects.bulk_create(
        Invitation(panel=panel, person_id=pk, code=code, drawn=number)
        for number, (pk, code) in enumerate(zip(drawn, sorted(codes), strict=True), start=1)
    )
    panel.seed = seed
    panel.status = PanelStatus.INVITING
    panel.invited_at = timezone.now()
    panel.save(update_fields=["seed", "status", "invited_at"])
    return len(drawn)


@dataclass
class InvitationView:
    """What the volunteer form knows from the invitation: the panel and the register's
    values that prefill it."""

    invitation: Invitation
    panel: Panel
    birth_year: int
    gender: str
    area_id: int | None


def invitation_find(typed: str) -> InvitationView:
    """The unused invitation of a code, or ValidationError: a code whose signature fails,
    one not (or no longer) in the register, one used already, a panel not inviting."""
    code = code_check(typed)
    if code is None:
        raise ValidationError(
            _("This code is not valid. Check it against your letter."), code="bad_code"
        )
    invitation = (
        Invitation.objects.select_related("panel__case__municipality", "person")
        .filter(code=code)
        .first()
    )
    if invitation is None or invitation.panel.status != PanelStatus.INVITING:
        raise ValidationError(
            _("This code is not (or no longer) open for volunteering."), code="closed_code"
        )
    if invitation.used_at is not None:
        raise ValidationError(
            _("This code has been used already: each letter invites one person, once."),
            code="used_code",
        )
    person = invitation.person
    return InvitationView(
        invitation, invitation.panel, person.birth_year, person.gender, person.area_id
    )


def volunteer_register(
    *,
    code: str,
    name: str,
    email: str,
    phone: str = "",
    birth_year: int,
    gender: str,
    area=None,
    availability: list[int] | None = None,
    language: str = "nb",
) -> Volunteer:
    """Volunteer with an invitation's code: the code is used once (a second use is refused
    and writes nothing), and a receipt is e-mailed (a job, sent once)."""
    try:
        with transaction.atomic():
            found = invitation_find(code)
            invitation = Invitation.objects.select_for_update().get(pk=found.invitation.pk)
            if invitation.used_at is not None:
                raise ValidationError(
                    _("This code has been used already: each letter invites one person, once."),
                    code="used_code",
                )
            panel = found.panel
            year = timezone.localdate().year
            if birth_year > year - panel.minimum_age or birth_year < year - 120:
                raise ValidationError({"birth_year": _("This year of birth is not possible here.")})
            person = invitation.person
            volunteer = Volunteer(
                panel=panel,
                name=name,
                email=email,
                phone=phone,
                birth_year=birth_year,
                area=area,
                strata=stratum_values(
                    panel,
                    birth_year=birth_year,
                    gender=gender,
                    area_id=area.pk if area else None,
                    extra=person.extra,
                    year=year,
                ),
                availability=sorted(set(availability or [])),
                invitation=invitation,
                language=language,
            )
            volunteer.full_clean(
                exclude=["invitation", "availability", "selection_probability", "alternate_rank"]
            )
            volunteer.save()
            invitation.used_at = timezone.now()
            invitation.save(update_fields=["used_at"])
            tasks.send_volunteer_receipt.defer(volunteer_id=volunteer.pk)
            return volunteer
    except IntegrityError as exc:  # the same code in two requests at once
        raise ValidationError(
            _("This code has been used already: each letter invites one person, once."),
            code="used_code",
        ) from exc


def population_counts(panel: Panel) -> dict[str, Counter]:
    """The extract's people (those old enough, inside the municipality) per stratum value,
    counted by PostgreSQL per (birth year, gender, area, other columns) first."""
    year = timezone.localdate().year
    counts: dict[str, Counter] = defaultdict(Counter)
    groups = (
        RegisterPerson.objects.eligible(panel, year)
        .values("birth_year", "gender", "area_id", "extra")
        .annotate(people=Count("pk"))
        .order_by()
    )
    for group in groups:
        values = stratum_values(
            panel,
            birth_year=group["birth_year"],
            gender=group["gender"],
            area_id=group["area_id"],
            extra=group["extra"],
            year=year,
        )
        for stratum, value in values.items():
            counts[stratum][value] += group["people"]
    return counts


def panel_quotas(panel: Panel) -> list[Quota]:
    """The quotas from the register's shares, with the volunteers counted."""
    all_quotas = quotas(population_counts(panel), panel.target_size, panel.quota_tolerance)
    rows = list(Volunteer.objects.of_panel(panel).values_list("pk", "strata", "status"))
    count_volunteers(all_quotas, {pk: _only(strata, panel) for pk, strata, _status in rows})
    members = [_only(strata, panel) for _pk, strata, status in rows if status == "selected"]
    for quota in all_quotas:
        quota.selected = sum(1 for strata in members if strata[quota.stratum] == quota.value)
    return all_quotas


def _only(strata: dict, panel: Panel) -> dict[str, str]:
    return {s: str(strata.get(s, NO_AREA)) for s in panel.strata}


def panel_select(*, user, panel: Panel) -> SelectionResult:
    """Choose the panel among the volunteers within the quotas from the register's shares,
    and rank the alternates; nothing is sent (``members_tell`` sends). QuotaProblem, before
    anything is written, when a quota cannot be met."""
    panel = Panel.objects.select_related("case").get(pk=panel.pk)
    panel_staff_check(user, panel)
    if panel.status not in (PanelStatus.INVITING, PanelStatus.SELECTED) or panel.members_told_at:
        raise ValidationError(_("The panel cannot be chosen now."))
    if not RegisterPerson.objects.of_panel(panel).exists():
        raise ValidationError(_("The register extract is gone: the quotas cannot be made."))
    all_quotas = quotas(population_counts(panel), panel.target_size, panel.quota_tolerance)
    volunteers = {
        pk: _only(strata, panel)
        for pk, strata in Volunteer.objects.of_panel(panel).values_list("pk", "strata")
    }
    alternates = max(3, round(panel.target_size * ALTERNATE_SHARE))
    result = select_panel(volunteers, all_quotas, panel.target_size, panel.seed, alternates)
    with transaction.atomic():
        locked = Panel.objects.select_for_update().get(pk=panel.pk)
        if locked.members_told_at:
            raise ValidationError(_("The panel cannot be chosen now."))
        rank = {pk: number for number, pk in enumerate(result.alternates, start=1)}
        chosen = set(result.selected)
        changed = []
        for volunteer in Volunteer.objects.of_panel(panel).select_for_update():
            volunteer.selection_probability = result.probabilities.get(volunteer.pk, 0.0)
            volunteer.alternate_rank = rank.get(volunteer.pk)
            volunteer.status = (
                VolunteerStatus.SELECTED
                if volunteer.pk in chosen
                else VolunteerStatus.ALTERNATE
                if volunteer.pk in rank
                else VolunteerStatus.NOT_SELECTED
            )
            changed.append(volunteer)
        Volunteer.objects.bulk_update(
            changed, ["selection_probability", "alternate_rank", "status"], batch_size=1000
        )
        locked.status = PanelStatus.SELECTED
        locked.selected_at = timezone.now()
        locked.save(update_fields=["status", "selected_at"])
    return result


@transaction.atomic
def members_tell(*, user, panel: Panel) -> int:
    """Tell the volunteers by e-mail whether they are members, alternates or not chosen,
    each in their language, once (a job). Returns how many members and alternates."""
    panel = Panel.objects.select_for_update().select_related("case").get(pk=panel.pk)
    panel_staff_check(user, panel)
    if panel.status != PanelStatus.SELECTED:
        raise ValidationError(_("Choose the panel first."))
    if panel.members_told_at is None:
        panel.members_told_at = timezone.now()
        panel.save(update_fields=["members_told_at"])
        tasks.tell_members.defer(panel_id=panel.pk)
    return Volunteer.objects.filter(
        panel=panel, status__in=[VolunteerStatus.SELECTED, VolunteerStatus.ALTERNATE]
    ).count()


@transaction.atomic
def panel_close(*, user, panel: Panel) -> Panel:
    """Close the panel; its register is deleted now (retention 0) or by the nightly job
    when its retention days have passed."""
    panel = Panel.objects.select_for_update().select_related("case").get(pk=panel.pk)
    panel_staff_check(user, panel)
    if panel.status == PanelStatus.CLOSED:
        return panel
    panel.status = PanelStatus.CLOSED
    panel.closed_at = timezone.now()
    panel.save(update_fields=["status", "closed_at"])
    if panel.retention_days == 0:
        _register_delete(panel, DeletionReason.CLOSED, user)
    return panel


def quota_problem_text(problem: QuotaProblem, area_names: dict[str, str]) -> list[str]:
    """The plain sentences that say why the panel cannot be chosen, naming each group."""
    lines = []
    for quota in problem.problems:
        if problem.message.startswith("bounds:"):
            continue
        lines.append(
            _(
                "%(stratum)s %(value)s: at least %(min)s members are needed, but only "
                "%(volunteers)s volunteered."
            )
            % {
                "stratum": stratum_label(quota.stratum),
                "value": value_label(quota.stratum, quota.value, area_names),
                "min": quota.minimum,
                "volunteers": quota.volunteers,
            }
        )
    if problem.message.startswith("bounds:"):
        lines.append(
            _("The quotas of %(stratum)s do not add up to the panel's size.")
            % {"stratum": stratum_label(problem.message.split(":", 1)[1])}
        )
    elif problem.message == "too few volunteers":
        lines.append(_("There are fewer volunteers than members wanted."))
    elif not lines:
        lines.append(
            _("No panel meets every quota with these volunteers (the solver said: %(error)s).")
            % {"error": problem.message[:300]}
        )
    return lines


def stratum_label(stratum: str) -> str:
    return {"age_group": _("age group"), "gender": _("gender"), "area": _("area")}.get(
        stratum, stratum
    )


def value_label(stratum: str, value: str, area_names: dict[str, str]) -> str:
    if stratum == "gender":
        return {"m": _("men"), "f": _("women")}.get(value, value)
    if stratum == "area":
        return area_names.get(value, _("no area"))
    return value


# --- the members against the population (issue 16, item 7) ---------------------------------


def population_age_group(birth_year: int, year: int) -> str:
    """The population counts' age group (areas.models.AgeGroup) of someone born in
    ``birth_year``, as old as they turn in ``year``."""
    age = year - birth_year
    for group, low, high in POPULATION_AGE_GROUPS:
        if age >= low and (high is None or age <= high):
            return group.value
    return "unknown"


def members_representation(panel) -> Representation | None:
    """The panel's members (or, before the selection, its volunteers) compared with the
    population of the panel's area type, per area and age group (cases.representation).
    None without an area type or population counts for it."""
    if panel.area_type_id is None:
        return None
    people = Volunteer.objects.of_panel(panel)
    if people.filter(status=VolunteerStatus.SELECTED).exists():
        people = people.filter(status=VolunteerStatus.SELECTED)
    else:
        people = people.exclude(status=VolunteerStatus.WITHDRAWN)
    year = timezone.localdate().year
    counts: Counter = Counter(
        (area_id, population_age_group(birth_year, year))
        for area_id, birth_year in people.filter(area__isnull=False).values_list(
            "area_id", "birth_year"
        )
    )
    if not counts:
        return None
    return representation(panel.case.municipality, panel.area_type, participants=counts)
