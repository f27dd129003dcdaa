"""Position categories of corps B: parsing, the managerial default and the stage plan."""

from __future__ import annotations

import pytest

from app.rules.categories import (
    PositionCategory,
    UnknownCategory,
    all_categories,
    is_managerial,
    parse_category,
    stage_plan,
)
from app.rules.errors import RulesError

ESSAY_CATEGORIES = ["A-1", "B-1", "C-1", "C-O-1", "C-R-1", "D-1", "D-O-1", "D-R-1", "E-1", "E-R-1"]
MANAGERIAL_PLAN = ("eligibility", "personal_qualities", "reasoning", "essay", "interview", "final")
NON_MANAGERIAL_PLAN = ("eligibility", "personal_qualities", "reasoning", "practical", "interview", "final")


def test_parse_compound_group() -> None:
    assert parse_category("C-O-1") == PositionCategory(code="C-O-1", group="C-O", level=1, managerial_default=True)
    assert parse_category("E-G-5") == PositionCategory(code="E-G-5", group="E-G", level=5, managerial_default=False)


@pytest.mark.parametrize("code", ESSAY_CATEGORIES)
def test_essay_categories_are_managerial_by_default(code: str) -> None:
    assert parse_category(code).managerial_default
    assert is_managerial(code)
    assert stage_plan(code) == MANAGERIAL_PLAN


def test_only_the_seed_list_is_managerial_by_default() -> None:
    assert sorted(c.code for c in all_categories() if c.managerial_default) == sorted(ESSAY_CATEGORIES)
    assert not is_managerial("E-G-1")  # level 1 but not in the seed's list
    assert not is_managerial("C-2")
    assert stage_plan("C-2") == NON_MANAGERIAL_PLAN


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("С-О-1", "C-O-1"),  # Cyrillic С and О
        ("Д-Р-2", "D-R-2"),  # Cyrillic Д and Р
        ("А-1", "A-1"),
        ("В-3", "B-3"),
        ("Е-Г-4", "E-G-4"),
        ("е-r-1", "E-R-1"),  # lower case, mixed scripts
        (" c-o-1 ", "C-O-1"),
        ("C–O–1", "C-O-1"),  # en dashes
    ],
)
def test_lenient_spellings_normalised_to_latin(text: str, code: str) -> None:
    assert parse_category(text).code == code


@pytest.mark.parametrize(
    "text", ["X-1", "C-9", "C-O-0", "", "C", "C-", "C1", "C-01", "C-0-1", "E-G-6", "A-6", "C-R-6", "F-1"]
)
def test_unknown_codes(text: str) -> None:
    with pytest.raises(UnknownCategory) as caught:
        parse_category(text)
    assert isinstance(caught.value, RulesError)
    assert caught.value.code == "unknown_category"


def test_all_categories_table() -> None:
    categories = all_categories()
    assert len(categories) == 5 + 6 + 6 + 6 + 5 + 6 + 6 + 5 + 5 + 5 + 5
    assert len({c.code for c in categories}) == len(categories)
    assert categories[0].code == "A-1"
    assert categories[-1].code == "E-G-5"
    for category in categories:
        assert parse_category(category.code) == category
        assert category.code == f"{category.group}-{category.level}"


def test_vacancy_overrides_the_default() -> None:
    assert not is_managerial("C-1", managerial=False)
    assert stage_plan("C-1", managerial=False) == NON_MANAGERIAL_PLAN
    assert is_managerial("C-3", managerial=True)
    assert stage_plan(parse_category("C-3"), managerial=True) == MANAGERIAL_PLAN


def test_override_does_not_excuse_an_unknown_category() -> None:
    with pytest.raises(UnknownCategory):
        stage_plan("C-9", managerial=True)


def test_stage_plan_accepts_a_parsed_category() -> None:
    assert stage_plan(parse_category("D-O-1")) == MANAGERIAL_PLAN
    assert stage_plan(parse_category("D-O-2")) == NON_MANAGERIAL_PLAN
