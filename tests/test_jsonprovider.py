"""Responses are encoded with orjson, with the standard encoder's behaviour."""

from __future__ import annotations

import uuid
from datetime import date

import pytest


def test_plain_documents_with_uuids_and_dates(app):
    record = uuid.UUID("12345678-1234-5678-1234-567812345678")
    body = {"id": record, "day": date(2026, 3, 1), "values": [1, 2.5, None]}
    assert app.json.dumps(body) == (
        '{"id":"12345678-1234-5678-1234-567812345678","day":"2026-03-01","values":[1,2.5,null]}'
    )


def test_keys_other_than_strings_as_the_standard_encoder_writes_them(app):
    assert app.json.dumps({200: {"description": "OK"}, "x": 1}) == (
        '{"200":{"description":"OK"},"x":1}'
    )


def test_indent_and_unknown_types(app):
    assert app.json.dumps({"a": 1}, indent=2) == '{\n  "a": 1\n}'
    with pytest.raises(TypeError):
        app.json.dumps({"a": object()})


def test_the_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "200" in response.get_json()["paths"]["/api/v1/summary"]["get"]["responses"]
