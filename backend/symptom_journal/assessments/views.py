"""Routes of /api/v1/instruments and /api/v1/assessments."""

from __future__ import annotations

from typing import Any

from ..api import Blueprint
from ..extensions import clinical_settings
from ..record_views import register_record_routes
from .instruments import INSTRUMENTS
from .schemas import (
    AssessmentIn,
    AssessmentListArgs,
    AssessmentOut,
    AssessmentPage,
    AssessmentPatch,
    InstrumentPage,
)
from .service import ASSESSMENTS

instruments_blp = Blueprint(
    "instruments", __name__, url_prefix="/api/v1/instruments", description="Questionnaires."
)
assessments_blp = Blueprint(
    "assessments",
    __name__,
    url_prefix="/api/v1/assessments",
    description="Completed questionnaires.",
)


@instruments_blp.route("", methods=["GET"])
@instruments_blp.response(200, InstrumentPage)
def list_instruments() -> Any:
    """PHQ-9, GAD-7 and PCL-5: item texts, answer options, bands and sources."""
    settings = clinical_settings()
    items = [
        {
            "code": i.code,
            "name": i.name,
            "stem": i.stem,
            "items": [{"number": n, "text": t} for n, t in enumerate(i.items, start=1)],
            "options": [{"value": v, "label": label} for v, label in enumerate(i.options)],
            "min_total": 0,
            "max_total": i.max_total,
            "bands": [
                {"code": b.code, "label": b.label, "min": b.low, "max": b.high} for b in i.bands
            ],
            "reliable_change": settings.reliable_change[i.code],
            "source": i.source,
            # Shown at once when item 9 is answered above 0, even offline.
            "crisis_text": settings.crisis_text if i.code == "phq9" else None,
        }
        for i in INSTRUMENTS.values()
    ]
    return {"items": items, "next_cursor": None}


register_record_routes(
    assessments_blp,
    ASSESSMENTS,
    schema_in=AssessmentIn,
    schema_patch=AssessmentPatch,
    schema_out=AssessmentOut,
    page=AssessmentPage,
    list_args=AssessmentListArgs,
    filter_fields=("instrument", "session_id", "phase"),
)
