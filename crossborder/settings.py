"""Settings for Crossborder, read from the environment.

Nothing set gives a development setup on SQLite (with DEBUG=true). With DEBUG off, the values a
production server must have (SECRET_KEY, ALLOWED_HOSTS, PSEUDONYM_KEY) stop start-up when missing
instead of falling back to something unsafe.
"""

from __future__ import annotations

import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def env_required(name: str, hint: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off: {hint}")
    return value


DEBUG = env_bool("DEBUG")

if DEBUG:
    # A development key only: DEBUG is never on in production, where SECRET_KEY is required.
    SECRET_KEY = os.environ.get("SECRET_KEY") or "insecure-development-key-debug-only"
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or ["localhost", "127.0.0.1", "[::1]"]
    PSEUDONYM_KEY = os.environ.get("PSEUDONYM_KEY") or "insecure-development-pseudonym-key"
else:
    SECRET_KEY = env_required(
        "SECRET_KEY", "a long random string, e.g. from `openssl rand -hex 32`."
    )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must be set when DEBUG is off: a comma-separated list of host names."
        )
    PSEUDONYM_KEY = env_required(
        "PSEUDONYM_KEY",
        "the secret key of the jobseekers' pseudonymous keys; keep it stable and out of the code.",
    )

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it comes before django.contrib.admin.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "simple_history",
    "projects",
    "actions",
    "participants",
    "reports",
    "crossborder.demo",
    "crossborder.accounts",
    "crossborder.uploads",
    "crossborder.sync",
    "crossborder.audit",
    "crossborder.jobs",
    # Login protection and second factors (crossborder.accounts: security.py, two_factor.py).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    # Counts and times every request for /metrics, the other middleware's work included.
    "crossborder.monitoring.RequestMetrics",
    # So that every log line of the request, the other middleware's too, carries its id.
    "crossborder.middleware.RequestId",
    # Where the request reads the data from (the read replica or the primary), before any read.
    "crossborder.db_router.ReplicaReads",
    "django.middleware.security.SecurityMiddleware",
    "crossborder.middleware.PermissionsPolicy",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "crossborder.middleware.RejectNulCharacters",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "crossborder.middleware.StaffIdleTimeout",
    # Whether the session passed its second factor; then the pages it may reach without it.
    "django_otp.middleware.OTPMiddleware",
    "crossborder.accounts.middleware.SecondFactorRequired",
    "crossborder.middleware.NoStoreForSignedIn",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a login refused by a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crossborder.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "crossborder.wsgi.application"

if not os.environ.get("DATABASE_URL"):
    # The default SQLite file lives in the git-ignored var/, which a fresh clone lacks.
    VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'crossborder.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL compiles a statement to machine code (JIT) when its estimated cost is high, as
    # it is for a report over everything: at a million participations compiling took about 1 s
    # of the report's 3 s (docs/performance.md). Off for the app's sessions; options given in
    # DATABASE_URL (?options=-c%20jit%3Don) come after, so they win.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"-c jit=off {_options.get('options', '')}".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The participation records' covering index lists the reports' columns for PostgreSQL to
    # read them from the index alone; SQLite indexes the action only, as the model says, and
    # would warn about the other columns at every command.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# A read replica of the primary (postgres://...): the dashboards' and the API's read-only requests
# read the data from it, everything that must see its own writes from the primary, and a client
# that wrote reads from the primary for REPLICA_STICKY_SECONDS (crossborder/db_router.py says
# which reads go where; docs/deployment.md, the lag). Empty: every read from the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        _options = DATABASES["replica"].setdefault("OPTIONS", {})
        _options["options"] = f"-c jit=off {_options.get('options', '')}".strip()
