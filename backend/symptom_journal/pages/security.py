"""Browser hardening headers on every response, and privacy headers on shared data."""

from __future__ import annotations

from flask import Flask, Response, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# Swagger UI sets styles from its script; only the docs page allows that.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
NO_STORE = "no-store"


def register_security_headers(app: Flask) -> None:
    """Add CSP and friends to HTML, nosniff everywhere, no-store on share links."""

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            docs = request.path.startswith("/api/docs")
            response.headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else CSP)
            response.headers.setdefault("X-Frame-Options", "DENY")
        if request.path.startswith(("/s/", "/clinician/")):
            response.headers["Cache-Control"] = NO_STORE
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["X-Robots-Tag"] = "noindex"
        return response
