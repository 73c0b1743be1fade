"""Django settings for Nabolaget.

Everything comes from environment variables (see README, "Configuration"), with
defaults that are safe for development. With DJANGO_DEBUG=0 the production
defaults apply and ``manage.py check --deploy`` passes.
"""

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from nabolaget.env import env_bool, env_int, env_list, env_str, secret_key_problem

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", True)
_DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY
# Refused here, at settings load, so that no entry point starts with a weak key: manage.py
# (runserver, migrate, the worker) and the WSGI application that gunicorn imports alike.
elif not DEBUG and (
    problem := secret_key_problem(SECRET_KEY, known=frozenset({_DEVELOPMENT_SECRET_KEY}))
):
    raise RuntimeError(
        f"{problem} Refusing to start with DJANGO_DEBUG=0. Set a long random key, e.g. "
        "the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "rest_framework.authtoken",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "procrastinate.contrib.django",
    "axes",
    "csp",
    # The project's apps, lowest layer first: each imports only those above it in this
    # list (README, "Layout"; tests/test_layers.py).
    "core",
    "areas",
    "accounts",
    "follows",
    "priorities",
    "cases",
    "councils",
    "hearings",
    "meetings",
    "budgets",
    "panels",
    "nabolaget",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "nabolaget.middleware.RequestTooLargeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.history.HistoryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# GDAL before 3.9 cannot block file and network access from spatial references
# (gis.W001). Nabolaget opens only files that staff upload or name on the
# command line, and the machine has no outbound network in the recommended set-up;
# Debian 13's GDAL 3.10 does not raise the warning at all.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

ROOT_URLCONF = "nabolaget.urls"
WSGI_APPLICATION = "nabolaget.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "nabolaget" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nabolaget.context_processors.site",
                "nabolaget.context_processors.basemap",
                "nabolaget.context_processors.identity",
            ],
        },
    },
]

# The private cluster that scripts/ensure-db.sh keeps under .local/ is the default.
# Two roles (README, "Use your own PostGIS"): the site and the worker connect as the web
# role, which reads and writes rows only; the migrations, createcachetable, backups and
# the test database's set-up use the "owner" alias, the role that owns the tables.
# Without DATABASE_OWNER_URL, DATABASE_URL's role does both (one role, as before).
_LOCAL_PORT = env_int("NABOLAGET_PGPORT", 54329)
_WEB_URL = env_str("DATABASE_URL", f"postgis://nabolaget@127.0.0.1:{_LOCAL_PORT}/nabolaget")
_OWNER_URL = env_str(
    "DATABASE_OWNER_URL",
    f"postgis://nabolaget_owner@127.0.0.1:{_LOCAL_PORT}/nabolaget"
    if not env_str("DATABASE_URL")
    else _WEB_URL,
)
DATABASES = {
    alias: dj_database_url.parse(
        url,
        engine="django.contrib.gis.db.backends.postgis",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
    for alias, url in (("default", _WEB_URL), ("owner", _OWNER_URL))
}
# No parallel workers for the web's queries by default: on a small machine serving many
# requests at once, a request's query split over workers waits for cores the other requests
# hold (measured: a planner list page 12 ms without, 250 ms with). Bulk jobs may raise it.
for _database in DATABASES.values():
    _database.setdefault("OPTIONS", {})["options"] = (
        f"-c max_parallel_workers_per_gather={env_int('NABOLAGET_DB_PARALLEL_WORKERS', 0)}"
    )
    # Prepared statements for the queries that ask for one (areas.querysets.covering_rows,
    # the point lookup: planning took three times as long as running it). Django's own
    # cursors bind parameters on the client and are never prepared; without a threshold
    # psycopg prepares nothing at all.
    _database["OPTIONS"]["prepare_threshold"] = 5
    # Two test runs on one server at once need different test databases.
    if env_str("NABOLAGET_TEST_DB"):
        _database["TEST"] = {"NAME": env_str("NABOLAGET_TEST_DB")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# A database cache keeps the web tier stateless (rate limits hold across processes);
# point DJANGO_CACHE_URL-style settings at Redis in a large installation.
# Django's default of 300 entries would cull a third of them on every write beyond that:
# with more active accounts and addresses than that, rate-limit counters were deleted and
# the limits started again. Expired entries are removed first when culling does happen.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "nabolaget_cache",
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},
    }
}

