"""Unbound extension singletons, bound to the app in ``create_app``."""

from __future__ import annotations

import hmac
from functools import lru_cache

from flask import current_app, g, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect, same_origin
from itsdangerous import BadData, URLSafeTimedSerializer

from .api import Api
from .db import Base

# Flask-WTF's salt for its tokens; a token signed otherwise fails the check below and is
# then judged by Flask-WTF itself.
CSRF_SALT = "wtf-csrf-token"


@lru_cache(maxsize=4096)
def _signed_secret(secret_key: str | bytes, token: str) -> str:
    """Return the session secret a CSRF token carries (BadData if it was not signed with
    ``secret_key``). Kept per token: a client sends the same one with every request."""
    carried = URLSafeTimedSerializer(secret_key, salt=CSRF_SALT).loads(token)
    if not isinstance(carried, str):
        raise BadData("The CSRF token carries no secret.")
    return carried


class HeaderCSRFProtect(CSRFProtect):
    """Flask-WTF's CSRF check, taking the token from its header only (X-CSRF-Token): the app
    takes no form posts, and looking in the form first parsed every body as a form.

    A token that Flask-WTF would accept is accepted without checking its signature again
    once a worker has checked it (tokens here do not expire: ``WTF_CSRF_TIME_LIMIT`` is
    None). Anything else, a missing, forged or expired token, goes to Flask-WTF's check,
    which refuses it with its own message.
    """

    def _get_csrf_token(self) -> str | None:
        for header in current_app.config["WTF_CSRF_HEADERS"]:
            token = request.headers.get(header)
            if token:
                return token
        return None

    def protect(self, apply_exemptions: bool = False) -> None:
        if apply_exemptions or not self._token_matches_session():
            super().protect(apply_exemptions)
            return
        config = current_app.config
        if request.is_secure and config["WTF_CSRF_SSL_STRICT"]:
            # Flask-WTF's same-origin Referer check over HTTPS, as it makes it.
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not same_origin(request.referrer, f"https://{request.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True

    def _token_matches_session(self) -> bool:
        config = current_app.config
        if request.method not in config["WTF_CSRF_METHODS"]:
            return False
        if config["WTF_CSRF_TIME_LIMIT"] is not None:
            return False  # tokens that expire are checked in full every time
        token = self._get_csrf_token()
        expected = session.get(config["WTF_CSRF_FIELD_NAME"])
        if not token or not isinstance(expected, str):
            return False
        secret_key = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
        if not secret_key:
            return False
        try:
            carried = _signed_secret(secret_key, token)
        except BadData:
            return False
        return hmac.compare_digest(carried, expected)


class RequestLoginManager(LoginManager):
    """Flask-Login with its request loader as the only way to a user: the app keeps no user
    id in Flask's session and sets no remember cookie (its own login cookie is read by the
    loader), so what Flask-Login checks before the loader is skipped: a hash of the
    client's address and browser for its session protection (off here), the session's user
    id and the remember cookie. That was 5% of a signed-in request."""

    def _load_user(self) -> None:
        self._update_request_context_with_user(self._load_user_from_request(request))


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = RequestLoginManager()
csrf = HeaderCSRFProtect()
limiter = Limiter(key_func=get_remote_address)
api = Api()
