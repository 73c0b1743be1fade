"""Logging in with ID-porten, against a real OpenID Provider (pyop) on 127.0.0.1 over TLS:
PKCE with S256, the level of assurance (acr), the refusals of a wrong state, nonce,
audience or issuer, an expired or badly signed ID token, the pairwise `sub` as the
account's key and never the national identity number, and logging out at the provider.

The site is driven with Django's test client; the browser's part (following the
redirect to the provider and back) is done with requests, so every request between the
site and the provider (discovery, token, JWKS, userinfo) is real HTTP.
"""

import base64
import hashlib
import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.models import Session
from django.core import mail

from tests.priorities.factories import UserFactory
from tests.support.oidc_op import (
    CLIENT_ID,
    CLIENT_SECRET,
    OpenIDProvider,
    Person,
    new_signing_key,
    write_tls_certificate,
)

pytestmark = pytest.mark.django_db
SITE = "http://testserver"
CALLBACK = f"{SITE}/accounts/oidc/idporten/login/callback/"
PID = "12345678901"
EN = {"accept-language": "en"}
CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")


@pytest.fixture(scope="module")
def op(tmp_path_factory):
    certificate = write_tls_certificate(tmp_path_factory.mktemp("op"))
    provider = OpenIDProvider([CALLBACK], [f"{SITE}/"], certificate).start()
    yield provider
    provider.stop()


@pytest.fixture(autouse=True)
def idporten(op, settings, monkeypatch):
    """The site configured for the test OP, as the NABOLAGET_OIDC_* variables do."""
    op.reset()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(op.certificate[0]))
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            **settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {"OAUTH_PKCE_ENABLED": True}),
            "APPS": [
                {
                    "provider_id": "idporten",
                    "name": "ID-porten",
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {
                        "server_url": op.issuer,
                        "token_auth_method": "client_secret_post",
                        "scope": ["openid", "profile"],
                    },
                }
            ],
        }
    }
    return op


def start_login(client) -> str:
    """Pressing "Log in with ID-porten": the authorization request the site redirects to."""
    response = client.post("/accounts/oidc/idporten/login/", headers=EN)
    assert response.status_code == 302
    return response["Location"]


def at_provider(authorization_url: str) -> str:
    """The browser at the provider (the person logs in there): where it is sent back to."""
    response = requests.get(authorization_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def log_in(client, headers=EN):
    """The whole round trip; the site's answer to the callback."""
    callback = at_provider(start_login(client))
    return client.get(callback, headers=headers)


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def returning_resident(op):
    """A resident whose account is already linked to their ID-porten identity."""
    user = UserFactory()
    SocialAccount.objects.create(user=user, provider="idporten", uid=op.sub_for(PID))
    return user


def readable(text: str) -> str:
    """The text with every base64url segment in it decoded too (a JWT's payload)."""
    decoded = []
    for segment in re.findall(r"[A-Za-z0-9_-]{16,}", text):
        try:
            decoded.append(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)).decode())
        except (ValueError, UnicodeDecodeError):
            continue
    return text + "\n".join(decoded)


def stored_anywhere(value: str) -> bool:
    """Whether `value` is readable in the linked accounts or the sessions table."""
    accounts = json.dumps(list(SocialAccount.objects.values("uid", "extra_data")))
    sessions = [s.get_decoded() for s in Session.objects.all()]
    return value in readable(accounts) or value in readable(json.dumps(sessions))


# The whole flow