REPLICA_READS = bool(DATABASE_REPLICA_URL)
REPLICA_STICKY_SECONDS = int(os.environ.get("REPLICA_STICKY_SECONDS", "10"))
DATABASE_ROUTERS = ["crossborder.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("nl", _("Dutch")),
    ("fr", _("French")),
]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en", "nl", "fr")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True
# Dates day first in every language (21/12/2018), as the imports read them.
FORMAT_MODULE_PATH = ["crossborder.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The dashboards' login page; the admin keeps its own.
LOGIN_URL = "reports:login"
LOGIN_REDIRECT_URL = "reports:overview"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # `Authorization: Token <key>` with hashed, expiring keys (crossborder/accounts/).
        "crossborder.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "crossborder.api.base.exception_handler",
    # `?format=csv` wins over the Accept header, and `sep` is checked where CSV is offered.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "crossborder.api.renderers.FormatFirstNegotiation",
    # Per user: anonymous requests are refused (401) before throttling applies.
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("API_THROTTLE_RATE", "2000/hour")},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Crossborder API",
    "DESCRIPTION": "Cross-border labour-mobility programmes: actions, figures, participants.",
    "VERSION": "1.0.0",
    # Separate request and response components: what is sent differs from what is read.
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies closed to unknown fields, as the API refuses them (crossborder.api.base).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "crossborder.api.base.closed_request_bodies",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ActionStatusEnum": "crossborder.core.vocabulary.ActionStatus",
        "ParticipationStatusEnum": "crossborder.core.vocabulary.ParticipationStatus",
        "ApiTokenStatusEnum": "crossborder.accounts.models.TokenStatus",
        "PeriodStatusEnum": "projects.models.PeriodStatus",
        "FollowUpKindEnum": "participants.models.FollowUpKind",
        "FollowUpSourceEnum": "participants.models.FollowUpSource",
        "FollowUpStateEnum": "participants.models.FollowUpState",
    },
    # Swagger UI served from our static files: the server may have no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # `check --deploy` checks the production configuration; the schema's own warnings are
    # printed where it is built (`manage.py spectacular`, CI), not on every deployment.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}

# The cache: the API's page cache (crossborder/api/caching.py) and DRF's throttle counts. With
# REDIS_URL (redis://host:6379/0) one Redis is shared by every worker and machine: a page one
# worker rendered is served by all, and a client's throttle counts its requests to any of them.
# Without it, each process keeps its own in memory, so `make run` needs nothing; the pages stay
# right either way, being keyed by the data version read from the database.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, which a Redis gone away makes slower, never failing.
            "BACKEND": "crossborder.core.cache.SharedCache",
            "LOCATION": REDIS_URL,
            # Several sites may share one Redis.
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "crossborder"),
            # Within a second or not at all: a Redis that does not answer is done without (the
            # backend), rather than a request kept waiting for the system's TCP timeout.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "crossborder",
            # A page of 100 actions is about 80 kB: at most about 25 MB a process.
            "OPTIONS": {"MAX_ENTRIES": 300},
        }
    }

# Background work (crossborder/celery.py, crossborder/jobs/): with CELERY_BROKER_URL (Redis,
# redis://127.0.0.1:6379/1, or RabbitMQ, amqp://...) the long work goes to the queue and
# `celery -A crossborder worker` runs it; without it every task runs at once in the request
# (task_always_eager), so `make run` needs no broker. A job's row is its result (state, progress,
# message, file: crossborder/jobs/models.py), so Celery keeps no results of its own.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "").strip()
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker logs through LOGGING below (JSON lines with the request id), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# And its stdout and stderr stay as they are: Celery's redirect logged every piece written there
# as a line of its own, which made the traceback of a beat that could not start 1,600 JSON lines
# of a caret or a few spaces each. An exception nothing caught is logged whole, in one line
# (crossborder/celery.py); Celery's banner goes to stdout.
CELERY_WORKER_REDIRECT_STDOUTS = False
# A worker takes one message at a time and acknowledges it when done: a long task is not held
# back behind another, and one lost with its worker is run again (a finished job is not redone).
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = TIME_ZONE
# Periodic work, run by `celery -A crossborder beat` (one beat for the whole site): the
# retention run every night (anonymise_jobseekers, and the jobs older than JOB_RESULT_DAYS), and
# the follow-up digests every Monday morning (send_follow_up_digest; once a week at most).
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "retention-nightly": {
        "task": "jobs.retention",
        "schedule": crontab(hour=2, minute=30),
    },
    "rollups-refresh": {
        "task": "jobs.rollups_refresh",
        "schedule": 60.0,
    },
    "rollups-rebuild-nightly": {
        "task": "jobs.rollups_rebuild",
        "schedule": crontab(hour=3, minute=0),
    },
    "follow-up-digests-weekly": {
        "task": "jobs.follow_up_digests",
        "schedule": crontab(day_of_week="mon", hour=7, minute=0),
    },
}
# The reports' rollups (reports/rollups.py): the nightly rebuild sets their horizon this many
# days before the day; a report as of a day before the horizon reads the records themselves.
ROLLUP_HORIZON_DAYS = int(os.environ.get("ROLLUP_HORIZON_DAYS", "0"))
# Off: every report reads the records themselves (the rollups are still kept).
REPORT_ROLLUPS = env_bool("REPORT_ROLLUPS", True)
# Seconds a table the rollups gave is kept in the cache and given again while nothing it was made
# from has changed (reports/answers.py); 0: every report is made anew.
REPORT_ANSWERS_SECONDS = int(os.environ.get("REPORT_ANSWERS_SECONDS", "3600"))
# With a worker (CELERY_BROKER_URL), the answers asked as of today in the last REPORT_WARM_HOURS
# (at most REPORT_WARM_MAX, the most recently asked) are made again on the queue
# REPORT_WARM_DELAY_SECONDS after a refresh of the rollups, so that readers after a write find
# them kept (reports.answers.warm). Without a worker the first reader makes them.
REPORT_WARM_ANSWERS = env_bool("REPORT_WARM_ANSWERS", True)
REPORT_WARM_DELAY_SECONDS = int(os.environ.get("REPORT_WARM_DELAY_SECONDS", "5"))
REPORT_WARM_HOURS = int(os.environ.get("REPORT_WARM_HOURS", "24"))
REPORT_WARM_MAX = int(os.environ.get("REPORT_WARM_MAX", "24"))
# Rows of an import from which its confirmation goes to the queue, and actions of a year report
# or an action list's export from which their files do; below, the page does the work itself.
IMPORT_TASK_ROWS = int(os.environ.get("IMPORT_TASK_ROWS", "2000"))
REPORT_TASK_ACTIONS = int(os.environ.get("REPORT_TASK_ACTIONS", "500"))
# Days a finished job and its file are kept for their owner to download.
JOB_RESULT_DAYS = int(os.environ.get("JOB_RESULT_DAYS", "7"))

