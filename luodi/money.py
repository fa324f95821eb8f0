"""Money as integers in fen (分, 1/100 yuan), the one unit every model stores, and its
conversions for people: typed and shown in yuan, converted exactly, never through float."""

from __future__ import annotations

from decimal import Decimal

FEN_PER_YUAN = 100


def to_yuan(amount_fen: int) -> Decimal:
    """18000 → Decimal("180.00"), for a form's initial value."""
    return Decimal(amount_fen).scaleb(-2)


def to_fen(amount_yuan: Decimal) -> int:
    """Decimal("1200.10") → 120010: yuan with at most two decimals (the form field
    validates that) to fen."""
    return int((amount_yuan * FEN_PER_YUAN).to_integral_value())


def plain(amount_fen: int) -> str:
    """120000 → "1,200.00", for text that names the unit in words (元 / yuan)."""
    return f"{to_yuan(amount_fen):,.2f}"


def shown(amount_fen: int | None) -> str:
    """120000 → "¥1,200.00"; "" when there is no amount."""
    return "" if amount_fen is None else f"¥{plain(amount_fen)}"
