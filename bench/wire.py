"""Bytes over the wire: the PWA's first load, the API docs and the five-year summary.

Each is fetched through the app (in process, bodies only, headers aside) as a browser
that accepts nothing but plain answers would, which is what every answer was before
compression, and then as one that accepts brotli, and one that accepts only gzip.

    .venv/bin/python bench/wire.py

The five-year patient is bench/summary.py's: 5,500 entries over five years, 60 treatment
sessions, a fixed random seed, on SQLite in a temporary folder.
"""

from __future__ import annotations

import os
import random
import re
import sys
import tempfile
from typing import Any

from summary import END, START, add_user, entry_rows, insert_batches, linked_entries, session_rows

from symptom_journal import create_app
from symptom_journal.extensions import db
from symptom_journal.journal.models import Entry, TreatmentSession

PASSWORD = "a long bench password"  # noqa: S105 (a bench account)
ENCODINGS = {"plain (before)": "identity", "brotli": "br, gzip", "gzip only": "gzip"}


def shell_files(client: Any) -> list[str]:
    """The PWA's first load: the shell, its manifest and worker, and every file the worker keeps."""
    worker = client.get("/sw.js").get_data(as_text=True)
    assets = re.search(r'const ASSETS = "([^"]+)"', worker)[1]
    listed = re.findall(r'"([^"$]+)"', worker.split("const FILES")[1].split("];")[0])
    files = ["/", "/sw.js", "/manifest.webmanifest", "/favicon.ico"]
    return files + [name if name.startswith("/") else f"{assets}/{name}" for name in listed]


def docs_files(client: Any) -> tuple[list[str], list[str]]:
    """The docs page's first load, and what opening the explorer adds."""
    script = client.get("/api/docs/docs.js").get_data(as_text=True)
    swagger = re.search(r'const SWAGGER = "([^"]+)"', script)[1]
    first = ["/api/docs", "/api/docs/docs.css", "/api/docs/docs.js", "/api/v1/openapi.json"]
    first.append("/favicon.ico")
    return first, [f"{swagger}/swagger-ui.css", f"{swagger}/swagger-ui-bundle.js"]


def transferred(client: Any, paths: list[str], accept: str) -> int:
    total = 0
    for path in dict.fromkeys(paths):
        response = client.get(path, headers={"Accept-Encoding": accept})
        assert response.status_code == 200, (path, response.status_code)
        total += len(response.get_data())
    return total


def seed(app: Any) -> None:
    with app.app_context():
        db.create_all()
        rng = random.Random(20261126)
        owner = add_user("five-years@example.org", PASSWORD)
        sessions = session_rows(owner, 60, rng)
        insert_batches(sessions, TreatmentSession.__table__)
        linked = linked_entries(sessions, rng)
        insert_batches(linked, Entry.__table__)
        insert_batches(entry_rows(owner, 5_500 - len(linked), rng), Entry.__table__)


def main() -> int:
    folder = tempfile.mkdtemp(prefix="sj-wire-")
    os.environ.setdefault("INSTANCE_PATH", folder)
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/journal.db",
            "RATELIMIT_ENABLED": False,
        }
    )
    seed(app)
    client = app.test_client()
    token = client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    signed_in = client.post(
        "/api/v1/auth/login",
        json={"email": "five-years@example.org", "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    assert signed_in.status_code == 200, signed_in.get_json()
    docs_first, explorer = docs_files(client)
    loads = {
        "PWA first load": shell_files(client),
        "API docs, first load": docs_first,
        "API docs, explorer opened (adds)": explorer,
        "summary, five years": [f"/api/v1/summary?from={START}&to={END}"],
        "entries CSV, five years": ["/api/v1/export/entries.csv"],
    }
    print(f"{'load':34} " + " ".join(f"{name:>16}" for name in ENCODINGS) + "   saved (brotli)")
    for name, paths in loads.items():
        sizes = [transferred(client, paths, accept) for accept in ENCODINGS.values()]
        saved = 1 - sizes[1] / sizes[0]
        print(f"{name:34} " + " ".join(f"{size:>16,}" for size in sizes) + f"   {saved:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
