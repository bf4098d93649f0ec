"""Two app instances on one database, as a clinic that outgrew one server runs them: a
sign-in made through one works through the other, and the failed sign-in count is shared."""

from __future__ import annotations

import pytest

from symptom_journal import create_app
from symptom_journal.extensions import db

from ..factories import PASSWORD, ApiClient, register


@pytest.fixture
def other_instance(app):
    """A second app on the same database, rate-limit storage and secret key."""
    config = {
        key: app.config[key]
        for key in (
            "SECRET_KEY",
            "SQLALCHEMY_DATABASE_URI",
            "PASSWORD_HASH_PROFILE",
            "RATELIMIT_STORAGE_URI",
            "TESTING",
        )
    }
    other = create_app(config)
    other.test_client_class = ApiClient
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_sign_in_works_on_the_other_instance(app, other_instance):
    first = register(app.test_client(), email="moving@example.org")
    other = other_instance.test_client()
    for name in ("sj_session", "sj_csrf"):
        other.set_cookie(name, first.get_cookie(name).value)
    assert other.get("/api/v1/auth/me").get_json()["email"] == "moving@example.org"
    created = other.post("/api/v1/entries", json={"recorded_at": "2026-03-10T21:00:00Z", "mood": 5})
    assert created.status_code == 201
    assert first.get(f"/api/v1/entries/{created.get_json()['id']}").status_code == 200
    assert other.post("/api/v1/auth/logout").status_code == 204
    assert first.get("/api/v1/auth/me").status_code == 401  # signed out everywhere


def test_failed_sign_ins_count_across_instances(app, other_instance):
    register(app.test_client(), email="target@example.org")
    instances = [app, other_instance]
    wrong = {"email": "target@example.org", "password": "not the password at all"}
    for attempt in range(10):
        response = instances[attempt % 2].test_client().post("/api/v1/auth/login", json=wrong)
        assert response.status_code == 401
    for instance in instances:
        right = instance.test_client().post(
            "/api/v1/auth/login", json={"email": "target@example.org", "password": PASSWORD}
        )
        assert right.status_code == 429
        assert int(right.headers["Retry-After"]) > 0
