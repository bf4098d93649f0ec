"""Routes of treatment sessions (/api/v1/sessions) and journal entries (/api/v1/entries)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..api import Blueprint
from ..fields import RecordListArgs
from ..record_views import register_record_routes
from .models import Entry
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
from .service import ENTRIES, SESSIONS, unlink_entries

sessions_blp = Blueprint(
    "sessions", __name__, url_prefix="/api/v1/sessions", description="Treatment sessions."
)
entries_blp = Blueprint(
    "entries", __name__, url_prefix="/api/v1/entries", description="Journal entries."
)


def _entry_filters(args: Mapping[str, Any]) -> list[Any]:
    where = []
    if args.get("session_id") is not None:
        where.append(Entry.session_id == args["session_id"])
    if args.get("phase") is not None:
        where.append(Entry.phase == args["phase"])
    return where


register_record_routes(
    sessions_blp,
    SESSIONS,
    schema_in=SessionIn,
    schema_patch=SessionPatch,
    schema_out=SessionOut,
    page=SessionPage,
    list_args=RecordListArgs,
    before_delete=unlink_entries,
)
register_record_routes(
    entries_blp,
    ENTRIES,
    schema_in=EntryIn,
    schema_patch=EntryPatch,
    schema_out=EntryOut,
    page=EntryPage,
    list_args=EntryListArgs,
    filters=_entry_filters,
)
