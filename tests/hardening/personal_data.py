"""Finding personal data in text: e-mail addresses, Norwegian phone numbers, and national
identity numbers (fødselsnummer/D-nummer, 11 digits with two mod-11 check digits)."""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<!\d)(?:\+47[ ]?)?[2-9]\d{2}[ ]?\d{2}[ ]?\d{3}(?!\d)")
ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
WEIGHTS_1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
WEIGHTS_2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    remainder = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    if remainder == 11:
        return 0
    return None if remainder == 10 else remainder


def is_fodselsnummer(number: str) -> bool:
    """True for 11 digits whose two check digits are right (the mod-11 rule)."""
    if not (len(number) == 11 and number.isdigit()):
        return False
    first = _check_digit(number[:9], WEIGHTS_1)
    if first is None or first != int(number[9]):
        return False
    second = _check_digit(number[:10], WEIGHTS_2)
    return second is not None and second == int(number[10])


def with_check_digits(nine: str) -> str | None:
    """The nine first digits completed with both check digits, or None when impossible."""
    first = _check_digit(nine, WEIGHTS_1)
    if first is None:
        return None
    second = _check_digit(nine + str(first), WEIGHTS_2)
    return None if second is None else f"{nine}{first}{second}"


def fodselsnummer_in(text: str) -> list[str]:
    """Every valid fødselsnummer in the text."""
    return [m for m in ELEVEN_DIGITS.findall(text) if is_fodselsnummer(m)]
