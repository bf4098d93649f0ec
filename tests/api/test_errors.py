"""The one JSON error shape for every failure, including those outside flask-smorest."""

from __future__ import annotations

import pytest

from ..factories import entry_body


def assert_error_shape(response, code):
    body = response.get_json()
    assert response.status_code == code
    assert response.mimetype == "application/json"
    assert body["code"] == code
    assert isinstance(body["status"], str)
    assert body["status"]
    assert isinstance(body["message"], str)
    assert body["message"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_unknown_path_is_json_404(client):
    assert_error_shape(client.get("/api/v1/nothing-here"), 404)


def test_wrong_method_is_405_with_allow(client):
    response = client.delete("/api/v1/health")
    assert_error_shape(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}


def test_wrong_method_on_a_protected_route_is_405_not_csrf(patient):
    response = patient.post("/api/v1/auth/me", csrf=False)
    assert_error_shape(response, 405)


def test_oversized_body_is_413(patient):
    big = '{"note": "' + "x" * (1024 * 1024 + 10) + '"}'
    response = patient.post("/api/v1/entries", data=big, content_type="application/json")
    body = assert_error_shape(response, 413)
    assert body["status"] == "Request Entity Too Large"


def test_deeply_nested_json_is_400(patient):
    text = "[" * 50_000 + "]" * 50_000
    response = patient.post("/api/v1/entries", data=text, content_type="application/json")
    body = assert_error_shape(response, 400)
    assert body["errors"] == {"json": ["Invalid JSON body."]}


def test_integer_past_the_digit_limit_is_400(patient):
    text = '{"recorded_at": "2026-03-10T09:00:00Z", "mood": ' + "9" * 5000 + "}"
    response = patient.post("/api/v1/entries", data=text, content_type="application/json")
    assert_error_shape(response, 400)


def test_invalid_utf8_is_400(patient):
    response = patient.post(
        "/api/v1/entries", data=b'{"note": "\xff\xfe"}', content_type="application/json"
    )
    assert_error_shape(response, 400)


def test_lone_surrogate_is_a_field_error(patient):
    text = '{"recorded_at": "2026-03-10T09:00:00Z", "mood": 5, "note": "\\ud800"}'
    response = patient.post("/api/v1/entries", data=text, content_type="application/json")
    body = assert_error_shape(response, 422)
    assert "note" in body["errors"]["json"]


def test_empty_json_body_names_required_fields(patient):
    response = patient.post("/api/v1/entries", data="", content_type="application/json")
    body = assert_error_shape(response, 422)
    assert "recorded_at" in body["errors"]["json"]


def test_request_without_body_needs_no_content_type(patient):
    response = patient.delete("/api/v1/entries/00000000-0000-4000-8000-000000000000")
    assert_error_shape(response, 404)


def test_validation_errors_have_a_helpful_message(patient):
    body = assert_error_shape(patient.post("/api/v1/entries", json=entry_body(mood=99)), 422)
    assert "see errors" in body["message"]


def test_csrf_error_has_the_shape(patient):
    body = assert_error_shape(patient.post("/api/v1/entries", json=entry_body(), csrf=False), 403)
    assert "X-CSRF-Token" in body["message"]


@pytest.mark.parametrize("path", ["/api/v1/entries/not-a-uuid", "/api/v1/sessions/123"])
def test_malformed_ids_are_404(patient, path):
    assert_error_shape(patient.get(path), 404)
