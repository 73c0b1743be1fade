"""Production settings pass Django's deployment checks when the documented variables are set."""

import os
import re
import secrets
import subprocess
import sys

import pytest


def test_check_deploy_is_clean_with_production_variables():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "nabolaget.example.no",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = os.environ | {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def _production(secret_key: str) -> dict:
    return {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secret_key,
        "DJANGO_ALLOWED_HOSTS": "nabolaget.example.no",
    }


@pytest.mark.parametrize(
    ("secret_key", "reason"),
    [
        ("x", "a published or placeholder value"),
        ("changeme", "a published or placeholder value"),
        ("a-real-looking-but-short-key-0123456789", "fewer than 50 characters"),
        ("ab" * 40, "fewer than 5 different characters"),
        (
            "django-insecure-" + "k9#v2$mq8!zr4@wx7&ty1^pl5*ns3%hc6" * 2,
            "begins with 'django-insecure-'",
        ),
        ("dev-only-insecure-key-change-me-in-production-0123456789abcdef", "published"),
    ],
    ids=["x", "changeme", "short", "repetitive", "startproject", "development-default"],
)
def test_production_refuses_to_start_with_a_weak_secret_key(secret_key, reason):
    """manage.py (runserver, migrate, the worker) exits non-zero with a message saying why."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        capture_output=True,
        text=True,
        env=_production(secret_key),
        check=False,
    )

    assert result.returncode != 0
    assert reason in result.stderr
    assert "Refusing to start with DJANGO_DEBUG=0" in result.stderr


def test_the_wsgi_application_refuses_a_weak_secret_key():
    """What gunicorn imports fails too, so no worker serves with the key."""
    result = subprocess.run(
        [sys.executable, "-c", "import nabolaget.wsgi"],
        capture_output=True,
        text=True,
        env=_production("x"),
        check=False,
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is a published or placeholder value" in result.stderr


def test_a_weak_key_is_still_fine_for_development():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        capture_output=True,
        text=True,
        env=_production("x") | {"DJANGO_DEBUG": "1"},
        check=False,
    )

    assert result.returncode == 0, result.stderr


PRODUCTION_RESPONSE = """
from django.test import Client
response = Client().get("/accounts/login/", secure=True, headers={"host": "nabolaget.example.no"})
print(response.status_code)
print(response["Content-Security-Policy"])
for cookie in response.cookies.values():
    print("cookie", cookie.key, bool(cookie["secure"]), bool(cookie["httponly"]), cookie["samesite"])
from django.conf import settings
print("session", settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY,
      settings.SESSION_SAVE_EVERY_REQUEST, settings.SESSION_COOKIE_AGE)
print("language", settings.LANGUAGE_COOKIE_SECURE)
"""


def test_production_cookies_are_secure_and_the_policy_allows_nothing_inline():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "nabolaget.example.no",
        "NABOLAGET_BASEMAP_URL": "https://cache.kartverket.no/v1/wmts/1.0.0/topo/{z}/{y}/{x}.png",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", PRODUCTION_RESPONSE],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "200"
    policy = lines[1]
    assert "script-src 'self';" in policy or policy.endswith("script-src 'self'")
    assert "style-src 'self'" in policy
    assert "img-src 'self' data: https://cache.kartverket.no" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe" not in policy
    cookies = [line.split() for line in lines if line.startswith("cookie")]
    assert ["cookie", "csrftoken", "True", "False", "Lax"] in cookies
    assert "session True True True 3600" in lines
    assert "language True" in lines


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        (
            {"NABOLAGET_OIDC_SERVER_URL": "https://idporten.no"},
            "'self' https://idporten.no https://login.idporten.no",
        ),
        (
            {
                "NABOLAGET_OIDC_SERVER_URL": "https://idporten.no",
                "NABOLAGET_OIDC_FORM_ACTION": "https://login.example.no",
            },
            "'self' https://login.example.no",
        ),
        ({"NABOLAGET_OIDC_SERVER_URL": ""}, "'self'"),
    ],
)
def test_the_login_may_be_redirected_to_the_providers_login_host(variables, expected):
    """ID-porten's issuer is idporten.no but its authorize and end-session endpoints are on
    login.idporten.no: a browser applies form-action to the redirect after the log-in post."""
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))"
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "nabolaget.settings"} | variables
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_the_readme_lists_every_variable_the_settings_read():
    """Each environment variable settings.py reads (env_str, env_int, env_bool, env_list) is
    in the README's configuration table."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    settings_text = (root / "nabolaget" / "settings.py").read_text()
    names = set(re.findall(r"env_(?:str|int|bool|list)\(\s*[\"']([A-Z0-9_]+)[\"']", settings_text))
    readme = (root / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Layout")]

    assert len(names) > 50
    assert sorted(name for name in names if f"`{name}`" not in table) == []
