from decimal import Decimal

import pytest

from cms.formatting import format_yuan, format_yuan_exact


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