# Accounts: residents sign up and log in with a verified e-mail address (django-allauth).
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses to authenticate a locked-out (e-mail, address) pair at all.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# The site's name in e-mails and their subjects (allauth's "Hello from …"), e.g. "Nabolaget
# Bodø"; links in e-mails go to NABOLAGET_SITE_URL (below).
NABOLAGET_SITE_NAME = env_str("NABOLAGET_SITE_NAME", "Nabolaget")
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{NABOLAGET_SITE_NAME}] "
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Generic OpenID Connect (ID-porten or another provider), off unless configured. The
# provider class adds the checks allauth leaves out (nabolaget/oidc/); it replaces
# allauth's class whether or not an app is configured here (tests add one).
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "provider_class": "accounts.oidc.provider.IDPortenProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [],
    }
}
if env_str("NABOLAGET_OIDC_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] = [
        {
            "provider_id": env_str("NABOLAGET_OIDC_PROVIDER_ID", "idporten"),
            "name": env_str("NABOLAGET_OIDC_NAME", "ID-porten"),
            "client_id": env_str("NABOLAGET_OIDC_CLIENT_ID"),
            "secret": env_str("NABOLAGET_OIDC_CLIENT_SECRET"),
            "settings": {
                "server_url": env_str("NABOLAGET_OIDC_SERVER_URL"),
                "token_auth_method": env_str(
                    "NABOLAGET_OIDC_TOKEN_AUTH_METHOD", "client_secret_post"
                ),
                "scope": env_list("NABOLAGET_OIDC_SCOPES", ["openid", "profile"]),
            },
        }
    ]
# The lowest level of assurance (acr) a log-in must have: idporten-loa-substantial or
# idporten-loa-high (requested as acr_values, checked in the ID token); empty for a
# provider without ID-porten's levels.
NABOLAGET_OIDC_MIN_ACR = env_str("NABOLAGET_OIDC_MIN_ACR", "idporten-loa-substantial")
# Whether the national identity number (the `pid` claim) may be stored with the linked
# account; off: only the pairwise `sub` identifies the person.
NABOLAGET_OIDC_STORE_PID = env_bool("NABOLAGET_OIDC_STORE_PID", False)
# Where the provider sends people back after logging out there (registered with it).
NABOLAGET_OIDC_POST_LOGOUT_PATH = "/"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_ONLY = False

# Background jobs (e-mail, later PDFs and exports) run in procrastinate on PostgreSQL;
# a job is a row written in the transaction that causes it (see priorities/tasks.py).
# A worker writes a heartbeat; the jobs of a worker silent for longer than
# NABOLAGET_STALLED_WORKER_SECONDS (killed, or its machine gone) are retried by the
# periodic job priorities.tasks.retry_stalled_jobs.
NABOLAGET_STALLED_WORKER_SECONDS = env_int("NABOLAGET_STALLED_WORKER_SECONDS", 30)
PROCRASTINATE_WORKER_DEFAULTS = {
    "update_heartbeat_interval": env_int("NABOLAGET_WORKER_HEARTBEAT_SECONDS", 10),
    "stalled_worker_timeout": NABOLAGET_STALLED_WORKER_SECONDS,
}

# Rate limits (requests per period) per account and per client address.
NABOLAGET_RATES = {
    "priority_create_user": env_str("NABOLAGET_RATE_PRIORITY_USER", "10/hour"),
    "priority_create_address": env_str("NABOLAGET_RATE_PRIORITY_ADDRESS", "30/hour"),
    "support_user": env_str("NABOLAGET_RATE_SUPPORT_USER", "120/hour"),
    "support_address": env_str("NABOLAGET_RATE_SUPPORT_ADDRESS", "300/hour"),
    "report_user": env_str("NABOLAGET_RATE_REPORT_USER", "20/hour"),
    "report_address": env_str("NABOLAGET_RATE_REPORT_ADDRESS", "60/hour"),
    # Closing the account asks for the password again; wrong ones also count towards the
    # login lockout (AXES_FAILURE_LIMIT), this bounds the attempts of any kind.
    "account_close_user": env_str("NABOLAGET_RATE_ACCOUNT_CLOSE_USER", "10/hour"),
    "account_close_address": env_str("NABOLAGET_RATE_ACCOUNT_CLOSE_ADDRESS", "30/hour"),
    # Address suggestions come as one types (a request a few key strokes apart).
    "address_search_address": env_str("NABOLAGET_RATE_ADDRESS_SEARCH_ADDRESS", "300/minute"),
    # A participant leaves an e-mail address at a meeting (the QR code's short form): one
    # room of people may share one address, and each sends a confirmation e-mail.
    "meeting_follow_address": env_str("NABOLAGET_RATE_MEETING_FOLLOW_ADDRESS", "60/hour"),
    # An answer to a hearing sent without an account: each sends a confirmation e-mail.
    "hearing_answer_address": env_str("NABOLAGET_RATE_HEARING_ANSWER_ADDRESS", "20/hour"),
}
# Number of trusted proxies in front of the app that append to X-Forwarded-For.
# 0 (the default) means the client address is REMOTE_ADDR and the header is ignored,
# so a forged X-Forwarded-For cannot reset a limit.
NABOLAGET_NUM_PROXIES = env_int("NABOLAGET_NUM_PROXIES", 0)
# The same rule for allauth's own rate limits (it takes the N-th address from the right).
ALLAUTH_TRUSTED_PROXY_COUNT = NABOLAGET_NUM_PROXIES

