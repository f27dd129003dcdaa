"""Validation of the individual identification number (ЖСН, IIN) of a person and the age data it carries.

Layout of the 12 digits: ``YYMMDD`` birth date, one digit for century and sex, four serial
digits, one check digit. The century/sex digit is 1/2 (born 1800–1899, male/female),
3/4 (1900–1999) or 5/6 (2000–2099). Other values (0, 7, 8, 9) are rejected: 0 appears in
some sources for foreigners without a known birth date, and business identification
numbers (БСН) use the same positions for other data, so neither describes a person whose
birth date and sex can be read, which is what a candidate's IIN must do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from app.rules.errors import RulesError

Sex = Literal["male", "female"]

IIN_LENGTH = 12

_FIRST_PASS_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_SECOND_PASS_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_NEVER_ISSUED = 10
"""A pass that leaves remainder 10 has no one-digit answer; 10 after both passes means no such IIN."""

_CENTURY_DIGITS: dict[str, tuple[int, Sex]] = {
    "1": (1800, "male"),
    "2": (1800, "female"),
    "3": (1900, "male"),
    "4": (1900, "female"),
    "5": (2000, "male"),
    "6": (2000, "female"),
}

# str.isdigit() also accepts other scripts' digits and superscripts; an IIN is ASCII only.
_ASCII_DIGITS = re.compile(r"[0-9]+")

AGE_BANDS: tuple[tuple[int, str], ...] = (
    (18, "under 18"),
    (25, "18-24"),
    (35, "25-34"),
    (45, "35-44"),
    (55, "45-54"),
)
"""Upper bound (exclusive) and label of each band; ages from the last bound up are ``OLDEST_AGE_BAND``."""
OLDEST_AGE_BAND = "55+"


class InvalidIIN(RulesError):
    """The value is not a person's IIN; ``code`` names the first check that failed."""

    code = "invalid_iin"

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


class BirthAfterDate(RulesError):
    """An age was asked for a day before the person was born."""

    code = "date_before_birth"


@dataclass(frozen=True)
class IINInfo:
    """What a valid IIN says about its holder."""

    iin: str
    birth_date: date
    sex: Sex


def iin_check_digit(first11: str) -> int | None:
    """The check digit for the first 11 digits, or ``None`` when no IIN with them is ever issued.

    Raises ``InvalidIIN`` (``iin_length`` or ``iin_not_digits``) when ``first11`` is not 11 digits.
    """
    if len(first11) != IIN_LENGTH - 1:
        raise InvalidIIN("iin_length", f"expected {IIN_LENGTH - 1} digits before the check digit, got {len(first11)}")
    if not _ASCII_DIGITS.fullmatch(first11):
        raise InvalidIIN("iin_not_digits", "the IIN must contain digits 0-9 only")
    digits = [int(ch) for ch in first11]
    for weights in (_FIRST_PASS_WEIGHTS, _SECOND_PASS_WEIGHTS):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != _NEVER_ISSUED:
            return remainder
    return None


def parse_iin(value: str) -> IINInfo:
    """Birth date and sex of a valid IIN; raises ``InvalidIIN`` naming the first failed check.

    Checks, in order: length (``iin_length``), digits only (``iin_not_digits``), century/sex
    digit (``iin_century``), a real birth date (``iin_birth_date``), check digit
    (``iin_check_digit``). No whitespace is stripped: callers clean their input.
    """
    if len(value) != IIN_LENGTH:
        raise InvalidIIN("iin_length", f"an IIN has {IIN_LENGTH} digits, got {len(value)} characters")
    if not _ASCII_DIGITS.fullmatch(value):
        raise InvalidIIN("iin_not_digits", "the IIN must contain digits 0-9 only")
    century_digit = value[6]
    if century_digit not in _CENTURY_DIGITS:
        raise InvalidIIN(
            "iin_century",
            f"the 7th digit (century and sex) must be 1-6 for a person, got {century_digit}",
        )
    century, sex = _CENTURY_DIGITS[century_digit]
    try:
        birth_date = date(century + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        raise InvalidIIN(
            "iin_birth_date",
            f"digits 1-6 ({value[0:6]}) are not a real birth date (YYMMDD) in the {century}s",
        ) from None
    expected = iin_check_digit(value[:11])
    if expected is None:
        raise InvalidIIN("iin_check_digit", "no IIN is issued with these first 11 digits (check digit would be 10)")
    if int(value[11]) != expected:
        raise InvalidIIN("iin_check_digit", f"the check digit (12th) is {value[11]}, expected {expected}")
    return IINInfo(iin=value, birth_date=birth_date, sex=sex)


def is_valid_iin(value: str) -> bool:
    """Whether ``parse_iin`` accepts the value."""
    try:
        parse_iin(value)
    except InvalidIIN:
        return False
    return True


def age_on(info: IINInfo, on: date) -> int:
    """Completed years of age on the day ``on``.

    Someone born on 29 February turns a year older on 1 March in a common year.
    """
    birth = info.birth_date
    if on < birth:
        raise BirthAfterDate(f"{on.isoformat()} is before the birth date {birth.isoformat()}")
    before_birthday = (on.month, on.day) < (birth.month, birth.day)
    return on.year - birth.year - int(before_birthday)


def age_band(age: int) -> str:
    """The coarse age band researchers see instead of a birth date (pseudonymised records)."""
    if age < 0:
        raise BirthAfterDate(f"an age cannot be negative, got {age}")
    for upper, label in AGE_BANDS:
        if age < upper:
            return label
    return OLDEST_AGE_BAND
