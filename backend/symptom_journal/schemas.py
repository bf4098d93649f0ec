"""Schemas shared by the record resources: pages and tombstones."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

import marshmallow as ma
from marshmallow import fields, missing

from .fields import Timestamp

_ABSENT = object()
Dump = Callable[[Any], dict[str, Any]]


def _plain_expression(field: fields.Field, value: str) -> str | None:
    """Return a Python expression for what ``field`` makes of a value (named ``value``) when
    dumping, or None when the field must do it itself (a default, a nested schema).

    Timestamps and UUIDs are left as they are: the JSON encoder (orjson) writes an aware
    datetime exactly as ``isoformat()`` does and a UUID as ``str()`` does, six times faster
    than formatting them here (three timestamps an entry were a third of a page's dump)."""
    if field.dump_default is not missing:
        return None
    kind = type(field)
    if isinstance(field, Timestamp) or kind is fields.UUID:
        return value
    if kind is fields.String:
        plain = f"str({value})"
    elif isinstance(field, fields.Number) and field.as_string:
        return None
    elif kind is fields.Integer:
        plain = f"int({value})"
    elif kind is fields.Float:
        plain = f"float({value})"
    elif kind is fields.Boolean:
        return value
    elif isinstance(field, fields.List) and kind is fields.List:
        inner = _plain_expression(field.inner, "item")
        if inner is None:
            return None
        plain = f"[{inner} for item in {value}]"
    else:
        return None
    return f"None if {value} is None else {plain}"


def compile_dump(schema: ma.Schema, kind: type) -> Dump:
    """Return one plain function that dumps an object of class ``kind`` to what ``schema``'s
    fields would give once encoded as JSON (see ``_plain_expression``), before hooks: a page
    of 100 entries spent most of its time in marshmallow's generic field machinery (per
    field: get the value, look up the default, call the field, format).

    An attribute the object lacks is left out, as marshmallow leaves it out: one its class
    does not define is looked up on the object only when the object can have attributes of
    its own (a row tuple cannot). Method fields call the schema's method; any other field the
    function cannot do plainly is called."""
    namespace: dict[str, Any] = {"_ABSENT": _ABSENT, "missing": missing, "schema": schema}
    # The fields every object has go into one dict display, in order, from values read
    # into locals first; from the first field that may be left out, one statement each.
    reads: list[str] = []
    display: list[str] = []
    lines: list[str] = []
    own_attributes = any("__dict__" in vars(klass) for klass in kind.__mro__)
    for number, (name, field) in enumerate(schema.dump_fields.items()):
        key = repr(field.data_key if field.data_key is not None else name)
        attribute = field.attribute or name
        namespace[f"attribute{number}"] = attribute
        value = f"value{number}"
        expression = _plain_expression(field, value)
        if isinstance(field, fields.Method) and field.serialize_method_name:
            lines += [
                f"    {value} = schema.{field.serialize_method_name}(obj)",
                f"    if {value} is not missing:",
                f"        out[{key}] = {value}",
            ]
        elif expression is None:
            namespace[f"field{number}"] = field
            lines += [
                f"    {value} = field{number}.serialize(attribute{number}, obj, "
                "accessor=schema.get_attribute)",
                f"    if {value} is not missing:",
                f"        out[{key}] = {value}",
            ]
        elif attribute.isidentifier() and hasattr(kind, attribute):
            if lines:
                lines += [f"    {value} = obj.{attribute}", f"    out[{key}] = {expression}"]
            else:
                reads.append(f"    {value} = obj.{attribute}")
                display.append(f"        {key}: {expression},")
        elif own_attributes:
            lines += [
                f"    {value} = getattr(obj, attribute{number}, _ABSENT)",
                f"    if {value} is not _ABSENT:",
                f"        out[{key}] = {expression}",
            ]
    lines = ["def dump(obj):", *reads, "    out = {", *display, "    }", *lines]
    lines.append("    return out")
    source = "\n".join(lines)
    exec(compile(source, f"<dump {type(schema).__name__}>", "exec"), namespace)  # noqa: S102 - our own field names only
    return cast(Dump, namespace["dump"])


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
        """Dump ``obj`` through ``compile_dump``: as JSON, the same as marshmallow's own dump.
        Hooks (post_dump) still run as usual; a test holds this to marshmallow's result."""
        if many and obj is not None:
            return [self._serialize(item) for item in obj]
        if isinstance(obj, Mapping):
            return super()._serialize(obj)
        dumps = self.__dict__.setdefault("_plain_dumps", {})
        dump = dumps.get(type(obj))
        if dump is None:
            dump = dumps[type(obj)] = compile_dump(self, type(obj))
        return dump(obj)

    @ma.post_dump(pass_original=True)
    def _tombstone(self, data: dict[str, Any], original: Any, **_: Any) -> dict[str, Any]:
        if getattr(original, "deleted_at", None) is not None:
            return {"id": data["id"], "deleted": True, "updated_at": data["updated_at"]}
        return data


class PageItems(fields.List):
    """A page's list of records, dumped by one ``dump(many=True)`` of the item schema rather
    than one nested dump per item."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        assert isinstance(self.inner, fields.Nested)
        return self.inner.schema.dump(value, many=True)


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """Return a schema class for a page of ``item_schema`` items."""
    return ma.Schema.from_dict(
        {
            "items": PageItems(fields.Nested(item_schema), required=True),
            "next_cursor": fields.String(
                allow_none=True,
                required=True,
                metadata={"description": "Pass as ?cursor= for the next page; null at the end."},
            ),
        },
        name=name,
    )
