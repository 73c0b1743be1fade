"""Pieces shared by the apps' models."""

import pghistory.models
import pgtrigger
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from nabolaget.history import never_truncated
from nabolaget.text import NormalisedTextMixin


class TranslatedName(NormalisedTextMixin, models.Model):
    """A name in the three interface languages; ``name`` gives the active one."""

    name_nb = models.CharField(_("name (Bokmål)"), max_length=100)
    name_nn = models.CharField(_("name (Nynorsk)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        """The name in the active language, falling back to Bokmål."""
        return name_in_language(self.name_nb, self.name_nn, self.name_en)


def name_in_language(name_nb: str, name_nn: str, name_en: str) -> str:
    """Of a TranslatedName's three names, the one in the active language, else Bokmål's
    (also for rows read without a model instance)."""
    language = (get_language() or "nb")[:2]
    return {"nn": name_nn, "en": name_en}.get(language) or name_nb


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
    # Privacy (see nabolaget/privacy.py): when the account was closed and its personal
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
    """A staff role held by an account in one municipality."""

    user = models.ForeignKey(User, models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    municipality = models.ForeignKey(
        "areas.Municipality", models.CASCADE, related_name="role_grants"
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)

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


class IdempotencyKey(models.Model):
    """The first successful answer to a create request sent with an ``Idempotency-Key``
    header, so that a retry gets the same answer instead of doing the work again
    (nabolaget.idempotency). Unique per account; kept for IDEMPOTENCY_KEY_HOURS."""

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


class HistoryContext(pghistory.models.Context):
    """pghistory's request context (who did what, from which URL): the triggers that keep it
    on the record. pghistory's own upsert changes a context's metadata while the transaction
    that made it is still open (the user becomes known after the first write); after that a
    context is never changed or deleted (account closing goes through
    ``nabolaget_context_forget_account``)."""

    class Meta:
        proxy = True
        triggers = [
            pgtrigger.Protect(
                name="context_only_while_new",
                operation=pgtrigger.Update,
                # NOW() is the start of the transaction, which is what pghistory's upsert
                # writes into created_at when it makes the context.
                condition=pgtrigger.Condition(
                    "OLD.created_at IS DISTINCT FROM NOW() OR NEW.id IS DISTINCT FROM OLD.id "
                    "OR NEW.created_at IS DISTINCT FROM OLD.created_at"
                ),
            ),
            pgtrigger.Protect(name="context_never_deleted", operation=pgtrigger.Delete),
            never_truncated("context"),
        ]


class HistoryRedaction(models.Model):
    """One use of the narrow way past the history's triggers: a closed account taken out of
    a history table or the request contexts (written by the database functions
    ``nabolaget_history_redact`` and ``nabolaget_context_forget_account`` themselves, so
    the web role cannot redact without leaving this row). Append-only.

    ``account`` is the account's number, not a relation: this row is about the closing.
    """

    account = models.BigIntegerField()
    target = models.CharField(max_length=200)
    rows = models.BigIntegerField()
    database_role = models.CharField(max_length=200)
    created_at = models.DateTimeField(db_default=models.functions.Now())

    class Meta:
        triggers = [
            pgtrigger.Protect(
                name="historyredaction_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
            never_truncated("historyredaction"),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.rows} rows of account {self.account}"
