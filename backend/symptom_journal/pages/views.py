"""Server-rendered pages: a share link's summary (/s/<token>) and the clinician's view
(/clinician/patients/<id>), with the same data as JSON, CSV and PDF."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    jsonify,
    render_template,
    request,
)
from flask_login import current_user
from marshmallow import ValidationError

from ..accounts.auth import role_required
from ..accounts.models import User
from ..db import utcnow
from ..errors import Invalid, error_response
from ..exports.views import attachment, entries_csv_response
from ..extensions import clinical_settings, db, unknown_token_limit
from ..journal.models import Entry, TreatmentSession
from ..records import at_offset, owned
from ..sharing import service
from ..sharing.audit import log_access
from ..sharing.models import ShareLink
from ..summaries.charts import LABELS, before_after_chart, daily_chart
from ..summaries.schemas import SummaryArgs
from ..summaries.service import build_summary
from ..summaries.stats import Period
from ..summaries.views import parse_period

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static")

CHART_MEASURES = ("mood", "anxiety", "sleep_hours", "sleep_quality")
MAX_NOTES = 500
NONE = "\u2013"  # an en dash where there is no value
FLAG_NAMES = {
    "suicidal_ideation": "PHQ-9 item 9 (thoughts of self-harm) answered above 0",
    "bp_high": "Blood pressure at or above the alert threshold",
    "bp_rise": "Blood pressure rise after a session",
    "bp_before_session": "Blood pressure above the pre-dose limit before a session",
    "worsening": "Reliable worsening of a questionnaire score",
}
SIDE_EFFECT_NAMES = {
    "nausea": "nausea",
    "headache": "headache",
    "dizziness": "dizziness",
    "drowsiness": "drowsiness",
    "blurred_vision": "blurred vision",
    "dissociation": "dissociation",
    "anxiety": "anxiety",
    "elevated_bp": "raised blood pressure",
    "other": "other",
}
# A share link's files, by the name of their link on its page.
SHARE_FILES = {"pdf": "report.pdf", "csv": "entries.csv", "json": "summary.json"}
# The rows of a session's before-and-after table: blood pressure as one row.
SESSION_ROWS = (
    ("mood", "Mood (0-10)"),
    ("anxiety", "Anxiety (0-10)"),
    ("sleep_hours", "Sleep (hours)"),
    ("sleep_quality", "Sleep quality (0-10)"),
    ("dissociation", "Dissociation (0-10)"),
    ("bp", "Blood pressure (mmHg)"),
    ("heart_rate", "Heart rate (bpm)"),
)
INSTRUMENT_NAMES = {"phq9": "PHQ-9", "gad7": "GAD-7", "pcl5": "PCL-5"}
TREATMENT_NAMES = {
    "ketamine_iv": "Ketamine IV",
    "ketamine_im": "Ketamine IM",
    "esketamine_nasal": "Esketamine nasal",
    "ketamine_oral": "Ketamine oral",
    "ketamine_sublingual": "Ketamine sublingual",
    "other": "Other",
}


def _flag_detail(flag: dict[str, Any]) -> str:
    detail = flag["detail"]
    if flag["kind"] == "bp_high":
        return f"{detail['systolic']}/{detail['diastolic']} mmHg"
    if flag["kind"] == "bp_rise":
        return f"systolic {detail['systolic_rise']:+}, diastolic {detail['diastolic_rise']:+} mmHg"
    if flag["kind"] == "bp_before_session":
        pre = detail["pre"]
        return f"before the session {_number(pre['systolic'])}/{_number(pre['diastolic'])} mmHg"
    if flag["kind"] == "suicidal_ideation":
        return f"item 9: {detail['item_9']}, total {detail['total']}"
    name = INSTRUMENT_NAMES.get(detail["instrument"], "")
    return f"{name} {detail['baseline']} → {detail['latest']}"


def _number(value: float | None) -> str:
    """Return a mean as a page shows it: 7 rather than 7.0, 6.5 as it is, a dash for none."""
    if value is None:
        return NONE
    return f"{value:g}"


def _phase_value(values: dict[str, float], name: str) -> str:
    if name != "bp":
        return _number(values.get(name))
    if "systolic" not in values:
        return NONE
    return f"{_number(values['systolic'])}/{_number(values.get('diastolic'))}"


def session_measures(session: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Return (label, before, after, change) for each measure recorded before or after the
    session, a dash where a phase lacks it."""
    rows = []
    for name, label in SESSION_ROWS:
        keys = ("systolic", "diastolic") if name == "bp" else (name,)
        if not any(key in session["pre"] or key in session["post"] for key in keys):
            continue
        if name == "bp" and "systolic" in session["delta"]:
            delta = session["delta"]
            change = f"{delta['systolic']:+g}/{delta.get('diastolic', 0):+g}"
        elif name != "bp" and name in session["delta"]:
            change = f"{session['delta'][name]:+g}"
        else:
            change = NONE
        before = _phase_value(session["pre"], name)
        rows.append((label, before, _phase_value(session["post"], name), change))
    return rows


