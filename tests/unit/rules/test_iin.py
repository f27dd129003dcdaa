"""IIN validation: structure, birth date, century/sex digit, the two-pass check digit, ages."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given, reject, settings
from hypothesis import strategies as st

from app.rules.errors import RulesError
from app.rules.iin import (
    BirthAfterDate,
    IINInfo,
    InvalidIIN,
    Sex,
    age_band,
    age_on,
    iin_check_digit,
    is_valid_iin,
    parse_iin,
)

# 950315 4 0123 + check. First pass, weights 1..11 over 9,5,0,3,1,5,4,0,1,2,3:
# 9 + 10 + 0 + 12 + 5 + 30 + 28 + 0 + 9 + 20 + 33 = 156; 156 mod 11 = 2.
VALID_FIRST_PASS = "950315401232"
# 900101 3 0081 + check. First pass: 9 + 0 + 0 + 4 + 0 + 6 + 21 + 0 + 0 + 80 + 11 = 131 -> 131 mod 11 = 10;
# second pass, weights 3,4,5,6,7,8,9,10,11,1,2: 27 + 0 + 0 + 6 + 0 + 8 + 27 + 0 + 0 + 8 + 2 = 78 -> 1.
VALID_SECOND_PASS = "900101300811"
# 850715 4 0003. First pass: 8 + 10 + 0 + 28 + 5 + 30 + 28 + 0 + 0 + 0 + 33 = 142 -> 10;
# second pass: 24 + 20 + 0 + 42 + 7 + 40 + 36 + 0 + 0 + 0 + 6 = 175 -> 10: never issued.
NEVER_ISSUED_PREFIX = "85071540003"


def _with_check(first11: str) -> str:
    check = iin_check_digit(first11)
    assert check is not None
    return first11 + str(check)


def _code(value: str) -> str:
    with pytest.raises(InvalidIIN) as caught:
        parse_iin(value)
    assert isinstance(caught.value, RulesError)
    assert str(caught.value)
    return caught.value.code


def test_parse_valid_first_pass_example() -> None:
    assert parse_iin(VALID_FIRST_PASS) == IINInfo(iin=VALID_FIRST_PASS, birth_date=date(1995, 3, 15), sex="female")
    assert is_valid_iin(VALID_FIRST_PASS)


def test_parse_valid_second_pass_example() -> None:
    assert iin_check_digit(VALID_SECOND_PASS[:11]) == 1
    assert parse_iin(VALID_SECOND_PASS) == IINInfo(iin=VALID_SECOND_PASS, birth_date=date(1990, 1, 1), sex="male")


def test_never_issued_prefix_has_no_check_digit() -> None:
    assert iin_check_digit(NEVER_ISSUED_PREFIX) is None
    for last in "0123456789":
        assert _code(NEVER_ISSUED_PREFIX + last) == "iin_check_digit"


@pytest.mark.parametrize(
    ("digit", "year", "sex"),
    [
        ("1", 1895, "male"),
        ("2", 1895, "female"),
        ("3", 1995, "male"),
        ("4", 1995, "female"),
        ("5", 2095, "male"),
        ("6", 2095, "female"),
    ],
)
def test_century_and_sex_digit(digit: str, year: int, sex: str) -> None:
    info = parse_iin(_with_check(f"950315{digit}0123"))
    assert (info.birth_date, info.sex) == (date(year, 3, 15), sex)


@pytest.mark.parametrize("digit", ["0", "7", "8", "9"])
def test_century_digit_outside_1_to_6_rejected(digit: str) -> None:
    assert _code(f"950315{digit}01230") == "iin_century"


@pytest.mark.parametrize("value", ["95031540123", "9503154012321", "", "9"])
def test_wrong_length(value: str) -> None:
    assert _code(value) == "iin_length"


@pytest.mark.parametrize("value", ["95031540123a", "9503154O1232", " 95031540123", "95031540123\u0663"])
def test_not_ascii_digits(value: str) -> None:
    assert _code(value) == "iin_not_digits"
    assert not is_valid_iin(value)


@pytest.mark.parametrize("yymmdd", ["950230", "950001", "951301", "950431", "950300", "010229"])
def test_impossible_birth_dates(yymmdd: str) -> None:
    # 010229 with digit 3: 29 Feb 1901 (not a leap year).
    assert _code(f"{yymmdd}301230") == "iin_birth_date"


def test_feb_29_depends_on_the_century_digit() -> None:
    # 1900 is not a leap year, 2000 is: the same six digits are valid only in the 2000s.
    assert _code(_with_check("000229301230"[:11])) == "iin_birth_date"
    assert parse_iin(_with_check("00022950123")).birth_date == date(2000, 2, 29)
    assert parse_iin(_with_check("96022940123")).birth_date == date(1996, 2, 29)
    assert _code("970229401230") == "iin_birth_date"


def test_wrong_check_digit() -> None:
    wrong = VALID_FIRST_PASS[:11] + "3"
    assert _code(wrong) == "iin_check_digit"
    with pytest.raises(InvalidIIN, match="expected 2"):
        parse_iin(wrong)


def test_check_order_length_before_digits_before_century() -> None:
    assert _code("abc") == "iin_length"
    assert _code("abcdefghijkl") == "iin_not_digits"
    assert _code("950230901230") == "iin_century"  # bad date too, the century is checked first


@pytest.mark.parametrize(("value", "code"), [("1234567890", "iin_length"), ("1234567890a", "iin_not_digits")])
def test_check_digit_input_validated(value: str, code: str) -> None:
    with pytest.raises(InvalidIIN) as caught:
        iin_check_digit(value)
    assert caught.value.code == code


def test_eleventh_digit_does_not_move_a_first_pass_check_digit() -> None:
    # Its first-pass weight is 11, which is 0 mod 11: a known weakness of the scheme.
    checks = {iin_check_digit(VALID_FIRST_PASS[:10] + last) for last in "0123456789"}
    assert checks == {2}


def test_age_on_birthdays() -> None:
    info = parse_iin(VALID_FIRST_PASS)  # born 1995-03-15
    assert age_on(info, date(2026, 3, 14)) == 30
    assert age_on(info, date(2026, 3, 15)) == 31
    assert age_on(info, date(1995, 3, 15)) == 0
    with pytest.raises(BirthAfterDate) as caught:
        age_on(info, date(1995, 3, 14))
    assert caught.value.code == "date_before_birth"


def test_age_on_leap_day_birthday() -> None:
    info = parse_iin(_with_check("96022940123"))  # born 1996-02-29
    assert age_on(info, date(2025, 2, 28)) == 28
    assert age_on(info, date(2025, 3, 1)) == 29
    assert age_on(info, date(2024, 2, 29)) == 28


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, "under 18"),
        (17, "under 18"),
        (18, "18-24"),
        (24, "18-24"),
        (25, "25-34"),
        (34, "25-34"),
        (35, "35-44"),
        (44, "35-44"),
        (45, "45-54"),
        (54, "45-54"),
        (55, "55+"),
        (90, "55+"),
    ],
)
def test_age_bands(age: int, band: str) -> None:
    assert age_band(age) == band


def test_negative_age_rejected() -> None:
    with pytest.raises(BirthAfterDate):
        age_band(-1)


_birth_dates = st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31))
_serials = st.integers(min_value=0, max_value=9999)


def _prefix(birth: date, sex: str, serial: int) -> str:
    century_digit = {1800: 1, 1900: 3, 2000: 5}[birth.year // 100 * 100] + (sex == "female")
    return f"{birth:%y%m%d}{century_digit}{serial:04d}"


def _first_pass(first11: str) -> int:
    return sum(int(ch) * w for ch, w in zip(first11, range(1, 12), strict=True)) % 11


@settings(max_examples=200, deadline=None)
@given(_birth_dates, st.sampled_from(["male", "female"]), _serials)
def test_any_issued_prefix_with_its_check_digit_parses(birth: date, sex: Sex, serial: int) -> None:
    first11 = _prefix(birth, sex, serial)
    check = iin_check_digit(first11)
    assume(check is not None)
    assert parse_iin(first11 + str(check)) == IINInfo(iin=first11 + str(check), birth_date=birth, sex=sex)


@settings(max_examples=200, deadline=None)
@given(_birth_dates, st.sampled_from(["male", "female"]), _serials, st.integers(1, 9))
def test_changing_the_check_digit_always_invalidates(birth: date, sex: str, serial: int, shift: int) -> None:
    first11 = _prefix(birth, sex, serial)
    check = iin_check_digit(first11)
    if check is None:
        reject()
    assert not is_valid_iin(first11 + str((check + shift) % 10))


@settings(max_examples=300, deadline=None)
@given(_birth_dates, st.sampled_from(["male", "female"]), _serials, st.integers(0, 9), st.integers(1, 9))
def test_one_digit_change_in_first_ten_is_caught_unless_a_second_pass_is_involved(
    birth: date, sex: str, serial: int, position: int, shift: int
) -> None:
    first11 = _prefix(birth, sex, serial)
    check = iin_check_digit(first11)
    assume(check is not None)
    original = first11 + str(check)
    changed = original[:position] + str((int(original[position]) + shift) % 10) + original[position + 1 :]
    # Weights 1..10 are non-zero mod 11, a prime: a substitution always moves the first-pass
    # remainder, so it slips through only when one of the two IINs needed the second pass.
    if is_valid_iin(changed):
        assert _first_pass(original[:11]) == 10 or _first_pass(changed[:11]) == 10