# API tokens (crossborder/accounts/): a new token lives API_TOKEN_LIFETIME_DAYS unless its owner
# chooses fewer days, and at most API_TOKEN_MAX_LIFETIME_DAYS; an expired token is refused (401)
# and a new one made, so a key that leaked stops working by itself.
API_TOKEN_LIFETIME_DAYS = int(os.environ.get("API_TOKEN_LIFETIME_DAYS", "90"))
API_TOKEN_MAX_LIFETIME_DAYS = int(os.environ.get("API_TOKEN_MAX_LIFETIME_DAYS", "365"))
if not 1 <= API_TOKEN_LIFETIME_DAYS <= API_TOKEN_MAX_LIFETIME_DAYS:
    raise ImproperlyConfigured(
        "API_TOKEN_LIFETIME_DAYS must be from 1 to API_TOKEN_MAX_LIFETIME_DAYS "
        f"({API_TOKEN_MAX_LIFETIME_DAYS}), not {API_TOKEN_LIFETIME_DAYS}."
    )

# Years after a project's end after which its jobseekers are anonymised (GDPR storage limit).
RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", "5"))
# Days the read audit keeps who saw which jobseekers (crossborder/audit/); older entries are
# deleted by `manage.py anonymise_jobseekers`. Two years: long enough to answer an access request
# or a complaint about a look taken last year, short enough not to become a file on the staff.
READ_AUDIT_RETENTION_DAYS = int(os.environ.get("READ_AUDIT_RETENTION_DAYS", "730"))
if READ_AUDIT_RETENTION_DAYS < 0:
    raise ImproperlyConfigured(
        f"READ_AUDIT_RETENTION_DAYS must be 0 or more days, not {READ_AUDIT_RETENTION_DAYS}."
    )

# Incremental sync of the API's lists (`changed_since`, crossborder/sync/api.py). A sync hands
# out only what was changed or deleted at least SYNC_SAFETY_SECONDS ago: a record's `updated_at`
# is stamped when it is saved, but the row becomes visible when its transaction commits, so a
# cursor past "now" could skip a row of a longer transaction that commits later with an earlier
# stamp. Five minutes is well beyond the longest write (a bulk push of 5,000 records, an import).
SYNC_SAFETY_SECONDS = int(os.environ.get("SYNC_SAFETY_SECONDS", "300"))
# Days the tombstones of deleted records are kept (`manage.py purge_tombstones`); a sync from
# further back answers 410 Gone: read the list in full instead.
SYNC_TOMBSTONE_DAYS = int(os.environ.get("SYNC_TOMBSTONE_DAYS", "90"))
if SYNC_SAFETY_SECONDS < 0 or SYNC_TOMBSTONE_DAYS < 1:
    raise ImproperlyConfigured(
        "SYNC_SAFETY_SECONDS must be 0 or more and SYNC_TOMBSTONE_DAYS 1 or more, not "
        f"{SYNC_SAFETY_SECONDS} and {SYNC_TOMBSTONE_DAYS}."
    )

