"""Sync under concurrency, against a live server: parallel retries of one write make one row."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from symptom_journal.journal.models import Entry

from ..factories import PASSWORD, entry_body, row_count

pytestmark = pytest.mark.live


def signed_in(base: str, email: str) -> requests.Session:
    http = requests.Session()
    token = http.get(f"{base}/api/v1/auth/csrf", timeout=10).json()["csrf_token"]
    http.headers["X-CSRF-Token"] = token
    response = http.post(
        f"{base}/api/v1/auth/register", json={"email": email, "password": PASSWORD}, timeout=10
    )
    assert response.status_code == 201, response.text
    return http


def test_twenty_identical_puts_in_parallel_make_one_row(live_server, sql):
    http = signed_in(live_server, "phone@example.org")
    record_id = uuid.uuid4()
    url = f"{live_server}/api/v1/entries/{record_id}"
    body = entry_body(note="sent twenty times on a flaky network")

    def send(_: int) -> requests.Response:
        # One connection each, as separate retries from a phone would be.
        with requests.Session() as each:
            each.cookies.update(http.cookies)
            each.headers.update(http.headers)
            return each.put(url, json=body, timeout=30)

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(send, range(20)))
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 201, 409}, statuses
    assert statuses.count(201) == 1, statuses
    assert row_count(sql, Entry) == 1
    stored = http.get(url, timeout=10).json()
    assert stored["version"] == 1
    assert stored["note"] == body["note"]
    for response in responses:
        if response.status_code in (200, 201):
            assert response.json() == stored


def test_parallel_puts_of_different_content_keep_one_version(live_server, sql):
    http = signed_in(live_server, "tablet@example.org")
    record_id = uuid.uuid4()
    url = f"{live_server}/api/v1/entries/{record_id}"

    def send(mood: int) -> requests.Response:
        with requests.Session() as each:
            each.cookies.update(http.cookies)
            each.headers.update(http.headers)
            return each.put(url, json=entry_body(mood=mood), timeout=30)

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(send, range(10)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, statuses
    winner = next(r.json() for r in responses if r.status_code == 201)
    # Every other answer either saw the same content (200) or a conflict (409).
    for response in responses:
        if response.status_code == 200:
            assert response.json()["mood"] == winner["mood"]
        else:
            assert response.status_code in (201, 409)
    assert row_count(sql, Entry) == 1
    assert http.get(url, timeout=10).json()["mood"] == winner["mood"]


def test_views_are_logged_while_others_write(live_server, sql):
    """A view reads in a deferred transaction and writes the access log in one of its own;
    with writers around, the read transaction could not have become a writer (SQLite)."""
    from symptom_journal.sharing.models import AccessEvent

    http = signed_in(live_server, "busy@example.org")
    token = http.post(f"{live_server}/api/v1/shares", json={}, timeout=10).json()["token"]

    def write(n: int) -> int:
        with requests.Session() as each:
            each.cookies.update(http.cookies)
            each.headers.update(http.headers)
            return each.put(
                f"{live_server}/api/v1/entries/{uuid.uuid4()}",
                json=entry_body(mood=n % 11),
                timeout=30,
            ).status_code

    def view(_: int) -> int:
        return requests.get(f"{live_server}/s/{token}/summary.json", timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        writes = pool.map(write, range(60))
        views = pool.map(view, range(60))
        writes, views = list(writes), list(views)
    assert set(writes) == {201}
    assert set(views) == {200}
    assert row_count(sql, AccessEvent) == 60


def test_parallel_entries_on_one_day_all_count_in_its_day_row(live_server, sql):
    from sqlalchemy import select

    from symptom_journal.journal.days import EntryDay

    http = signed_in(live_server, "busy-day@example.org")

    def send(index: int) -> int:
        with requests.Session() as each:
            each.cookies.update(http.cookies)
            each.headers.update(http.headers)
            body = entry_body(recorded_at=f"2026-03-10T{8 + index // 4:02d}:{index:02d}:00+01:00")
            return each.put(
                f"{live_server}/api/v1/entries/{uuid.uuid4()}",
                json=body | {"mood": index % 10},
                timeout=30,
            ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, range(16)))
    assert statuses == [201] * 16
    row = sql(
        lambda s: s.execute(select(EntryDay.entries, EntryDay.mood_n, EntryDay.mood_sum)).one()
    )
    assert tuple(row) == (16, 16, sum(i % 10 for i in range(16)))
