"""Settings for the CCES action plan tracker, read from the environment.

Safe by default: DEBUG is off, there is no default secret outside DEBUG, and
ALLOWED_HOSTS is empty unless set. `make run` turns DEBUG on for development.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from error


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value "
            "(for example the output of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`), "
            "or set DJANGO_DEBUG=true for local development."
        )
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or (["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    "ccesplan.apps.PlanAdminConfig",  # django.contrib.admin with the plan's own site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_filters",
    "django_tables2",
    "simple_history",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc's files, served from here (no CDN)
    "django_tasks",
    "django_tasks_db",
    "targets",
    "actions",
    "indicators",
    "reports",
    "public",
    "api",
    "sso",
    "downloads",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Straight after SecurityMiddleware, as WhiteNoise asks: static files skip the rest.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Lets django-simple-history record who made an admin edit to an action's definition.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lock-out raised during sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ccesplan.urls"
WSGI_APPLICATION = "ccesplan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ccesplan.context_processors.navigation",
                "ccesplan.context_processors.plan",
                "sso.context_processors.sign_in",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside a writer; IMMEDIATE takes the write lock at the
    # start of a transaction, so concurrent writers queue (up to the timeout)
    # instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes checks every sign-in before the backends that do it: passwords (Django's, refused to all
# but superusers when CCES_PASSWORD_SIGN_IN is off) and the council's accounts (OpenID Connect).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sso.backends.PasswordBackend",
    "sso.backends.CouncilAccountBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"  # sso.views.SignInView
LOGIN_REDIRECT_URL = "home"
# Signing out shows registration/logged_out.html ("You have signed out") rather than the sign-in form.
LOGOUT_REDIRECT_URL = None

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed copies that WhiteNoise serves with far-future cache headers.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "climate-plan@localhost")

# Security. HTTPS is on unless DEBUG is; DJANGO_HTTPS=false is for a plain-HTTP test rig only.
HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
# No page reads the CSRF cookie from JavaScript: forms carry the token.
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HSTS is a promise browsers keep for its whole lifetime: turn it on once HTTPS works everywhere.
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")
if env_bool("DJANGO_BEHIND_TLS_PROXY"):
    # Only behind a proxy that sets this header itself and strips it from clients' requests.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Content-Security-Policy (django-csp 4 format). Everything comes from this origin; no inline
# script or style anywhere, so neither 'unsafe-inline' is needed. GOV.UK Frontend's JavaScript
# sets styles through the DOM, which CSP allows.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Sign-in throttling (django-axes). After AXES_FAILURE_LIMIT failed sign-ins an account is locked
# for the cool-off (axes' own default locks it for ever). Locking by account, not by address:
# a council's staff often share one public address, and one person's typos must not lock them all.
AXES_FAILURE_LIMIT = env_int("CCES_SIGN_IN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CCES_SIGN_IN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for the address among the lock-out parameters. Here that would let five typos anywhere
# in an office behind one address lock every colleague out. The account-wide lock caps the guesses at
# each account however many addresses they come from; the trade-off is written up in the README.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ccesplan.views.locked_out"
# The address recorded with each attempt. Behind a reverse proxy set CCES_TRUSTED_PROXY_COUNT to the
# number of proxies in front of the app, so it reads X-Forwarded-For rather than the proxy's address.
AXES_CLIENT_IP_CALLABLE = "ccesplan.client_ip.client_ip"
CCES_TRUSTED_PROXY_COUNT = env_int("CCES_TRUSTED_PROXY_COUNT", 0)

# Errors go to standard error, where gunicorn and the service manager collect them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# The product's own knobs.
if env_bool("CCES_PUBLIC_READ"):
    # It opened every internal read page, officers' names and unreviewed words included.
    raise ImproperlyConfigured(
        "CCES_PUBLIC_READ has been replaced by the public progress site at /public/, which shows only "
        "reviewed positions of closed quarters. Unset CCES_PUBLIC_READ (see CCES_PUBLIC_SHOW_NAMES)."
    )
# Officers' updates await a reviewer's approval before reports and the public site count them.
CCES_REVIEW_UPDATES = env_bool("CCES_REVIEW_UPDATES", default=True)
# The public site names each action's lead officers only if this is on.
CCES_PUBLIC_SHOW_NAMES = env_bool("CCES_PUBLIC_SHOW_NAMES")
# How long browsers and shared caches may keep a public page before asking again.
CCES_PUBLIC_MAX_AGE = env_int("CCES_PUBLIC_MAX_AGE", 300)
# The plan this service tracks, named in one place: page headings, downloads, the API and exports read it
# from ccesplan.plan (when the service holds several plans, these become a Plan row's fields).
CCES_PLAN_NAME = os.environ.get("CCES_PLAN_NAME", "Climate Change and Environment Strategy action plan")
CCES_COUNCIL_NAME = os.environ.get("CCES_COUNCIL_NAME", "Cambridgeshire County Council")
# The licence of the published data (open data downloads and the API): the Open Government Licence v3.
CCES_DATA_LICENCE_NAME = os.environ.get("CCES_DATA_LICENCE_NAME", "Open Government Licence v3.0")
CCES_DATA_LICENCE_URL = os.environ.get(
    "CCES_DATA_LICENCE_URL", "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
)
# Anonymous API clients, per address: requests allowed per minute before 429 Too Many Requests.
# Workbooks of more actions than this are built by the background worker (`manage.py db_worker`) with a
# progress page, not within the request: at 5,000 actions a workbook takes one to two seconds here.
CCES_WORKBOOK_ACTIONS_IN_REQUEST = env_int("CCES_WORKBOOK_ACTIONS_IN_REQUEST", 5000)

# Background tasks (django-tasks, the backport of Django 6's tasks) queued in the database, so app servers and
# the worker need nothing but the database they already share.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

CCES_API_ANON_PER_MINUTE = env_int("CCES_API_ANON_PER_MINUTE", 60)
# An API token lasts this many days (0: until its owner revokes it).
CCES_API_TOKEN_DAYS = env_int("CCES_API_TOKEN_DAYS", 365)

# Where the service is reached, for links in emails (reminders are sent from a scheduled job, not a request).
CCES_BASE_URL = os.environ.get("CCES_BASE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")

# The read-only API (/api/v1/): Django REST framework, OpenAPI 3 from drf-spectacular, tokens from
# django-rest-knox (stored as a digest, never the token itself). JSON only: errors included.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonymousPerMinute"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.handle",
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=CCES_API_TOKEN_DAYS) if CCES_API_TOKEN_DAYS else None,
    "AUTO_REFRESH": False,
    "TOKEN_PREFIX": "cces_",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CCES action plan API",
    "DESCRIPTION": "The climate action plan's targets, actions, positions, reports and indicators. Read only. "
    "Anonymous clients see what is published; a token or a signed-in session sees what its user may read.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Single sign-on with the council's accounts (OpenID Connect; Microsoft Entra ID steps in the README),
# through mozilla-django-oidc. Off unless CCES_OIDC_ISSUER is set; endpoints come from its discovery document.
CCES_OIDC_ISSUER = os.environ.get("CCES_OIDC_ISSUER", "").strip().rstrip("/")
OIDC_RP_CLIENT_ID = os.environ.get("CCES_OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("CCES_OIDC_CLIENT_SECRET", "").strip()
if CCES_OIDC_ISSUER and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "CCES_OIDC_ISSUER is set, so CCES_OIDC_CLIENT_ID and CCES_OIDC_CLIENT_SECRET must be set too "
        "(the application's client ID and a client secret from the provider)."
    )
# The claim holding the person's groups or app roles ("groups" for Entra ID group claims, "roles" for app
# roles), and which of its values give each role. A person whose claim holds none of them has no access.
CCES_OIDC_ROLES_CLAIM = os.environ.get("CCES_OIDC_ROLES_CLAIM", "groups").strip()
CCES_OIDC_ROLES = {
    "Officer": env_list("CCES_OIDC_OFFICER_CLAIMS"),
    "Manager": env_list("CCES_OIDC_MANAGER_CLAIMS"),
    "Plan admin": env_list("CCES_OIDC_PLAN_ADMIN_CLAIMS"),
}
# Who to ask for access, named on the page a person without a role sees (an email address, say).
CCES_ACCESS_CONTACT = os.environ.get("CCES_ACCESS_CONTACT", "").strip()
# How long a sign-in through the provider lasts before the provider is asked again.
CCES_OIDC_SESSION_HOURS = env_int("CCES_OIDC_SESSION_HOURS", 10)
# Off: only superusers (the break-glass account) sign in with a password, at /admin/login/.
CCES_PASSWORD_SIGN_IN = env_bool("CCES_PASSWORD_SIGN_IN", default=True)
if not CCES_PASSWORD_SIGN_IN and not CCES_OIDC_ISSUER:
    raise ImproperlyConfigured("CCES_PASSWORD_SIGN_IN is off, so set CCES_OIDC_ISSUER: nobody else could sign in.")
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_STORE_ID_TOKEN = True  # in the server-side session, as id_token_hint for signing out at the provider
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:callback"
OIDC_TIMEOUT = 5  # seconds for each request to the provider, so a slow one cannot hold a worker
if CCES_OIDC_ISSUER:
    # Signing out is a form post redirected to the provider's end_session_endpoint, which form-action governs.
    _issuer = urlsplit(CCES_OIDC_ISSUER)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_issuer.scheme}://{_issuer.netloc}")
