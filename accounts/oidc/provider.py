"""The ID-porten provider: allauth's OpenID Connect provider with the checks it lacks."""

from __future__ import annotations

import base64
import secrets
from urllib.parse import urlencode, urlsplit, urlunsplit

from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

# ID-porten's levels of assurance, lowest first (eIDAS: low, substantial, high).
ACR_LEVELS = ("idporten-loa-low", "idporten-loa-substantial", "idporten-loa-high")
# The ID token of the current log-in, kept in the session for logging out at the provider
# (id_token_hint). Encrypted: its payload holds the national identity number.
ID_TOKEN_SESSION_KEY = "nabolaget_oidc_id_token"  # noqa: S105 - a session key name
# Claims that identify the person nationally rather than towards this service.
NATIONAL_ID_CLAIMS = ("pid",)


def _id_token_cipher() -> Fernet:
    key = salted_hmac("accounts.oidc.id_token", "session", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def keep_id_token(request, provider_id: str, id_token: str) -> None:
    """Keeps the ID token in the session, encrypted with a key derived from SECRET_KEY, so
    that the sessions table does not hold the national identity number in its payload."""
    request.session[ID_TOKEN_SESSION_KEY] = {
        "provider_id": provider_id,
        "token": _id_token_cipher().encrypt(id_token.encode()).decode(),
    }


def kept_id_token(request) -> tuple[str, str] | None:
    """The (provider_id, ID token) kept by the session's log-in, or None (none kept, or
    kept under another SECRET_KEY)."""
    kept = request.session.get(ID_TOKEN_SESSION_KEY)
    if not isinstance(kept, dict):
        return None
    try:
        token = _id_token_cipher().decrypt(kept["token"].encode()).decode()
    except (InvalidToken, KeyError, AttributeError):
        return None
    return kept.get("provider_id", ""), token


def forget_id_token(request) -> None:
    request.session.pop(ID_TOKEN_SESSION_KEY, None)


class LoginRefused(ProviderException):
    """A log-in the provider completed that we do not accept; the message is for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def acr_accepted(acr: str | None, minimum: str) -> bool:
    """Whether the level the provider reports (`acr`) is at least `minimum`.

    An empty minimum accepts anything; a minimum that is not one of ID-porten's levels
    (another provider's) must be met exactly. A level we do not know, or none at all,
    is below every minimum."""
    if not minimum:
        return True
    if minimum not in ACR_LEVELS:
        return acr == minimum
    if acr not in ACR_LEVELS:
        return False
    return ACR_LEVELS.index(acr) >= ACR_LEVELS.index(minimum)


class IDPortenOAuth2Adapter(OpenIDConnectOAuth2Adapter):
    """Checks the ID token's signature against the provider's JWKS even though it came
    straight from the token endpoint (allauth skips that, as OpenID Connect Core allows
    over TLS; ID-porten asks clients to check it), and keeps the raw token for logout."""

    def _decode_id_token(self, app, id_token):
        claims = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )
        keep_id_token(self.request, self.provider_id, id_token)
        return claims


class IDPortenProvider(OpenIDConnectProvider):
    """allauth's OpenID Connect provider asking for a nonce and a level of assurance
    (`acr_values`), and refusing a log-in whose ID token does not carry them back."""

    package = "accounts.oidc"
    oauth2_adapter_class = IDPortenOAuth2Adapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params["nonce"] = nonce
        if settings.NABOLAGET_OIDC_MIN_ACR:
            # Also overrides an `acr_values` passed in the login URL's auth_params.
            auth_params["acr_values"] = settings.NABOLAGET_OIDC_MIN_ACR
        # The nonce goes into allauth's state, kept in the session for the callback.
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )

    def extract_uid(self, data):
        """The pairwise `sub` from the (verified) ID token; userinfo must name the same."""
        id_token, userinfo = data.get("id_token") or {}, data.get("userinfo") or {}
        if not id_token.get("sub"):
            raise OAuth2Error("ID token without sub")
        if userinfo and userinfo.get("sub") != id_token["sub"]:
            raise OAuth2Error("userinfo sub differs from the ID token's")
        return str(id_token["sub"])

    def extract_extra_data(self, data):
        """What allauth stores in SocialAccount.extra_data, without the national identity
        number unless NABOLAGET_OIDC_STORE_PID is on."""
        if settings.NABOLAGET_OIDC_STORE_PID:
            return data
        return {
            part: {k: v for k, v in claims.items() if k not in NATIONAL_ID_CLAIMS}
            if isinstance(claims, dict)
            else claims
            for part, claims in data.items()
        }

    def check_login(self, request, sociallogin) -> None:
        """Refuses the log-in unless the ID token names the nonce we sent and a level of
        assurance at least NABOLAGET_OIDC_MIN_ACR."""
        claims = sociallogin.account.extra_data.get("id_token") or {}
        nonce = (sociallogin.state or {}).get("nonce")
        sent = str(claims.get("nonce", "")).encode()
        if not nonce or not secrets.compare_digest(sent, nonce.encode()):
            raise LoginRefused(_("The log-in could not be verified. Please try again."))
        if not acr_accepted(claims.get("acr"), settings.NABOLAGET_OIDC_MIN_ACR):
            raise LoginRefused(
                _(
                    "This service needs a log-in with a higher level of security. "
                    "Log in again with an electronic ID at that level."
                )
            )

    def end_session_url(self, request, id_token: str) -> str | None:
        """The provider's end_session_endpoint with id_token_hint and a way back here, or
        None if the provider has none."""
        endpoint = self.get_oauth2_adapter(request).openid_config.get("end_session_endpoint")
        if not endpoint:
            return None
        query = {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(
                settings.NABOLAGET_OIDC_POST_LOGOUT_PATH
            ),
        }
        parts = urlsplit(endpoint)
        joined = f"{parts.query}&{urlencode(query)}" if parts.query else urlencode(query)
        return urlunsplit(parts._replace(query=joined))
