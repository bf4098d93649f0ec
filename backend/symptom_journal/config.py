"""Configuration, read from the environment only."""

from __future__ import annotations

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from .accounts.sealing import parse_keys
from .clinical import DEFAULT_CRISIS_TEXT
from .clinical import DEFAULTS as CLINICAL_DEFAULTS

# The push services of Chrome, Firefox, Safari and Edge (reminders/push.py).
DEFAULT_PUSH_HOSTS = (
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "web.push.apple.com",
    "*.notify.windows.com",
)

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_DIR.parents[1]
# Run from a checkout (``make run``, an editable install) or from an installed wheel.
IN_CHECKOUT = (SOURCE_ROOT / "pyproject.toml").is_file()


def default_instance_path() -> Path:
    """Return the instance folder: ``$INSTANCE_PATH``, else ``instance/`` at the checkout's top.

    An installed wheel has no checkout: there it is Flask's own default,
    ``<prefix>/var/symptom_journal-instance``.
    """
    if os.environ.get("INSTANCE_PATH"):
        return Path(os.environ["INSTANCE_PATH"]).resolve()
    if IN_CHECKOUT:
        return SOURCE_ROOT / "instance"
    return Path(sys.prefix) / "var" / "symptom_journal-instance"


def bundled(name: str) -> Path:
    """Return ``frontend`` or ``migrations``: beside ``backend/``, or inside an installed wheel."""
    return SOURCE_ROOT / name if IN_CHECKOUT else PACKAGE_DIR / name


def _choice(
    name: str, allowed: tuple[str, ...], default: str, aliases: dict[str, str] | None = None
) -> str:
    """Return the environment variable ``name``, one of ``allowed`` (or of ``aliases``, for
    the value it stands for); raise naming it."""
    value = os.environ.get(name, default).strip().lower() or default
    value = (aliases or {}).get(value, value)
    if value not in allowed:
        raise ValueError(
            f"environment variable {name} must be {' or '.join(allowed)}, got {value!r}"
        )
    return value


