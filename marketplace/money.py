"""Money and terms as people read them: ¥1,234.56 everywhere; 万元 / 亿元 in Chinese."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

WAN = Decimal(10_000)  # 万
YI = Decimal(100_000_000)  # 亿
CENT = Decimal("0.01")


def _grouped(amount: Decimal, *, trim: bool = False) -> str:
    """Thousands separators; decimals only when there are some (all trailing zeros go when
    `trim`: 8.5 万, but ¥9,999.50)."""
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if amount == amount.to_integral_value():
        return f"{amount:,.0f}"
    text = f"{amount:,.2f}"
    return text.rstrip("0") if trim else text


def format_yuan_exact(amount: Decimal, *, always_fen: bool = False) -> str:
    """¥9,999.50 / ¥1,200,000; with `always_fen` the fen always show (¥1,200,000.00), as
    staff and holders see the exact figure they entered."""
    if always_fen:
        return f"¥{amount.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"
    return f"¥{_grouped(amount)}"


def format_yuan_or_dash(amount: Decimal | None) -> str:
    """¥1,234,567.00 to the fen (the figure as entered: a sum people pay or lend), or a dash
    when there is none (yet)."""
    return "—" if amount is None else format_yuan_exact(amount, always_fen=True)


def format_price_exact(amount: Decimal | None) -> str:
    """An asking price to the fen, or “Negotiable” (面议) when there is none."""
    return _("Negotiable") if amount is None else format_yuan_exact(amount, always_fen=True)


def format_yuan(amount: Decimal, *, chinese: bool) -> str:
    """¥1,200,000 in English; 120 万元 in Chinese (1.2 亿元 from a hundred million up)."""
    if chinese and amount >= YI:
        return f"{_grouped(amount / YI, trim=True)} 亿元"
    if chinese and amount >= WAN:
        return f"{_grouped(amount / WAN, trim=True)} 万元"
    return format_yuan_exact(amount)