# Days before an action's start (or its period's first day) a participant may start: the
# preparation some actions begin with (two weeks of language training before the forklift
# training, discovery days one or two weeks before the textiles training), with room to spare.
PARTICIPATION_START_MARGIN_DAYS = int(os.environ.get("PARTICIPATION_START_MARGIN_DAYS", "30"))
# The ages, in an action's year, of a jobseeker who may take part in it: from the end of
# full-time compulsory schooling (15 in Belgium) to the legal pension age (67 in Belgium).
WORKING_AGE_MIN = int(os.environ.get("WORKING_AGE_MIN", "15"))
WORKING_AGE_MAX = int(os.environ.get("WORKING_AGE_MAX", "67"))
# Months after a cohort's end by which its outcomes (found work, hired, certificate) are expected:
# the data-quality list (reports.quality) names a cohort without any outcome after them.
QUALITY_OUTCOME_MONTHS = int(os.environ.get("QUALITY_OUTCOME_MONTHS", "3"))
# Days a follow-up stays due before it is overdue: the situation "on leaving" is the one within
# four weeks of the end (ESF+), and the six-month check gets the same four weeks.
FOLLOW_UP_GRACE_DAYS = int(os.environ.get("FOLLOW_UP_GRACE_DAYS", "28"))

# Mail (the weekly follow-up digest: manage.py send_follow_up_digest). A site sets
# EMAIL_BACKEND to django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST and EMAIL_PORT.
# Unset, a checkout (DEBUG) prints mail on the console, and a site sends none and says so
# (crossborder.core.mail): printed, a digest would put the jobseekers' references it lists in
# the worker's log.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "crossborder.core.mail.NotConfiguredBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "crossborder@localhost")
# Special categories of personal data (disability, foreign background: GDPR article 9) are
# kept only where a partnership has a legal basis and the person's consent: off by default.
SPECIAL_CATEGORY_DATA = env_bool("SPECIAL_CATEGORY_DATA")
# In a breakdown by a personal attribute, a count under this threshold is shown as "fewer than
# N" (and a second cell suppressed so that it cannot be derived) to every user who may not
# read personal data.
SMALL_CELL_THRESHOLD = int(os.environ.get("SMALL_CELL_THRESHOLD", "5"))

# Headers of every response, also in development (none of them needs HTTPS): no guessing of
# content types, no framing (clickjacking), the origin only to other sites, and no camera,
# microphone, location or payment for any page (crossborder.middleware.PermissionsPolicy).
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)

if not DEBUG:
    # The proxy that terminates HTTPS must send X-Forwarded-Proto: https (and overwrite one sent
    # by the client): without it every request looks like plain HTTP and is redirected forever.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    _HTTPS = env_bool("SECURE_COOKIES", True)
    SESSION_COOKIE_SECURE = _HTTPS
    CSRF_COOKIE_SECURE = _HTTPS
    # Served over HTTPS only: plain HTTP is redirected, and browsers are told (HSTS) to use
    # HTTPS for a year without asking. Off with SECURE_COOKIES=false, for a site on plain HTTP.
    SECURE_SSL_REDIRECT = _HTTPS
    # A load balancer asks /healthz over plain HTTP on the inside, not through the proxy.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if _HTTPS else "0"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Content-Security-Policy (django-csp): scripts, styles, images, fonts and requests from this
# site only, no inline script or style, no plugins, no framing, forms posted here only. Inline
# chart data is JSON (json_script), which the browser never runs. `data:` images: the API docs'
# style sheet draws its icons with them. CSP_REPORT_URI sends the browsers' violation reports
# to an operator's collector; CSP_REPORT_ONLY=true reports without blocking, for a trial.
_csp_report_uri = os.environ.get("CSP_REPORT_URI", "").strip()
_CSP_DIRECTIVES: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    # One style attribute, by its hash only: `style="border-top: 0"` of django-simple-history's
    # history page, outside any block its templates let us override.
    "style-src-attr": ["'unsafe-hashes'", "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if _csp_report_uri:
    _CSP_DIRECTIVES["report-uri"] = [_csp_report_uri]
if env_bool("CSP_REPORT_ONLY"):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_DIRECTIVES}
    CONTENT_SECURITY_POLICY = None
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}

# Sessions: a signed-in user stays signed in for SESSION_COOKIE_AGE_HOURS (not Django's two
# weeks: a forgotten session on a shared computer opens refugees' records), and a staff user,
# who reaches every record of a PES through the admin, is signed out after SESSION_IDLE_TIMEOUT
# minutes without a request (crossborder.middleware.StaffIdleTimeout).
SESSION_COOKIE_AGE = int(float(os.environ.get("SESSION_COOKIE_AGE_HOURS", "12")) * 3600)
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", "30"))