def env_int(name: str, default: int) -> int:
    """Return the integer environment variable ``name``; raise ``ValueError`` naming it."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"environment variable {name} must be an integer, got {raw!r}") from None


def load_secret_key(instance_path: Path) -> str:
    """Return ``$SECRET_KEY``, else the key kept in the instance folder, made on first use."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    instance_path.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when two workers start at once, only one key is ever written.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def sqlalchemy_url(url: str) -> str:
    """Return ``url`` with the psycopg 3 driver named for plain ``postgres[ql]://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def build_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the app's settings from the environment, with ``overrides`` applied last."""
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'journal.db'}"
    config: dict[str, Any] = {
        "SECRET_KEY": None,  # filled in by create_app unless overridden
        "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # A pooled connection to a database server unused this many seconds is checked
        # before use (db.ping_after_idle).
        "DATABASE_PING_AFTER_IDLE": env_int("DATABASE_PING_AFTER_IDLE", 5),
        "MAX_CONTENT_LENGTH": env_int("MAX_CONTENT_LENGTH", 1024 * 1024),
        # Sessions, CSRF and cookies
        "SESSION_COOKIE_NAME": "sj_csrf",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "LOGIN_COOKIE_NAME": "sj_session",
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_HEADERS": ["X-CSRF-Token"],
        # The token lives as long as the browser's cookie session, not one hour: a phone
        # that was offline all afternoon must still be able to sync.
        "WTF_CSRF_TIME_LIMIT": None,
        "PATIENT_SESSION_IDLE": timedelta(days=env_int("PATIENT_SESSION_IDLE_DAYS", 30)),
        "PATIENT_SESSION_LIFETIME": timedelta(days=env_int("PATIENT_SESSION_MAX_DAYS", 90)),
        "CLINICIAN_SESSION_IDLE": timedelta(minutes=env_int("CLINICIAN_SESSION_IDLE_MINUTES", 30)),
        "CLINICIAN_SESSION_LIFETIME": timedelta(hours=env_int("CLINICIAN_SESSION_MAX_HOURS", 12)),
        # Rate limits
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_KEY_PREFIX": "symptom-journal",
        # If Redis goes away, count in memory rather than fail every request.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "true").lower() != "false",
        "LOGIN_FAILURES_PER_ACCOUNT": env_int("LOGIN_FAILURES_PER_ACCOUNT", 10),
        "LOGIN_FAILURE_WINDOW": timedelta(minutes=env_int("LOGIN_FAILURE_WINDOW_MINUTES", 15)),
        "LOGIN_FAILURES_PER_ADDRESS": os.environ.get(
            "LOGIN_FAILURES_PER_ADDRESS", "100 per 15 minutes"
        ),
        "REGISTRATIONS_PER_ADDRESS": os.environ.get("REGISTRATIONS_PER_ADDRESS", "100 per hour"),
        # Who may register as a clinician: anyone (open), anyone who then confirms their
        # address by a mailed link before opening patient data (verified), or nobody: the
        # operator makes clinician accounts with `flask create-user` (off).
        "CLINICIAN_SELF_REGISTRATION": _choice(
            "CLINICIAN_SELF_REGISTRATION",
            ("open", "verified", "off"),
            "open",
            aliases={"false": "off", "no": "off", "0": "off", "true": "open", "yes": "open"},
        ),
        # Clinicians must set up a second step of signing in before opening patient data.
        "CLINICIAN_MFA_REQUIRED": os.environ.get("CLINICIAN_MFA_REQUIRED", "false").strip().lower()
        in ("1", "true", "yes"),
        # Keys sealing authenticator apps' secrets (accounts/sealing.py): Fernet keys,
        # comma-separated, the first sealing; without any, a key derived from SECRET_KEY.
        "FACTOR_ENCRYPTION_KEYS": parse_keys(os.environ.get("FACTOR_ENCRYPTION_KEYS", "")),
        "PASSWORD_RESETS_PER_ADDRESS": os.environ.get("PASSWORD_RESETS_PER_ADDRESS", "30 per hour"),
        "PASSWORD_RESETS_PER_ACCOUNT": os.environ.get("PASSWORD_RESETS_PER_ACCOUNT", "5 per hour"),
        "UNKNOWN_TOKENS_PER_ADDRESS": os.environ.get(
            "UNKNOWN_TOKENS_PER_ADDRESS", "30 per 15 minutes"
        ),
        # Mail (mail.py): off without MAIL_SERVER
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": env_int("MAIL_PORT", 587),
        "MAIL_SECURITY": _choice("MAIL_SECURITY", ("starttls", "tls", "none"), "starttls"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "Symptom Journal <no-reply@localhost>"),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        # Web Push (reminders/push.py)
        "VAPID_PRIVATE_KEY": os.environ.get("VAPID_PRIVATE_KEY", ""),
        "VAPID_SUBJECT": os.environ.get("VAPID_SUBJECT", ""),
        "PUSH_SERVICE_HOSTS": [
            host.strip()
            for host in os.environ.get("PUSH_SERVICE_HOSTS", "").split(",")
            if host.strip()
        ]
        or list(DEFAULT_PUSH_HOSTS),
        # Logs (ops/logs.py): "text" or "json"; one access line per request unless off.
        "LOG_FORMAT": _choice("LOG_FORMAT", ("text", "json"), "text"),
        "ACCESS_LOG": os.environ.get("ACCESS_LOG", "true").lower() not in ("0", "false", "no"),
        # Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
        "TRUSTED_PROXIES": env_int("TRUSTED_PROXIES", 0),
        # Clinical settings (CLINICAL.md; clinical.py reads them)
        "CRISIS_TEXT": os.environ.get("CRISIS_TEXT") or DEFAULT_CRISIS_TEXT,
        **{name: env_int(name, default) for name, default in CLINICAL_DEFAULTS.items()},
        # OpenAPI
        "API_TITLE": "Symptom Journal",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "FRONTEND_DIR": Path(os.environ.get("FRONTEND_DIR") or bundled("frontend")),
        "MIGRATIONS_DIR": bundled("migrations"),
    }
    config.update(overrides or {})
    return config
