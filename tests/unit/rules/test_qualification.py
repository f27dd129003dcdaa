"""The qualification check: each stated requirement met or not, and why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from app.rules.errors import RulesError
from app.rules.qualification import (
    REASON_CODES,
    InvalidQualificationRequirements,
    QualificationCheck,
    QualificationRequirements,
    RequirementResult,
    check_qualification,
    highest_level,
)


def check(
    requirements: QualificationRequirements,
    *,
    education: Sequence[tuple[str, str | None]] = (),
    experience: int = 0,
    areas: Mapping[str, int] | None = None,
) -> QualificationCheck:
    return check_qualification(
        requirements, education=list(education), experience_months=experience, functional_area_months=areas or {}
    )


def test_no_stated_requirement_means_qualified_with_no_results() -> None:
    result = check(QualificationRequirements())
    assert result.results == ()
    assert result.qualified
    assert result.unmet == ()


def test_minimum_level_is_met_by_that_level_and_higher_only() -> None:
    requirements = QualificationRequirements(min_education_level="bachelor")
    assert check(requirements, education=[("bachelor", "law")]).results == (
        RequirementResult(
            requirement="education_level",
            met=True,
            required="bachelor",
            actual="bachelor",
            reason="education_level_met",
        ),
    )
    assert check(requirements, education=[("doctorate", None)]).qualified
    below = check(requirements, education=[("technical_vocational", "law"), ("secondary", None)])
    assert below.results == (
        RequirementResult(
            requirement="education_level",
            met=False,
            required="bachelor",
            actual="technical_vocational",
            reason="education_level_below_minimum",
        ),
    )
    assert not below.qualified
    assert below.unmet == ("education_level",)


def test_no_diploma_at_all_is_education_missing() -> None:
    result = check(QualificationRequirements(min_education_level="secondary"))
    assert result.results[0].reason == "education_missing"
    assert result.results[0].actual is None
    assert not result.qualified


def test_allowed_levels_list_is_exact_and_printed_in_scale_order() -> None:
    requirements = QualificationRequirements(education_levels=frozenset({"master", "bachelor"}))
    ok = check(requirements, education=[("master", "economics")])
    assert ok.results[0].required == ("bachelor", "master")
    assert ok.qualified
    # a doctorate is higher, but not in the list
    refused = check(requirements, education=[("doctorate", "economics")])
    assert refused.results[0] == RequirementResult(
        requirement="education_level",
        met=False,
        required=("bachelor", "master"),
        actual="doctorate",
        reason="education_level_not_allowed",
    )


def test_levels_list_and_minimum_together_narrow_each_other() -> None:
    requirements = QualificationRequirements(
        education_levels=frozenset({"technical_vocational", "master"}), min_education_level="bachelor"
    )
    assert check(requirements, education=[("master", None)]).results[0].required == ("master",)
    assert not check(requirements, education=[("technical_vocational", None)]).qualified


def test_field_must_belong_to_a_diploma_of_an_allowed_level() -> None:
    requirements = QualificationRequirements(
        min_education_level="bachelor", education_fields=frozenset({"Law", "Public administration"})
    )
    # law only at the vocational level, economics at bachelor: the field requirement is not met
    result = check(requirements, education=[("technical_vocational", "law"), ("bachelor", "economics")])
    assert [r.met for r in result.results] == [True, False]
    assert result.results[1] == RequirementResult(
        requirement="education_field",
        met=False,
        required=("Law", "Public administration"),
        actual=("economics",),
        reason="education_field_not_matching",
    )
    # any of the fields, compared without case and extra spaces
    matched = check(requirements, education=[("master", "  public   ADMINISTRATION ")])
    assert matched.qualified
    assert matched.results[1].reason == "education_field_met"


def test_fields_alone_accept_any_level() -> None:
    requirements = QualificationRequirements(education_fields=frozenset({"law"}))
    assert check(requirements, education=[("secondary", "Law")]).qualified
    assert check(requirements, education=[("secondary", None)]).results[0].actual == ()


@pytest.mark.parametrize(("months", "met"), [(35, False), (36, True), (37, True)])
def test_experience_boundary(months: int, met: bool) -> None:
    result = check(QualificationRequirements(min_experience_months=36), experience=months)
    assert result.results == (
        RequirementResult(
            requirement="experience",
            met=met,
            required=36,
            actual=months,
            reason="experience_met" if met else "experience_below_minimum",
        ),
    )


@pytest.mark.parametrize(("months", "met"), [(11, False), (12, True)])
def test_functional_area_boundary_sums_matching_areas(months: int, met: bool) -> None:
    requirements = QualificationRequirements(functional_area="Finance", min_functional_area_months=12)
    areas = {"finance": months - 5, " FINANCE": 5, "law": 100}
    result = check(requirements, areas=areas)
    assert result.results == (
        RequirementResult(
            requirement="functional_area_experience",
            met=met,
            required=12,
            actual=months,
            reason="functional_area_experience_met" if met else "functional_area_experience_below_minimum",
        ),
    )


def test_functional_area_absent_counts_zero() -> None:
    requirements = QualificationRequirements(functional_area="finance", min_functional_area_months=1)
    assert check(requirements).results[0].actual == 0


def test_all_requirements_listed_in_order_and_each_reason_is_documented() -> None:
    requirements = QualificationRequirements(
        min_education_level="master",
        education_fields=frozenset({"law"}),
        min_experience_months=12,
        functional_area="legal",
        min_functional_area_months=6,
    )
    result = check(requirements, education=[("bachelor", "law")], experience=12, areas={"legal": 5})
    assert [(r.requirement, r.met) for r in result.results] == [
        ("education_level", False),
        ("education_field", False),
        ("experience", True),
        ("functional_area_experience", False),
    ]
    assert result.unmet == ("education_level", "education_field", "functional_area_experience")
    assert all(r.reason in REASON_CODES for r in result.results)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_education_level": "phd"},
        {"education_levels": frozenset({"bachelor", "college"})},
        {"min_experience_months": -1},
        {"min_functional_area_months": 6},  # no area named
    ],
)
def test_invalid_requirements_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidQualificationRequirements) as raised:
        QualificationRequirements(**kwargs)
    assert raised.value.code == "invalid_qualification_requirements"
    assert isinstance(raised.value, RulesError)


def test_invalid_file_values_are_refused() -> None:
    with pytest.raises(InvalidQualificationRequirements):
        check(QualificationRequirements(), education=[("college", None)])
    with pytest.raises(InvalidQualificationRequirements):
        check(QualificationRequirements(), experience=-3)
    with pytest.raises(InvalidQualificationRequirements):
        check(QualificationRequirements(), areas={"law": -1})


def test_highest_level() -> None:
    assert highest_level([]) is None
    assert highest_level(["master", "secondary", "bachelor"]) == "master"
