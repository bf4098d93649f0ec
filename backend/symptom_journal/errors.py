"""The one JSON error shape, and the domain errors services raise instead of HTTP ones."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError


class DomainError(Exception):
    """An expected failure of a service call, mapped to one HTTP status."""

    status = 400

    def __init__(
        self,
        message: str,
        *,
        errors: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = dict(errors) if errors else None
        self.headers = dict(headers) if headers else {}


class NotFound(DomainError):
    status = 404


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class PreconditionFailed(DomainError):
    status = 412


class Invalid(DomainError):
    """A body that is well-formed but breaks a rule; ``errors`` maps field names to messages."""

    status = 422

    def __init__(self, errors: Mapping[str, Any], location: str = "json") -> None:
        super().__init__("The request was well-formed but had invalid values.")
        self.errors = {location: dict(errors)}


class TooManyRequests(DomainError):
    status = 429


def error_response(
    status: int,
    message: str | None = None,
    *,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Return a response in the product's error shape: ``{code, status, message, errors?}``."""
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {"code": status, "status": phrase, "message": message or phrase}
    if errors:
        body["errors"] = dict(errors)
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


# The longest request line (method, path with query, version) and the most header bytes
# the app takes; past them it answers 414 / 431 in the JSON shape (gunicorn_conf.py sets
# gunicorn's own limits above these).
MAX_REQUEST_LINE = 4096
MAX_HEADER_BYTES = 16384


def register_request_limits(app: Flask) -> None:
    """Answer an over-long request line (414) or over-large headers (431) before anything
    else reads the request."""

    @app.before_request
    def _limits() -> Response | None:
        environ = request.environ
        target = environ.get("RAW_URI") or environ.get("REQUEST_URI") or request.full_path
        if len(target) + len(request.method) + 10 > MAX_REQUEST_LINE:
            return error_response(414, f"The request line is longer than {MAX_REQUEST_LINE} bytes.")
        size = sum(len(name) + len(value) + 4 for name, value in request.headers.items())
        if size > MAX_HEADER_BYTES:
            return error_response(431, f"The headers are larger than {MAX_HEADER_BYTES} bytes.")
        return None


def register_error_handlers(app: Flask) -> None:
    """Map domain errors, CSRF failures and bodies of the wrong type to the JSON shape."""

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Response:
        return error_response(
            error.status, error.message, errors=error.errors, headers=error.headers
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_unavailable(error: Exception) -> Response:
        # The database is down, unreachable or read-only: nothing of this request was
        # saved, and the client should send it again later (sync writes are idempotent).
        app.logger.error("database unavailable: %s", type(error).__name__, exc_info=error)
        try:
            from .extensions import db

            db.session.rollback()
        except Exception:  # noqa: S110 - the connection may be gone for good
            pass
        return error_response(
            503,
            "The database is unavailable right now; nothing was saved. Try again shortly.",
            headers={"Retry-After": "5"},
        )

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> Response:
        # Flask-WTF reports CSRF failures as 400; the contract says 403.
        return error_response(
            403,
            f"{error.description} Fetch a token from GET /api/v1/auth/csrf and send it "
            "as the X-CSRF-Token header.",
        )

    @app.before_request
    def _require_json_bodies() -> Response | None:
        # A body of another type would otherwise be read as "no body" and yield
        # misleading "missing field" errors.
        if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return None
        has_body = (
            bool(request.content_length)
            or "chunked" in request.headers.get("Transfer-Encoding", "").lower()
        )
        if has_body and not (request.is_json):
            return error_response(
                415,
                "Send the request body as JSON with 'Content-Type: application/json'.",
            )
        return None
