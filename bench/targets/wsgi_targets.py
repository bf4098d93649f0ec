"""Reference WSGI apps for bench/throughput.py: the floor of what gunicorn and Flask can serve."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask


def bare(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The least a WSGI app can do: a fixed JSON body."""
    body = b'{"hello":"world"}'
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


hello = Flask(__name__)


@hello.route("/")
def hello_view() -> dict[str, str]:
    return {"hello": "world"}
