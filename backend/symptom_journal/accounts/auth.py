"""The Flask side of signing in: the session cookie, the current user, CSRF and roles."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar, cast

from flask import Flask, Request, Response, after_this_request, current_app, g, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import update

from ..db import request_connection, standalone, utcnow
from ..errors import error_response
from ..extensions import csrf, db, login_manager
from .models import LoginSession, SignedInUser
from .passwords import PasswordHasher
from .service import SessionPolicy, Throttle, needs_touch, resolve_session

F = TypeVar("F", bound=Callable[..., Any])

# Anonymous unsafe requests are CSRF-checked only where they act without an account:
# signing in and registering (login CSRF). Everywhere else they get 401 first.
ANONYMOUS_CSRF_ENDPOINTS = {"auth.login", "auth.register"}


# Cookies whose signature a worker has checked, kept so that it is checked once, not on
# every request: a client sends the same cookie each time, and checking it had cost more
# than anything else in reading a request. Only cookies that passed are kept.
VERIFIED_COOKIES = 4096


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session (it only holds the CSRF secret), marked Secure over HTTPS.

    It accepts exactly the cookies Flask's would. A cookie's signature is checked once per
    worker, against the keys of the moment (``SECRET_KEY`` and its fallbacks), and kept in
    ``VERIFIED_COOKIES``; its age is checked on every request.
    """

    def __init__(self) -> None:
        super().__init__()
        self._serializers: dict[tuple[str | bytes, ...], URLSafeTimedSerializer] = {}
        self._verified = lru_cache(maxsize=VERIFIED_COOKIES)(self._verify)

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(request.is_secure or app.config.get("SESSION_COOKIE_SECURE"))

    def _serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's signing serializer, made once per set of keys (SECRET_KEY and its
        fallbacks): cookies checked under other keys are then never found again."""
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        serializer = self._serializers.get(keys)
        if serializer is None:
            if len(self._serializers) >= 8:  # keys rotated many times over: start afresh
                self._serializers.clear()
            serializer = self.get_signing_serializer(app)
            if serializer is not None:
                self._serializers[keys] = serializer
        return serializer

    @staticmethod
    def _verify(serializer: URLSafeTimedSerializer, value: str) -> tuple[dict[str, Any], int]:
        data, signed_at = serializer.loads(value, return_timestamp=True)
        return data, int(signed_at.timestamp())

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # Flask's, with its common case first: an unchanged session sets no cookie (Flask
        # read six cookie settings before finding that out).
        if not self.should_set_cookie(app, session):
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        value = request.cookies.get(self.get_cookie_name(app))
        serializer = self._serializer(app)
        if not value or serializer is None:
            return super().open_session(app, request)
        try:
            data, signed_at = self._verified(serializer, value)
        except BadSignature:
            return self.session_class()
        # As itsdangerous counts it: whole seconds, and a cookie from the future is refused.
        age = int(time.time()) - signed_at
        if not 0 <= age <= int(app.permanent_session_lifetime.total_seconds()):
            return self.session_class()
        # A copy: a request's changes must not reach the kept value (it holds strings only).
        return self.session_class(data)


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
    # Looked up outside the request's transaction, on the request's connection for
    # statements that stand alone: a request that writes then begins its write transaction
    # (IMMEDIATE on SQLite, where one writer goes at a time) at the view's first query, and
    # no other worker waits for this one to parse its body. The one SELECT needs no
    # transaction of its own.
    connection = standalone(request_connection(db.engine))
    found = resolve_session(connection, token=token, policies=policies(), now=now)
    if found is None:
        return None
    login, user = found
    g.login_session = login
    if needs_touch(login, now):
        _touch(login.id, now)
    return user


def _touch(login_id: uuid.UUID, now: Any) -> None:
    # A separate short write transaction: the request's own may be a read-only one.
    with db.engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        conn.execute(
            update(LoginSession).where(LoginSession.id == login_id).values(last_seen_at=now)
        )
        conn.commit()


def current_login_id() -> uuid.UUID | None:
    """Return the id of the request's login session, if it has one."""
    login = g.get("login_session")
    return login.id if login is not None else None


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
        if current_user.is_authenticated or request.endpoint in ANONYMOUS_CSRF_ENDPOINTS:
            csrf.protect()
