"""Residents' rights over their data (GDPR): see all of it, close the account, retention.

What "data about an account" is comes from the model graph, not from a list kept by
hand: every model with a relation to the user model (``account_relations``), the
history tables of django-pghistory included. A model added later is in the data
export at once; closing an account refuses to run (and a test fails) until
``CLOSE_POLICY`` says what happens to the new relation.

Closing an account (on request, or by the retention job after notice):

- the account row stays as a blank tombstone, so that the public record keeps its
  references: no name, no e-mail address, no password, inactive (cannot log in);
  its e-mail addresses (allauth), linked social/OIDC accounts with their tokens, API
  tokens, sessions, roles and council memberships are deleted;
- priorities stay as anonymous public input: their author is detached;
- supports are withdrawn: each active one is taken off its priority's count, and the
  rows are deleted (a support is a personal, continuing "keep me informed", not a
  public record);
- council submissions, status changes (answers), consultations, exports and reports
  stay on the record (public-administration records and staff audit trails),
  pointing at the blank account;
- history (django-pghistory): the event rows of what is kept are kept as they are;
  those of what is detached or deleted are redacted (the account column set to NULL,
  or the event row deleted where the column cannot be NULL), and the account is
  taken out of the request contexts that only such redacted events refer to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

import pghistory.models
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import GEOSGeometry
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Coalesce
from django.utils import timezone

KEEP = "keep"  # stays on the record, pointing at the blank account
DETACH = "detach"  # the relation is set to NULL
DELETE = "delete"  # the rows are deleted
REDACT = "redact"  # history rows: NULL where the column allows it, else deleted


# What closing an account does with each relation to it ("app.Model.field"). Every
# relation of a live (non-history) model must be here; see the module docstring. The
# entries below are this app's and Django's; every other app adds its own with
# ``register_close_policy`` when it is ready.
CLOSE_POLICY: dict[str, str | Callable[[models.QuerySet], None]] = {
    "admin.LogEntry.user": KEEP,  # the admin site's audit trail of staff actions
    "account.EmailAddress.user": DELETE,
    "socialaccount.SocialAccount.user": DELETE,  # its tokens are deleted with it
    "authtoken.Token.user": DELETE,
    "accounts.RoleGrant.user": DELETE,
    "accounts.Notification.user": DELETE,
    # Remembered responses to retried requests: short-lived, and they may hold what the
    # account posted.
    "accounts.IdempotencyKey.user": DELETE,
}


def register_close_policy(policies: dict[str, str | Callable[[models.QuerySet], None]]) -> None:
    """An app says what closing an account does with its relations to accounts."""
    CLOSE_POLICY.update(policies)


# Fields never written to a data export: credentials, not data about the person.
EXPORT_OMITTED = {"accounts.User.password", "authtoken.Token.key"}


@dataclass(frozen=True)
class Relation:
    """A model field that refers to an account."""

    model: type[models.Model]
    field: models.Field

    @property
    def key(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    @property
    def is_history(self) -> bool:
        return issubclass(self.model, pghistory.models.Event)

    @property
    def policy(self):
        """What closing the account does here (history: follows the tracked model's policy)."""
        if self.is_history:
            tracked = self.model.pgh_tracked_model
            live = CLOSE_POLICY.get(f"{tracked._meta.label}.{self.field.name}")
            return KEEP if live == KEEP else REDACT
        return CLOSE_POLICY.get(self.key)

    def rows(self, user) -> models.QuerySet:
        return self.model._base_manager.filter(**{self.field.name: user.pk})


def account_relations() -> list[Relation]:
    """Every stored relation to the user model, history tables included, in a stable order."""
    user_model = get_user_model()
    found = []
    for model in apps.get_models():
        opts = model._meta
        if opts.proxy or not opts.managed or model is user_model:
            continue
        for field in opts.get_fields():
            if (
                isinstance(field, models.ForeignKey | models.ManyToManyField)
                and field.related_model is user_model
            ):
                found.append(Relation(model, field))
    return sorted(found, key=lambda relation: relation.key)


# --- the data export --------------------------------------------------------------------


def _value(field: models.Field, obj: models.Model):
    value = field.value_from_object(obj)
    if isinstance(value, GEOSGeometry):
        geometry = value.transform(settings.NABOLAGET_API_SRID, clone=True)
        return {"type": geometry.geom_type, "coordinates": geometry.coords}
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def _row(obj: models.Model) -> dict:
    opts = obj._meta
    row = {}
    for field in opts.concrete_fields:
        if f"{opts.label}.{field.name}" in EXPORT_OMITTED or isinstance(
            field, models.GeneratedField
        ):
            continue
        row[field.attname] = _value(field, obj)
    for field in opts.many_to_many:
        row[field.name] = sorted(related.pk for related in getattr(obj, field.name).all())
    return row


def account_data(user) -> dict:
    """Everything stored about the account, for the resident to download (JSON-ready)."""
    records = {}
    for relation in account_relations():
        rows = relation.rows(user).order_by("pk")
        many = [field.name for field in relation.model._meta.many_to_many]
        if many:
            rows = rows.prefetch_related(*many)
        records[relation.key] = [_row(obj) for obj in rows]
    records["pghistory.Context"] = [
        {"id": str(context.pk), "created_at": context.created_at, "metadata": context.metadata}
        for context in pghistory.models.Context.objects.filter(metadata__user=user.pk).order_by(
            "created_at"
        )
    ]
    return {
        "format": "nabolaget-account-data/1",
        "exported_at": timezone.now(),
        "account": _row(user),
        "records": records,
    }


# --- closing an account -------------------------------------------------------------------


def _policy_check(relations: list[Relation]) -> None:
    missing = [r.key for r in relations if not r.is_history and r.policy is None]
    if missing:
        raise ImproperlyConfigured(
            "accounts.privacy.CLOSE_POLICY does not say what closing an account does with "
            + ", ".join(missing)
        )


def _sessions_end(user) -> None:
    """Delete the account's stored sessions (a blank account's sessions are void anyway:
    it is inactive and its password hash changed)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not issubclass(store, DatabaseSessionStore):  # e.g. signed cookies: nothing stored
        return
    Session = store.get_model_class()

    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()


def _history_redact(user, relations: list[Relation]) -> None:
    history = [r for r in relations if r.is_history]
    # Erasure is the one write that history tables must allow. Their triggers do not let
    # the web role past (core/history.py): two database functions do it, for a closed
    # account only, and record each use (HistoryRedaction).
    with connection.cursor() as cursor:
        for relation in history:
            if relation.policy == REDACT:
                cursor.execute(
                    "SELECT nabolaget_history_redact(%s, %s::regclass, %s, %s)",
                    [
                        user.pk,
                        relation.model._meta.db_table,
                        relation.field.column,
                        not relation.field.null,
                    ],
                )
    # Request contexts name the account (metadata "user"): it stays in those that events
    # kept on the record refer to, and is taken out of all others.
    contexts = pghistory.models.Context.objects.filter(metadata__user=user.pk)
    kept_models = {r.model for r in history if r.policy == KEEP}
    kept = Q()
    for model in kept_models:
        kept |= Q(pk__in=model._base_manager.filter(pgh_context__in=contexts).values("pgh_context"))
    redacted = [
        str(pk)
        for pk in (contexts.exclude(kept) if kept else contexts).values_list("pk", flat=True)
    ]
    if redacted:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nabolaget_context_forget_account(%s, %s::uuid[])", [user.pk, redacted]
            )


@transaction.atomic
def account_close(*, user, now: dt.datetime | None = None) -> None:
    """Close the account and blank its personal data (see the module docstring).

    Idempotent: an account closed before is left as it is.
    """
    now = now or timezone.now()
    relations = account_relations()
    _policy_check(relations)
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if user.closed_at is not None:
        return
    for relation in relations:
        if relation.is_history:
            continue
        policy, rows = relation.policy, relation.rows(user)
        if policy == DETACH:
            rows.update(**{relation.field.name: None})
        elif policy == DELETE:
            rows.delete()
        elif callable(policy):
            policy(rows)
    user.username = f"closed-{user.pk}"
    user.email = f"closed-{user.pk}@closed.invalid"
    user.first_name = user.last_name = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.notify_by_email = False
    user.last_login = None
    user.closed_at = now
    user.inactivity_notice_at = None
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    # The admin's log names the objects it changed as they were then: for this account,
    # its old username (often the e-mail address's first part).
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk)
    ).update(object_repr=str(user))
    _sessions_end(user)
    _history_redact(user, relations)


# --- retention ---------------------------------------------------------------------------


def residents_for_retention():
    """Open resident accounts (no staff role, no council membership), with ``last_active``."""
    return (
        get_user_model()
        .objects.filter(closed_at=None, is_staff=False, is_superuser=False)
        .exclude(role_grants__isnull=False)
        .exclude(council_memberships__isnull=False)
        .annotate(last_active=Coalesce("last_login", "date_joined"))
    )


def retention_due(*, now: dt.datetime) -> tuple[models.QuerySet, models.QuerySet]:
    """(accounts to tell now, accounts to close now) under the retention settings.

    An account is told once it has been inactive for RETENTION_DAYS - NOTICE_DAYS, and
    closed once it has been inactive for RETENTION_DAYS and was told at least
    NOTICE_DAYS before (after its last activity: logging in starts the count again).
    """
    days = dt.timedelta(days=settings.NABOLAGET_RETENTION_DAYS)
    notice = dt.timedelta(days=settings.NABOLAGET_RETENTION_NOTICE_DAYS)
    residents = residents_for_retention()
    to_close = residents.filter(
        last_active__lte=now - days,
        inactivity_notice_at__gte=F("last_active"),
        inactivity_notice_at__lte=now - notice,
    )
    to_tell = residents.filter(last_active__lte=now - (days - notice)).filter(
        Q(inactivity_notice_at=None) | Q(inactivity_notice_at__lt=F("last_active"))
    )
    return to_tell, to_close
