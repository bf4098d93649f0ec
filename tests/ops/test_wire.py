"""What goes over the wire: compressed answers, and the PWA's files kept under versioned names."""

from __future__ import annotations

import gzip
import re
import shutil
from datetime import date, timedelta

import brotli
import pytest
from backports import zstd

from symptom_journal.pages.shell import Frontend

from ..factories import put_entry, put_session

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress, "zstd": zstd.decompress}


def _fill(patient, days=60):
    start = date(2026, 1, 1)
    for day in range(days):
        when = start + timedelta(days=day)
        put_entry(patient, recorded_at=f"{when}T21:00:00+00:00", mood=day % 11, anxiety=3)


@pytest.mark.parametrize("encoding", ["br", "gzip", "zstd"])
def test_a_summary_is_compressed_as_the_client_accepts(patient, encoding):
    _fill(patient)
    plain = patient.get("/api/v1/summary?from=2026-01-01&to=2026-03-31")
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain.headers  # asked for nothing: gets it plain
    packed = patient.get(
        "/api/v1/summary?from=2026-01-01&to=2026-03-31", headers={"Accept-Encoding": encoding}
    )
    assert packed.status_code == 200
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    body = DECODE[encoding](packed.get_data())
    assert body == plain.get_data()
    assert len(packed.get_data()) < len(body) / 4


def test_a_small_answer_goes_plain(patient):
    response = patient.get("/api/v1/auth/me", headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


def test_a_record_keeps_its_version_as_etag_whatever_its_size(patient):
    entry = put_entry(patient, note="a long evening note " * 90)  # 1,800 characters
    response = patient.get(f"/api/v1/entries/{entry['id']}", headers={"Accept-Encoding": "br"})
    assert response.status_code == 200
    assert len(response.get_data()) > 1024
    assert "Content-Encoding" not in response.headers
    assert response.headers["ETag"] == '"1"'
    changed = patient.patch(
        f"/api/v1/entries/{entry['id']}",
        json={"mood": 2},
        headers={"If-Match": response.headers["ETag"], "Accept-Encoding": "br"},
    )
    assert changed.status_code == 200
    assert changed.headers["ETag"] == '"2"'


def test_the_entries_csv_streams_compressed(patient):
    put_session(patient)
    _fill(patient)
    plain = patient.get("/api/v1/export/entries.csv")
    packed = patient.get("/api/v1/export/entries.csv", headers={"Accept-Encoding": "br"})
    assert packed.status_code == 200
    assert packed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(packed.get_data()) == plain.get_data()


def _asset_sources(html):
    return re.findall(r'(?:src|href)="(/assets/[^"]+)"', html)


def test_the_shell_names_its_files_under_the_current_version(client, app):
    version = app.extensions["frontend"].version
    html = client.get("/").get_data(as_text=True)
    sources = _asset_sources(html)
    assert sources
    assert "{{ASSETS}}" not in html
    for source in sources:
        assert source.startswith(f"/assets/{version}/"), source
        with client.get(source, headers={"Accept-Encoding": "gzip"}) as asset:
            assert asset.status_code == 200, source
            cache = asset.headers["Cache-Control"]
            assert {"public", "max-age=31536000", "immutable"} <= set(cache.split(", "))
    worker = client.get("/sw.js").get_data(as_text=True)
    assert f'const ASSETS = "/assets/{version}";' in worker
    manifest = client.get("/manifest.webmanifest").get_json()
    assert {icon["src"] for icon in manifest["icons"]} >= {f"/assets/{version}/icons/icon-192.png"}


def test_the_entry_files_are_checked_on_every_load(client):
    for path in ("/", "/sw.js", "/manifest.webmanifest"):
        first = client.get(path)
        assert first.headers["Cache-Control"] == "no-cache", path
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, path


def test_a_javascript_file_is_served_compressed_and_whole(client, app):
    files = app.extensions["frontend"]
    url = f"{files.prefix}/js/logic.js"
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.status_code == 200
    assert packed.mimetype == "text/javascript"
    assert packed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(packed.get_data()) == (files.root / "js" / "logic.js").read_bytes()
    assert int(packed.headers["Content-Length"]) == len(packed.get_data())


def test_an_older_versions_address_gets_todays_file_checked_again(client, app):
    with client.get("/assets/0123456789ab/css/app.css") as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-cache"
        body = response.get_data()
    assert body == (app.extensions["frontend"].root / "css" / "app.css").read_bytes()


def test_anything_outside_the_asset_folders_is_404(client, app):
    version = app.extensions["frontend"].version
    for path in (
        f"/assets/{version}/sw.js",
        f"/assets/{version}/docs/index.html",
        f"/assets/{version}/css/../../pyproject.toml",
        f"/assets/{version}/js/missing.js",
        "/css/app.css",  # the unversioned addresses are gone
    ):
        with client.get(path) as response:
            assert response.status_code == 404, path


def test_the_version_follows_the_files(app, tmp_path):
    copy = tmp_path / "frontend"
    shutil.copytree(app.config["FRONTEND_DIR"], copy)
    before = Frontend.read(copy).version
    assert Frontend.read(copy).version == before
    (copy / "js" / "logic.js").write_text("// changed\n", encoding="utf-8")
    assert Frontend.read(copy).version != before


def test_every_page_has_a_favicon(client, patient):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.mimetype == "image/png"
    assert icon.get_data().startswith(b"\x89PNG")
    share = patient.post("/api/v1/shares", json={"label": "GP"}).get_json()
    pages = {
        "share page": patient.get(share["url"]),
        "gone page": client.get("/s/" + "x" * 43),
        "docs": client.get("/api/docs"),
    }
    for name, page in pages.items():
        html = page.get_data(as_text=True)
        assert 'rel="icon" href="/favicon.ico"' in html, name
    shell = client.get("/").get_data(as_text=True)
    assert re.search(r'rel="icon" href="/assets/[0-9a-f]{12}/icons/icon-192.png"', shell)


def test_swagger_ui_is_loaded_on_request_kept_a_year_and_compressed(client):
    page = client.get("/api/docs")
    assert "swagger-ui-bundle" not in page.get_data(as_text=True)  # not on the first load
    script = client.get("/api/docs/docs.js").get_data(as_text=True)
    folder = re.search(r'const SWAGGER = "([^"]+)"', script)[1]
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        response = client.get(f"{folder}/{name}", headers={"Accept-Encoding": "br"})
        assert response.status_code == 200, name
        assert response.headers["Content-Encoding"] == "br"
        assert "immutable" in response.headers["Cache-Control"]
