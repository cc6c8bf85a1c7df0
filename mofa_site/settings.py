"""Settings for the MOFA UN archive, read from the environment in this one place.

Development needs nothing set (``DJANGO_DEBUG=1`` is enough). Production (the default,
``DJANGO_DEBUG`` unset or ``0``) refuses to start without a real secret key and explicit
allowed hosts, so no insecure default can reach it.
"""

import datetime as dt
import os
from pathlib import Path

import csp.constants as csp
import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from mofa_site.env import email_settings, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)

# Development gets a fixed, clearly-marked key; production must bring its own.
DEV_SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (production). "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = DEV_SECRET_KEY
elif not DEBUG and (
    SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5 or len(SECRET_KEY) < 50
):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak for production: use at least 50 random characters."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must list the site's host names when DJANGO_DEBUG is off."
        )
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

# The one switch for what a proxy may tell us: only behind a declared proxy are its
# X-Forwarded-Proto (the scheme; here and in gunicorn.conf.py) and X-Forwarded-For (the
# client's address, for the API throttle and the admin lockout) believed. Otherwise the
# connection itself says both, and those headers are whatever a client wrote.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")
# Proxies that append to X-Forwarded-For: the client is that many entries from its right
# end (what a client put before them is ignored); 0 means REMOTE_ADDR.
FORWARDED_FOR_PROXIES = 1 if BEHIND_PROXY else 0

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "reversion",
    "reversion_compare",
    "csp",
    "axes",
    "statements",
]

MIDDLEWARE = [
    # First, so the access line times the whole stack and every log line has the request id.
    "mofa_site.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "mofa_site.middleware.CSPMiddleware",
    "mofa_site.middleware.PermissionsPolicyMiddleware",
    # Right after SecurityMiddleware, as WhiteNoise documents: static files skip the rest.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # After HTTPS redirects and CORS (both per request), before the session middleware: a
    # cached page needs no session, user or view (mofa_site/caching.py).
    "mofa_site.caching.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes documents: it turns a lockout into its lockout page.
    "axes.middleware.AxesMiddleware",
    # Innermost, so a database outage's 503 still passes through every other middleware.
    "mofa_site.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "mofa_site.urls"

# Load balancers probe the health endpoints over plain HTTP on the private network; an
# HTTPS redirect would make every probe fail.
SECURE_REDIRECT_EXEMPT = [r"^healthz/"]

TEMPLATES = [
    # The public pages (templates/jinja2/); the admin and the libraries' own templates
    # fall through to Django's template language below.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "statements.pages.environment.environment",
            # The language, read once a render (statements/pages/environment.py).
            "context_processors": ["django.template.context_processors.i18n"],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "mofa_site.wsgi.application"

# SQLite under the project by default; PostgreSQL in production via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, rewriting each query's placeholders once (mofa_site/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "mofa_site.sqlite"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DJANGO_DB_PREPARED_STATEMENTS", default=True
):
    # A query a connection runs again and again (every page's few) is prepared by psycopg
    # after five runs, and PostgreSQL plans it once: planning was three times the execution
    # of a statement page's queries (2.4 against 0.8 ms), most of a 304. Django prepares
    # nothing unless parameters are bound by the server. Off for a pooler that cannot keep
    # prepared statements (PgBouncer in transaction mode).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Production serves hashed, compressed files from `collectstatic` (cacheable forever);
# development and tests read the app folders directly and need no collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# How long shared caches and browsers may keep an anonymous reader's page (seconds).
PUBLIC_PAGE_MAX_AGE = int(os.environ.get("DJANGO_PUBLIC_PAGE_MAX_AGE", "300"))

# --- Email (alerts: statements/services/alerts.py) -------------------------------------

# EMAIL_URL (smtp://user:password@host:587, see mofa_site/env.py) or Django's usual
# EMAIL_HOST/EMAIL_PORT/... variables; without either, development prints messages to the
# console and production uses Django's default, an SMTP server on localhost:25 (a message
# it refuses is reported by send_alerts and tried again on its next run).
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "alerts@localhost")
if os.environ.get("EMAIL_URL"):
    globals().update(email_settings(os.environ["EMAIL_URL"]))
elif os.environ.get("EMAIL_HOST"):
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Absolute links in messages sent outside a request (manage.py send_alerts).
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- The API (statements/api/) ---------------------------------------------------------

