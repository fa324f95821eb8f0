"""At 390 px (inspections are run from a phone) wide tables scroll inside themselves with
readable columns, and the page itself never scrolls sideways (field test #18 item 10: the
project list squeezed its columns to two characters)."""

from __future__ import annotations

from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD
from tests.insights.fixtures import portfolio


def test_project_table_scrolls_with_readable_columns_at_390px(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    portfolio(personas.org_a)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "staff_user", PASSWORD)

    page.goto("/projects/")

    table = page.locator("main table.table").first
    widths = table.locator("thead th").evaluate_all("ths => ths.map(th => th.clientWidth)")
    assert min(widths) >= 50, widths  # about four CJK characters at least
    scroll = table.evaluate("t => [t.scrollWidth, t.clientWidth]")
    assert scroll[0] > scroll[1], "the table scrolls inside itself"
    page_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert page_width <= 390, page_width


def test_a_narrow_screen_keeps_the_page_from_scrolling_sideways_when_empty(
    page, personas: Personas
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "staff_user", PASSWORD)

    page.goto("/projects/?q=nothing-matches-this")

    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
