"""
Settings for Journal Club.

Everything lives in this one file; behaviour comes from environment variables with
safe local defaults (see .env.example for the full list). Unset DATABASE_URL gives an
embedded SQLite database, which is what `make run` uses; production sets it to PostgreSQL.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """
    Read a whole-number environment variable, refusing to start on anything else: a value
    that is not a number, or below ``minimum``, fails here with a message naming it,
    rather than as an error page on the first request that needs it.
    """
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable into a list, ignoring blanks."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core ---------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(for local work, set DJANGO_DEBUG=1 or use `make run`)."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "core",
    "accounts",
    "articles",
    "clubs",
    "discussions",
    "moderation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "discovery",
    "events",
    "proceedings",
    "demo",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.orcid",
    "django_htmx",
    "template_partials",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.PreferredLanguageMiddleware",
    "events.middleware.MemberTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
                "clubs.context_processors.clubs",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database: writers take the lock up front and wait for each other,
    # rather than failing with "database is locked" when two requests overlap.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------
# allauth's rate limits need a real cache: local memory by default, Redis when configured.

CACHES: dict[str, dict[str, object]]
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    # Room for a long thread's rendered comments (its default of 300 entries would cull
    # them, and the small keys among them, while one page of 2,000 comments renders).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
# Discussion pages for readers who are not signed in, rendered once per change
# (discussions/caching.py); "0" turns it off.
DISCUSSION_PAGE_CACHE = os.environ.get("JOURNAL_CLUB_PAGE_CACHE", "1") == "1"

# --- Accounts -------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",  # Django's, with one permissions query, not two
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "discussions:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
# allauth's own forms, relabelled in sentence case (accounts/allauth_forms.py).
ACCOUNT_FORMS = {
    "login": "accounts.allauth_forms.LoginForm",
    "change_password": "accounts.allauth_forms.ChangePasswordForm",
    "reset_password_from_key": "accounts.allauth_forms.ResetPasswordKeyForm",
}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Journal Club] "
ACCOUNT_LOGOUT_REDIRECT_URL = "discussions:home"
# Messages name members as other members see them ("Signed in as Omar Haddad"), never
# by their internal username.
ACCOUNT_USER_DISPLAY = str

# Signing up, signing in and connecting an account with ORCID (allauth's ORCID provider,
# ORCID's public API): the iD ORCID vouches for becomes the member's, marked verified
# (accounts/adapters.py). Off without ORCID_CLIENT_ID: no button anywhere, and the ORCID
# addresses answer 404. sandbox.orcid.org is ORCID's registry for trying it out.
ORCID_CLIENT_ID = os.environ.get("ORCID_CLIENT_ID", "").strip()
ORCID_CLIENT_SECRET = os.environ.get("ORCID_CLIENT_SECRET", "").strip()
JOURNAL_CLUB_ORCID_DOMAIN = os.environ.get("JOURNAL_CLUB_ORCID_DOMAIN", "").strip() or "orcid.org"
if JOURNAL_CLUB_ORCID_DOMAIN not in {"orcid.org", "sandbox.orcid.org"}:
    raise ImproperlyConfigured(
        "JOURNAL_CLUB_ORCID_DOMAIN must be orcid.org or sandbox.orcid.org, "
        f"not {JOURNAL_CLUB_ORCID_DOMAIN!r}."
    )
if ORCID_CLIENT_ID and not ORCID_CLIENT_SECRET:
    raise ImproperlyConfigured("ORCID_CLIENT_SECRET must be set when ORCID_CLIENT_ID is.")
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "orcid": {
        "BASE_DOMAIN": JOURNAL_CLUB_ORCID_DOMAIN,
        "MEMBER_API": False,
        "APPS": (
            [{"client_id": ORCID_CLIENT_ID, "secret": ORCID_CLIENT_SECRET}]
            if ORCID_CLIENT_ID
            else []
        ),
    }
}
# The sign-up form always shows, even when ORCID gives an email address: a display name,
# an address to confirm (as for everyone) and the code of conduct to agree to.
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_VERIFICATION = ACCOUNT_EMAIL_VERIFICATION
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10

# --- Email ----------------------------------------------------------------------------
# Locally, emails (including the sign-up verification link) are printed to the console.

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Journal Club <club@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ---------------------------------------------------------------

# The interface speaks English and French, and content is written in either. Each page has
# one URL per language: English unprefixed, French under /fr/ (config/urls.py); a visitor
# arriving at an English URL is sent to the French one if their preference (a member's
# setting, then the language cookie, then Accept-Language) is French (core.middleware).
# The catalogues are in locale/ (README, "Translating").
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads (club logos) go through the storage API: this server's disk (MEDIA_ROOT) by
# default, which fits one server; with several, name an object-storage backend in
# DJANGO_MEDIA_STORAGE (e.g. django-storages' "storages.backends.s3.S3Storage", installed
# and configured beside this file). README, "Production".
MEDIA_URL = os.environ.get("DJANGO_MEDIA_URL") or "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_MEDIA_STORAGE")
        or "django.core.files.storage.FileSystemStorage"
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security -----------------------------------------------------------------------------
# Production (DEBUG off) gets HTTPS-only cookies and HSTS; see README, "Production".

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies of ours stand in front of the app server, each appending the
# address it saw to X-Forwarded-For (0: none, and the header is ignored, as anyone can
# send it). Per-address limits (allauth's on signing in, signing up and password resets)
# key on the client: the address the last trusted proxy saw. Left at 0 behind a proxy,
# every request seems to come from the proxy, and ten failed sign-ins from anywhere would
# lock everyone out.
JOURNAL_CLUB_TRUSTED_PROXY_COUNT = env_int("JOURNAL_CLUB_TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = JOURNAL_CLUB_TRUSTED_PROXY_COUNT
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# Messages ("You have signed out") travel in the session, not in a cookie of their own,
# which could not carry the __Host- prefix.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

# --- Logging --------------------------------------------------------------------------------

# One JSON object per line in production (config/logging.py); DJANGO_LOG_FORMAT=text gives
# plain lines, the default with DEBUG on.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.logging.JSONFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("DJANGO_LOG_FORMAT", "text" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# --- Journal Club ---------------------------------------------------------------------------

# Identical comments (same author, same place, same text) posted within this many seconds
# are treated as one accidental double submission.
JOURNAL_CLUB_DUPLICATE_WINDOW_SECONDS = env_int("JOURNAL_CLUB_DUPLICATE_WINDOW", 10)
JOURNAL_CLUB_COMMENT_MAX_LENGTH = 10_000
# Per-member limits: action -> (how many, per seconds). New members (joined less than a day
# ago) also have a daily cap on posts.
JOURNAL_CLUB_RATE_LIMITS = {
    "post": (1, env_int("JOURNAL_CLUB_POST_INTERVAL", 5, minimum=1)),
    "post_first_day": (env_int("JOURNAL_CLUB_FIRST_DAY_POSTS", 10, minimum=1), 86_400),
    "edit": (10, 60),
    "react": (30, 60),
    "flag": (10, 3_600),
    "preview": (120, 60),  # the composer's live preview, asked for as the writer pauses
    "club_create": (3, 86_400),
    "invite": (50, 86_400),  # invitations emailed by one lead: not a way to send spam
    "lookup": (20, 3_600),  # papers looked up at Crossref by DOI, by one member
}
# An invitation to a club, and an invite link, work for this many days.
JOURNAL_CLUB_INVITATION_DAYS = 14
# A new member's first N comments wait for a moderator's approval (0: none do).
JOURNAL_CLUB_PREMODERATE_FIRST_POSTS = env_int("JOURNAL_CLUB_PREMODERATE", 1)
# This many flags from different members hide a comment until a moderator reviews it.
JOURNAL_CLUB_FLAGS_TO_HIDE = env_int("JOURNAL_CLUB_FLAGS_TO_HIDE", 3, minimum=1)
JOURNAL_CLUB_CODE_OF_CONDUCT_VERSION = "2026-11"
# The contact address sent with requests to Crossref and DOAJ (Crossref's "polite pool"
# asks for one, so that it can reach whoever runs the site instead of blocking it).
JOURNAL_CLUB_CONTACT_EMAIL = os.environ.get("JOURNAL_CLUB_CONTACT_EMAIL", "club@localhost")
# Authors may correct a comment this many seconds after posting without a revision being
# kept or the comment being marked "edited".
JOURNAL_CLUB_EDIT_GRACE_SECONDS = env_int("JOURNAL_CLUB_EDIT_GRACE", 600)

# --- Production serving ---
# See README, "Deploy" and "Scaling out". One JSON log line per request, timed from the
# outermost middleware so that it covers everything (config/logging.py).
MIDDLEWARE = ["config.logging.RequestLogMiddleware", *MIDDLEWARE]
# Load balancers probe /healthz over plain HTTP (config/health.py), answered ahead of the
# session, authentication and host checks.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/tasks$"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "config.health.HealthCheckMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("config.health.HealthCheckMiddleware") + 1,
    "config.middleware.RejectNulMiddleware",
)
# Sessions live in the database (or the database behind the shared cache with
# "django.contrib.sessions.backends.cached_db"), never in one server's memory or disk,
# so any app server can answer any request.
SESSION_ENGINE = os.environ.get("DJANGO_SESSION_ENGINE", "django.contrib.sessions.backends.db")

# --- Notifications ---
# Follows, notifications and their emails (notifications/). Emails are sent by a background
# worker through Django's tasks API (the django-tasks backport): production stores tasks in
# the database (django-tasks-db) and runs `manage.py db_worker`; see README, "Notifications
# and the worker". JOURNAL_CLUB_TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend
# runs them inside the request instead (no worker; fine for `make run`, never for production).
INSTALLED_APPS = [*INSTALLED_APPS, "notifications", "django_tasks", "django_tasks_db"]
TASKS = {
    "default": {
        "BACKEND": os.environ.get("JOURNAL_CLUB_TASKS_BACKEND")
        or (
            "django_tasks.backends.immediate.ImmediateBackend"
            if DEBUG
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
# A task running for longer than this many seconds is taken to be abandoned by a worker
# that died, and run again by another (notifications/worker.py). Tasks here take seconds.
JOURNAL_CLUB_TASK_LEASE = env_int("JOURNAL_CLUB_TASK_LEASE", 600, minimum=1)
# /healthz/tasks answers 503 once a task has waited this many seconds: no worker is running.
JOURNAL_CLUB_TASKS_STALE = env_int("JOURNAL_CLUB_TASKS_STALE", 300, minimum=1)
# The site's address, for the absolute links in emails (no trailing slash).
JOURNAL_CLUB_BASE_URL = os.environ.get("JOURNAL_CLUB_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Proceedings as files ---------------------------------------------------------------------
# A PDF of a discussion's proceedings (proceedings/tasks.py) larger than this many bytes is
# not kept: the export fails and asks for one question or the syntheses only. So does one
# of more comments than JOURNAL_CLUB_PROCEEDINGS_MAX_COMMENTS, refused before its layout,
# which holds every page in the worker's memory: about 0.3 MB a comment (1.5 GB at 5,000;
# bench/proceedings.py).
JOURNAL_CLUB_PROCEEDINGS_MAX_BYTES = env_int(
    "JOURNAL_CLUB_PROCEEDINGS_MAX_BYTES", 25 * 1024 * 1024, minimum=1
)
JOURNAL_CLUB_PROCEEDINGS_MAX_COMMENTS = env_int(
    "JOURNAL_CLUB_PROCEEDINGS_MAX_COMMENTS", 5_000, minimum=1
)

# --- A DOI for the proceedings ----------------------------------------------------------
# A closed discussion's proceedings deposited on Zenodo (proceedings/zenodo.py): off without
# ZENODO_TOKEN (a personal token with the deposit:write and deposit:actions scopes). Try it
# with Zenodo's test copy: JOURNAL_CLUB_ZENODO_URL=https://sandbox.zenodo.org/api and a
# token made there. Each DOI is then announced to a COAR Notify inbox (proceedings/coar.py),
# off without JOURNAL_CLUB_COAR_INBOX; the target's id defaults to the inbox's site, and our
# own inbox (where replies would go: this site reads none) to the site's address.
import re  # noqa: E402

ZENODO_TOKEN = os.environ.get("ZENODO_TOKEN", "").strip()
JOURNAL_CLUB_ZENODO_URL = (
    os.environ.get("JOURNAL_CLUB_ZENODO_URL", "").strip() or "https://zenodo.org/api"
).rstrip("/")
JOURNAL_CLUB_ZENODO_COMMUNITY = os.environ.get("JOURNAL_CLUB_ZENODO_COMMUNITY", "").strip()
JOURNAL_CLUB_COAR_INBOX = os.environ.get("JOURNAL_CLUB_COAR_INBOX", "").strip()
JOURNAL_CLUB_COAR_TARGET_ID = os.environ.get("JOURNAL_CLUB_COAR_TARGET_ID", "").strip()
JOURNAL_CLUB_COAR_ORIGIN_INBOX = (
    os.environ.get("JOURNAL_CLUB_COAR_ORIGIN_INBOX", "").strip() or f"{JOURNAL_CLUB_BASE_URL}/"
)
for _name, _address in [
    ("JOURNAL_CLUB_ZENODO_URL", JOURNAL_CLUB_ZENODO_URL),
    ("JOURNAL_CLUB_COAR_INBOX", JOURNAL_CLUB_COAR_INBOX),
    ("JOURNAL_CLUB_COAR_TARGET_ID", JOURNAL_CLUB_COAR_TARGET_ID),
    ("JOURNAL_CLUB_COAR_ORIGIN_INBOX", JOURNAL_CLUB_COAR_ORIGIN_INBOX),
]:
    if _address and not re.match(r"https?://[^/\s]+(/\S*)?$", _address):
        raise ImproperlyConfigured(f"{_name} must be an http(s) address, not {_address!r}.")
if JOURNAL_CLUB_COAR_INBOX and not JOURNAL_CLUB_COAR_TARGET_ID:
    JOURNAL_CLUB_COAR_TARGET_ID = re.sub(r"^(https?://[^/]+).*$", r"\1/", JOURNAL_CLUB_COAR_INBOX)

# --- Security headers ---------------------------------------------------------------------
# A strict Content-Security-Policy (django-csp): scripts and styles only from this site,
# nothing inline, no plugins, no framing. htmx's own inline indicator styles are turned off
# in base.html so that it works under this policy; the admin works under it too.

from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Uploads served from object storage come from its address (DJANGO_MEDIA_URL).
        "img-src": [SELF, "data:", *([MEDIA_URL] if MEDIA_URL.startswith("https://") else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        # "Sign in with ORCID" posts here and is redirected to ORCID's sign-in page, which
        # browsers check against form-action too.
        "form-action": [
            SELF,
            *([f"https://{JOURNAL_CLUB_ORCID_DOMAIN}"] if ORCID_CLIENT_ID else []),
        ],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
    }
}
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True  # htmx sends the token from the page, not from the cookie
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    # __Host- cookies are HTTPS-only, host-only and site-wide: they cannot be set by a
    # subdomain or over plain HTTP.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Changing an email address (or adding one) asks for the password again; only the
# password: a code sent by email would let whoever holds a stolen session and the mailbox
# change the address that receives the codes.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_METHODS = ["password"]

# --- Public API -------------------------------------------------------------------------------
# The read-only API under /api/v1/ (api/): Django REST framework, its OpenAPI 3.1 schema and
# documentation page (drf-spectacular, with Swagger UI served from here by its sidecar, as
# the CSP allows no CDN), and CORS headers (django-cors-headers) for anonymous reads.

import re  # noqa: E402

INSTALLED_APPS = [
    *INSTALLED_APPS,
    "api",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
]
# Outside every middleware that can refuse a request, so that api.middleware turns those
# refusals into problem details too; CORS inside it, so that it sees the CORS headers.
MIDDLEWARE.insert(
    MIDDLEWARE.index("config.middleware.RejectNulMiddleware"), "api.middleware.ApiMiddleware"
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("config.middleware.RejectNulMiddleware"),
    "corsheaders.middleware.CorsMiddleware",
)


def api_rate(value: str, name: str) -> str:
    """A rate as DRF reads it ("60/minute"), refusing to start on anything else."""
    if not re.fullmatch(r"[0-9]+/(s|sec|second|m|min|minute|h|hour|d|day)", value.strip()):
        raise ImproperlyConfigured(
            f"{name} must be like 60/minute (per second, minute, hour or day), not {value!r}."
        )
    return value.strip()


# Requests per client address without a token, and per token: generous for a script that
# pages through everything, and a bound on one client's share of the servers. The counts
# live in the shared cache, like the site's own limits.
JOURNAL_CLUB_API_RATES = {
    "anonymous": api_rate(
        os.environ.get("JOURNAL_CLUB_API_ANONYMOUS_RATE") or "60/minute",
        "JOURNAL_CLUB_API_ANONYMOUS_RATE",
    ),
    "token": api_rate(
        os.environ.get("JOURNAL_CLUB_API_TOKEN_RATE") or "600/minute", "JOURNAL_CLUB_API_TOKEN_RATE"
    ),
}
REST_FRAMEWORK = {
    # Personal tokens only: no session authentication, so a browser's cookies grant nothing
    # to another site's page (api/authentication.py).
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # JSON only: the browsable API would need sessions and inline scripts.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],  # read-only: no request body is ever read
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AddressThrottle", "api.throttling.TokenThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    # The client's address is the one our last trusted proxy saw, as for the site's limits.
    "NUM_PROXIES": JOURNAL_CLUB_TRUSTED_PROXY_COUNT,
    # Every query parameter is the endpoint's own (an unknown one is a 400): no ?format=.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Journal Club API",
    "DESCRIPTION": (
        "Read what a reader of Journal Club may read: clubs, papers, discussions with their "
        "questions and syntheses, comments in thread order, live sessions and public profiles. "
        "Without a token you read what a visitor reads; with a personal token (made on your "
        "account settings, sent as `Authorization: Bearer <token>`) you read what you read on "
        "the site, your private clubs included.\n\n"
        "Lists are read a page at a time by following `next`. Every successful answer has an "
        "`ETag` (send it back as `If-None-Match` for a 304) and, from the objects it holds, a "
        "`Last-Modified`. Requests are limited per address without a token and per token "
        "(429, with `Retry-After`). Errors are RFC 9457 problem details "
        "(`application/problem+json`)."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVERS": [{"url": JOURNAL_CLUB_BASE_URL}],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No "validator" badge: it would load an image from swagger.io, which the CSP refuses.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}
# Other sites' pages may read what anyone may read: any origin, without credentials, and
# without an Authorization header (a preflight asking for it is refused), so a member's
# token is never sent from someone else's page; api.middleware drops the CORS headers from
# any answer to a request with a token.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-modified-since", "if-none-match"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