# Anonymous clients get this many requests that reach a view, per address (see
# FORWARDED_FOR_PROXIES); editors' tools authenticate and are not throttled. It protects
# the database and CPU from uncached work: reads answered by the page cache (a hit costs
# one indexed query) are not counted. The counts live in the `default` cache, so without
# REDIS_URL each worker counts apart and the limit per server is this × WEB_CONCURRENCY.
API_ANON_RATE = os.environ.get("API_ANON_RATE", "120/minute")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "statements.api.permissions.ModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_FILTER_BACKENDS": ["statements.api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "statements.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": ["statements.api.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": API_ANON_RATE},
    "NUM_PROXIES": FORWARDED_FOR_PROXIES,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "statements.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "statements.api.renderers.JSONRenderer",
        "statements.api.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["statements.api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Japan at the United Nations — archive API",
    "DESCRIPTION": (
        "Every published statement of Japan's Ministry of Foreign Affairs on the United "
        "Nations, paragraph by paragraph, with the Security Council resolutions they cite and "
        "the meetings they report.\n\n"
        "* Reading is open to everyone; anonymous clients may make "
        f"{API_ANON_RATE.replace('/', ' requests per ')} that the server cannot answer from "
        "its cache (429 with `Retry-After` beyond).\n"
        "* Lists are paginated (`page`, `page_size` up to 100); unknown query parameters and "
        "invalid values are a 400 naming the parameter.\n"
        "* Responses carry `ETag` and `Last-Modified`; send `If-None-Match` for a 304 "
        "(details also honour `If-Modified-Since`).\n"
        "* Editors' tools write with a token (`Authorization: Token …`) or a session; updates "
        "carry the statement's `version` and get a 409 when someone saved in between.\n"
        "* `/api/v1/export/statements.jsonl` streams the whole published corpus."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StatementKindEnum": "statements.models.StatementKind",
        "StatementStatusEnum": "statements.models.StatementStatus",
        "MeetingKindEnum": "statements.models.MeetingKind",
        "ParagraphKindEnum": "statements.models.ParagraphKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "statements.api.schema.describe_reads_and_parameters",
        "statements.api.schema.add_error_responses",
    ],
}

# Anyone may read the API from a browser on another origin; nobody may write from one.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After"]

# --- Security: HTTPS, cookies and headers (Django's deployment checklist) ---------------

# Trust the proxy's X-Forwarded-Proto only when there is one: a client reaching gunicorn
# directly could otherwise claim to be on HTTPS.
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# On in production; `make bench` (plain HTTP on loopback) turns it off explicitly.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Sent on HTTPS responses only. Lower DJANGO_HSTS_SECONDS while first rolling HTTPS out:
# with preload and subdomains a mistake is hard to take back.
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = not DEBUG
# Only needed when a form is posted from another origin than the host (e.g. an admin host).
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Content-Security-Policy (django-csp): our own origin only, no inline script or style.
# The one inline element, the JSON-LD block, carries the per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],  # Swagger UI's and the admin's icons are data: URLs
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}
# Powerful browser features nobody here needs (mofa_site.middleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# --- Security: admin login lockout (django-axes) -----------------------------------------

# Axes first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES", "60")))
# Per username and address together: an attacker cannot lock a colleague out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
# No start-up line on stdout, where it would mix into commands' output (dumpdata > file);
# failures and lockouts are still logged, naming only the username and address.
AXES_VERBOSE = False
# The client's address, decided as for the API throttle (FORWARDED_FOR_PROXIES): else
# anyone could name a fresh address with every guess.
if FORWARDED_FOR_PROXIES:
    AXES_IPWARE_PROXY_COUNT = FORWARDED_FOR_PROXIES
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# --- Security: structured logs -----------------------------------------------------------

# JSON lines on stdout: one access line per request (logger mofa.access), Django's own
# errors with their tracebacks (django.request), each with the request's id. Nothing a
# request brings in is logged but its method and path (no query string, no headers).
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO").upper()
# `make run` asks for text: a developer reads the lines, a log collector reads JSON.
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "json").lower()
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "mofa_site.logging.RequestContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    # Replaces Django's default console and mail_admins handlers, which would log twice.
    "loggers": {"django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False}},
}

# --- Operations: backups (statements/backup.py) ----------------------------------------

# dumpdata's JSON to the microsecond, so a restore keeps timestamps and ETags exactly; and
# the history's JSON without a wasted queryset per prefetched relation (reversion's
# registrations of Statement and Paragraph name it).
SERIALIZATION_MODULES = {
    "json-exact": "statements.exact_json",
    "json-versions": "statements.version_json",
}

# --- Operations: serving (mofa_site/gunicorn.conf.py, `make serve`) -----------------------

# Where collectstatic writes and WhiteNoise serves from; a deployment may put it elsewhere.
if os.environ.get("DJANGO_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["DJANGO_STATIC_ROOT"])

# --- The cache and the page cache (mofa_site/caching.py) ------------------------------

# Local memory (one cache per process) unless REDIS_URL names a Redis shared by every
# process. Either way the page cache is exact: its invalidation lives in the database. A
# Redis that is down or slow degrades to no cache (short timeouts; logged once per outage).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "mofa_site.caching.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        },
        # Each process's copy of the pages it serves, in front of Redis (caching.py).
        "pages-local": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages-local",
            "OPTIONS": {"MAX_ENTRIES": 300},
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    }
# How long an anonymous page or API read is kept server-side (seconds); 0 turns it off.
PAGE_CACHE_SECONDS = int(os.environ.get("DJANGO_PAGE_CACHE_SECONDS", "600"))
