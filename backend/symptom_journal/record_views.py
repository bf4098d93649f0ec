"""The HTTP face of a synced record kind: list, create, PUT by id, read, PATCH, DELETE."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import marshmallow as ma
from flask import request
from flask.views import MethodView
from flask_login import current_user

from . import records
from .accounts.auth import role_required
from .api import Blueprint
from .db import DbSession, utcnow
from .errors import Invalid
from .extensions import db


def if_match() -> int | str | None:
    """Return If-Match as a version number, ``*`` or None; raise Invalid when unreadable."""
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    value = raw.strip()
    if value == "*":
        return records.ANY_VERSION
    value = value.removeprefix("W/").strip('"')
    if value.isdigit() and len(value) < 10:
        return int(value)
    raise Invalid(
        {"If-Match": ['Give the record\'s version, e.g. If-Match: "3".']}, location="headers"
    )


def etag(record: Any) -> dict[str, str]:
    """Return the ETag header of a record."""
    return {"ETag": f'"{record.version}"'}


def register_record_routes(
    blp: Blueprint,
    kind: records.RecordKind,
    *,
    schema_in: type[ma.Schema],
    schema_patch: type[ma.Schema],
    schema_out: type[ma.Schema],
    page: type[ma.Schema],
    list_args: type[ma.Schema],
    filter_fields: tuple[str, ...] = (),
    before_delete: Callable[[DbSession, Any, datetime], None] | None = None,
) -> None:
    """Add the collection and item routes of ``kind`` to ``blp``; only patients reach them."""
    _collection_routes(blp, kind, schema_in, schema_out, page, list_args, filter_fields)
    _item_routes(blp, kind, schema_in, schema_patch, schema_out, before_delete)


def _collection_routes(
    blp: Blueprint,
    kind: records.RecordKind,
    schema_in: type[ma.Schema],
    schema_out: type[ma.Schema],
    page: type[ma.Schema],
    list_args: type[ma.Schema],
    filter_fields: tuple[str, ...],
) -> None:
    @blp.route("")
    class Collection(MethodView):
        decorators = [role_required("patient")]

        @blp.arguments(list_args, location="query", as_kwargs=True)
        @blp.response(200, page)
        @blp.doc(
            summary=f"List your {kind.name} records",
            description="Newest first. With updated_since: every change at or after that time, "
            "oldest first, deleted records as tombstones.",
        )
        def get(self, limit: int, cursor: list[str] | None = None, **args: Any) -> Any:
            result = records.list_page(
                db.session,
                kind,
                owner_id=current_user.id,
                limit=limit,
                cursor=cursor,
                day_from=args.pop("from_", None),
                day_to=args.pop("to", None),
                since=args.pop("updated_since", None),
                filters={name: args.get(name) for name in filter_fields},
            )
            return {"items": result.items, "next_cursor": result.next_cursor}

        @blp.arguments(schema_in)
        @blp.response(201, schema_out)
        @blp.alt_response(
            200, schema=schema_out, description="Already stored: same id and same content."
        )
        def post(self, data: dict[str, Any]) -> Any:
            record_id = data.pop("id", None) or uuid.uuid4()
            return _put(kind, record_id, data, if_match=None)


def _put(
    kind: records.RecordKind,
    record_id: uuid.UUID,
    data: dict[str, Any],
    *,
    if_match: int | str | None,
) -> Any:
    record, created = records.put_record(
        db.session,
        kind,
        owner_id=current_user.id,
        record_id=record_id,
        values=data,
        if_match=if_match,
        now=utcnow(),
    )
    db.session.commit()
    return record, 201 if created else 200, etag(record)


def _item_routes(
    blp: Blueprint,
    kind: records.RecordKind,
    schema_in: type[ma.Schema],
    schema_patch: type[ma.Schema],
    schema_out: type[ma.Schema],
    before_delete: Callable[[DbSession, Any, datetime], None] | None,
) -> None:
    @blp.route("/<uuid:record_id>")
    class Item(MethodView):
        decorators = [role_required("patient")]

        @blp.response(200, schema_out)
        def get(self, record_id: uuid.UUID) -> Any:
            record = records.find_owned(
                db.session, kind, owner_id=current_user.id, record_id=record_id
            )
            return record, 200, etag(record)

        @blp.arguments(schema_in)
        @blp.response(200, schema_out)
        @blp.alt_response(201, schema=schema_out, description="Created")
        def put(self, data: dict[str, Any], record_id: uuid.UUID) -> Any:
            body_id = data.pop("id", None)
            if body_id is not None and body_id != record_id:
                raise Invalid({"id": ["Must be the id in the path, or left out."]})
            return _put(kind, record_id, data, if_match=if_match())

        @blp.arguments(schema_patch(partial=True))
        @blp.response(200, schema_out)
        def patch(self, changes: dict[str, Any], record_id: uuid.UUID) -> Any:
            record = records.patch_record(
                db.session,
                kind,
                owner_id=current_user.id,
                record_id=record_id,
                changes=changes,
                if_match=if_match(),
                now=utcnow(),
            )
            db.session.commit()
            return record, 200, etag(record)

        @blp.response(204)
        def delete(self, record_id: uuid.UUID) -> None:
            now = utcnow()
            hook = before_delete
            records.delete_record(
                db.session,
                kind,
                owner_id=current_user.id,
                record_id=record_id,
                if_match=if_match(),
                now=now,
                before_delete=(lambda record: hook(db.session, record, now)) if hook else None,
            )
            db.session.commit()
