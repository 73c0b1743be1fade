"""Public answers the site writes itself (not a planner), and how to recognise them again:
they are stored in the language of whoever caused them, and said again in each reader's
language (the e-mails of the feedback loop)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _


def merge_note(reference: str) -> str:
    """The public answer a merged-away priority gets, in the active language."""
    return _("Merged with %(reference)s, which says the same. Your support counts there.") % {
        "reference": reference
    }


def is_merge_note(text: str, reference: str) -> bool:
    """Whether a public answer is the merge note into ``reference``, as written in any of
    the site's languages."""
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            if text == merge_note(reference):
                return True
    return False
