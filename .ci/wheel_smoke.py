"""Drive an app served from the installed wheel: a patient's journey over HTTP.

Usage: python .ci/wheel_smoke.py http://127.0.0.1:PORT
Checks that the PWA, its service worker, the API docs and a share page load, and that a
PDF is made, from the files inside the wheel only.
"""

from __future__ import annotations

import re
import sys

import requests

base = sys.argv[1].rstrip("/")
web = requests.Session()


def check(response: requests.Response, status: int, what: str) -> requests.Response:
    if response.status_code != status:
        sys.exit(f"{what}: {response.status_code} {response.text[:300]}")
    print(f"ok  {what}: {response.status_code}, {len(response.content):,} bytes")
    return response


def post(path: str, body: dict) -> requests.Response:
    token = web.get(f"{base}/api/v1/auth/csrf").json()["csrf_token"]
    return web.post(f"{base}{path}", json=body, headers={"X-CSRF-Token": token})


check(web.get(f"{base}/"), 200, "the app's first screen")
check(web.get(f"{base}/sw.js"), 200, "its service worker")
check(web.get(f"{base}/manifest.webmanifest"), 200, "its manifest")
check(web.get(f"{base}/api/docs"), 200, "the API docs")
check(
    post("/api/v1/auth/register", {"email": "wheel@example.org", "password": "a wheel's own test"}),
    201,
    "register",
)
check(
    post("/api/v1/entries", {"recorded_at": "2026-03-10T08:30:00Z", "mood": 6, "anxiety": 3}),
    201,
    "a check-in",
)
share = check(post("/api/v1/shares", {"label": "Dr wheel"}), 201, "a share link").json()
url = share["url"]
page = check(web.get(url if url.startswith("http") else base + url), 200, "the share page")
if "Symptom Journal" not in page.text or "report.css" not in page.text:
    sys.exit("the share page lacks its title or stylesheet")
stylesheet = re.search(r'href="([^"]+report\.css)"', page.text)
if stylesheet is None:
    sys.exit("the share page links no stylesheet")
check(web.get(base + stylesheet[1]), 200, "the share page's stylesheet")
pdf = check(web.get(f"{page.url}/report.pdf"), 200, "its PDF")
if not pdf.content.startswith(b"%PDF"):
    sys.exit("the PDF is not a PDF")
print("The installed wheel serves every page.")
