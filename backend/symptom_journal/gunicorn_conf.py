"""Gunicorn settings for serving the app: ``gunicorn -c python:symptom_journal.gunicorn_conf``.

Gunicorn's own limits answer in HTML (414, 431); set above the app's (errors.py:
``MAX_REQUEST_LINE``, ``MAX_HEADER_BYTES``), they leave an over-long request line or
header to the app, which answers in the product's JSON error shape. Gunicorn still cuts
off anything past its own limits (8 KB request line, 64 KB a header line).
"""

import os

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
