"""flask-smorest's Api and Blueprint, adjusted to the product's error contract."""

from __future__ import annotations

import json
from typing import Any

import flask
import flask_smorest
from flask_limiter.errors import RateLimitExceeded
from webargs.flaskparser import FlaskParser, abort
from werkzeug.exceptions import HTTPException

DEFAULT_MESSAGES = {
    400: "The request could not be read: see errors.",
    422: "Some values are invalid: see errors, by location and field.",
}


class JSONBodyParser(FlaskParser):
    """webargs' Flask parser, answering 400 for every unreadable JSON body.

    The stock parser lets ``RecursionError`` (deeply nested arrays) and ``ValueError``
    (integers past Python's digit limit) escape as 500s.
    """

    def _raw_load_json(self, req: flask.Request) -> Any:
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise
        except (RecursionError, ValueError) as exc:
            abort(400, exc=exc, messages={"json": ["Invalid JSON body."]})


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = JSONBodyParser()

    def arguments(self, schema: Any, **kwargs: Any) -> Any:
        """As flask-smorest's, with a schema class made an instance once, here: given a class,
        webargs would make a new instance, fields and all, on every request."""
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, **kwargs)


class Api(flask_smorest.Api):
    """Api whose errors always carry ``message`` and keep Werkzeug's headers (``Allow``)."""

    def handle_http_exception(self, error: HTTPException) -> Any:
        payload, code, headers = super().handle_http_exception(error)
        if error.code in DEFAULT_MESSAGES and "errors" in payload:
            payload["message"] = DEFAULT_MESSAGES[error.code]
        own_message = isinstance(error, RateLimitExceeded) and error.limit.error_message
        if error.code == 429 and "message" not in payload and not own_message:
            # Flask-Limiter's description is the bare limit, e.g. "100 per 1 hour", unless
            # the limit has a message of its own.
            payload["message"] = (
                f"Too many requests from this address (limit: {error.description}). "
                "Try again after the number of seconds in Retry-After."
            )
        payload.setdefault("message", error.description or error.name)
        merged = dict(error.get_headers())
        merged.pop("Content-Type", None)
        merged.update(headers or {})
        return flask.jsonify(payload), code, merged
