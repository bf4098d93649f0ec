"""Operations: health check, OpenAPI document, interactive docs served locally."""

from __future__ import annotations

import re

from symptom_journal import create_app


def test_health_ok(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_is_503_when_the_database_is_down(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app(
        {
            "SECRET_KEY": "x",
            # A directory that does not exist: SQLite cannot open the file.
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/journal.db",
        }
    )
    app.logger.disabled = True
    response = app.test_client().get("/api/v1/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["code"] == 503
    assert body["message"] == "The database cannot be reached."
    assert "missing" not in response.get_data(as_text=True)  # no internals


def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["info"]["title"] == "Symptom Journal"
    for path in (
        "/api/v1/auth/login",
        "/api/v1/sessions",
        "/api/v1/sessions/{record_id}",
        "/api/v1/entries",
        "/api/v1/entries/{record_id}",
        "/api/v1/health",
    ):
        assert path in spec["paths"], path
    entry_props = spec["components"]["schemas"]["EntryIn"]["properties"]
    assert entry_props["mood"]["maximum"] == 10


def test_docs_are_served_without_a_cdn(client):
    with client.get("/api/docs") as page:
        assert page.status_code == 200
        html = page.get_data(as_text=True)
    assert "swagger-ui" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    for source in sources:
        assert source.startswith(("/api/docs/", "/favicon.ico", "/api/v1/")), source
        with client.get(source) as asset:
            assert asset.status_code == 200, source


def test_root_serves_the_app_shell(client):
    with client.get("/") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        html = response.get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert "<script>" not in html  # modules only, allowed by the CSP
    with client.get("/sw.js") as worker:
        assert worker.mimetype == "text/javascript"
        assert worker.headers["Cache-Control"] == "no-cache"
    with client.get("/manifest.webmanifest") as manifest:
        assert manifest.mimetype == "application/manifest+json"
        assert manifest.get_json()["display"] == "standalone"
    version = client.application.extensions["frontend"].version
    for escape in ("/js/../../pyproject.toml", f"/assets/{version}/js/../../pyproject.toml"):
        with client.get(escape) as response:
            assert response.status_code == 404, escape


def test_the_service_worker_caches_every_file_of_the_shell():
    import re
    from pathlib import Path

    frontend = Path(__file__).resolve().parents[2] / "frontend"
    worker = (frontend / "sw.js").read_text()
    listed = set(re.findall(r'"(/?[^"$]*)"', worker.split("];")[0].split("const FILES")[1]))
    needed = {
        str(path.relative_to(frontend))
        for folder in ("js", "css")
        for path in (frontend / folder).rglob("*")
        if path.is_file()
    }
    needed |= {"/", "/manifest.webmanifest", "vendor/idb-keyval-6.3.0/idb-keyval.js"}
    assert needed <= listed, sorted(needed - listed)


def test_responses_are_encoded_with_orjson(app, monkeypatch):
    import json

    from flask import jsonify

    def refuse(*_args, **_kwargs):
        raise AssertionError("the standard library encoder was used")

    monkeypatch.setattr(json, "dumps", refuse)
    with app.test_request_context():
        response = jsonify({"when": "2026-03-10", "values": [1, 2.5, None], "text": "été"})
    assert response.get_json() == {"when": "2026-03-10", "values": [1, 2.5, None], "text": "été"}
