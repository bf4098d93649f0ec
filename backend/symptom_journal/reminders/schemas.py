"""Schemas of the reminder settings, the upcoming reminders and the calendar feed's link."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

import marshmallow as ma
from marshmallow import ValidationError, fields, validate

from ..fields import StrictInteger, Timestamp

CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


class ClockTime(fields.Field):
    """A local time of day as ``HH:MM`` (24-hour clock)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.strftime("%H:%M")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> time:
        match = CLOCK.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise ValidationError('Give a time of day as "HH:MM", e.g. "20:30".')
        return time(int(match[1]), int(match[2]))


def _minutes(low: int, high: int) -> Any:
    return StrictInteger(
        required=True,
        allow_none=True,
        validate=validate.Range(low, high, error=f"Must be between {low} and {high} minutes."),
    )


class ReminderSettingsIn(ma.Schema):
    enabled = fields.Boolean(required=True, metadata={"description": "Reminders on or off."})
    daily_time = ClockTime(
        required=True, allow_none=True, metadata={"description": "Daily check-in; null: off."}
    )
    before_session_minutes = _minutes(5, 720)
    after_session_minutes = _minutes(15, 720)
    next_morning = fields.Boolean(
        required=True, metadata={"description": "The morning after a session, at the daily time."}
    )
    questionnaire_every_days = StrictInteger(
        required=True,
        allow_none=True,
        validate=validate.Range(7, 90, error="Must be between 7 and 90 days."),
    )
    include_pcl5 = fields.Boolean(required=True)
    quiet_start = ClockTime(required=True, allow_none=True)
    quiet_end = ClockTime(required=True, allow_none=True)
    by_email = fields.Boolean(
        load_default=False, metadata={"description": "Also by email (when the clinic has mail)."}
    )

    @ma.validates_schema
    def _quiet_hours(self, data: dict[str, Any], **_: Any) -> None:
        both = "quiet_start" in data and "quiet_end" in data
        if both and (data["quiet_start"] is None) != (data["quiet_end"] is None):
            raise ValidationError(
                "Give both ends of the quiet hours, or neither.", field_name="quiet_end"
            )


class ReminderSettingsOut(ReminderSettingsIn):
    timezone = fields.String(
        required=True, metadata={"description": "The account's time zone, in which times apply."}
    )
    calendar_active = fields.Boolean(
        required=True, metadata={"description": "Whether a calendar feed link is live."}
    )
    email_available = fields.Boolean(
        required=True, metadata={"description": "Whether this journal can send mail at all."}
    )


class UpcomingArgs(ma.Schema):
    days = fields.Integer(  # a query string's "7"
        load_default=7, validate=validate.Range(1, 31, error="Must be between 1 and 31.")
    )


class ReminderOut(ma.Schema):
    kind = fields.String(
        required=True,
        metadata={
            "description": "daily, before_session, after_session, next_morning or questionnaires"
        },
    )
    due_at = Timestamp(required=True)
    local_time = fields.String(required=True, metadata={"description": "In the account's zone."})
    text = fields.String(required=True)
    session_id = fields.UUID(allow_none=True)
    instruments = fields.List(fields.String(), required=True)


class UpcomingOut(ma.Schema):
    timezone = fields.String(required=True)
    items = fields.List(fields.Nested(ReminderOut), required=True)


class CalendarLinkOut(ma.Schema):
    url = fields.String(required=True, metadata={"description": "Shown only now."})
    token = fields.String(required=True, metadata={"description": "Shown only now: not kept."})


class ReminderSettingsChange(ReminderSettingsIn):
    """Some of the settings (PATCH): the others keep their values."""


class PushKeyOut(ma.Schema):
    public_key = fields.String(
        required=True,
        metadata={"description": "The application server key to subscribe with (base64url)."},
    )


class PushKeys(ma.Schema):
    p256dh = fields.String(required=True, validate=validate.Length(min=80, max=120))
    auth = fields.String(required=True, validate=validate.Length(min=16, max=40))


class PushSubscriptionIn(ma.Schema):
    """A browser's PushSubscription, as its toJSON() gives it."""

    endpoint = fields.Url(required=True, require_tld=False, validate=validate.Length(max=1000))
    keys = fields.Nested(PushKeys, required=True)
    expirationTime = fields.Raw(load_default=None)  # noqa: N815 - the browser's own name


class PushEndpointIn(ma.Schema):
    endpoint = fields.String(required=True, validate=validate.Length(max=1000))
