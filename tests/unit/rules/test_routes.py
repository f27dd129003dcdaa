"""Routes outside competition: each condition at its boundary (GPA, one year, Astana)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.rules.calendar import period_end_years
from app.rules.errors import PolicyError
from app.rules.policy import SelectionPolicy, policy_from_overrides
from app.rules.routes import (
    Diploma,
    Post,
    Reserve,
    UnknownRoute,
    eligibility_to_json,
    gpa_meets,
    route_eligibility,
)

POLICY = SelectionPolicy()
RURAL = Post(locality_type="rural", region="Kyzylorda")
# Tuesday 30.06.2026 is a working day: one year from a diploma of 30.06.2025 ends that day.
DIPLOMA_ON = date(2025, 6, 30)


def graduate(
    gpa: str = "3.50",
    scale: str = "4",
    *,
    grant: bool = True,
    on: date = date(2026, 1, 15),
    post: Post = RURAL,
    diploma_on: date = DIPLOMA_ON,
) -> dict[str, bool]:
    diploma = Diploma("KazNU", diploma_on, grant_funded=grant, gpa=Decimal(gpa), gpa_scale=Decimal(scale))
    result = route_eligibility("grant_graduate", diplomas=[diploma], reserves=[], post=post, on=on, policy=POLICY)
    conditions = {c.code: c.met for c in result.conditions}
    assert result.eligible == all(conditions.values())
    return conditions


@pytest.mark.parametrize(("gpa", "met"), [("3.32", False), ("3.33", True), ("3.34", True)])
def test_gpa_boundary_on_the_four_point_scale(gpa: str, met: bool) -> None:
    assert graduate(gpa)["gpa"] is met


@pytest.mark.parametrize(("gpa", "met"), [("4.16", False), ("4.1625", True), ("4.17", True)])
def test_gpa_on_a_five_point_scale_is_compared_in_proportion(gpa: str, met: bool) -> None:
    # 3.33 / 4 = 83.25 % = 4.1625 / 5
    assert graduate(gpa, "5")["gpa"] is met
    assert gpa_meets(Decimal(gpa), Decimal(5), POLICY) is met


@pytest.mark.parametrize(
    ("on", "met"),
    [
        (date(2025, 6, 29), False),  # before the diploma
        (date(2025, 6, 30), True),
        (date(2026, 6, 29), True),  # the day before the year ends
        (date(2026, 6, 30), True),  # the last day
        (date(2026, 7, 1), False),  # the day after
    ],
)
def test_one_year_from_the_diploma(on: date, met: bool) -> None:
    assert graduate(on=on)["within_period_of_diploma"] is met


def test_a_year_ending_on_a_day_off_runs_to_the_next_working_day() -> None:
    # diploma Friday 27.06.2025: the year ends Saturday 27.06.2026, so on Monday 29.06.2026
    assert period_end_years(date(2025, 6, 27), 1, move_to_working_day=True) == date(2026, 6, 29)
    assert period_end_years(date(2025, 6, 27), 1, move_to_working_day=False) == date(2026, 6, 27)
    assert graduate(diploma_on=date(2025, 6, 27), on=date(2026, 6, 29))["within_period_of_diploma"] is True
    assert graduate(diploma_on=date(2025, 6, 27), on=date(2026, 6, 30))["within_period_of_diploma"] is False
    # 29 February: the year ends on the month's last day
    assert period_end_years(date(2024, 2, 29), 1, move_to_working_day=False) == date(2025, 2, 28)


@pytest.mark.parametrize(
    ("locality", "met"), [("district", True), ("rural", True), ("city", False), ("republican", False), (None, False)]
)
def test_graduates_go_to_district_and_rural_posts_only(locality: str | None, met: bool) -> None:
    assert graduate(post=Post(locality_type=locality, region="Kyzylorda"))["locality"] is met


def test_without_a_state_grant_the_route_is_closed() -> None:
    assert graduate(grant=False) == {
        "state_grant": False,
        "gpa": True,
        "within_period_of_diploma": True,
        "locality": True,
    }


def test_the_conditions_are_shown_one_by_one() -> None:
    diploma = Diploma("KazNU", DIPLOMA_ON, grant_funded=True, gpa=Decimal("3.32"), gpa_scale=Decimal(4))
    shown = eligibility_to_json(
        route_eligibility(
            "grant_graduate", diplomas=[diploma], reserves=[], post=RURAL, on=date(2026, 1, 15), policy=POLICY
        )
    )
    assert shown == {
        "route": "grant_graduate",
        "eligible": False,
        "conditions": [
            {"code": "state_grant", "met": True, "required": True, "actual": True},
            {
                "code": "gpa",
                "met": False,
                "required": {"min": "3.33", "scale": "4"},
                "actual": {"gpa": "3.32", "scale": "4"},
            },
            {
                "code": "within_period_of_diploma",
                "met": True,
                "required": {"years": 1, "until": "2026-06-30"},
                "actual": "2025-06-30",
            },
            {"code": "locality", "met": True, "required": ["district", "rural"], "actual": "rural"},
        ],
    }
    assert (
        route_eligibility("grant_graduate", diplomas=[], reserves=[], post=RURAL, on=date(2026, 1, 15), policy=POLICY)
        .conditions[0]
        .code
        == "diploma"
    )


@pytest.mark.parametrize(
    ("region", "met"), [("Astana", False), ("astana ", False), ("Kyzylorda", True), ("Almaty", True)]
)
def test_the_academy_route_is_everywhere_but_astana(region: str, met: bool) -> None:
    diploma = Diploma("Academy of Public Administration", DIPLOMA_ON, academy=True, best_graduate=True)
    result = route_eligibility(
        "academy_graduate",
        diplomas=[diploma],
        reserves=[],
        post=Post(locality_type="city", region=region),
        on=date(2026, 6, 30),
        policy=POLICY,
    )
    assert result.eligible is met
    assert {c.code: c.met for c in result.conditions}["region"] is met
    late = route_eligibility(
        "academy_graduate",
        diplomas=[diploma],
        reserves=[],
        post=Post(locality_type="city", region=region),
        on=date(2026, 7, 1),
        policy=POLICY,
    )
    assert late.eligible is False


def test_the_academy_route_needs_a_best_graduate_of_the_academy() -> None:
    plain = Diploma("Academy of Public Administration", DIPLOMA_ON, academy=True, best_graduate=False)
    result = route_eligibility(
        "academy_graduate", diplomas=[plain], reserves=[], post=RURAL, on=date(2026, 1, 5), policy=POLICY
    )
    assert [(c.code, c.met) for c in result.conditions] == [
        ("academy_best_graduate", False),
        ("within_period_of_diploma", True),
        ("region", True),
    ]


def test_reserves_count_on_the_day_and_the_regional_one_in_its_region() -> None:
    reserve = Reserve("regional", date(2025, 1, 1), date(2026, 12, 31), region="Kyzylorda")
    youth = Reserve("presidential_youth", date(2025, 1, 1), None)

    def eligible(route: str, on: date, post: Post = RURAL) -> bool:
        return route_eligibility(
            route, diplomas=[], reserves=[reserve, youth], post=post, on=on, policy=POLICY
        ).eligible

    assert eligible("regional_reserve", date(2026, 12, 31)) is True
    assert eligible("regional_reserve", date(2027, 1, 1)) is False
    assert eligible("regional_reserve", date(2026, 1, 1), Post(locality_type="city", region="Almaty")) is False
    assert eligible("presidential_youth_reserve", date(2024, 12, 31)) is False
    assert eligible("presidential_youth_reserve", date(2030, 1, 1)) is True
    with pytest.raises(UnknownRoute):
        route_eligibility("by_friendship", diplomas=[], reserves=[], post=RURAL, on=date(2026, 1, 1), policy=POLICY)


def test_policy_changes_the_threshold_and_checks_it() -> None:
    stricter = policy_from_overrides({"graduate_gpa_min": "3.5", "academy_excluded_region": "Almaty"})
    assert gpa_meets(Decimal("3.49"), Decimal(4), stricter) is False
    assert stricter.academy_excluded_region == "Almaty"
    with pytest.raises(PolicyError):
        policy_from_overrides({"graduate_gpa_min": 5})
    with pytest.raises(PolicyError):
        policy_from_overrides({"academy_excluded_region": ""})
    with pytest.raises(PolicyError):
        policy_from_overrides({"after_winner_refusal": "lottery"})
