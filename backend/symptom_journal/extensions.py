"""Unbound extension singletons, bound to the app in ``create_app``."""

from __future__ import annotations

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from .api import Api
from .db import Base


class HeaderCSRFProtect(CSRFProtect):
    """Flask-WTF's CSRF check, taking the token from its header only (X-CSRF-Token): the app
    takes no form posts, and looking in the form first parsed every body as a form."""

    def _get_csrf_token(self) -> str | None:
        for header in current_app.config["WTF_CSRF_HEADERS"]:
            token = request.headers.get(header)
            if token:
                return token
        return None


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = HeaderCSRFProtect()
limiter = Limiter(key_func=get_remote_address)
api = Api()
