"""Flask's JSON provider on orjson: summaries carry thousands of daily points, and the
standard library's encoder took longer than computing them."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider


def _iso_default(value: Any) -> Any:
    """What the standard library's encoder writes for a datetime or UUID, when a document
    goes its way: the same as orjson does (ISO 8601, not Flask's default HTTP date)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return DefaultJSONProvider.default(value)


class OrjsonProvider(DefaultJSONProvider):
    """Encodes with orjson (UUIDs, dates and datetimes included); decodes with the standard
    library, whose errors the rest of the app already handles."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        # Flask's response() always asks for compact separators (orjson's only style) or,
        # in debug, an indent of 2; any other option goes the standard library's way.
        option = 0
        kwargs.pop("separators", None)
        if kwargs.pop("indent", None):
            option |= orjson.OPT_INDENT_2
        if kwargs:
            kwargs.setdefault("default", _iso_default)
            return super().dumps(obj, **kwargs)
        try:
            return orjson.dumps(obj, default=self.default, option=option).decode()
        except TypeError:
            pass
        # Keys other than strings (the OpenAPI document's status codes), which the standard
        # encoder accepts too: asked for only when needed, since the option slows every dict.
        try:
            return orjson.dumps(
                obj, default=self.default, option=option | orjson.OPT_NON_STR_KEYS
            ).decode()
        except TypeError:
            return super().dumps(obj, default=_iso_default)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return json.loads(s, **kwargs)
