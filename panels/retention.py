"""The register's deletion: when a panel closes (retention 0), when its retention days
after closing have passed (the nightly job), or when a new extract replaces it; each
leaves a RegisterDeletion (when, how many rows, by whom or what)."""

from __future__ import annotations

from django.db import connection, transaction

from panels.models import (
    DeletionReason,
    Invitation,
    Panel,
    RegisterDeletion,
    RegisterPerson,
    Volunteer,
    VolunteerStatus,
)


def registers_delete_due(*, now=None) -> int:
    """Delete the register of every closed panel whose retention has passed (the nightly
    job). Returns how many registers were deleted."""
    done = 0
    for panel in Panel.objects.register_due(now):
        with transaction.atomic():
            locked = Panel.objects.select_for_update().get(pk=panel.pk)
            if register_delete(locked, DeletionReason.RETENTION, None, only_if_any=True):
                done += 1
    return done


def register_delete(
    panel: Panel, reason: str, user, *, only_if_any: bool = False
) -> RegisterDeletion | None:
    """Delete the panel's register data (people and invitations), the contact details of
    volunteers not chosen, and record it. With ``only_if_any``, nothing is recorded when
    there was nothing to delete."""
    person = connection.ops.quote_name(RegisterPerson._meta.db_table)
    invitation = connection.ops.quote_name(Invitation._meta.db_table)
    Volunteer.objects.filter(panel=panel, invitation__isnull=False).update(invitation=None)
    # Raw SQL: two set-based DELETEs of up to 120,000 rows each; Django's delete() would
    # collect every row in Python first (the invitation has a reverse relation).
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {invitation} WHERE panel_id = %s", [panel.pk])
        invitations = cursor.rowcount
        cursor.execute(f"DELETE FROM {person} WHERE panel_id = %s", [panel.pk])
        people = cursor.rowcount
    if only_if_any and not people and not invitations:
        return None
    if reason != DeletionReason.REPLACED:
        Volunteer.objects.filter(
            panel=panel, status__in=[VolunteerStatus.VOLUNTEERED, VolunteerStatus.NOT_SELECTED]
        ).update(name="", email="", phone="")
    return RegisterDeletion.objects.create(
        panel=panel, people=people, invitations=invitations, reason=reason, deleted_by=user
    )
