"""Account hooks for django-allauth."""

from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import get_language


class AccountAdapter(DefaultAccountAdapter):
    """New accounts keep the language they signed up in, for the e-mails we send them."""

    def save_user(self, request, user, form, commit=True):
        language = (get_language() or "nb")[:2]
        if language in {"nb", "nn", "en"}:
            user.language = language
        return super().save_user(request, user, form, commit=commit)
