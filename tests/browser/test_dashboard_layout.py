"""/dashboard/ in Chromium on a phone (390 px) and a laptop (1366 px), in Chinese and English:
the action plan's indicator board stays readable — each indicator's name on a line or two,
not one character a line — and the page never scrolls sideways."""

from typing import Any

import pytest
from playwright.sync_api import expect

from cms.services import portal_pages_ensure

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


def geometry(page: Any) -> dict[str, Any]:
    """Each indicator's name cell (width, lines of text), the fewest characters any cell of
    the board fits on a line, and how far the page itself scrolls sideways."""
    return page.evaluate(
        """() => {
            // the lines a cell's text takes: the distinct tops of its line boxes
            const lines = cell => {
                const range = document.createRange();
                range.selectNodeContents(cell);
                return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size || 1;
            };
            const cells = '.indicator-board tbody th, .indicator-board tbody td';
            const perLine = [...document.querySelectorAll(cells)].map(cell => {
                const text = cell.textContent.replace(/\\s+/g, '');
                return text.length >= 8 ? text.length / lines(cell) : Infinity;
            });
            return {
                names: [...document.querySelectorAll('.indicator-board tbody th')].map(th => ({
                    text: th.textContent.trim(),
                    width: th.getBoundingClientRect().width,
                    lines: lines(th),
                })),
                fewestCharactersPerLine: Math.min(...perLine),
                pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
            };
        }"""
    )


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390px", "1366px"])
def test_the_indicator_board_is_readable_on_a_phone_and_a_laptop(new_page, locale, viewport):
    portal_pages_ensure()
    page = new_page(locale=locale, viewport=viewport)

    page.goto("/dashboard/")
    expect(page.locator(".indicator-board tbody tr")).to_have_count(14)
    page.locator(".dashboard-indicators").scroll_into_view_if_needed()
    shape = geometry(page)

    assert shape["pageOverflow"] <= 0
    for name in shape["names"]:
        # a name of 12–18 characters on at most three lines, never a column of characters
        assert name["lines"] <= 3, name
        assert name["width"] >= min(300, viewport["width"] * 0.6) or viewport == LAPTOP, name
    # no cell is squeezed into a column of single characters
    assert shape["fewestCharactersPerLine"] >= 4
