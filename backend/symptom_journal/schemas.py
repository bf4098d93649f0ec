"""Schemas shared by the record resources: pages and tombstones."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields

from .fields import Timestamp


class RecordOut(ma.Schema):
    """Server fields of every record; a deleted record dumps as a tombstone."""

    id = fields.UUID(dump_only=True, required=True)
    version = fields.Integer(
        dump_only=True, metadata={"description": "1 on creation, +1 on each change."}
    )
    created_at = Timestamp(dump_only=True)
    updated_at = Timestamp(dump_only=True, required=True)
    deleted = fields.Boolean(
        dump_only=True,
        metadata={"description": "Present and true only on tombstones in updated_since lists."},
    )

    @ma.post_dump(pass_original=True)
    def _tombstone(self, data: dict[str, Any], original: Any, **_: Any) -> dict[str, Any]:
        if getattr(original, "deleted_at", None) is not None:
            return {"id": data["id"], "deleted": True, "updated_at": data["updated_at"]}
        return data


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """Return a schema class for a page of ``item_schema`` items."""
    return ma.Schema.from_dict(
        {
            # One dump(many=True) of the item schema, not one nested dump per item.
            "items": fields.Nested(item_schema, many=True, required=True),
            "next_cursor": fields.String(
                allow_none=True,
                required=True,
                metadata={"description": "Pass as ?cursor= for the next page; null at the end."},
            ),
        },
        name=name,
    )
