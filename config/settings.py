"""Settings classes, each overridable from the environment.

Every upper-case attribute below can be set by an environment variable of the same name, so a
deployment never has to edit code: ``DUE_DATE_WEEKEND_RULE=previous flask --app wsgi run``.
Values from the environment are cast to the type of the default (bool, int, float, str).
``load_config`` turns a class plus overrides into a plain dict *before* the app is built, so
extensions are always initialised with the final values.
"""
from __future__ import annotations

import os
import secrets
from typing import Any, Mapping


class ConfigError(RuntimeError):
    """A setting is missing or invalid; raised at start-up so a bad deploy fails fast."""


class BaseConfig:
    SECRET_KEY = ""
    # Where development keeps the key it makes for itself when SECRET_KEY is not set;
    # empty: ``secret_key`` in the instance folder.
    SECRET_KEY_FILE = ""
    DATABASE_URL = ""  # empty: SQLite file in the instance folder
    SQLALCHEMY_ECHO = False
    SQLALCHEMY_RECORD_QUERIES = False
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # "Keep me signed in" lasts this long (seconds); without it a session ends after this many
    # idle hours. Both are enforced on the server, where signing out ends them at once.
    REMEMBER_COOKIE_DURATION = 30 * 86400
    SIGN_IN_IDLE_HOURS = 12
    # Failed sign-ins allowed per account and per client address in a window of minutes; the
    # next is refused (429) until the oldest leaves the window. Reset requests likewise.
    SIGN_IN_ACCOUNT_ATTEMPTS = 5
    SIGN_IN_ACCOUNT_MINUTES = 15
    SIGN_IN_ADDRESS_ATTEMPTS = 50
    SIGN_IN_ADDRESS_MINUTES = 15
    RESET_ACCOUNT_ATTEMPTS = 3
    RESET_ACCOUNT_MINUTES = 60
    RESET_ADDRESS_ATTEMPTS = 20
    RESET_ADDRESS_MINUTES = 60
    PASSWORD_RESET_MINUTES = 60  # how long a "forgot my password" link works; once only
    # Personal access tokens (services/access_tokens.py): each token may make this many API
    # requests in any window of this many seconds; the next is refused (429, Retry-After).
    TOKEN_RATE_LIMIT = 300
    TOKEN_RATE_WINDOW_SECONDS = 60
    # Single sign-on with OpenID Connect (tracker/auth/oidc.py): on when all three are set.
    # People are matched by verified email to accounts HR made; nobody is created by signing in.
    OIDC_ISSUER = ""  # https://id.example.com (discovery: <issuer>/.well-known/openid-...)
    OIDC_CLIENT_ID = ""
    OIDC_CLIENT_SECRET = ""
    OIDC_PROVIDER_NAME = "single sign-on"  # the button says "Sign in with <this>"
    OIDC_SCOPES = "openid email profile"
    OIDC_TIMEOUT_SECONDS = 10  # each call to the provider (discovery, keys, token)
    # A PEM file of the CA that signed the provider's certificate, when it is not one the
    # system trusts (an in-house provider); empty: the system's trusted CAs.
    OIDC_CA_BUNDLE = ""
    OIDC_REQUIRE_HTTPS = False  # production refuses an issuer that is not https://
    # False: the sign-in page offers single sign-on only, and no password is accepted or reset.
    PASSWORD_SIGN_IN = True
    PREFERENCE_LINK_DAYS = 90  # how long the preference/unsubscribe link in an email works
    # Behind a reverse proxy, how many proxies add X-Forwarded-For: the client's address is
    # what throttling counts against. 0 trusts no header (a client could forge it).
    PROXY_COUNT = 0
    # next: move Saturday/Sunday due dates to Monday; previous: to Friday; none: keep them.
    DUE_DATE_WEEKEND_RULE = "next"
    DEFAULT_TIMEZONE = "UTC"
    ROLE_LIBRARY_DIR = ""  # empty: the library shipped in tracker/library
    ADMIN_PAGE_SIZE = 50
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    PASSWORD_MIN_LENGTH = 10
    # werkzeug's scrypt is deliberately slow; tests use a cheap method to stay fast.
    PASSWORD_HASH_METHOD = "scrypt"
    UPLOAD_DIR = ""  # empty: instance/uploads, outside the static files
    MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    UPLOAD_EXTENSIONS = "pdf,png,jpg,jpeg,gif,webp,txt,md,csv,json,ipynb,zip"
    # Role library uploads in the studio: the file as sent, every template in it unpacked
    # (the shipped library is about 160 KB), and the entries a zip may hold.
    LIBRARY_UPLOAD_BYTES = 1024 * 1024
    LIBRARY_UNPACKED_BYTES = 2 * 1024 * 1024
    LIBRARY_UPLOAD_FILES = 200
    # How long a "set your password" link from HR stays valid; using it once also ends it.
    INVITATION_MAX_AGE_DAYS = 14
    # A milestone's check-in can be filled in from this many days before its due date.
    CHECKIN_OPENS_DAYS_BEFORE = 14
    # At risk (services/at_risk.py): this many goals still open more than the grace days after
    # their milestone was due, or the latest signed check-in rated at risk or off track, or the
    # latest pulse answer at this confidence or lower (1 to 5).
    AT_RISK_OVERDUE_GOALS = 1
    AT_RISK_GRACE_DAYS = 7
    AT_RISK_PULSE_CONFIDENCE = 2

    # Email. Flask-Mail's names, read from the environment like everything else.
    MAIL_BACKEND = "file"  # "smtp", or "file": .eml files in MAIL_FILE_DIR (local runs)
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_DEFAULT_SENDER = "Onboarding Tracker <onboarding@localhost>"
    MAIL_TIMEOUT = 30
    MAIL_FILE_DIR = ""  # empty: instance/mail
    # Links in emails point here: the scheduler has no request to take the host from.
    BASE_URL = "http://127.0.0.1:5000"

    # The outbox dispatcher: how many rows one claim takes, how long it holds them, and retries.
    DISPATCH_BATCH_SIZE = 50
    DISPATCH_LEASE_SECONDS = 300
    DISPATCH_MAX_ATTEMPTS = 6
    DISPATCH_BACKOFF_SECONDS = 60  # first retry after about this long, then doubling
    DISPATCH_BACKOFF_MAX_SECONDS = 6 * 3600
    # Outgoing webhooks go through the same claim, retries and backoff as the DISPATCH_* above.
    WEBHOOK_TIMEOUT = 10  # seconds for one delivery: connect, send, and the receiver's answer
    # Private, loopback and reserved addresses are refused (SSRF); true allows them, for tests
    # and for receivers on the deployment's own network.
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    # Reminders in chat (README "Reminders in Slack and Microsoft Teams"), through the same
    # outbox. Slack: the bot token (xoxb-...) of the app made from docs/slack-app-manifest.yaml;
    # empty: no Slack. Teams and other chats need nothing here: each person gives the
    # incoming-webhook address of their own chat on their preferences page.
    SLACK_BOT_TOKEN = ""
    SLACK_API_URL = "https://slack.com/api/"  # tests point it at a server on loopback
    CHAT_TIMEOUT = 10  # seconds for one call to Slack or one POST to a chat webhook
    # Webhook addresses are https to public hosts only; true also takes http://127.0.0.1 (tests).
    CHAT_WEBHOOK_ALLOW_LOOPBACK = False

    # Reminder rules: when they go out, and each one's switch and timing.
    REMINDER_LOCAL_HOUR = 9  # in the recipient's own time zone
    REMINDER_SKIP_WEEKENDS = True  # a reminder due on Saturday or Sunday waits for Monday
    REMINDER_LOOKBACK_DAYS = 7  # how far back a sweep looks for what it missed while down
    REMINDER_STALE_HOURS = 48  # missed by more than this: recorded as skipped_stale, not sent
    REMIND_WELCOME = True
    REMIND_MILESTONE_DAYS = "7,1"  # days before a milestone's due date; empty turns it off
    REMIND_CHECKIN = True
    REMIND_OVERDUE_DAYS = "1,3,7"  # after a goal's due date: to its owner, the manager, HR
    REMIND_REVIEW_AFTER_BUSINESS_DAYS = 2  # 0 turns it off
    REMIND_PULSE = True
    DIGEST_WEEKDAY = 0  # Monday; -1 turns the weekly manager digest off
    # The scheduler process: how often it sweeps and dispatches, and how late a tick may run.
    SWEEP_EVERY_MINUTES = 5
    DISPATCH_EVERY_SECONDS = 60
    SCHEDULER_MISFIRE_GRACE_SECONDS = 600


