"""Schemas shared by the record resources: pages and tombstones."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import marshmallow as ma
from marshmallow import fields, missing

from .fields import Timestamp

_ABSENT = object()
Convert = Callable[[Any], Any]


def _or_none(convert: Convert) -> Convert:
    return lambda value: None if value is None else convert(value)


def _plain_converter(field: fields.Field) -> Convert | None:
    """Return what ``field`` does to an attribute's value when dumping, as one plain function,
    or None when the field must do it itself (a method field, a default, a nested schema)."""
    if field.dump_default is not missing:
        return None
    kind = type(field)
    if isinstance(field, Timestamp):
        return _or_none(lambda moment: moment.isoformat())
    if kind in (fields.UUID, fields.String):
        return _or_none(str)
    if isinstance(field, fields.Number) and field.as_string:
        return None
    if kind is fields.Integer:
        return _or_none(int)
    if kind is fields.Float:
        return _or_none(float)
    if kind is fields.Boolean:
        return lambda value: value
    if isinstance(field, fields.List) and kind is fields.List:
        inner = _plain_converter(field.inner)
        if inner is not None:
            return _or_none(lambda values: [inner(v) for v in values])
    return None


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

    def _serialize(self, obj: Any, *, many: bool = False) -> Any:
        """Dump ``obj`` as marshmallow would, with each field's work done by one plain function:
        a page of 100 entries spent most of its time in the generic field machinery. Hooks
        (post_dump) still run as usual; a test holds this to marshmallow's own result."""
        if many and obj is not None:
            return [self._serialize(item) for item in obj]
        if isinstance(obj, Mapping):
            return super()._serialize(obj)
        plan = self.__dict__.get("_plan")
        if plan is None:
            plan = self.__dict__["_plan"] = [
                (
                    field.data_key if field.data_key is not None else name,
                    field.attribute or name,
                    _plain_converter(field),
                    field,
                )
                for name, field in self.dump_fields.items()
            ]
        out = {}
        for key, attribute, convert, field in plan:
            if convert is None:
                value = field.serialize(attribute, obj, accessor=self.get_attribute)
                if value is missing:
                    continue
            else:
                value = getattr(obj, attribute, _ABSENT)
                if value is _ABSENT:
                    continue
                value = convert(value)
            out[key] = value
        return out

    @ma.post_dump(pass_original=True)
    def _tombstone(self, data: dict[str, Any], original: Any, **_: Any) -> dict[str, Any]:
        if getattr(original, "deleted_at", None) is not None:
            return {"id": data["id"], "deleted": True, "updated_at": data["updated_at"]}
        return data


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """Return a schema class for a page of ``item_schema`` items."""
    return ma.Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "next_cursor": fields.String(
                allow_none=True,
                required=True,
                metadata={"description": "Pass as ?cursor= for the next page; null at the end."},
            ),
        },
        name=name,
    )