# Minutes an uploaded import file waits for its confirmation (crossborder.uploads), in the
# database; then it is deleted on the next upload or by `manage.py purge_import_previews`.
IMPORT_PREVIEW_LIFETIME = int(os.environ.get("IMPORT_PREVIEW_LIFETIME", "60"))

# Login protection (django-axes): every password check goes through authenticate(), which
# AxesStandaloneBackend refuses for a locked-out user name *and* address together. By the pair,
# so that someone trying passwords for `admin` from one address locks `admin` out from that
# address only: the real admin, elsewhere, still logs in, and no one can lock every user out
# from everywhere. An attacker with many addresses gets AXES_FAILURE_LIMIT tries per address:
# the second factor of staff is what stops them. A success clears the failures of the pair; a
# try while locked starts the wait again. AXES_COOLOFF_TIME: minutes (`30`, `30m`) or hours
# (`2h`); `0` keeps a lockout until a superuser lifts it (admin, *Access attempts*, or
# `manage.py axes_reset_username <name>` / `axes_reset`).
# Kept: the failures counting towards a lockout (AccessAttempt: user name, address, browser,
# page, count; the password never), until the cool-off, a success or a reset; each failure
# (AccessFailureLog, at most 1000 a user) and each login and logout (AccessLog) until
# `axes_reset_failure_logs --age N` and `axes_reset_logs --age N` remove them (run nightly);
# superusers read all three in the admin. A lockout is also logged ("AXES: Locking out ...").
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]


def env_duration_minutes(name: str, default: str) -> int:
    """Minutes from `30`, `30m` or `2h`."""
    raw = os.environ.get(name, "").strip().lower() or default
    number, unit = (raw[:-1], raw[-1]) if raw[-1:] in {"m", "h"} else (raw, "m")
    try:
        minutes = float(number) * (60 if unit == "h" else 1)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be minutes (30, 30m) or hours (2h): {raw!r}"
        ) from None
    if minutes < 0:
        raise ImproperlyConfigured(f"{name} must not be negative: {raw!r}")
    return round(minutes)


AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
_axes_cooloff = env_duration_minutes("AXES_COOLOFF_TIME", "30")
AXES_COOLOFF_TIME = timedelta(minutes=_axes_cooloff) if _axes_cooloff else None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The log lines name the user name and the address (what an audit needs); the password is
# always masked.
AXES_SENSITIVE_PARAMETERS: list[str] = []
AXES_LOCKOUT_CALLABLE = "crossborder.accounts.views.locked_out"
# The client's address: the connection's peer, or with TRUSTED_PROXY_COUNT proxies in front
# (each appending to X-Forwarded-For) the address the outermost one saw. 0 trusts no header.
AXES_CLIENT_IP_CALLABLE = "crossborder.accounts.security.client_ip"
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Second factor (django-otp, crossborder/accounts/two_factor.py): required, when on, of
# superusers, staff (who reach the admin) and the roles in TWO_FACTOR_ROLES (of
# projects.roles: coordinator, manager, partner; or `superuser`, `staff`). Off by default with
# DEBUG, so that the demo users sign in with their password under `make run`.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", not DEBUG)
TWO_FACTOR_ROLES = env_list("TWO_FACTOR_ROLES") or ["superuser", "staff", "coordinator"]
_unknown_roles = set(TWO_FACTOR_ROLES) - {"superuser", "staff", "coordinator", "manager", "partner"}
if _unknown_roles:
    raise ImproperlyConfigured(
        f"TWO_FACTOR_ROLES: unknown {', '.join(sorted(_unknown_roles))}; "
        "use superuser, staff, coordinator, manager or partner."
    )
# The name the authenticator app shows beside the user name.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Crossborder")
# A superuser removes a lost device in the admin (OTP_TOTP, OTP_STATIC); its key is not shown.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# /metrics (crossborder/monitoring.py), in Prometheus's format: for a scraper that sends
# `Authorization: Bearer <METRICS_TOKEN>`, or from an address of METRICS_ALLOWED_IPS (addresses or
# networks, comma-separated: 10.0.0.0/8,127.0.0.1). Neither set: /metrics is off (404).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "").strip()
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS")
for _network in METRICS_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_IPS: {_network!r} is not an address or a network (10.0.0.0/8)."
        ) from None

# Log lines on the console: JSON, one object a line with the request's id (crossborder/core/
# logs.py), for a log collector; LOG_FORMAT=text for plain lines (the default with DEBUG).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "crossborder.core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "crossborder.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
