"""The Flask side of signing in: the session cookie, the current user, CSRF and roles."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, after_this_request, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from ..db import utcnow
from ..errors import error_response
from ..extensions import csrf, db, login_manager
from .factors import has_any_factor
from .models import SignedInUser
from .passwords import PasswordHasher
from .recovery import is_verified
from .service import (
    SessionPolicy,
    Throttle,
    email_key,
    needs_touch,
    resolve_session,
    touch_session,
)

F = TypeVar("F", bound=Callable[..., Any])

# Anonymous unsafe requests are CSRF-checked only where they act without an account:
# signing in and registering (login CSRF). Everywhere else they get 401 first.
ANONYMOUS_CSRF_ENDPOINTS = {
    "auth.login",
    "auth.register",
    "auth.ask_password_reset",
    "auth.confirm_password_reset",
    "auth.verify_email",
    "auth.login_second_step",
    "auth.passkey_login_options",
    "auth.passkey_login",
}


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session (it holds the CSRF secret and the login it is bound to),
    marked Secure whenever the request came over HTTPS, as the contract asks, without a
    setting that the operator could forget."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(request.is_secure or app.config.get("SESSION_COOKIE_SECURE"))


def policies() -> dict[str, SessionPolicy]:
    """Return the session policy of each role from the settings."""
    config = current_app.config
    return {
        "patient": SessionPolicy(
            config["PATIENT_SESSION_IDLE"], config["PATIENT_SESSION_LIFETIME"]
        ),
        "clinician": SessionPolicy(
            config["CLINICIAN_SESSION_IDLE"], config["CLINICIAN_SESSION_LIFETIME"]
        ),
    }


def throttle() -> Throttle:
    """Return the per-account failed sign-in limit from the settings."""
    return Throttle(
        current_app.config["LOGIN_FAILURES_PER_ACCOUNT"], current_app.config["LOGIN_FAILURE_WINDOW"]
    )


def hasher() -> PasswordHasher:
    """Return the app's password hasher."""
    return cast(PasswordHasher, current_app.extensions["password_hasher"])


SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "TRACE"))


def load_user_from_request(_request: Any) -> SignedInUser | None:
    """Return the user of a live login session named by the cookie, else None."""
    token = request.cookies.get(current_app.config["LOGIN_COOKIE_NAME"])
    if not token or len(token) > 128:
        return None
    now = utcnow()
    writes = request.method not in SAFE_METHODS
    if writes:
        # The lookup only reads. On SQLite a request that may write begins IMMEDIATE, taking
        # the one write lock; the lookup reads in a deferred transaction of its own instead,
        # ended below, so that a writer holds the lock for its writes only, not while its
        # body is read and checked (two workers otherwise wrote one after the other).
        db.session.connection(execution_options={"sqlite_begin": "DEFERRED"})
    found = resolve_session(db.session, token=token, policies=policies(), now=now)
    if found is not None and needs_touch(found[0], now):
        db.session.commit()  # the touch writes: in a transaction of its own
        touch_session(db.session, login_id=found[0].id, now=now)
        db.session.commit()
    elif writes:
        db.session.commit()
    if found is None:
        return None
    g.login_session, user = found
    return user


# The key of Flask's cookie session that names the login session its CSRF secret serves.
CSRF_LOGIN_KEY = "login"


def bind_csrf_to_login(login_id: uuid.UUID) -> None:
    """Bind the CSRF secret of this browser to ``login_id``: from now on its token passes
    only with that login's session cookie."""
    session[CSRF_LOGIN_KEY] = str(login_id)


def csrf_bound_to_login() -> bool:
    """Return whether the CSRF secret sent is bound to the request's login session: another
    person's CSRF cookie and token do not pass with your session cookie."""
    login_id = current_login_id()
    return login_id is not None and session.get(CSRF_LOGIN_KEY) == str(login_id)


def current_login_id() -> uuid.UUID | None:
    """Return the id of the request's login session, if it has one."""
    if not current_user.is_authenticated:  # also loads the user, and with it the session
        return None
    login = g.get("login_session")
    return login.id if login is not None else None


def current_second_factor() -> str | None:
    """How the request's sign-in passed a second step ("totp", "recovery_code",
    "passkey"), or None for a password alone (or no sign-in)."""
    if not current_user.is_authenticated:
        return None
    login = g.get("login_session")
    return login.second_factor if login is not None else None


def set_login_cookie(token: str, policy: SessionPolicy) -> None:
    """Send the session cookie with this request's response."""

    @after_this_request
    def _set(response: Response) -> Response:
        response.set_cookie(
            current_app.config["LOGIN_COOKIE_NAME"],
            token,
            max_age=int(policy.lifetime.total_seconds()),
            httponly=True,
            secure=request.is_secure,
            samesite="Lax",
            path="/",
        )
        return response


def clear_login_cookie() -> None:
    """Remove the session cookie with this request's response."""

    @after_this_request
    def _clear(response: Response) -> Response:
        response.delete_cookie(
            current_app.config["LOGIN_COOKIE_NAME"],
            httponly=True,
            secure=request.is_secure,
            samesite="Lax",
            path="/",
        )
        return response


def role_required(role: str) -> Callable[[F], F]:
    """Decorate a view so that only signed-in users of ``role`` reach it (401, else 403)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role != role:
                return error_response(403, f"This is only for {role} accounts.")
            if (
                role == "clinician"
                and current_app.config["CLINICIAN_SELF_REGISTRATION"] == "verified"
                and not is_verified(db.session, current_user.id, email_key(current_user.email))
            ):
                return error_response(
                    403,
                    "Confirm your address first: open the link we mailed you "
                    "(or ask for a new one in Settings).",
                )
            if (
                role == "clinician"
                and current_app.config["CLINICIAN_MFA_REQUIRED"]
                and current_second_factor() is None
            ):
                if has_any_factor(db.session, current_user.id):
                    return error_response(
                        403,
                        "This sign-in used a password alone. Sign in again with a code "
                        "from your authenticator app or with a passkey to open patients' "
                        "journals.",
                    )
                return error_response(
                    403,
                    "Set up two-step sign-in (an authenticator app or a passkey) before "
                    "opening patients' journals: it is under Your account.",
                )
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def register_auth(app: Flask) -> None:
    """Wire the cookie session, the user loader and the CSRF check into the app."""
    app.session_interface = CookieSessionInterface()
    app.extensions["password_hasher"] = PasswordHasher(
        app.config.get("PASSWORD_HASH_PROFILE", "default")
    )
    login_manager.session_protection = None
    login_manager.request_loader(load_user_from_request)

    @login_manager.unauthorized_handler
    def _unauthorized() -> Response:
        return error_response(401, "Sign in first: POST /api/v1/auth/login.")

    @app.before_request
    def _check_csrf() -> None:
        if request.method in SAFE_METHODS:
            return
        if request.routing_exception is not None:
            return  # an unknown path or method answers 404/405, not a CSRF error
        if current_user.is_authenticated:
            csrf.protect()
            if not csrf_bound_to_login():
                raise CSRFError(
                    "The CSRF token belongs to another sign-in than this session cookie."
                )
        elif request.endpoint in ANONYMOUS_CSRF_ENDPOINTS:
            csrf.protect()
