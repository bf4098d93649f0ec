"""The PWA's files, served by the app itself: the shell at /, the service worker at /sw.js."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, send_from_directory

bp = Blueprint("shell", __name__)

ASSET_FOLDERS = ("css", "js", "icons", "vendor")


def _frontend() -> Path:
    return Path(current_app.config["FRONTEND_DIR"])


def _fresh(response: Response) -> Response:
    # The shell and the worker must be checked on every load, or an update never arrives.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/")
def index() -> Response:
    """The app shell."""
    return _fresh(send_from_directory(_frontend(), "index.html"))


@bp.route("/sw.js")
def service_worker() -> Response:
    response = send_from_directory(_frontend(), "sw.js", mimetype="text/javascript")
    return _fresh(response)


@bp.route("/manifest.webmanifest")
def manifest() -> Response:
    return send_from_directory(
        _frontend(), "manifest.webmanifest", mimetype="application/manifest+json"
    )


@bp.route("/<any(css, js, icons, vendor):folder>/<path:name>")
def asset(folder: str, name: str) -> Response:
    """A file of the app; JavaScript is served with its module-friendly type."""
    response = send_from_directory(_frontend() / folder, name)
    if name.endswith(".js"):
        response.mimetype = "text/javascript"
    return response
