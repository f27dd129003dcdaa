"""Essay review flags (§6 with the pre-score of §12): the discussion gap from the policy, by hand."""

from __future__ import annotations

import pytest

from app.rules.errors import PolicyError
from app.rules.essay_review import MEMBERS_APART, SUGGESTION_GAP, Flag, essay_flags
from app.rules.policy import SelectionPolicy, policy_fields, policy_from_overrides

DEFAULT = SelectionPolicy()


def test_the_default_gap_is_two_points() -> None:
    assert DEFAULT.essay_discussion_gap == 2
    assert policy_fields()["essay_discussion_gap"] == 2


def test_a_member_two_points_from_the_suggestion_is_flagged_one_point_is_not() -> None:
    # |4 - 3| = 1 < 2: no flag; |5 - 3| = 2 >= 2: a flag for scorer 3 only.
    assert essay_flags([(7, 4), (3, 5)], suggestion=3, policy=DEFAULT) == [
        Flag(key="suggestion_gap:3", kind=SUGGESTION_GAP, gap=2)
    ]


def test_without_a_suggestion_only_members_can_disagree() -> None:
    assert essay_flags([(7, 4), (3, 3)], suggestion=None, policy=DEFAULT) == []


def test_every_pair_of_members_far_enough_apart_is_one_flag() -> None:
    # Scores 1, 3, 5: pairs (1,2) gap 2, (1,3) gap 4, (2,3) gap 2 — all three reach 2.
    assert essay_flags([(3, 5), (1, 1), (2, 3)], suggestion=None, policy=DEFAULT) == [
        Flag(key="members_apart:1:2", kind=MEMBERS_APART, gap=2),
        Flag(key="members_apart:1:3", kind=MEMBERS_APART, gap=4),
        Flag(key="members_apart:2:3", kind=MEMBERS_APART, gap=2),
    ]


def test_suggestion_flags_come_before_member_pairs() -> None:
    # Suggestion 1: scorer 2 (score 4) is 3 away; scorer 5 (score 2) is 1 away; the members are 2 apart.
    assert essay_flags([(5, 2), (2, 4)], suggestion=1, policy=DEFAULT) == [
        Flag(key="suggestion_gap:2", kind=SUGGESTION_GAP, gap=3),
        Flag(key="members_apart:2:5", kind=MEMBERS_APART, gap=2),
    ]


def test_the_gap_is_read_from_the_policy() -> None:
    wider = policy_from_overrides({"essay_discussion_gap": 3})
    # Gaps 2 (member 3 vs suggestion) and 2 (members) no longer reach 3; 4 - 1 = 3 does.
    assert essay_flags([(7, 4), (3, 5)], suggestion=3, policy=wider) == []
    assert essay_flags([(1, 1), (2, 4)], suggestion=None, policy=wider) == [
        Flag(key="members_apart:1:2", kind=MEMBERS_APART, gap=3)
    ]
    narrow = policy_from_overrides({"essay_discussion_gap": 1})
    assert essay_flags([(7, 4)], suggestion=3, policy=narrow) == [
        Flag(key="suggestion_gap:7", kind=SUGGESTION_GAP, gap=1)
    ]


def test_a_stored_flag_keeps_key_kind_and_gap() -> None:
    assert Flag(key="members_apart:1:2", kind=MEMBERS_APART, gap=2).stored() == {
        "key": "members_apart:1:2",
        "kind": "members_apart",
        "gap": 2,
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [(0, "must be >= 1"), (-1, "must be >= 0"), ("2", "must be an integer"), (True, "must be an integer")],
)
def test_the_gap_is_checked_like_the_other_fields(value: object, message: str) -> None:
    with pytest.raises(PolicyError) as refused:
        policy_from_overrides({"essay_discussion_gap": value})
    assert refused.value.problems == [("essay_discussion_gap", message)]
