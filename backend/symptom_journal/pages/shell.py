"""The PWA's files, served by the app itself.

The shell (``/``), the service worker (``/sw.js``) and the manifest are checked on every
load, so that an update arrives. Everything they load lives under ``/assets/<version>/``,
where the version is a digest of the files: those answers never change, and browsers keep
them for a year without asking again. The three entry files name the current version through
the ``{{ASSETS}}`` marker, which is replaced as they are served.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, request, send_from_directory

bp = Blueprint("shell", __name__)

ASSET_FOLDERS = ("css", "js", "icons", "vendor")
ONE_YEAR = 365 * 24 * 3600
ONE_DAY = 24 * 3600
MARKER = "{{ASSETS}}"


@dataclass(frozen=True)
class Frontend:
    """The PWA's folder and the version of its files."""

    root: Path
    version: str

    @classmethod
    def read(cls, root: Path) -> Frontend:
        """Return the folder with the digest of every file in it (names and contents)."""
        digest = hashlib.sha256()
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
        return cls(root, digest.hexdigest()[:12])

    @property
    def prefix(self) -> str:
        return f"/assets/{self.version}"


def register_frontend(app: Flask) -> None:
    """Read the PWA's folder once, when the app is made."""
    app.extensions["frontend"] = Frontend.read(Path(app.config["FRONTEND_DIR"]))


def frontend() -> Frontend:
    files: Frontend = current_app.extensions["frontend"]
    return files


def _entry(name: str, mimetype: str) -> Response:
    """One of the three entry files, naming the current assets, revalidated on each load."""
    files = frontend()
    text = (files.root / name).read_text(encoding="utf-8").replace(MARKER, files.prefix)
    response = Response(text, mimetype=mimetype)
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    response.make_conditional(request)
    return response


@bp.route("/")
def index() -> Response:
    """The app shell."""
    return _entry("index.html", "text/html")


@bp.route("/sw.js")
def service_worker() -> Response:
    return _entry("sw.js", "text/javascript")


@bp.route("/manifest.webmanifest")
def manifest() -> Response:
    return _entry("manifest.webmanifest", "application/manifest+json")


@bp.route("/favicon.ico")
def favicon() -> Response:
    """The app's icon, for every page (a PNG: every browser in use takes one here)."""
    return send_from_directory(frontend().root / "icons", "icon-192.png", max_age=ONE_DAY)


@bp.route("/assets/<version>/<any(css, js, icons, vendor):folder>/<path:name>")
def asset(version: str, folder: str, name: str) -> Response:
    """A file of the app, kept a year when asked for under the current version.

    An older version's address (a page loaded just before an update) gets today's file,
    marked to be checked again rather than kept.
    """
    files = frontend()
    current = version == files.version
    response = send_from_directory(files.root / folder, name, max_age=ONE_YEAR if current else None)
    if current:
        response.cache_control.public = True
        response.cache_control.immutable = True
    else:
        response.headers["Cache-Control"] = "no-cache"
    if name.endswith(".js"):
        response.mimetype = "text/javascript"
    return response
