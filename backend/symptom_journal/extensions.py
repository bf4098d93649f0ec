"""Unbound extension singletons, bound to the app in ``create_app``."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g
from flask_compress import Compress
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
compress = Compress()


def register_compression(app: Flask) -> None:
    """Compress text answers of 1 KB and more (zstd, brotli or gzip, as the client accepts).

    Registered before every other ``after_request`` function, so it runs last, on the
    finished answer. A record's answer keeps its ETag as PRODUCT.md defines it (the record's
    version): compression would rewrite it to ``"3:br"``, which no ``If-Match`` names; records
    are small and go uncompressed.
    """
    app.config.setdefault("COMPRESS_REGISTER", False)
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)
    app.config.setdefault(
        "COMPRESS_MIMETYPES",
        [
            "text/html",
            "text/css",
            "text/csv",
            "text/plain",
            "text/javascript",
            "application/json",
            "application/manifest+json",
            "application/fhir+json",
            "image/svg+xml",
        ],
    )
    compress.init_app(app)

    compressible = set(app.config["COMPRESS_MIMETYPES"])

    @app.after_request
    def _compress(response: Response) -> Response:
        if response.mimetype == "application/json" and "ETag" in response.headers:
            return response
        if response.direct_passthrough and response.mimetype in compressible:
            read_whole(response)
        return compress.after_request(response)


def read_whole(response: Response) -> Response:
    """Read a served file into memory and close it at once.

    Compression then sees the whole body (with its length, and gzip among the encodings
    offered), and no file stays open behind a compressed stream. The files served are
    small: the largest, Swagger UI's bundle, is 1.7 MB.
    """
    file = response.response
    response.direct_passthrough = False
    response.make_sequence()
    close = getattr(file, "close", None)
    if close is not None:
        close()
    return response


def _unknown_token(response: Response) -> bool:
    return response.status_code == 404


def unknown_token_limit(scope: str) -> Any:
    """A per-address limit on guessed tokens (share links, calendar feeds): only answers of
    404 count, so a person using a real link is never limited."""
    return limiter.shared_limit(
        lambda: current_app.config["UNKNOWN_TOKENS_PER_ADDRESS"],
        scope=scope,
        deduct_when=_unknown_token,
    )


def clinical_settings() -> ClinicalSettings:
    """Return the clinical settings of the running app (clinical.py), read from its config
    once per request (a page of entries asks for each entry's flags)."""
    settings = g.get("clinical_settings")
    if settings is None:
        settings = g.clinical_settings = from_config(current_app.config)
    return settings
