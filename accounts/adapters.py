"""Account hooks for django-allauth."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter, get_adapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language

from accounts.notifications import site_url
from accounts.oidc.provider import IDPortenProvider, LoginRefused, forget_id_token, kept_id_token


@dataclass(frozen=True)
class SiteIdentity:
    """What allauth's e-mails call the site (``current_site``): its name and the host of
    NABOLAGET_SITE_URL, never the host a request happened to come in on."""

    name: str
    domain: str


def site_identity() -> SiteIdentity:
    return SiteIdentity(
        name=settings.NABOLAGET_SITE_NAME,
        domain=urlsplit(settings.NABOLAGET_SITE_URL).netloc or settings.NABOLAGET_SITE_URL,
    )


class AccountAdapter(DefaultAccountAdapter):
    """New accounts keep the language they signed up in, for the e-mails we send them.
    Logging out of an account that logged in with ID-porten logs out there too.

    allauth's e-mails (confirmation, password reset) name the site by NABOLAGET_SITE_NAME
    and link to NABOLAGET_SITE_URL, like every other e-mail of the site: not to the Host
    header of the request that caused them."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {**context, "current_site": site_identity()}
        # Links allauth built from the request's host, made again from the setting (the
        # password reset e-mail's own "password_reset_url" holds its key, made below).
        if "signup_url" in context:
            context["signup_url"] = site_url(reverse("account_signup"))
        if template_prefix == "account/email/account_already_exists":
            context["password_reset_url"] = site_url(reverse("account_reset_password"))
        super().send_mail(template_prefix, email, context)

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", quote(key)))

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
