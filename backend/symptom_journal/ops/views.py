"""Operations: the health check and the interactive API docs."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Blueprint as FlaskBlueprint
from flask import current_app, send_from_directory
from marshmallow import fields
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..api import Blueprint
from ..errors import error_response
from ..extensions import db
from ..pages.shell import ONE_YEAR

blp = Blueprint("health", __name__, url_prefix="/api/v1", description="Operations.")
docs = FlaskBlueprint("docs", __name__)

SWAGGER_UI = "swagger-ui-dist-5.35.0"


class HealthOut(ma.Schema):
    status = fields.String(required=True)
    database = fields.String(required=True)


@blp.route("/health", methods=["GET"])
@blp.response(200, HealthOut)
@blp.alt_response(503, description="The database cannot be reached.")
def health() -> Any:
    """Whether the app and its database answer."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("health check: database unreachable")
        return error_response(503, "The database cannot be reached.")
    return {"status": "ok", "database": "ok"}


@docs.route("/api/docs")
def api_docs() -> Any:
    """The interactive API documentation, served from the app's own files."""
    return send_from_directory(current_app.config["FRONTEND_DIR"] / "docs", "index.html")


@docs.route("/api/docs/<path:name>")
def api_docs_asset(name: str) -> Any:
    """A file of the docs page; Swagger UI's, named by its version, is kept a year."""
    folder = current_app.config["FRONTEND_DIR"]
    if name.startswith(f"vendor/{SWAGGER_UI}/"):
        response = send_from_directory(folder, name, max_age=ONE_YEAR)
        response.cache_control.immutable = True
    else:
        response = send_from_directory(folder / "docs", name)
    return response