class DevelopmentConfig(BaseConfig):
    # No key in the source: without SECRET_KEY, the app makes one for this instance folder
    # (tracker/secret_key.py), so a server started without TRACKER_CONFIG signs nothing that
    # anyone reading the code could forge.
    SECRET_KEY = ""


class TestingConfig(BaseConfig):
    TESTING = True
    BASE_URL = "http://tracker.test"
    # Random per process, never written in the source: even a server started by mistake with
    # TRACKER_CONFIG=testing signs nothing anyone could forge.
    SECRET_KEY = secrets.token_hex(32)
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the tests' receivers listen on loopback
    CHAT_WEBHOOK_ALLOW_LOOPBACK = True  # so do the chat tests' Slack and Teams stand-ins


class ProductionConfig(BaseConfig):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_SECONDS = 31_536_000  # browsers use HTTPS only, for a year; 0 turns it off
    OIDC_REQUIRE_HTTPS = True
    REQUIRED = ("SECRET_KEY", "DATABASE_URL")


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def _cast(raw: str, like: Any, name: str) -> Any:
    if isinstance(like, bool):
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{name}={raw!r} is not a boolean (use true/false)")
    if isinstance(like, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if isinstance(like, float):
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"{name}={raw!r} is not a number") from None
    return raw


def load_config(
    config: str | type[BaseConfig] | Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """Resolve the settings for one app: class defaults, then environment, then overrides.

    ``config`` may be a name ("development", "testing", "production"), a class, or a mapping
    of overrides on top of the class named by ``TRACKER_CONFIG`` (default: development).
    """
    environ = os.environ if environ is None else environ
    extra: dict[str, Any] = {}
    if config is None or isinstance(config, Mapping):
        extra = dict(config or {})
        config = environ.get("TRACKER_CONFIG", "development")
    if isinstance(config, str):
        try:
            config = CONFIGS[config.lower()]
        except KeyError:
            raise ConfigError(
                f"TRACKER_CONFIG={config!r} is unknown; use one of {', '.join(CONFIGS)}"
            ) from None
    values = {k: getattr(config, k) for k in dir(config) if k.isupper()}
    for name, default in list(values.items()):
        if name in environ and name != "REQUIRED":
            values[name] = _cast(environ[name], default, name)
    for name, raw in environ.items():
        # Settings we have no default for (MAIL_*, say) still pass through as strings.
        if name.isupper() and name not in values and name.startswith(("MAIL_", "TRACKER_")):
            values[name] = raw
    values.update(extra)
    values.update(overrides)
    _validate(values)
    return values


def _validate(values: dict[str, Any]) -> None:
    missing = [name for name in values.get("REQUIRED", ()) if not values.get(name)]
    if missing:
        raise ConfigError(
            "production settings need " + " and ".join(missing) + " set in the environment"
        )
    from tracker.services.due_dates import WEEKEND_RULES  # the one list, beside the rule itself

    rule = values.get("DUE_DATE_WEEKEND_RULE")
    if rule not in WEEKEND_RULES:
        raise ConfigError(
            f"DUE_DATE_WEEKEND_RULE={rule!r} is unknown; use one of {', '.join(WEEKEND_RULES)}"
        )
    _validate_sign_in(values)
    for name in ("TOKEN_RATE_LIMIT", "TOKEN_RATE_WINDOW_SECONDS"):
        if not isinstance(values.get(name), int) or values[name] < 1:
            raise ConfigError(f"{name}={values.get(name)!r} must be a whole number of 1 or more")
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(values.get("DEFAULT_TIMEZONE") or "")
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"DEFAULT_TIMEZONE={values.get('DEFAULT_TIMEZONE')!r} is not an IANA time zone"
        ) from None


OIDC_SETTINGS = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")


def _validate_sign_in(values: dict[str, Any]) -> None:
    """Half a single sign-on setup, or no way in at all, is a deploy mistake: refuse to start."""
    given = [name for name in OIDC_SETTINGS if values.get(name)]
    if given and len(given) < len(OIDC_SETTINGS):
        missing = [name for name in OIDC_SETTINGS if name not in given]
        raise ConfigError("single sign-on needs " + " and ".join(missing) + " set as well")
    issuer = str(values.get("OIDC_ISSUER") or "")
    if issuer and not issuer.startswith(("https://", "http://")):
        raise ConfigError(f"OIDC_ISSUER={issuer!r} is not an http(s) URL")
    if issuer and values.get("OIDC_REQUIRE_HTTPS") and not issuer.startswith("https://"):
        raise ConfigError(f"OIDC_ISSUER={issuer!r} must use https:// in production")
    if not values.get("PASSWORD_SIGN_IN", True) and not given:
        raise ConfigError("PASSWORD_SIGN_IN is off but single sign-on is not set up "
                          "(OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET): nobody could sign in")
