"""A real OpenID Provider for the tests: pyop (IdentityPython's OP library) behind a small
WSGI app on 127.0.0.1, configured the way ID-porten behaves towards a client.

pyop does the protocol: it validates the authentication request (client, redirect URI,
response type, scopes), issues and redeems the code (with the PKCE check), signs the ID
token with its RSA key, publishes discovery and the JWKS, answers userinfo, and handles
RP-initiated logout (id_token_hint, registered post_logout_redirect_uri). What an OP
leaves to its application is here: who logs in and at which level (`acr`), and ID-porten's
rule that a client must use PKCE with S256.

To make it misbehave, a test sets `tamper` (see `_tampered`): the ID token pyop produced
is decoded, claims changed, and signed again with the OP's key or another one.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from Cryptodome.PublicKey import RSA
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from jwkest.jwk import RSAKey
from jwkest.jws import JWS
from oic.oic.message import EndSessionRequest
from pyop.authz_state import AuthorizationState
from pyop.exceptions import InvalidAuthenticationRequest, OAuthError
from pyop.provider import Provider
from pyop.subject_identifier import HashBasedSubjectIdentifierFactory
from pyop.userinfo import Userinfo

CLIENT_ID = "nabolaget-test"
CLIENT_SECRET = "test-client-secret"


def new_signing_key(kid: str) -> RSAKey:
    """A fresh RSA key for signing ID tokens (RS256, as ID-porten)."""
    return RSAKey(key=RSA.generate(2048), alg="RS256", use="sig", kid=kid)


def write_tls_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (OpenID Connect issuers are https URLs);
    the client trusts it through REQUESTS_CA_BUNDLE."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "op.crt", folder / "op.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _require_pkce_s256(authentication_request) -> None:
    """ID-porten refuses an authorization request without PKCE using S256."""
    if authentication_request.get("code_challenge_method") != "S256" or not (
        authentication_request.get("code_challenge")
    ):
        raise InvalidAuthenticationRequest(
            "PKCE with code_challenge_method=S256 is required",
            authentication_request,
            oauth_error="invalid_request",
        )


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@dataclass
class Person:
    """Someone who can log in at the OP: the national identity number is the OP's own
    user id (pyop derives the pairwise `sub` from it), `acr` the level they log in at."""

    pid: str
    acr: str | None = "idporten-loa-substantial"


@dataclass
class OpenIDProvider:
    """The running provider; `issuer` is its base URL."""

    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    certificate: tuple[Path, Path]
    person: Person = field(default_factory=lambda: Person("12345678901"))
    tamper: dict[str, Any] | None = None
    authorization_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    logouts: list[dict[str, str]] = field(default_factory=list)
    issuer: str = ""

    def start(self) -> OpenIDProvider:
        self.signing_key = new_signing_key("op-key-1")
        self._server: WSGIServer = make_server(
            "127.0.0.1", 0, self._app, handler_class=_QuietHandler
        )
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(*self.certificate)
        self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.issuer = f"https://127.0.0.1:{self._server.server_port}"
        self.provider = self._provider()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        """Back to the default person and behaviour with empty request logs, for the next
        test (pyop's codes and tokens stay: each test's are its own)."""
        self.person = Person("12345678901")
        self.tamper = None
        self.provider.id_token_lifetime = 3600
        self.authorization_requests.clear()
        self.token_requests.clear()
        self.logouts.clear()

    def sub_for(self, pid: str, sector: str = "testserver") -> str:
        """The pairwise subject identifier pyop gives this person towards a client whose
        redirect URIs are on `sector` (the host)."""
        return self.provider.authz_state.get_subject_identifier("pairwise", pid, sector)

    def _provider(self) -> Provider:
        configuration = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "acr_values_supported": ["idporten-loa-substantial", "idporten-loa-high"],
            "code_challenge_methods_supported": ["S256"],
        }
        clients = {
            CLIENT_ID: {
                "client_secret": CLIENT_SECRET,
                "redirect_uris": self.redirect_uris,
                "post_logout_redirect_uris": self.post_logout_redirect_uris,
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_post",
                "subject_type": "pairwise",
            }
        }
        provider = Provider(
            self.signing_key,
            configuration,
            AuthorizationState(HashBasedSubjectIdentifierFactory("test-op-salt")),
            clients,
            _People(self),
            # ID-porten's profile scope gives the national identity number.
            extra_scopes={"profile": ["pid", "locale"]},
        )
        provider.authentication_request_validators.append(_require_pkce_s256)
        return provider

    def _id_token_claims(self, user_id: str, client_id: str) -> dict[str, Any]:
        return {"acr": self.person.acr, "pid": user_id, "amr": ["TestID"]}

    def _tampered(self, id_token: str) -> str:
        """The ID token pyop signed, with `tamper["claims"]` changed (a value None deletes
        the claim) and signed again with `tamper["key"]` (default: the OP's own key)."""
        if not self.tamper:
            return id_token
        payload = id_token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        for name, value in self.tamper.get("claims", {}).items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        key = self.tamper.get("key", self.signing_key)
        return JWS(json.dumps(claims), alg="RS256").sign_compact([key])

    # The HTTP side: one function per endpoint.

    def _app(self, environ, start_response):
        path = environ["PATH_INFO"]
        query = environ.get("QUERY_STRING", "")
        headers = (
            {"Authorization": environ.get("HTTP_AUTHORIZATION")}
            if (environ.get("HTTP_AUTHORIZATION"))
            else {}
        )
        try:
            if path == "/.well-known/openid-configuration":
                return _json(start_response, self.provider.provider_configuration.to_dict())
            if path == "/jwks":
                return _json(start_response, self.provider.jwks)
            if path == "/authorize":
                return self._authorize(start_response, query)
            if path == "/token":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = environ["wsgi.input"].read(length).decode()
                self.token_requests.append(dict(parse_qsl(body)))
                response = self.provider.handle_token_request(
                    body, headers, extra_id_token_claims=self._id_token_claims
                ).to_dict()
                response["id_token"] = self._tampered(response["id_token"])
                return _json(start_response, response)
            if path == "/userinfo":
                return _json(
                    start_response,
                    self.provider.handle_userinfo_request(query, headers).to_dict(),
                )
            if path == "/logout":
                return self._logout(start_response, query)
        except OAuthError as e:
            return _json(
                start_response,
                {"error": e.oauth_error, "error_description": str(e)},
                "400 Bad Request",
            )
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def _authorize(self, start_response, query):
        self.authorization_requests.append(dict(parse_qsl(query)))
        try:
            request = self.provider.parse_authentication_request(query)
        except InvalidAuthenticationRequest as e:
            error_url = e.to_error_url()
            if error_url:
                return _redirect(start_response, error_url)
            raise
        # The person logs in here (at self.person.acr); pyop issues the code.
        response = self.provider.authorize(request, self.person.pid)
        return _redirect(start_response, response.request(request["redirect_uri"]))

    def _logout(self, start_response, query):
        params = dict(parse_qsl(query))
        self.logouts.append(params)
        request = EndSessionRequest().from_dict(params)
        self.provider.logout_user(end_session_request=request)
        back = self.provider.do_post_logout_redirect(request)
        if back:
            return _redirect(start_response, back)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"logged out"]


class _People(Userinfo):
    """pyop's user database: the one person who logs in, by national identity number."""

    def __init__(self, op: OpenIDProvider):
        self._op = op

    @property
    def _db(self):
        return {self._op.person.pid: {"pid": self._op.person.pid, "locale": "nb"}}


def _json(start_response, data, status="200 OK"):
    start_response(status, [("Content-Type", "application/json")])
    return [json.dumps(data).encode()]


def _redirect(start_response, url):
    start_response("302 Found", [("Location", url)])
    return [b""]
