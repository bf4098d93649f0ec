"""An over-long request line (414) or over-large headers (431) get the JSON error shape, in the
app and through gunicorn as `make run` serves it."""

from __future__ import annotations

import http.client
import json

import pytest

from symptom_journal.errors import MAX_HEADER_BYTES, MAX_REQUEST_LINE

LONG_PATH = "/api/v1/entries?cursor=" + "a" * 5000  # a 5 KB request line
BIG_HEADER = {"X-Padding": "b" * 20_000}  # a 20 KB header


def assert_json_error(status: int, content_type: str, raw: bytes, code: int) -> None:
    assert status == code
    assert content_type.startswith("application/json")
    body = json.loads(raw)
    assert body["code"] == code
    assert set(body) == {"code", "status", "message"}


def test_the_app_answers_over_long_requests_in_json(client):
    long_line = client.get(LONG_PATH)
    assert_json_error(long_line.status_code, long_line.content_type, long_line.data, 414)
    assert str(MAX_REQUEST_LINE) in long_line.get_json()["message"]
    big = client.get("/api/v1/health", headers=BIG_HEADER)
    assert_json_error(big.status_code, big.content_type, big.data, 431)
    assert str(MAX_HEADER_BYTES) in big.get_json()["message"]
    assert client.get("/api/v1/entries?cursor=" + "a" * 3000).status_code == 401  # within


@pytest.mark.live
def test_gunicorn_leaves_over_long_requests_to_the_app(gunicorn_app):
    port = int(gunicorn_app().rsplit(":", 1)[1])
    for path, headers, code in ((LONG_PATH, {}, 414), ("/api/v1/health", BIG_HEADER, 431)):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        assert_json_error(
            response.status, response.getheader("Content-Type", ""), response.read(), code
        )
        connection.close()
