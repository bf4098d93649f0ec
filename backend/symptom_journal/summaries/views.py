"""Route of /api/v1/summary."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import jsonify
from flask_login import current_user

from ..accounts.auth import role_required
from ..api import Blueprint
from ..errors import Invalid
from ..extensions import clinical_settings, db
from .schemas import ClinicalSettingsOut, SummaryArgs, SummaryOut
from .service import build_summary, period_problems
from .stats import Period

blp = Blueprint("summary", __name__, url_prefix="/api/v1", description="Trend summary.")


def today_in(timezone: str) -> date:
    """Return today's date in an IANA time zone."""
    return datetime.now(ZoneInfo(timezone)).date()


def parse_period(args: dict[str, Any], timezone: str) -> Period:
    """Return the period of a summary query; raise Invalid naming ``from`` when it is not one."""
    period, problems = period_problems(args.get("from_"), args.get("to"), today_in(timezone))
    if problems:
        raise Invalid(problems, location="query")
    return period


@blp.route("/summary", methods=["GET"])
@role_required("patient")
@blp.arguments(SummaryArgs, location="query")
@blp.response(200, SummaryOut)
def summary(args: dict[str, Any]) -> Any:
    """Your trend summary: measures, sessions, questionnaires and flags (CLINICAL.md)."""
    period = parse_period(args, current_user.timezone)
    body = build_summary(
        db.session,
        owner_id=current_user.id,
        period=period,
        settings=clinical_settings(),
    )
    # Built as plain data already; returned as is rather than dumped field by field again.
    return jsonify(body)


@blp.route("/clinical-settings", methods=["GET"])
@blp.response(200, ClinicalSettingsOut)
def clinical_settings_view() -> Any:
    """The thresholds this clinic applies to flags, and the crisis text (no sign-in needed)."""
    return clinical_settings().public()