def test_the_first_login_links_the_pairwise_sub_and_signs_up_with_a_confirmed_email(client, op):
    authorization_url = start_login(client)
    authorization = dict(parse_qsl(urlsplit(authorization_url).query))
    assert authorization["code_challenge_method"] == "S256"
    assert authorization["acr_values"] == "idporten-loa-substantial"
    assert authorization["nonce"] and authorization["state"]
    assert set(authorization["scope"].split()) == {"openid", "profile"}

    response = client.get(at_provider(authorization_url), headers=EN)

    # PKCE: the token request carried the verifier whose S256 hash was the challenge.
    verifier = op.token_requests[-1]["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    assert challenge.rstrip(b"=").decode() == authorization["code_challenge"]
    # ID-porten gives no e-mail address: the resident gives one and confirms it.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/3rdparty/signup/"
    response = client.post("/accounts/3rdparty/signup/", {"email": "kari@example.org"}, headers=EN)
    assert response.status_code == 302
    link = CONFIRM_LINK.search(mail.outbox[-1].body).group(0)
    response = client.post(urlsplit(link).path, headers=EN)
    assert response.status_code == 302

    account = SocialAccount.objects.get(provider="idporten")
    assert account.uid == op.sub_for(PID) != PID
    assert account.user.email == "kari@example.org"
    assert logged_in_as(client) == str(account.user.pk)
    assert not stored_anywhere(PID)


def test_a_returning_resident_is_logged_in_by_the_pairwise_sub(client, op):
    user = returning_resident(op)

    response = log_in(client)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_as(client) == str(user.pk)
    assert SocialAccount.objects.get(user=user).uid == op.sub_for(PID)
    assert not stored_anywhere(PID)


def test_the_national_identity_number_is_stored_only_when_configured(client, op, settings):
    settings.NABOLAGET_OIDC_STORE_PID = True
    returning_resident(op)

    assert log_in(client).status_code == 302

    extra = SocialAccount.objects.get(provider="idporten").extra_data
    assert extra["id_token"]["pid"] == PID
    assert extra["userinfo"]["pid"] == PID


def test_an_authorization_code_is_useless_without_the_pkce_verifier(client, op):
    """A code caught on its way back (in a log, a referrer) cannot be redeemed by
    someone who does not have the verifier that only the site's session holds."""
    callback = at_provider(start_login(client))
    code = dict(parse_qsl(urlsplit(callback).query))["code"]

    response = requests.post(
        f"{op.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
        timeout=10,
        verify=str(op.certificate[0]),
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


# The level of assurance


def test_a_high_level_login_is_accepted_where_substantial_is_required(client, op):
    user = returning_resident(op)
    op.person = Person(PID, acr="idporten-loa-high")

    assert log_in(client).status_code == 302
    assert logged_in_as(client) == str(user.pk)


@pytest.mark.parametrize("acr", ["idporten-loa-low", None, "Level4"])
def test_a_login_below_substantial_or_without_a_level_is_refused(client, op, acr):
    returning_resident(op)
    op.person = Person(PID, acr=acr)

    response = log_in(client)

    assert response.status_code == 401
    assert "needs a log-in with a higher level of security" in response.content.decode()
    assert logged_in_as(client) is None


def test_the_minimum_level_is_configurable(client, op, settings):
    settings.NABOLAGET_OIDC_MIN_ACR = "idporten-loa-high"
    returning_resident(op)

    authorization_url = start_login(client)
    assert dict(parse_qsl(urlsplit(authorization_url).query))["acr_values"] == ("idporten-loa-high")
    response = client.get(at_provider(authorization_url), headers=EN)

    assert response.status_code == 401
    assert logged_in_as(client) is None


def test_the_refusal_is_in_the_users_language(client, op):
    returning_resident(op)
    op.person = Person(PID, acr="idporten-loa-low")

    response = log_in(client, headers={"accept-language": "nn"})

    assert response.status_code == 401
    assert "Denne tenesta krev innlogging med eit høgare tryggingsnivå" in (
        response.content.decode()
    )


# Refusals of a forged or replayed answer


def test_a_wrong_state_is_refused(client, op):
    returning_resident(op)
    callback = at_provider(start_login(client))
    forged = re.sub(r"state=[^&]+", "state=AAAAAAAAAAAAAAAA", callback)

    response = client.get(forged, headers=EN)

    assert response.status_code == 401
    assert "was not completed, and you are not logged in" in response.content.decode()
    assert logged_in_as(client) is None
    assert op.token_requests == []


def test_an_answer_meant_for_another_browser_is_refused(client, op):
    """The state is bound to the session that started the log-in (login CSRF)."""
    returning_resident(op)
    callback = at_provider(start_login(client))
    victim = client.__class__()

    response = victim.get(callback, headers=EN)

    assert response.status_code == 401
    assert "_auth_user_id" not in victim.session
    assert op.token_requests == []


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"nonce": "a-nonce-from-another-login"}, id="wrong nonce"),
        pytest.param({"nonce": None}, id="no nonce"),
        pytest.param({"aud": "another-client"}, id="wrong audience"),
        pytest.param({"iss": "https://idporten.example"}, id="wrong issuer"),
    ],
)
def test_an_id_token_with_a_wrong_claim_is_refused(client, op, claims):
    returning_resident(op)
    op.tamper = {"claims": claims}

    response = log_in(client)

    assert response.status_code == 401
    assert logged_in_as(client) is None
    assert op.token_requests, "the code was exchanged; the ID token itself was refused"


def test_an_expired_id_token_is_refused(client, op):
    returning_resident(op)
    op.provider.id_token_lifetime = -60

    response = log_in(client)

    assert response.status_code == 401
    assert logged_in_as(client) is None


def test_an_id_token_signed_with_another_key_is_refused(client, op):
    """Signed by a key with the provider's key id, which the provider does not publish."""
    returning_resident(op)
    op.tamper = {"key": new_signing_key("op-key-1")}

    response = log_in(client)

    assert response.status_code == 401
    assert logged_in_as(client) is None


def test_no_account_is_made_from_a_refused_login(client, op):
    op.tamper = {"claims": {"nonce": "a-nonce-from-another-login"}}

    response = log_in(client)

    assert response.status_code == 401
    assert "The log-in could not be verified" in response.content.decode()
    assert not SocialAccount.objects.exists()
    assert not stored_anywhere(PID)


# Logging out


def test_logging_out_logs_out_at_the_provider_and_comes_back(client, op):
    returning_resident(op)
    assert log_in(client).status_code == 302

    response = client.post("/accounts/logout/", headers=EN)

    assert response.status_code == 302
    end_session = urlsplit(response["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}{end_session.path}" == (
        f"{op.issuer}/logout"
    )
    query = dict(parse_qsl(end_session.query))
    assert query["post_logout_redirect_uri"] == f"{SITE}/"
    assert logged_in_as(client) is None
    at_op = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert at_op.status_code == 302
    back = urlsplit(at_op.headers["Location"])
    assert (back.scheme, back.netloc, back.path) == ("http", "testserver", "/")
    assert client.get(back.path, headers=EN).status_code == 200
    # The provider knew the session by the ID token it had issued (id_token_hint).
    assert op.logouts[-1]["id_token_hint"] == query["id_token_hint"]
    hint = query["id_token_hint"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(hint + "=" * (-len(hint) % 4)))
    assert claims["sub"] == op.sub_for(PID)
    assert claims["aud"] in (CLIENT_ID, [CLIENT_ID])


def test_logging_out_after_an_email_login_stays_on_the_site(client, op):
    user = UserFactory()
    client.force_login(user)

    response = client.post("/accounts/logout/", headers=EN)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert op.logouts == []
