"""Format checks: the unified social credit code (统一社会信用代码, GB 32100-2015)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 symbols: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    code = code.strip().upper()
    if len(code) != 18 or any(c not in USCC_CHARS for c in code):
        return False
    if not code[2:8].isdigit():  # administrative division code
        return False
    return uscc_check_char(code[:17]) == code[17]


def validate_uscc(value: str) -> None:
    if not value:
        return
    code = value.strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="uscc_length",
            params={"n": len(code)},
        )
    if not is_valid_uscc(code):
        raise ValidationError(
            _(
                "This is not a valid unified social credit code: check the characters "
                "(digits and capital letters except I, O, S, V, Z) and the last check character."
            ),
            code="uscc_invalid",
        )
