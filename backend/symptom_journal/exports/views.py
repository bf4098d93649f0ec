"""Routes of /api/v1/export/*, /api/v1/import and /api/v1/account."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import marshmallow as ma
from flask import Response, current_app, jsonify, request, session, stream_with_context
from flask_login import current_user
from marshmallow import fields

from ..accounts.auth import clear_login_cookie, hasher, role_required
from ..accounts.service import erase_account
from ..api import Blueprint
from ..db import utcnow
from ..extensions import db
from . import csv as csv_export
from .fhir import bundle
from .pgcopy import entry_copy
from .portable import export_document, import_document

blp = Blueprint("export", __name__, url_prefix="/api/v1", description="Export, import, erasure.")
account_blp = Blueprint("account", __name__, url_prefix="/api/v1", description="Your account.")

IMPORT_MAX_BYTES = 64 * 1024 * 1024


@blp.before_request
def _larger_imports() -> None:
    # A whole journal is larger than any other request; only the import may be.
    if request.endpoint == "export.import_journal":
        request.max_content_length = current_app.config.get("IMPORT_MAX_BYTES", IMPORT_MAX_BYTES)


def attachment(response: Response, filename: str) -> Response:
    """Mark a response as a download named ``filename``, kept by no cache."""
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _csv(name: str, rows: Callable[..., Iterator[list[Any]]]) -> Response:
    generator = rows(db.session, owner_id=current_user.id)
    response = Response(stream_with_context(csv_export.encode(generator)), mimetype="text/csv")
    return attachment(response, f"symptom-journal-{name}-{utcnow().date().isoformat()}.csv")


@blp.route("/export/entries.csv", methods=["GET"])
@role_required("patient")
@blp.response(200, description="CSV, one row per entry.")
def export_entries() -> Response:
    """Your entries as CSV (RFC 4180, UTF-8)."""
    name = f"symptom-journal-entries-{utcnow().date().isoformat()}"
    return entries_csv_response(current_user.id, name)


def entries_csv_response(
    owner_id: Any,
    name: str,
    *,
    day_from: Any = None,
    day_to: Any = None,
    include_notes: bool = True,
) -> Response:
    """Return a streamed CSV of the owner's entries: written by the server on PostgreSQL
    (pgcopy.py), row by row in Python elsewhere."""
    scope = {"day_from": day_from, "day_to": day_to, "include_notes": include_notes}
    body: Iterator[Any]
    if db.engine.dialect.name == "postgresql":
        body = entry_copy(db.session, owner_id=owner_id, **scope)
    else:
        body = csv_export.encode(csv_export.entry_rows(db.session, owner_id=owner_id, **scope))
    return attachment(Response(stream_with_context(body), mimetype="text/csv"), f"{name}.csv")


@blp.route("/export/sessions.csv", methods=["GET"])
@role_required("patient")
@blp.response(200, description="CSV, one row per treatment session.")
def export_sessions() -> Response:
    """Your treatment sessions as CSV."""
    return _csv("sessions", csv_export.session_rows)


@blp.route("/export/assessments.csv", methods=["GET"])
@role_required("patient")
@blp.response(200, description="CSV, one row per questionnaire: item_1..item_20, total, band.")
def export_assessments() -> Response:
    """Your questionnaires as CSV."""
    return _csv("assessments", csv_export.assessment_rows)


@blp.route("/export/json", methods=["GET"])
@role_required("patient")
@blp.response(200, description="Everything you have, in one versioned document.")
def export_json() -> Response:
    """Everything you have as one document, which POST /api/v1/import takes back."""
    document = export_document(db.session, owner=current_user, now=utcnow())
    return attachment(jsonify(document), f"symptom-journal-{utcnow().date().isoformat()}.json")


@blp.route("/export/fhir", methods=["GET"])
@role_required("patient")
@blp.response(200, description="A FHIR R4 Bundle of type collection.")
def export_fhir() -> Response:
    """Your questionnaires and measures as a FHIR R4 Bundle."""
    response = jsonify(bundle(db.session, owner_id=current_user.id, now=utcnow()))
    response.mimetype = "application/fhir+json"
    response.headers["Cache-Control"] = "no-store"
    return response


class ImportDocument(ma.Schema):
    format = fields.String(required=True)
    version = fields.Integer(required=True, strict=True)
    exported_at = fields.String()
    account = fields.Dict()
    sessions = fields.List(fields.Raw(), load_default=list)
    entries = fields.List(fields.Raw(), load_default=list)
    assessments = fields.List(fields.Raw(), load_default=list)


class ImportCounts(ma.Schema):
    sessions = fields.Dict(keys=fields.String(), values=fields.Integer())
    entries = fields.Dict(keys=fields.String(), values=fields.Integer())
    assessments = fields.Dict(keys=fields.String(), values=fields.Integer())


@blp.route("/import", methods=["POST"])
@role_required("patient")
@blp.arguments(ImportDocument)
@blp.response(200, ImportCounts)
def import_journal(document: dict[str, Any]) -> Any:
    """Take in an export: idempotent by ids, all or nothing."""
    counts = import_document(db.session, owner_id=current_user.id, document=document, now=utcnow())
    db.session.commit()
    return counts


class EraseIn(ma.Schema):
    password = fields.String(required=True, validate=ma.validate.Length(max=1024))


@account_blp.route("/account", methods=["DELETE"])
@role_required("patient")
@account_blp.arguments(EraseIn)
@account_blp.response(204)
def erase(data: dict[str, Any]) -> None:
    """Erase your account and everything in it; 403 and nothing erased for a wrong password."""
    erase_account(db.session, hasher=hasher(), user_id=current_user.id, password=data["password"])
    db.session.commit()
    session.clear()
    clear_login_cookie()
