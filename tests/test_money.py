from decimal import Decimal

import pytest

from marketplace.money import (
    format_price_exact,
    format_yuan,
    format_yuan_exact,
    format_yuan_or_dash,
)


@pytest.mark.parametrize(
    ("amount", "chinese", "english"),
    [
        ("1200000", "120 万元", "¥1,200,000"),
        ("85000", "8.5 万元", "¥85,000"),
        ("1234567.89", "123.46 万元", "¥1,234,567.89"),
        ("9999.5", "¥9,999.50", "¥9,999.50"),
        ("120000000", "1.2 亿元", "¥120,000,000"),
        ("1500000000", "15 亿元", "¥1,500,000,000"),
        ("0.01", "¥0.01", "¥0.01"),
    ],
)
def test_prices_read_naturally_in_each_language(amount, chinese, english):
    assert format_yuan(Decimal(amount), chinese=True) == chinese
    assert format_yuan(Decimal(amount), chinese=False) == english
    assert format_yuan_exact(Decimal(amount)) == english


def test_exact_prices_show_fen_and_negotiable():
    from django.utils import translation

    assert format_price_exact(Decimal("1234567")) == "¥1,234,567.00"
    assert format_price_exact(Decimal("9.5")) == "¥9.50"
    with translation.override("en"):
        assert format_price_exact(None) == "Negotiable"


def test_amounts_show_to_the_fen_or_a_dash_when_there_is_none():
    assert format_yuan_or_dash(Decimal("1234567")) == "¥1,234,567.00"
    assert format_yuan_or_dash(Decimal("9.5")) == "¥9.50"
    assert format_yuan_or_dash(Decimal(0)) == "¥0.00"
    assert format_yuan_or_dash(None) == "—"
