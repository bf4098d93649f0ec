"""Routes of treatment sessions (/api/v1/sessions) and journal entries (/api/v1/entries)."""

from __future__ import annotations

from ..api import Blueprint
from ..fields import RecordListArgs
from ..record_views import register_record_routes
from .schemas import (
    EntryIn,
    EntryListArgs,
    EntryOut,
    EntryPage,
    EntryPatch,
    SessionIn,
    SessionOut,
    SessionPage,
    SessionPatch,
)
from .service import ENTRIES, SESSIONS, unlink_records

sessions_blp = Blueprint(
    "sessions", __name__, url_prefix="/api/v1/sessions", description="Treatment sessions."
)
entries_blp = Blueprint(
    "entries", __name__, url_prefix="/api/v1/entries", description="Journal entries."
)


register_record_routes(
    sessions_blp,
    SESSIONS,
    schema_in=SessionIn,
    schema_patch=SessionPatch,
    schema_out=SessionOut,
    page=SessionPage,
    list_args=RecordListArgs,
    before_delete=unlink_records,
)
register_record_routes(
    entries_blp,
    ENTRIES,
    schema_in=EntryIn,
    schema_patch=EntryPatch,
    schema_out=EntryOut,
    page=EntryPage,
    list_args=EntryListArgs,
    filter_fields=("session_id", "phase"),
)
