"""Property-based tests of the whole API from its OpenAPI document, signed in as a patient.

Every generated request, valid or not, must get an answer that is not a 5xx and that
matches the document: status, content type, headers and body schema.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from symptom_journal import create_app

from ..factories import register

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _openapi_document() -> dict[str, Any]:
    # The document is built at collection time from an app of its own (it needs no
    # database); the requests go to the test run's app, passed to each call.
    app = create_app({"SECRET_KEY": "openapi", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return dict(app.test_client().get("/api/v1/openapi.json").get_json())


schema = schemathesis.openapi.from_dict(_openapi_document()).exclude(
    # These end the very session the test runs in; they have tests of their own.
    path_regex=r"/auth/(logout|password)$"
)


@pytest.fixture
def signed_in(app: Any) -> dict[str, Any]:
    """The cookies and CSRF header of a signed-in patient."""
    client = register(app.test_client(), email="fuzz@example.org")
    token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    cookies = {name: client.get_cookie(name).value for name in ("sj_session", "sj_csrf")}
    # Its WSGI transport does not decode compressed answers (tests/ops/test_wire.py does).
    headers = {"X-CSRF-Token": token, "Accept-Encoding": "identity"}
    return {"cookies": cookies, "headers": headers}


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_document(case: Any, app: Any, signed_in: dict[str, Any]) -> None:
    case.call_and_validate(app=app, checks=CHECKS, **signed_in)
