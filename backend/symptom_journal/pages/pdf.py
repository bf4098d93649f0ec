"""PDF of the summary page with WeasyPrint, which may fetch nothing at all."""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from weasyprint import HTML
from weasyprint.urls import URLFetcher

# WeasyPrint warns, on every PDF, about the stylesheet's screen-only rules (dark mode, scroll
# regions) that print ignores on purpose; its errors (a resource it could not use) still log.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class RefuseAll(URLFetcher):
    """A URL fetcher that refuses every URL: network, file and data alike.

    The page embeds its style and draws its charts inline, so nothing is needed; a note
    holding ``<img src="file:///etc/passwd">`` is escaped anyway, and this makes sure.
    WeasyPrint skips a resource whose fetch fails and goes on rendering.
    """

    def fetch(self, url: str, headers: Any = None) -> NoReturn:
        raise ValueError(f"fetching {url[:40]!r} is not allowed")


def html_to_pdf(html: str) -> bytes:
    """Return the PDF of a self-contained HTML page, tagged for screen readers (PDF/UA-1:
    the structure of headings, tables and lists, the language and the title)."""
    document = HTML(string=html, url_fetcher=RefuseAll(), base_url="about:blank")
    return document.write_pdf(pdf_variant="pdf/ua-1")
