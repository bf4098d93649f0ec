"""Gunicorn settings for serving the app: ``gunicorn -c python:symptom_journal.gunicorn_conf``.

Gunicorn's own limits answer in HTML (414, 431); set above the app's (errors.py:
``MAX_REQUEST_LINE``, ``MAX_HEADER_BYTES``), they leave an over-long request line or
header to the app, which answers in the product's JSON error shape. Gunicorn still cuts
off anything past its own limits (8 KB request line, 64 KB a header line).
"""

import os
import subprocess
import sys
from typing import Any

workers = 2
limit_request_line = 8190  # gunicorn's largest; the app's is 4 KB
limit_request_field_size = 65536  # a header line; the app's limit for all headers is 16 KB
limit_request_fields = 100

# The app writes the access log itself (ops/logs.py: routes, never paths that hold tokens);
# gunicorn's own would print every path and query string.
accesslog = None

# LOG_FORMAT=json: gunicorn's own messages (start, workers, timeouts) as JSON lines too.
if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": "WARNING", "handlers": []},  # the app installs its own there
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        },
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": ["asctime", "levelname", "name", "message"],
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            }
        },
    }


# The reminder worker beside the app (reminders/worker.py), started and stopped with it, so
# that one machine needs no set-up of its own. Each instance may run one: a reminder is
# claimed in the database and sent once however many run. REMINDER_WORKER=false leaves it
# to be run on its own (`flask reminders-worker`).
_reminder_worker: subprocess.Popen[bytes] | None = None


def when_ready(_server: Any) -> None:
    global _reminder_worker
    if os.environ.get("REMINDER_WORKER", "true").strip().lower() in ("0", "false", "no"):
        return
    env = {**os.environ, "FLASK_APP": "symptom_journal"}
    # This interpreter, fixed arguments: no shell, no outside input.
    _reminder_worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "reminders-worker"], env=env
    )


def on_exit(_server: Any) -> None:
    if _reminder_worker is not None and _reminder_worker.poll() is None:
        _reminder_worker.terminate()
        try:
            _reminder_worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _reminder_worker.kill()
