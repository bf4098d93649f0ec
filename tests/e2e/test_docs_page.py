"""The API docs page in a browser: light to load, every endpoint listed, Swagger UI on request."""

from __future__ import annotations

from typing import Any

from .ui import DESKTOP, axe_violations, screenshot

# Swagger UI's own accessibility failures (5.35.0), noted in bench/README.md: low-contrast
# version stamps and method labels, and operation summaries that are buttons holding buttons.
# The page of our own (the index, before the explorer opens) is clean.
SWAGGER_UI_OWN = {"color-contrast", "nested-interactive"}


def _transferred(page: Any) -> int:
    """Bytes the page's loads took over the wire (headers aside), as the browser counts them."""
    return int(
        page.evaluate(
            """() => performance.getEntriesByType('navigation')
                .concat(performance.getEntriesByType('resource'))
                .reduce((sum, entry) => sum + entry.transferSize, 0)"""
        )
    )


def test_the_docs_page_lists_every_endpoint_and_opens_the_explorer(browser, live_server):
    context = browser.new_context(**DESKTOP, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server + "/api/docs")
    page.wait_for_selector("#index ul.ops li")
    rows = page.locator("#index ul.ops li").all_inner_texts()
    assert any(row.startswith("POST") and "/api/v1/entries" in row for row in rows)
    assert any("/api/v1/summary" in row for row in rows)
    page.wait_for_load_state("networkidle")
    first_load = _transferred(page)
    assert first_load < 400_000, first_load
    assert axe_violations(page) == []
    screenshot(page, "api-docs")

    page.get_by_role("button", name="Open the interactive explorer").click()
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() >= len(rows) * 0.9
    assert page.locator("#index").is_hidden()
    found = {violation["id"] for violation in axe_violations(page)}
    assert found <= SWAGGER_UI_OWN, found - SWAGGER_UI_OWN
    context.close()


def test_a_link_into_the_explorer_opens_it(browser, live_server):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.goto(live_server + "/api/docs#/Entries")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    context.close()
