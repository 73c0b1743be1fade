"""Accounts: every account is a resident; staff roles per municipality; remembered answers
to retried create requests (idempotency keys)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """An account. Every account is a resident; staff have roles (RoleGrant) in a municipality.

    The name and the e-mail address are private: no public page or public API
    response shows them.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=[("nb", "Norsk bokmål"), ("nn", "Norsk nynorsk"), ("en", "English")],
        default="nb",
        help_text=_("The language of the e-mails you get from us."),
    )
    notify_by_email = models.BooleanField(
        _("e-mail me when input I gave or support is answered"), default=True
    )
    # Privacy (see accounts/privacy.py): when the account was closed and its personal
    # data blanked, and when it was last told that inactivity will close it.
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    inactivity_notice_at = models.DateTimeField(_("inactivity notice sent"), null=True, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def has_role(self, role: str, municipality=None) -> bool:
        """Whether the account holds the staff role (in the municipality, when one is given)."""
        if not self.is_active:
            return False
        return any(
            grant_role == role and (municipality is None or grant_muni == municipality.pk)
            for grant_role, grant_muni in self._grants()
        )

    def staff_municipality_ids(self, *roles: str) -> set[int]:
        """The municipalities where the account holds any of the roles."""
        return {muni for role, muni in self._grants() if role in roles}

    def _grants(self) -> list[tuple[str, int]]:
        if not hasattr(self, "_grant_cache"):
            self._grant_cache = list(self.role_grants.values_list("role", "municipality_id"))
        return self._grant_cache


class Role(models.TextChoices):
    """Staff roles. Every account is a resident; these come on top, per municipality."""

    PLANNER = "planner", _("planner")
    COUNCILLOR = "councillor", _("councillor")
    COUNCIL_SECRETARY = "council_secretary", _("council secretary")
    MODERATOR = "moderator", _("moderator")
    ADMINISTRATOR = "administrator", _("administrator")


class RoleGrant(models.Model):
    """A staff role held by an account in one municipality.

    A councillor's grant (an elected member, folkevalgt) also says who they are in public:
    the name they answer residents under, their party and the elected body they sit in
    (kommunestyre, a committee). These are shown with every reply they write
    (``priorities.models.Reply`` copies them, so a reply stays true after an election).
    """

    user = models.ForeignKey(User, models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    municipality = models.ForeignKey(
        "areas.Municipality", models.CASCADE, related_name="role_grants"
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    public_name = models.CharField(
        _("public name"),
        max_length=100,
        blank=True,
        help_text=_("A councillor's name as shown with their replies to residents."),
    )
    party = models.CharField(
        _("party"), max_length=100, blank=True, help_text=_("A councillor's party or list.")
    )
    elected_body = models.CharField(
        _("elected body"),
        max_length=100,
        blank=True,
        help_text=_("Where the councillor sits, e.g. the municipal council or a committee."),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "municipality"], name="rolegrant_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} ({self.municipality_id})"

    def public_display_name(self) -> str:
        """The name a councillor replies under (their account's name if none is set)."""
        return self.public_name or self.user.get_full_name()


class IdempotencyKey(models.Model):
    """The first successful answer to a create request sent with an ``Idempotency-Key``
    header, so that a retry gets the same answer instead of doing the work again
    (accounts.idempotency). Unique per account; kept for IDEMPOTENCY_KEY_HOURS."""

    user = models.ForeignKey(User, models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(_("key"), max_length=200)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)
    response_body = models.TextField(_("response body"), blank=True)
    response_location = models.CharField(_("response location"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotencykey_unique")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"


class Notification(models.Model):
    """An e-mail sent to an account. The unique key makes a retried job send nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once")]

    def __str__(self) -> str:
        return f"{self.key} to {self.user_id}"
