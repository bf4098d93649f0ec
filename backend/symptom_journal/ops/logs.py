"""The app's logs: one access line per request and the error log, as text or JSON.

``LOG_FORMAT=json`` writes one JSON object per line (python-json-logger) for an operator's
log pipeline; the default is a line of text. Either way an access line names the route's
pattern (``/s/<token>``, never the token), the status, the time taken and the size, and a
request id; it holds no query string, body, cookie, email or address. Queries are logged
without their parameters (the engine's ``hide_parameters``), so no health data reaches an
error's message.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, Response, g, request
from pythonjsonlogger.json import JsonFormatter

ACCESS_LOGGER = "symptom_journal.access"
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ACCESS_TEXT = (
    "%(method)s %(route)s %(status)s %(duration_ms)sms %(bytes)s bytes request_id=%(request_id)s"
)
JSON_FIELDS = ["asctime", "levelname", "name", "message"]
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}


class StderrHandler(logging.StreamHandler):
    """Write to the ``sys.stderr`` of the moment, which a server or a test may replace."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def _formatter(kind: str) -> logging.Formatter:
    if kind == "json":
        return JsonFormatter(JSON_FIELDS, rename_fields=RENAMED, json_ensure_ascii=False)
    return logging.Formatter(TEXT_FORMAT)


def _install(
    logger: logging.Logger, formatter: logging.Formatter, level: int = logging.INFO
) -> None:
    """Give ``logger`` one handler to stderr (replacing one a previous app set here)."""
    for handler in list(logger.handlers):
        if getattr(handler, "symptom_journal", False):
            logger.removeHandler(handler)
    handler = StderrHandler()
    handler.symptom_journal = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter)
    logger.addHandler(handler)
    logger.setLevel(level)
    if logger is not logging.getLogger():
        logger.propagate = False
    logger.disabled = False  # a logging.config.fileConfig (Alembic's, in env.py) may have set it


class JournalFlask(Flask):
    """The app class: an unhandled error is logged under its route's pattern, not the
    path (Flask's own message names the path, which may hold a share token)."""

    def log_exception(self, exc_info: Any) -> None:
        route = request.url_rule.rule if request.url_rule is not None else "(no route)"
        self.logger.error(
            "Exception on %s [%s] request_id=%s",
            route,
            request.method,
            g.get("request_id"),
            exc_info=exc_info,
        )


def register_logging(app: Flask) -> None:
    """Set up the error and access logs; register before every other ``after_request``
    function, so that the access line is written last, with the size sent."""
    kind = app.config["LOG_FORMAT"]
    formatter = _formatter(kind)
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)
    _install(app.logger, formatter)
    access = logging.getLogger(ACCESS_LOGGER)
    _install(access, formatter)
    # Other libraries' warnings and errors, in the same format.
    _install(logging.getLogger(), formatter, logging.WARNING)

    @app.before_request
    def _start() -> None:
        g.request_started = time.perf_counter()
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex

    @app.after_request
    def _access(response: Response) -> Response:
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        if app.config["ACCESS_LOG"]:
            fields = _access_fields(response, request_id)
            if kind == "json":
                access.info("request", extra=fields)
            else:
                access.info(ACCESS_TEXT, fields)
        return response


def _access_fields(response: Response, request_id: str) -> dict[str, Any]:
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    route = request.url_rule.rule if request.url_rule is not None else "(no route)"
    fields = {
        "method": request.method,
        "route": route,
        "status": response.status_code,
        "duration_ms": duration,
        "bytes": response.content_length,
        "request_id": request_id,
    }
    return fields
