"""Routes of share links, the care team, the clinician's patients and the access log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask import current_app, jsonify
from flask_login import current_user

from ..accounts.auth import role_required
from ..api import Blueprint
from ..db import utcnow
from ..errors import Invalid
from ..extensions import clinical_settings, db, limiter
from ..summaries.schemas import SummaryArgs, SummaryOut
from ..summaries.service import build_summary
from ..summaries.views import parse_period
from . import service
from .audit import log_access
from .patients import patient_list
from .schemas import (
    AccessList,
    AuditArgs,
    InviteOut,
    LinkIn,
    PatientList,
    PersonList,
    PersonOut,
    ShareIn,
    ShareList,
    ShareOut,
)

shares_blp = Blueprint("shares", __name__, url_prefix="/api/v1", description="Share links.")
care_blp = Blueprint("care_team", __name__, url_prefix="/api/v1", description="Care team.")


def _share_out(link: Any, now: datetime, token: str | None = None) -> dict[str, Any]:
    out = {
        "id": link.id,
        "label": link.label,
        "created_at": link.created_at,
        "expires_at": link.expires_at,
        "revoked_at": link.revoked_at,
        "period_from": link.period_from,
        "period_to": link.period_to,
        "include_notes": link.include_notes,
        "status": service.share_status(link, now),
    }
    if token is not None:
        out |= {"token": token, "url": f"/s/{token}"}
    return out


@shares_blp.route("/shares", methods=["POST"])
@role_required("patient")
@shares_blp.arguments(ShareIn)
@shares_blp.response(201, ShareOut)
def create_share(data: dict[str, Any]) -> Any:
    """Make a link to your summary; its token is shown only in this answer."""
    now = utcnow()
    link, token = service.create_share(
        db.session,
        owner_id=current_user.id,
        label=data.get("label"),
        expires_in_days=data["expires_in_days"],
        period_from=data.get("from_"),
        period_to=data.get("to"),
        include_notes=data["include_notes"],
        now=now,
    )
    db.session.commit()
    return _share_out(link, now, token)


@shares_blp.route("/shares", methods=["GET"])
@role_required("patient")
@shares_blp.response(200, ShareList)
def list_shares() -> Any:
    """Your share links, newest first (without their tokens)."""
    now = utcnow()
    items = [
        _share_out(link, now) for link in service.list_shares(db.session, owner_id=current_user.id)
    ]
    return {"items": items, "next_cursor": None}


@shares_blp.route("/shares/<uuid:share_id>", methods=["DELETE"])
@role_required("patient")
@shares_blp.response(204)
def revoke_share(share_id: uuid.UUID) -> None:
    """Revoke a link at once."""
    service.revoke_share(db.session, owner_id=current_user.id, share_id=share_id, now=utcnow())
    db.session.commit()


@shares_blp.route("/audit", methods=["GET"])
@role_required("patient")
@shares_blp.arguments(AuditArgs, location="query", as_kwargs=True)
@shares_blp.response(200, AccessList)
def audit(limit: int, cursor: list[str] | None = None) -> Any:
    """Who viewed or downloaded your data, newest first."""
    after = None
    if cursor is not None:
        try:
            if len(cursor) != 3 or cursor[0] != "a":
                raise ValueError
            after = (datetime.fromisoformat(cursor[1]), uuid.UUID(cursor[2]))
        except ValueError:
            raise Invalid({"cursor": ["Invalid cursor."]}, location="query") from None
    page = service.list_access(db.session, patient_id=current_user.id, limit=limit, after=after)
    return {"items": page.items, "next_cursor": page.next_cursor}


@care_blp.route("/care-team/invites", methods=["POST"])
@role_required("patient")
@care_blp.response(201, InviteOut)
def create_invite() -> Any:
    """A one-use code for a clinician to link to you; valid for 7 days."""
    invite, code = service.create_invite(db.session, owner_id=current_user.id, now=utcnow())
    db.session.commit()
    return {"code": code, "expires_at": invite.expires_at}


@care_blp.route("/care-team", methods=["GET"])
@role_required("patient")
@care_blp.response(200, PersonList)
def care_team() -> Any:
    """The clinicians linked to you."""
    items = [
        {
            "id": user.id,
            "display_name": user.display_name,
            "email": user.email,
            "linked_at": link.linked_at,
        }
        for user, link in service.care_team(db.session, patient_id=current_user.id)
    ]
    return {"items": items, "next_cursor": None}


@care_blp.route("/care-team/<uuid:clinician_id>", methods=["DELETE"])
@role_required("patient")
@care_blp.response(204)
def remove_clinician(clinician_id: uuid.UUID) -> None:
    """Remove a clinician from your care team."""
    service.unlink(db.session, patient_id=current_user.id, clinician_id=clinician_id)
    db.session.commit()


def _failed_redeem(response: Any) -> bool:
    return bool(response.status_code == 404)


@care_blp.route("/clinician/links", methods=["POST"])
@role_required("clinician")
@limiter.limit(lambda: current_app.config["UNKNOWN_TOKENS_PER_ADDRESS"], deduct_when=_failed_redeem)
@care_blp.arguments(LinkIn)
@care_blp.response(201, PersonOut)
def redeem(data: dict[str, Any]) -> Any:
    """Link to a patient with the code they gave you."""
    link, patient = service.redeem_invite(
        db.session, clinician_id=current_user.id, code=data["code"], now=utcnow()
    )
    db.session.commit()
    return {
        "id": patient.id,
        "display_name": patient.display_name,
        "email": patient.email,
        "linked_at": link.linked_at,
    }


@care_blp.route("/clinician/patients", methods=["GET"])
@role_required("clinician")
@care_blp.response(200, PatientList)
def patients() -> Any:
    """Your patients: latest scores, last entry, and the flags of the last 30 days."""
    items = patient_list(
        db.session,
        clinician_id=current_user.id,
        now=utcnow(),
        settings=clinical_settings(),
    )
    return {"items": items, "next_cursor": None}


@care_blp.route("/clinician/patients/<uuid:patient_id>", methods=["DELETE"])
@role_required("clinician")
@care_blp.response(204)
def leave_patient(patient_id: uuid.UUID) -> None:
    """Unlink yourself from a patient."""
    service.unlink(db.session, patient_id=patient_id, clinician_id=current_user.id)
    db.session.commit()


@care_blp.route("/clinician/patients/<uuid:patient_id>/summary", methods=["GET"])
@role_required("clinician")
@care_blp.arguments(SummaryArgs, location="query")
@care_blp.response(200, SummaryOut)
def patient_summary(args: dict[str, Any], patient_id: uuid.UUID) -> Any:
    """A linked patient's summary (default: their last 90 days); the view is logged."""
    patient = service.linked_patient(
        db.session, clinician_id=current_user.id, patient_id=patient_id
    )
    period = parse_period(args, patient.timezone)
    body = build_summary(
        db.session,
        owner_id=patient.id,
        period=period,
        settings=clinical_settings(),
    )
    log_access(
        patient_id=patient.id,
        action="view_summary_json",
        clinician=current_user._get_current_object(),
    )
    return jsonify(body)