def side_effect_text(counts: dict[str, int]) -> str:
    """Return a session's side effects as words: "nausea (2), headache"; "none reported"."""
    if not counts:
        return "none reported"
    return ", ".join(
        SIDE_EFFECT_NAMES.get(kind, kind) + (f" ({count})" if count > 1 else "")
        for kind, count in counts.items()
    )


def _notes(owner_id: uuid.UUID, period: Period) -> list[dict[str, Any]]:
    query = (
        owned(Entry, owner_id)
        .where(Entry.local_date.between(period.start, period.end), Entry.note.is_not(None))
        .with_only_columns(Entry.recorded_at, Entry.utc_offset, Entry.note)
        .order_by(Entry.recorded_at.desc())
        .limit(MAX_NOTES)
    )
    return [
        {"at": at_offset(row[0], row[1]).strftime("%Y-%m-%d %H:%M"), "text": row[2]}
        for row in db.session.execute(query)
    ]


def _session_days(owner_id: uuid.UUID, period: Period) -> list[date]:
    query = (
        owned(TreatmentSession, owner_id)
        .where(TreatmentSession.local_date.between(period.start, period.end))
        .with_only_columns(TreatmentSession.local_date)
    )
    return list(db.session.scalars(query))


def render_report(
    patient: User,
    period: Period,
    summary: dict[str, Any],
    *,
    notes: bool,
    for_pdf: bool = False,
    links: dict[str, str] | None = None,
) -> str:
    """Return the summary page of a patient as HTML (the PDF renders the same page)."""
    settings = clinical_settings()
    days = _session_days(patient.id, period)
    charts = [
        (m, daily_chart(m, summary["metrics"][m], summary["period"], days))
        for m in CHART_MEASURES
        if m in summary["metrics"]
    ]
    return render_template(
        "report.html",
        patient_name=patient.display_name or "Patient",
        summary=summary,
        made_at=utcnow().astimezone(ZoneInfo(patient.timezone)).strftime("%Y-%m-%d %H:%M %Z"),
        charts=charts,
        before_after=before_after_chart(summary["sessions"]),
        notes=_notes(patient.id, period) if notes else None,
        flag_names=FLAG_NAMES,
        flag_sources=settings.flag_sources(),
        reliable_change=settings.reliable_change,
        flag_detail=_flag_detail,
        session_measures=session_measures,
        side_effect_text=side_effect_text,
        instrument_names=INSTRUMENT_NAMES,
        treatment_names=TREATMENT_NAMES,
        measure_names=LABELS,
        links=None if for_pdf else links,
        # The PDF fetches nothing, so its style travels inside the page.
        inline_css=open_static("report.css") if for_pdf else None,
    )


@cache
def open_static(name: str) -> str:
    """Return the text of one of the pages' static files."""
    folder = bp.static_folder
    assert folder is not None
    with open(f"{folder}/{name}", encoding="utf-8") as handle:
        return handle.read()


def _pdf_response(patient: User, period: Period, summary: dict[str, Any], notes: bool) -> Response:
    from .pdf import html_to_pdf

    html = render_report(patient, period, summary, notes=notes, for_pdf=True)
    response = Response(html_to_pdf(html), mimetype="application/pdf")
    return attachment(response, f"symptom-journal-{period.start}-{period.end}.pdf")


def _csv_response(patient: User, period: Period, notes: bool) -> Response:
    return entries_csv_response(
        patient.id,
        f"symptom-journal-entries-{period.start}-{period.end}",
        day_from=period.start,
        day_to=period.end,
        include_notes=notes,
    )


def _today(patient: User) -> date:
    return datetime.now(ZoneInfo(patient.timezone)).date()


# --- share links ---


share_limit = unknown_token_limit("share-tokens")


def _shared(token: str) -> tuple[ShareLink, User, Period, dict[str, Any]] | None:
    link = service.resolve_share(db.session, token=token, now=utcnow())
    if link is None:
        return None
    patient = db.session.get(User, link.owner_id)
    assert patient is not None
    period = service.share_period(db.session, link, today=_today(patient))
    return link, patient, period, _summary(patient, period)


def _log_share(link: ShareLink, action: str) -> None:
    log_access(patient_id=link.owner_id, action=action, share=link)


def _not_found(html: bool) -> Response:
    message = "This link is unknown, has expired or was revoked. Ask the patient for a new one."
    if html:
        page = render_template(
            "refused.html",
            title="Link not available",
            heading="This link is not available",
            message=message,
            link=None,
        )
        return Response(page, status=404, mimetype="text/html")
    return error_response(404, message)


@bp.route("/s/<token>")
@share_limit
def share_page(token: str) -> Response:
    """The printable summary page of a share link."""
    found = _shared(token)
    if found is None:
        return _not_found(html=True)
    link, patient, period, summary = found
    base = f"/s/{token}"
    links = {
        "pdf": f"{base}/report.pdf",
        "csv": f"{base}/entries.csv",
        "json": f"{base}/summary.json",
    }
    html = render_report(patient, period, summary, notes=link.include_notes, links=links)
    _log_share(link, "view_summary")
    return Response(html, mimetype="text/html")


