"""Unbound extension singletons, bound to the app in ``create_app``."""

from __future__ import annotations

from flask import current_app, g
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from .api import Api
from .clinical import ClinicalSettings, from_config
from .db import Base

db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
# The token is read from the X-CSRF-Token header (WTF_CSRF_HEADERS); the check runs only
# where auth.register_auth decides (WTF_CSRF_CHECK_DEFAULT is off).
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
api = Api()


def clinical_settings() -> ClinicalSettings:
    """Return the clinical settings of the running app (clinical.py), read from its config
    once per request (a page of entries asks for each entry's flags)."""
    settings = g.get("clinical_settings")
    if settings is None:
        settings = g.clinical_settings = from_config(current_app.config)
    return settings