# Login: allauth limits attempts per client address and failed attempts per e-mail
# address ("key", from any address), counted in the cache. The per-e-mail limit is above
# the lockout's, so that it stops guessing spread over many addresses without letting
# one address shut an account's owner out for long.
ACCOUNT_RATE_LIMITS = {
    "login": env_str("NABOLAGET_RATE_LOGIN", "30/m/ip"),
    "login_failed": env_str("NABOLAGET_RATE_LOGIN_FAILED", "10/m/ip,20/15m/key"),
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
# Lockout (django-axes) after repeated failures, for allauth's login form and the admin.
# Locked by the pair (e-mail or user name, client address): one address cannot lock
# every account out (a failure only counts against the name it tried), and a stolen
# list of e-mail addresses tried from many addresses still meets the per-e-mail limit above.
AXES_FAILURE_LIMIT = env_int("NABOLAGET_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("NABOLAGET_LOGIN_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "core.security.login_name"
AXES_CLIENT_IP_CALLABLE = "core.security.client_address"
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2"]
# A create request's Idempotency-Key is remembered this long (accounts/idempotency.py).
NABOLAGET_IDEMPOTENCY_KEY_HOURS = env_int("NABOLAGET_IDEMPOTENCY_KEY_HOURS", 24)
NABOLAGET_NEARBY_METRES = 250

# Retention (GDPR): residents' accounts unused for this many days are closed and their
# contact details blanked by a nightly job (accounts.tasks.account_retention), after an
# e-mail sent NABOLAGET_RETENTION_NOTICE_DAYS before. 0 turns the job off.
NABOLAGET_RETENTION_DAYS = env_int("NABOLAGET_RETENTION_DAYS", 3 * 365)
NABOLAGET_RETENTION_NOTICE_DAYS = env_int("NABOLAGET_RETENTION_NOTICE_DAYS", 30)
if NABOLAGET_RETENTION_DAYS and not 0 < NABOLAGET_RETENTION_NOTICE_DAYS < NABOLAGET_RETENTION_DAYS:
    raise RuntimeError(
        "NABOLAGET_RETENTION_NOTICE_DAYS must be more than 0 and less than "
        "NABOLAGET_RETENTION_DAYS."
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: Bokmål is the default, Nynorsk and English are offered beside it.
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("nn", _("Norwegian Nynorsk")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Europe/Oslo")
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))

# Geometry: one storage SRID (ETRS89 / UTM 33N, Kartverket's national default,
# in metres), and WGS 84 lon/lat (RFC 7946) for the API and the map.
NABOLAGET_STORAGE_SRID = 25833
NABOLAGET_API_SRID = 4326
NABOLAGET_DEMO_MUNICIPALITY = env_str("NABOLAGET_DEMO_MUNICIPALITY", "1804")
# Basemap: none by default, so the map works with no network. In production,
# Kartverket's open tile cache, for example:
# https://cache.kartverket.no/v1/wmts/1.0.0/topo/default/webmercator/{z}/{y}/{x}.png
NABOLAGET_BASEMAP_URL = env_str("NABOLAGET_BASEMAP_URL")
NABOLAGET_BASEMAP_ATTRIBUTION = env_str("NABOLAGET_BASEMAP_ATTRIBUTION", "© Kartverket")
# Said in the reader's language (the footer of every page, exports).
NABOLAGET_DATA_ATTRIBUTION = _("Contains data from Kartverket (CC BY 4.0)")

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (67.28, 14.40),
    "DEFAULT_ZOOM": 8,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 18,
    "TILES": [],
    "ATTRIBUTION_PREFIX": "",
    "RESET_VIEW": False,
    "NO_GLOBALS": True,
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "NUM_PROXIES": NABOLAGET_NUM_PROXIES,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Nabolaget API",
    "DESCRIPTION": "Areas, residents' priorities, council submissions and cases. "
    "Geometries are GeoJSON in EPSG:4326, longitude first (RFC 7946).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Moderated models have public_objects/all_objects, no plain objects.
    "DEFAULT_QUERY_MANAGER": "_default_manager",
    # The API's bodies are JSON (GeoJSON for features): a form cannot hold a Feature's
    # nested properties, so forms are not offered in the schema.
    "PARSER_WHITELIST": ["core.parsers.JSONParser"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.document_errors",
    ],
}

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Nabolaget <ikke-svar@nabolaget.local>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "procrastinate": {"level": env_str("PROCRASTINATE_LOG_LEVEL", "WARNING")},
        # django-axes logs every failed login at INFO; lockouts come at WARNING.
        "axes": {"level": env_str("AXES_LOG_LEVEL", "WARNING")},
    },
}

