"""Marshmallow fields and schemas shared by every resource."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import available_timezones

import marshmallow as ma
from marshmallow import ValidationError, fields, validate

# Records outside these years are typing mistakes, and staying inside them keeps
# every offset conversion and database type far from its limits.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


class Text(fields.String):
    """A string without NUL characters or lone surrogates, which databases cannot store."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if _BAD_TEXT.search(text):
            raise ValidationError(
                "Contains characters that cannot be stored (NUL or lone surrogates)."
            )
        return text


def _refuse_hidden_characters(value: Any, kind: str) -> None:
    """Raise ValidationError for text with control or non-ASCII characters: a date or time
    is validated whole, and the parser would stop at a NUL and take what came before."""
    if isinstance(value, str) and not (value.isascii() and value.isprintable()):
        raise ValidationError(f"Not a valid {kind}: it holds a control or non-ASCII character.")


class StrictFloat(fields.Float):
    """A finite JSON number; strings and booleans are refused, as for strict integers."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_nan=False, **kwargs)

    def _validated(self, value: Any) -> float:
        if isinstance(value, (str, bool)) or not isinstance(value, (int, float)):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class StrictInteger(fields.Integer):
    """A JSON integer: ``7.5``, ``7.0``, ``"7"`` and ``true`` are refused."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class Timestamp(fields.AwareDateTime):
    """An ISO 8601 timestamp with an offset in whole minutes; naive ones are refused."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)
        self.error_messages["invalid_awareness"] = (
            "Give the time with its UTC offset, e.g. 2026-01-31T08:30:00+01:00."
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        _refuse_hidden_characters(value, "datetime")
        moment = super()._deserialize(value, attr, data, **kwargs)
        offset = moment.utcoffset() or timedelta(0)
        if offset.total_seconds() % 60:
            raise ValidationError("The UTC offset must be in whole minutes.")
        if not EARLIEST <= moment < LATEST:
            raise ValidationError("Must be between the years 1900 and 2199.")
        return moment

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return value.isoformat()


class QueryTimestamp(Timestamp):
    """A Timestamp in a query string, where an unescaped ``+`` in the offset arrives as a space."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if isinstance(value, str):
            value = _SPACE_OFFSET.sub(r"\1+\2", value)
        return super()._deserialize(value, attr, data, **kwargs)


_SPACE_OFFSET = re.compile(r"^(.+T[0-9:.]+) ([0-9]{2}:?[0-9]{2})$")


class Day(fields.Date):
    """A calendar date ``YYYY-MM-DD`` between the years 1900 and 2199."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        _refuse_hidden_characters(value, "date")
        day = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST.date() <= day < LATEST.date():
            raise ValidationError("Must be between the years 1900 and 2199.")
        return day


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_timezone(name: str) -> None:
    """Raise ValidationError unless ``name`` is an IANA time zone."""
    if name not in _timezones():
        raise ValidationError("Not a known IANA time zone, e.g. Europe/Berlin or America/New_York.")


class Cursor(fields.Field):
    """An opaque, URL-safe page cursor; unreadable ones are a validation error."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if not isinstance(value, str) or len(value) > 500:
            raise ValidationError("Invalid cursor: pass next_cursor from the previous page.")
        raw = value
        try:
            padded = raw + "=" * (-len(raw) % 4)
            decoded = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        except (ValueError, binascii.Error, UnicodeError):
            raise ValidationError(
                "Invalid cursor: pass next_cursor from the previous page."
            ) from None
        if not isinstance(decoded, list) or not all(isinstance(part, str) for part in decoded):
            raise ValidationError("Invalid cursor: pass next_cursor from the previous page.")
        return decoded


def encode_cursor(parts: list[str]) -> str:
    """Return the opaque cursor for the given key parts."""
    raw = json.dumps(parts, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


class ListArgs(ma.Schema):
    """Query arguments every list takes."""

    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=500),
        metadata={"description": "Page size, 1-500."},
    )
    cursor = Cursor(metadata={"description": "next_cursor of the previous page."})


class RecordListArgs(ListArgs):
    """Query arguments of the lists of a patient's records."""

    from_ = Day(data_key="from", metadata={"description": "First local date, inclusive."})
    to = Day(metadata={"description": "Last local date, inclusive."})
    updated_since = QueryTimestamp(
        metadata={
            "description": "List records changed at or after this time, oldest change first, "
            "deleted ones as tombstones."
        }
    )

    @ma.validates_schema
    def _from_before_to(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("Must not be after 'to'.", field_name="from")
