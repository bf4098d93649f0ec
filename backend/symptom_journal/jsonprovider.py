"""Flask's JSON provider on orjson: summaries carry thousands of daily points, and the
standard library's encoder took longer than computing them."""

from __future__ import annotations

import json
from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

_OPTIONS = orjson.OPT_NON_STR_KEYS


class OrjsonProvider(DefaultJSONProvider):
    """Encodes with orjson (UUIDs, dates and datetimes included); decodes with the standard
    library, whose errors the rest of the app already handles."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs:  # options orjson does not know (indent, sort_keys...): the standard way
            return super().dumps(obj, **kwargs)
        try:
            return orjson.dumps(obj, default=self.default, option=_OPTIONS).decode()
        except TypeError:
            return super().dumps(obj)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return json.loads(s, **kwargs)
