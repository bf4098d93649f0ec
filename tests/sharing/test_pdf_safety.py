"""The PDF renders patient text as text and fetches nothing: no files, no network."""

from __future__ import annotations

import io
import socket
import threading

from pypdf import PdfReader

from ..factories import put_entry
from .conftest import make_share


def test_hostile_notes_leave_no_trace_and_open_no_connection(client, patient):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    connections: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connections.append(connection)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    notes = [
        '<img src="file:///etc/passwd">',
        f'<img src="http://127.0.0.1:{port}/pixel.png">',
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">',
        f"<style>@import url(http://127.0.0.1:{port}/y.css);</style>",
    ]
    for day, note in enumerate(notes, start=2):
        put_entry(patient, recorded_at=f"2026-03-{day:02d}T21:00:00+01:00", mood=5, note=note)
    share = make_share(patient, include_notes=True)
    try:
        response = client.get(f"/s/{share['token']}/report.pdf")
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
    assert response.status_code == 200
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "root:" not in text  # nothing of /etc/passwd
    assert '<img src="file:///etc/passwd">' in text  # the note, as the patient typed it
    assert connections == []


def test_the_renderer_itself_refuses_every_url():
    from symptom_journal.pages.pdf import html_to_pdf

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    html = (
        f'<html><head><link rel="stylesheet" href="http://127.0.0.1:{port}/a.css"></head>'
        f'<body><p>numbers 42</p><img src="http://127.0.0.1:{port}/b.png">'
        '<img src="file:///etc/passwd"><object data="file:///etc/hostname"></object></body></html>'
    )
    pdf = html_to_pdf(html)
    try:
        listener.accept()
        connected = True
    except TimeoutError:
        connected = False
    finally:
        listener.close()
    assert connected is False
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "numbers 42" in text
    assert "root:" not in text
