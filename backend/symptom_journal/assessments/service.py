"""Rules and scoring of stored assessments."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from ..db import DbSession
from ..errors import Invalid
from ..journal.service import check_session_link, session_link_problems
from ..records import RecordKind
from .instruments import answer_problems, score
from .models import Assessment

ASSESSMENT_FIELDS = ("completed_at", "instrument", "answers", "session_id", "phase")


def assessment_problems(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Return the problems of an assessment's full content, by field name."""
    problems = session_link_problems(values)
    answers = answer_problems(values.get("instrument", ""), values.get("answers"))
    if answers:
        problems["answers"] = answers
    return problems


def check_assessment(session: DbSession, owner_id: uuid.UUID, values: Mapping[str, Any]) -> None:
    """Raise Invalid for answers that do not fit the instrument, or another's session."""
    problems = assessment_problems(values)
    check_session_link(session, owner_id, values, problems)
    if problems:
        raise Invalid(problems)


def scored(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the score columns of valid assessment content."""
    result = score(values["instrument"], values["answers"])
    return {
        "total": result.total,
        "severity": result.severity,
        "dsm5_criteria_met": result.dsm5_criteria_met,
        "suicidal_item": result.suicidal_item,
    }


ASSESSMENTS = RecordKind(
    model=Assessment,
    name="assessment",
    time_field="completed_at",
    fields=ASSESSMENT_FIELDS,
    defaults={"answers": []},
    rules=check_assessment,
    derive=scored,
)