# Production hardening: on whenever DEBUG is off.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_TLS_PROXY") else None
)
SECURE_SSL_REDIRECT = not DEBUG and env_bool("DJANGO_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("DJANGO_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG and env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
# A session ends after this many seconds without a request (every request renews it).
SESSION_COOKIE_AGE = env_int("NABOLAGET_SESSION_IDLE_SECONDS", 3600)
SESSION_SAVE_EVERY_REQUEST = True
# Database sessions whose saving after the view's commit cannot turn its answer into an
# error when the database has just gone away (nabolaget/sessions.py).
SESSION_ENGINE = "nabolaget.sessions"

# Content Security Policy (django-csp) on every response: scripts and styles only from
# our own static files, never inline. Templates pass data with json_script or data-*;
# Leaflet positions its panes through element.style, which CSP does not restrict.
_BASEMAP = urlsplit(env_str("NABOLAGET_BASEMAP_URL"))
_OIDC = urlsplit(env_str("NABOLAGET_OIDC_SERVER_URL"))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"]
        + (
            [f"{_BASEMAP.scheme}://{_BASEMAP.netloc.replace('{s}', '*')}"]
            if _BASEMAP.netloc
            else []
        ),
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        # Chromium applies form-action to the redirect after a post, too: the log-in and
        # log-out with ID-porten post here and are redirected to the provider, whose
        # authorize and end-session endpoints may be on another host than its issuer
        # (ID-porten: issuer idporten.no, endpoints on login.idporten.no).
        "form-action": [SELF]
        + env_list(
            "NABOLAGET_OIDC_FORM_ACTION",
            [f"{_OIDC.scheme}://{_OIDC.netloc}", f"{_OIDC.scheme}://login.{_OIDC.netloc}"]
            if _OIDC.netloc
            else [],
        ),
    }
}

# The address people reach the site at, for every link in e-mails (allauth's too);
# `make run` (scripts/serve.sh) sets it to the address it serves.
NABOLAGET_SITE_URL = env_str("NABOLAGET_SITE_URL", "http://127.0.0.1:8000")
NABOLAGET_ATTACHMENT_MAX_BYTES = env_int("NABOLAGET_ATTACHMENT_MAX_BYTES", 10_000_000)
# A PDF attachment with more objects than this is not parsed (a parse is bounded by it).
NABOLAGET_PDF_MAX_OBJECTS = env_int("NABOLAGET_PDF_MAX_OBJECTS", 100_000)
# Geodata files (area imports, case geometry and layers; areas/datafiles.py): the most a
# file, or what a zip holds in total, may have unpacked (case uploads: at most 20 MB), the
# most a zip member over 1 MB may be compressed, and the most files a zip may hold.
NABOLAGET_IMPORT_MAX_BYTES = env_int("NABOLAGET_IMPORT_MAX_BYTES", 200_000_000)
NABOLAGET_ZIP_MAX_RATIO = env_int("NABOLAGET_ZIP_MAX_RATIO", 100)
NABOLAGET_ZIP_MAX_MEMBERS = env_int("NABOLAGET_ZIP_MAX_MEMBERS", 100)
# Budget files (budgets/imports.py): the upload, what an XLSX may unpack to, its parts, rows.
NABOLAGET_BUDGET_MAX_BYTES = env_int("NABOLAGET_BUDGET_MAX_BYTES", 20_000_000)
NABOLAGET_BUDGET_MAX_UNZIPPED = env_int("NABOLAGET_BUDGET_MAX_UNZIPPED", 100_000_000)
NABOLAGET_BUDGET_MAX_MEMBERS = env_int("NABOLAGET_BUDGET_MAX_MEMBERS", 50)
NABOLAGET_BUDGET_MAX_ROWS = env_int("NABOLAGET_BUDGET_MAX_ROWS", 50_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_000_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
