"""Pieces shared by the apps' models: names in three languages, and the history's request
context and redaction log (core/history.py)."""

import pghistory.models
import pgtrigger
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.history import never_truncated
from core.text import NormalisedTextMixin


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
