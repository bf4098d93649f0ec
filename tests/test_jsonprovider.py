"""Responses are encoded with orjson, with the standard encoder's behaviour."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st


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


@given(
    moment=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2199, 12, 31)),
    minutes=st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59),
)
def test_orjson_writes_aware_datetimes_as_isoformat_does(moment, minutes):
    # Dumps leave timestamps to the encoder (schemas._plain_expression): it must write
    # exactly what the Timestamp field would, for every whole-minute offset and UTC.
    for zone in (timezone(timedelta(minutes=minutes)), UTC):
        aware = moment.replace(tzinfo=zone)
        assert orjson.loads(orjson.dumps(aware)) == aware.isoformat()


def test_the_standard_encoders_way_writes_datetimes_and_uuids_as_orjson_does(app):
    moment = datetime(2026, 3, 10, 13, 15, 0, 250, tzinfo=timezone(timedelta(hours=-5)))
    record = uuid.UUID("12345678-1234-5678-1234-567812345678")
    body = {"at": moment, "id": record}
    expected = {"at": "2026-03-10T13:15:00.000250-05:00", "id": str(record)}
    assert json.loads(app.json.dumps(body)) == expected
    assert json.loads(app.json.dumps(body, sort_keys=True)) == expected
    # a key orjson cannot take (beyond 64 bits) sends the whole document the standard way
    assert json.loads(app.json.dumps({**body, 2**70: 1})) == {**expected, str(2**70): 1}
