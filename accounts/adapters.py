"""Account hooks for django-allauth."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter, get_adapter
from allauth.socialaccount.models import SocialApp
from django.utils.translation import get_language

from accounts.oidc.provider import IDPortenProvider, LoginRefused, forget_id_token, kept_id_token


class AccountAdapter(DefaultAccountAdapter):
    """New accounts keep the language they signed up in, for the e-mails we send them.
    Logging out of an account that logged in with ID-porten logs out there too."""

    def save_user(self, request, user, form, commit=True):
        language = (get_language() or "nb")[:2]
        if language in {"nb", "nn", "en"}:
            user.language = language
        return super().save_user(request, user, form, commit=commit)

    def get_logout_redirect_url(self, request):
        """The provider's end_session_endpoint (RP-initiated logout), which sends the user
        back to NABOLAGET_OIDC_POST_LOGOUT_PATH; asked before the session is flushed."""
        kept = kept_id_token(request)
        if kept and request.user.is_authenticated:
            provider_id, id_token = kept
            try:
                provider = get_adapter().get_provider(request, provider_id)
            except SocialApp.DoesNotExist:
                provider = None
            if isinstance(provider, IDPortenProvider):
                url = provider.end_session_url(request, id_token)
                if url:
                    return url
        return super().get_logout_redirect_url(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """ID-porten log-ins are checked for their nonce and level of assurance here, after
    allauth has checked the state, the code exchange (PKCE) and the ID token."""

    def pre_social_login(self, request, sociallogin):
        if isinstance(sociallogin.provider, IDPortenProvider):
            try:
                sociallogin.provider.check_login(request, sociallogin)
            except LoginRefused:
                forget_id_token(request)
                raise
        super().pre_social_login(request, sociallogin)
