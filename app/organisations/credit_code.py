"""Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters with a check digit."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_char(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    return (code or "").strip().upper()


def is_valid(code: str) -> bool:
    code = normalise(code)
    if len(code) != 18 or any(c not in ALPHABET for c in code):
        return False
    # Positions 9-17 are the organisation code (GB 11714), which has its own check character.
    return check_char(code[:17]) == code[17]


def complete(first17: str) -> str:
    """The full code for 17 given characters (used by demo data and tests)."""
    return first17 + check_char(first17)
