"""Panel members' access to their member area, and what they hear afterwards.

Each selected member (``Volunteer`` with status ``selected``) gets a personal, signed link
(``MemberAccess``), e-mailed once in their account's language. No log-in is needed: the
link is the key. It is tied to an account all the same (the open account with the member's
address, or one made without a password, as for a meeting's participants), so that the
panel's e-mails are sent once each (``accounts.notifications.send_once``), in that
account's language, and the member's privacy download and closing work as for any account.

A link fails when it was changed or guessed (its signature), when it was revoked, when a
newer link was sent (its nonce), when the member is no longer selected, or when the panel
is closed. When the panel's case is decided, each member is e-mailed the decision once
(``tell_members_of_decisions``, a periodic job: the key makes it once per member).
"""

from __future__ import annotations

import secrets

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import account_for_confirmed_address
from panels import tasks
from panels.member_links import MEMBER_SALT
from panels.models import MemberAccess, Panel, PanelStatus, Volunteer, VolunteerStatus
from priorities.services import ANSWER_ROLES, staff_role


def _invalid() -> ValidationError:
    return ValidationError(
        _(
            "This link to the panel's member area is not valid: it was changed, replaced by "
            "a newer one or revoked, or the panel is closed. Ask the panel's organisers for "
            "a new link."
        ),
        code="invalid_link",
    )


def member_access_read(data) -> MemberAccess:
    """The member's access named by a token's (or the session's) data, if it still holds:
    not revoked, not replaced, the member still selected and the panel not closed."""
    try:
        access = (
            MemberAccess.objects.select_related("volunteer__panel__case__municipality")
            .filter(pk=int(data["a"]), nonce=str(data["n"]), revoked_at__isnull=True)
            .get()
        )
    except (KeyError, TypeError, ValueError, MemberAccess.DoesNotExist) as exc:
        raise _invalid() from exc
    volunteer = access.volunteer
    if volunteer.status != VolunteerStatus.SELECTED or (
        volunteer.panel.status == PanelStatus.CLOSED
    ):
        raise _invalid()
    return access


def member_access_from_token(token: str) -> MemberAccess:
    """The member's access from a link's token, or a ValidationError (``invalid_link``)."""
    try:
        data = signing.loads(token, salt=MEMBER_SALT)
    except signing.BadSignature as exc:
        raise _invalid() from exc
    if not isinstance(data, dict):
        raise _invalid()
    return member_access_read(data)


def _members(panel: Panel):
    return Volunteer.objects.filter(panel=panel, status=VolunteerStatus.SELECTED)


@transaction.atomic
def member_links_send(*, actor, panel: Panel, language: str) -> int:
    """Give every selected member who has none a personal link, and e-mail each new link
    once (in the account's language; an account made now has the language the member
    volunteered in, else ``language``). Returns how
    many links were made. Members who have a link keep it (``member_link_renew`` replaces
    one)."""
    staff_role(actor, panel.case.municipality_id, ANSWER_ROLES)
    if panel.status == PanelStatus.CLOSED:
        raise ValidationError(_("The panel is closed."))
    made = []
    for volunteer in _members(panel).filter(access__isnull=True).order_by("pk"):
        user = account_for_confirmed_address(
            email=volunteer.email,
            language=volunteer.language or language,
            username_prefix="panel",
        )
        made.append(
            MemberAccess.objects.create(volunteer=volunteer, user=user, nonce=secrets.token_hex(16))
        )
    if not made:
        raise ValidationError(_("Every member has a link already."))
    ids = [access.pk for access in made]
    transaction.on_commit(lambda: _queue_links(ids))
    return len(made)


def _queue_links(ids: list[int]) -> None:
    for access_id in ids:
        tasks.send_member_link.defer(access_id=access_id)


@transaction.atomic
def member_link_revoke(*, actor, access: MemberAccess) -> None:
    """Revoke a member's link: it fails from now on (also in a browser that opened it)."""
    staff_role(actor, access.volunteer.panel.case.municipality_id, ANSWER_ROLES)
    if access.revoked_at is not None:
        raise ValidationError(_("This link is revoked already."))
    access.revoked_at = timezone.now()
    access.save(update_fields=["revoked_at"])


@transaction.atomic
def member_link_renew(*, actor, access: MemberAccess) -> None:
    """Send a member a new link: every earlier one fails (a new nonce), the new one is
    e-mailed once."""
    panel = access.volunteer.panel
    staff_role(actor, panel.case.municipality_id, ANSWER_ROLES)
    if panel.status == PanelStatus.CLOSED or access.volunteer.status != VolunteerStatus.SELECTED:
        raise ValidationError(_("Only members of a panel that is not closed get a link."))
    access.nonce = secrets.token_hex(16)
    access.revoked_at = None
    access.save(update_fields=["nonce", "revoked_at"])
    access_id = access.pk
    transaction.on_commit(lambda: _queue_links([access_id]))
