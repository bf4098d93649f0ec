"""Schemas of share links, the care team and the access log."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import ValidationError, fields, validate

from ..fields import Day, ListArgs, StrictInteger, Text, Timestamp
from ..summaries.schemas import FlagOut


class ShareIn(ma.Schema):
    label = Text(allow_none=True, validate=validate.Length(max=100))
    expires_in_days = StrictInteger(
        load_default=14, validate=validate.Range(min=1, max=90, error="Must be between 1 and 90.")
    )
    from_ = Day(
        data_key="from",
        allow_none=True,
        metadata={"description": "First day shared; without it, the whole history."},
    )
    to = Day(
        allow_none=True,
        metadata={"description": "Last day shared; without it, up to the day of each view."},
    )
    include_notes = fields.Boolean(load_default=False)

    @ma.validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("Must not be after 'to'.", field_name="from")


class ShareOut(ma.Schema):
    id = fields.UUID(required=True)
    label = fields.String(allow_none=True)
    url = fields.String(metadata={"description": "Only when created."})
    token = fields.String(metadata={"description": "Only when created: it is not kept."})
    created_at = Timestamp(required=True)
    expires_at = Timestamp(required=True)
    revoked_at = Timestamp(allow_none=True)
    from_ = fields.Date(data_key="from", attribute="period_from", allow_none=True)
    to = fields.Date(attribute="period_to", allow_none=True)
    include_notes = fields.Boolean(required=True)
    status = fields.String(metadata={"description": "active, expired or revoked"})


class ShareList(ma.Schema):
    items = fields.List(fields.Nested(ShareOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class InviteOut(ma.Schema):
    code = fields.String(required=True)
    expires_at = Timestamp(required=True)


class LinkIn(ma.Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))


class PersonOut(ma.Schema):
    id = fields.UUID(required=True)
    display_name = fields.String(allow_none=True)
    email = fields.String()
    linked_at = Timestamp()


class PersonList(ma.Schema):
    items = fields.List(fields.Nested(PersonOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class LatestScoreOut(ma.Schema):
    total = fields.Integer()
    severity = fields.String()
    completed_at = fields.String()


class PatientOut(PersonOut):
    latest_scores = fields.Dict(keys=fields.String(), values=fields.Nested(LatestScoreOut))
    last_entry_at = fields.String(allow_none=True)
    open_flags = fields.List(fields.Nested(FlagOut))


class PatientList(ma.Schema):
    items = fields.List(fields.Nested(PatientOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class AccessOut(ma.Schema):
    id = fields.UUID(required=True)
    at = Timestamp(required=True)
    actor = fields.String(required=True, metadata={"description": "clinician or share_link"})
    who = fields.String(attribute="actor_name", allow_none=True)
    action = fields.String(required=True)


class AccessList(ma.Schema):
    items = fields.List(fields.Nested(AccessOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class AuditArgs(ListArgs):
    pass
