"""Schemas of instruments and assessments."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ..extensions import clinical_settings
from ..fields import RecordListArgs, StrictInteger, Timestamp
from ..journal.models import PHASES
from ..journal.schemas import LinkedRecordIn
from ..schemas import RecordOut, page_schema
from .instruments import CODES
from .service import assessment_problems


class AssessmentIn(LinkedRecordIn):
    """A completed questionnaire: every item answered, in order."""

    instrument = fields.String(
        required=True, validate=validate.OneOf(CODES, error="Must be one of: {choices}.")
    )
    completed_at = Timestamp(required=True)
    answers = fields.List(
        StrictInteger(validate=validate.Range(min=0, max=4)),
        required=True,
        validate=validate.Length(max=20, error="No instrument has more than 20 items."),
        metadata={"description": "One whole number per item, in item order."},
    )
    rules = staticmethod(assessment_problems)


class AssessmentPatch(AssessmentIn):
    class Meta:
        exclude = ("id",)


class AssessmentOut(RecordOut):
    instrument = fields.String(required=True)
    completed_at = Timestamp(attribute="completed_at_local")
    answers = fields.List(fields.Integer())
    session_id = fields.UUID(allow_none=True)
    phase = fields.String(allow_none=True)
    total = fields.Integer(metadata={"description": "Sum of the answers."})
    severity = fields.String(metadata={"description": "Band of the total (CLINICAL.md)."})
    flags = fields.Method("_flags", metadata={"description": "Flag kinds this record raises."})
    dsm5_criteria_met = fields.Boolean(metadata={"description": "PCL-5 only."})
    crisis_text = fields.Method(
        "_crisis_text", metadata={"description": "PHQ-9 with item 9 above 0 only."}
    )

    def _flags(self, record: Any) -> list[str]:
        return ["suicidal_ideation"] if record.suicidal_item else []

    def _crisis_text(self, record: Any) -> str | None:
        return clinical_settings().crisis_text if record.suicidal_item else None

    @ma.post_dump(pass_original=True)
    def _conditional(self, data: dict[str, Any], original: Any, **_: Any) -> dict[str, Any]:
        if "deleted" in data:
            return data
        if original.instrument != "pcl5":
            data.pop("dsm5_criteria_met", None)
        if not original.suicidal_item:
            data.pop("crisis_text", None)
        return data


class AssessmentListArgs(RecordListArgs):
    instrument = fields.String(validate=validate.OneOf(CODES, error="Must be one of: {choices}."))
    session_id = fields.UUID()
    phase = fields.String(validate=validate.OneOf(PHASES, error="Must be one of: {choices}."))


class OptionOut(ma.Schema):
    value = fields.Integer(required=True)
    label = fields.String(required=True)


class BandOut(ma.Schema):
    code = fields.String(required=True)
    label = fields.String(required=True)
    min = fields.Integer(required=True)
    max = fields.Integer(required=True)


class ItemOut(ma.Schema):
    number = fields.Integer(required=True)
    text = fields.String(required=True)


class InstrumentOut(ma.Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    stem = fields.String(required=True)
    items = fields.List(fields.Nested(ItemOut), required=True)
    options = fields.List(fields.Nested(OptionOut), required=True)
    min_total = fields.Integer(required=True)
    max_total = fields.Integer(required=True)
    bands = fields.List(fields.Nested(BandOut), required=True)
    reliable_change = fields.Integer(
        required=True, metadata={"description": "Points of change that count as reliable."}
    )
    source = fields.String(required=True)
    crisis_text = fields.String(
        allow_none=True, metadata={"description": "PHQ-9: shown when item 9 is above 0."}
    )


AssessmentPage = page_schema(AssessmentOut, "AssessmentPage")
InstrumentPage = page_schema(InstrumentOut, "InstrumentPage")
