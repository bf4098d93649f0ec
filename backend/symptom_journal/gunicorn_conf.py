"""Gunicorn settings for serving the app: ``gunicorn -c python:symptom_journal.gunicorn_conf``.

Gunicorn's own limits answer in HTML (414, 431); set above the app's (errors.py:
``MAX_REQUEST_LINE``, ``MAX_HEADER_BYTES``), they leave an over-long request line or
header to the app, which answers in the product's JSON error shape. Gunicorn still cuts
off anything past its own limits (8 KB request line, 64 KB a header line).
"""

workers = 2
limit_request_line = 8190  # gunicorn's largest; the app's is 4 KB
limit_request_field_size = 65536  # a header line; the app's limit for all headers is 16 KB
limit_request_fields = 100
