"""Input and output schemas of treatment sessions and journal entries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import marshmallow as ma
from marshmallow import ValidationError, fields, validate

from ..extensions import clinical_settings
from ..fields import RecordListArgs, StrictFloat, StrictInteger, Text, Timestamp
from ..schemas import RecordOut, page_schema
from .models import PHASES, SIDE_EFFECTS, TREATMENTS
from .service import entry_problems


def _score(low: int, high: int, description: str) -> StrictInteger:
    return StrictInteger(
        allow_none=True,
        validate=validate.Range(min=low, max=high, error=f"Must be between {low} and {high}."),
        metadata={"description": description},
    )


def _multiple_of_quarter(value: float) -> None:
    if (value * 4) % 1:
        raise ValidationError("Must be a multiple of 0.25 hours.")


def _unique(values: list[str]) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("List each side effect once.")


class SessionIn(ma.Schema):
    """A treatment session as the client sends it."""

    id = fields.UUID(metadata={"description": "Client-made UUID; with PUT, the one in the path."})
    started_at = Timestamp(required=True)
    duration_minutes = StrictInteger(
        allow_none=True, validate=validate.Range(min=1, max=600, error="Must be between 1 and 600.")
    )
    treatment = fields.String(
        required=True, validate=validate.OneOf(TREATMENTS, error="Must be one of: {choices}.")
    )
    dose_mg = StrictFloat(
        allow_none=True,
        validate=validate.Range(
            min=0, min_inclusive=False, max=100_000, error="Must be above 0 and at most 100000."
        ),
    )
    clinic = Text(allow_none=True, validate=validate.Length(max=200))
    notes = Text(allow_none=True, validate=validate.Length(max=4000))


class SessionPatch(SessionIn):
    """Fields of a treatment session to change; null clears an optional one."""

    class Meta:
        exclude = ("id",)


class SessionOut(RecordOut):
    started_at = Timestamp(attribute="started_at_local")
    duration_minutes = fields.Integer(allow_none=True)
    treatment = fields.String(validate=validate.OneOf(TREATMENTS))
    dose_mg = fields.Float(allow_none=True)
    clinic = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)


class LinkedRecordIn(ma.Schema):
    """Fields and rules of a record that may belong to a treatment session (entries and
    assessments); each subclass names its cross-field rules as ``rules``."""

    rules: ClassVar[staticmethod[[Mapping[str, Any]], dict[str, list[str]]]]

    id = fields.UUID(metadata={"description": "Client-made UUID; with PUT, the one in the path."})
    session_id = fields.UUID(allow_none=True, metadata={"description": "Your treatment session."})
    phase = fields.String(
        allow_none=True,
        validate=validate.OneOf(PHASES, error="Must be one of: {choices}."),
        metadata={"description": "pre or post; with session_id."},
    )

    @ma.validates_schema
    def _rules(self, data: dict[str, Any], partial: Any = None, **_: Any) -> None:
        if partial:
            return  # checked against the stored record by the service
        problems = type(self).rules(data)
        if problems:
            raise ValidationError(problems)


class EntryIn(LinkedRecordIn):
    """A journal entry as the client sends it: a time and at least one measure."""

    recorded_at = Timestamp(required=True)
    mood = _score(0, 10, "0 worst, 10 best.")
    anxiety = _score(0, 10, "0 none, 10 worst.")
    sleep_hours = StrictFloat(
        allow_none=True,
        validate=[
            validate.Range(min=0, max=24, error="Must be between 0 and 24."),
            _multiple_of_quarter,
        ],
    )
    sleep_quality = _score(0, 10, "0 very poor, 10 excellent.")
    dissociation = _score(0, 10, "0 none.")
    systolic = _score(60, 260, "mmHg; with diastolic.")
    diastolic = _score(30, 160, "mmHg; with systolic, and below it.")
    heart_rate = _score(25, 250, "Beats per minute.")
    side_effects = fields.List(
        fields.String(validate=validate.OneOf(SIDE_EFFECTS, error="Must be one of: {choices}.")),
        allow_none=True,
        validate=_unique,
        metadata={"description": "null is taken as none: []."},
    )
    note = Text(allow_none=True, validate=validate.Length(max=2000))
    rules = staticmethod(entry_problems)

    @ma.post_load
    def _no_side_effects_is_empty(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        # A list is stored as a list: null would come back as null and break every export.
        if "side_effects" in data and data["side_effects"] is None:
            data["side_effects"] = []
        return data


class EntryPatch(EntryIn):
    """Fields of an entry to change; null clears an optional one."""

    class Meta:
        exclude = ("id",)


class EntryOut(RecordOut):
    recorded_at = Timestamp(attribute="recorded_at_local")
    mood = fields.Integer(allow_none=True)
    anxiety = fields.Integer(allow_none=True)
    sleep_hours = fields.Float(allow_none=True)
    sleep_quality = fields.Integer(allow_none=True)
    dissociation = fields.Integer(allow_none=True)
    systolic = fields.Integer(allow_none=True)
    diastolic = fields.Integer(allow_none=True)
    heart_rate = fields.Integer(allow_none=True)
    side_effects = fields.Function(
        lambda entry: list(entry.side_effects or []),
        metadata={"type": "array", "items": {"type": "string"}},
    )
    note = fields.String(allow_none=True)
    session_id = fields.UUID(allow_none=True)
    phase = fields.String(allow_none=True)
    flags = fields.Method(
        "_flags", metadata={"description": "Flag kinds this entry raises (bp_high), at once."}
    )

    def _flags(self, entry: Any) -> list[str]:
        return ["bp_high"] if clinical_settings().bp_high(entry.systolic, entry.diastolic) else []


class EntryListArgs(RecordListArgs):
    session_id = fields.UUID()
    phase = fields.String(validate=validate.OneOf(PHASES, error="Must be one of: {choices}."))


SessionPage = page_schema(SessionOut, "SessionPage")
EntryPage = page_schema(EntryOut, "EntryPage")