@bp.route("/s/<token>/summary.json")
@share_limit
def share_json(token: str) -> Response:
    found = _shared(token)
    if found is None:
        return _not_found(html=False)
    link, _patient, _period, summary = found
    _log_share(link, "view_summary_json")
    return jsonify(summary)


@bp.route("/s/<token>/entries.csv")
@share_limit
def share_csv(token: str) -> Response:
    link = service.resolve_share(db.session, token=token, now=utcnow())
    if link is None:
        return _not_found(html=False)
    patient = db.session.get(User, link.owner_id)
    assert patient is not None
    period = service.share_period(db.session, link, today=_today(patient))
    _log_share(link, "download_entries_csv")
    return _csv_response(patient, period, link.include_notes)


@bp.route("/s/<token>/report.pdf")
@share_limit
def share_pdf(token: str) -> Response:
    found = _shared(token)
    if found is None:
        return _not_found(html=False)
    link, patient, period, summary = found
    response = _pdf_response(patient, period, summary, link.include_notes)
    _log_share(link, "download_report_pdf")
    return response


# --- the clinician's view of a linked patient ---

# A refusal of the clinician's page, opened in a browser, as a page: what happened and a way
# on. By status: heading, default message, and the link offered.
PAGE_REFUSALS = {
    401: (
        "Sign in to see this page",
        "This browser is not signed in, or its sign-in has ended (a while without use). "
        "Sign in, then open the patient from your list.",
        ("/", "Sign in"),
    ),
    403: ("This page is not open to this account", "", ("/", "Back to the journal")),
    404: (
        "This patient is not in your list",
        "The patient may have removed you from their care team, or the address is wrong.",
        ("/#/patients", "Your patients"),
    ),
}


@bp.after_request
def _refusals_as_pages(response: Response) -> Response:
    """Answer a browser that opened the clinician's page with a page, keeping the status."""
    wants_page = request.accept_mimetypes.best_match(["application/json", "text/html"])
    if (
        request.endpoint != "pages.clinician_page"
        or response.status_code < 400
        or not response.is_json
        or wants_page != "text/html"
    ):
        return response
    heading, default, link = PAGE_REFUSALS.get(
        response.status_code,
        ("This page cannot be shown", "", ("/#/patients", "Your patients")),
    )
    body = response.get_json(silent=True) or {}
    named = [  # a bad ?from= or ?to=, by name
        f"{field}: {' '.join(texts)}"
        for where in (body.get("errors") or {}).values()
        if isinstance(where, dict)
        for field, texts in where.items()
        if isinstance(texts, list)
    ]
    said = " ".join(named) or body.get("message", "")
    message = default if response.status_code in (401, 404) else said or default
    response.set_data(
        render_template("refused.html", title=heading, heading=heading, message=message, link=link)
    )
    response.mimetype = "text/html"
    return response


def _clinician_scope(patient_id: uuid.UUID) -> tuple[User, Period]:
    patient = service.linked_patient(
        db.session, clinician_id=current_user.id, patient_id=patient_id
    )
    try:
        args = SummaryArgs().load(request.args)
    except ValidationError as error:
        raise Invalid(error.messages, location="query") from None  # type: ignore[arg-type]
    return patient, parse_period(args, patient.timezone)


def _summary(patient: User, period: Period) -> dict[str, Any]:
    return build_summary(
        db.session,
        owner_id=patient.id,
        period=period,
        settings=clinical_settings(),
    )


def _log_clinician(patient: User, action: str) -> None:
    log_access(patient_id=patient.id, action=action, clinician=current_user._get_current_object())


@bp.route("/clinician/patients/<uuid:patient_id>")
@role_required("clinician")
def clinician_page(patient_id: uuid.UUID) -> Response:
    """A linked patient's summary page (last 90 days unless ?from=&to=)."""
    patient, period = _clinician_scope(patient_id)
    query = f"?from={period.start}&to={period.end}"
    links = {
        "back": "/#/patients",
        "pdf": f"/clinician/patients/{patient_id}/report.pdf{query}",
        "csv": f"/clinician/patients/{patient_id}/entries.csv{query}",
        "json": f"/api/v1/clinician/patients/{patient_id}/summary{query}",
        "unlink": str(patient_id),
    }
    html = render_report(patient, period, _summary(patient, period), notes=True, links=links)
    _log_clinician(patient, "view_summary")
    return Response(html, mimetype="text/html")


@bp.route("/clinician/patients/<uuid:patient_id>/entries.csv")
@role_required("clinician")
def clinician_csv(patient_id: uuid.UUID) -> Response:
    patient, period = _clinician_scope(patient_id)  # the CSV needs no summary
    _log_clinician(patient, "download_entries_csv")
    return _csv_response(patient, period, notes=True)


@bp.route("/clinician/patients/<uuid:patient_id>/report.pdf")
@role_required("clinician")
def clinician_pdf(patient_id: uuid.UUID) -> Response:
    patient, period = _clinician_scope(patient_id)
    response = _pdf_response(patient, period, _summary(patient, period), notes=True)
    _log_clinician(patient, "download_report_pdf")
    return response
