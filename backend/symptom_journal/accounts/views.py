"""Routes of /api/v1/auth: register, sign in and out, the user, devices, password."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app, g, request, session
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from ..api import Blueprint
from ..db import utcnow
from ..errors import Forbidden, Unauthorized
from ..extensions import db, limiter
from . import service
from .auth import (
    bind_csrf_to_login,
    clear_login_cookie,
    csrf_bound_to_login,
    current_login_id,
    hasher,
    policies,
    set_login_cookie,
    throttle,
)
from .models import User
from .schemas import (
    CsrfOut,
    LoginIn,
    LoginSessionList,
    PasswordChangeIn,
    ProfilePatch,
    RegisterIn,
    UserOut,
)

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Accounts and sign-in.")


def _failed_login(response: Any) -> bool:
    return bool(response.status_code == 401)


def _sign_in(user: User) -> None:
    old = current_login_id()
    if old is not None:
        service.end_session(db.session, login_id=old)
    policy = policies()[user.role]
    login, token = service.start_session(
        db.session,
        user=user,
        policy=policy,
        user_agent=request.headers.get("User-Agent"),
        now=utcnow(),
    )
    set_login_cookie(token, policy)
    bind_csrf_to_login(login.id)


@blp.route("/csrf", methods=["GET"])
@blp.response(200, CsrfOut)
def csrf_token() -> Any:
    """Get the token to send as X-CSRF-Token with every unsafe request."""
    login_id = current_login_id()
    if login_id is not None and not csrf_bound_to_login():
        # A CSRF secret that this sign-in did not make (or one from before binding) is
        # replaced, not adopted: whoever planted it knows its token.
        session.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)
        g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)
        bind_csrf_to_login(login_id)
    return {"csrf_token": generate_csrf()}


@blp.route("/register", methods=["POST"])
@limiter.limit(lambda: current_app.config["REGISTRATIONS_PER_ADDRESS"])
@blp.arguments(RegisterIn)
@blp.response(201, UserOut)
def register(data: dict[str, Any]) -> Any:
    """Create an account and sign in."""
    user = service.register(db.session, hasher=hasher(), **data)
    _sign_in(user)
    db.session.commit()
    return user


@blp.route("/login", methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"], deduct_when=_failed_login)
@blp.arguments(LoginIn)
@blp.response(200, UserOut)
def login(data: dict[str, Any]) -> Any:
    """Sign in; after too many failures for the account, 429 with Retry-After."""
    try:
        user = service.authenticate(
            db.session, hasher=hasher(), throttle=throttle(), now=utcnow(), **data
        )
    except Unauthorized:
        db.session.commit()  # keep the failure count
        raise
    _sign_in(user)
    db.session.commit()
    return user


@blp.route("/logout", methods=["POST"])
@login_required
@blp.response(204)
def logout() -> None:
    """Sign out this device; its cookie never works again."""
    login_id = current_login_id()
    if login_id is not None:
        service.end_session(db.session, login_id=login_id)
    db.session.commit()
    session.clear()
    clear_login_cookie()


@blp.route("/me", methods=["GET"])
@login_required
@blp.response(200, UserOut)
def me() -> Any:
    """The signed-in user."""
    return current_user


@blp.route("/me", methods=["PATCH"])
@login_required
@blp.arguments(ProfilePatch)
@blp.response(200, UserOut)
def update_me(data: dict[str, Any]) -> Any:
    """Change your display name or time zone."""
    user = db.session.get(User, current_user.id)
    for name, value in data.items():
        setattr(user, name, value)
    db.session.commit()
    return user


@blp.route("/sessions", methods=["GET"])
@login_required
@blp.response(200, LoginSessionList)
def list_sessions() -> Any:
    """Your signed-in devices, newest first."""
    current = current_login_id()
    items = [
        {
            "id": login.id,
            "created_at": login.created_at,
            "last_seen_at": login.last_seen_at,
            "expires_at": login.expires_at,
            "user_agent": login.user_agent,
            "current": login.id == current,
        }
        for login in service.list_sessions(db.session, user_id=current_user.id)
    ]
    return {"items": items, "next_cursor": None}


@blp.route("/sessions/<uuid:session_id>", methods=["DELETE"])
@login_required
@blp.response(204)
def revoke_session(session_id: uuid.UUID) -> None:
    """Sign out one of your devices."""
    service.revoke_session(db.session, user_id=current_user.id, session_id=session_id)
    db.session.commit()
    if session_id == current_login_id():
        session.clear()
        clear_login_cookie()


@blp.route("/password", methods=["POST"])
@login_required
@blp.arguments(PasswordChangeIn)
@blp.response(204)
def change_password(data: dict[str, Any]) -> None:
    """Change your password; every other device is signed out."""
    user = db.session.get(User, current_user.id)
    assert user is not None
    try:
        service.change_password(
            db.session,
            hasher=hasher(),
            user=user,
            keep_session_id=current_login_id(),
            throttle=throttle(),
            now=utcnow(),
            **data,
        )
    except Forbidden:
        db.session.commit()  # keep the failure count
        raise
    db.session.commit()
