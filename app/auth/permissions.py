"""Who may do what: the one table every domain asks, through ``ensure_can(account, action, obj)``.

Two layers decide. The *role gate* (``require_roles`` in ``app.auth.deps``) keeps a route to
the roles it serves; the *object rules* here decide on one object: "the HR officer of the
same state body", "a commission member of this competition", "the candidate who owns it".

How to add a rule (other domains: add your rows to ``PERMISSIONS`` below, in your section):

    "vacancy.update": all_of(role_in(HR_OFFICER), same_state_body()),          # obj.state_body_id
    "competition.score": all_of(role_in(COMMISSION_MEMBER), member_of()),       # obj.member_account_ids
    "application.read": any_of(owner(), all_of(role_in(HR_OFFICER), same_state_body())),

A rule is a plain function ``(account, obj) -> bool``; build it from the helpers below or
write one. Rules never touch the database: the caller loads what the rule needs (the object
itself, or a small frozen dataclass with the facts) and passes it as ``obj``. An action that
is not in the table is a programming error (``KeyError``), so a typo never silently allows or
denies. A module that cannot edit the table may call ``allow(action, rule)`` at import time;
its rule is OR-ed with the existing one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from app.auth.models import ADMINISTRATOR, COMMISSION_MEMBER, HR_OFFICER, PROCTOR, Account
from app.errors import FORBIDDEN, DomainError

Rule = Callable[[Account, Any], bool]


def role_in(*roles: str) -> Rule:
    """The account has one of ``roles`` (whatever the object)."""
    allowed = frozenset(roles)
    return lambda account, _obj: account.role in allowed


def owner(attribute: str = "account_id") -> Rule:
    """The object belongs to the account (``obj.<attribute> == account.id``)."""
    return lambda account, obj: obj is not None and getattr(obj, attribute, None) == account.id


def same_state_body(attribute: str = "state_body_id") -> Rule:
    """The object belongs to the account's state body (an HR officer's own body only)."""
    return lambda account, obj: (account.state_body_id is not None and obj is not None
                                 and getattr(obj, attribute, None) == account.state_body_id)


def member_of(attribute: str = "member_account_ids") -> Rule:
    """The account is among ``obj.<attribute>`` (an iterable of account ids), e.g. a competition's commission."""
    def rule(account: Account, obj: Any) -> bool:
        members: Iterable[int] | None = getattr(obj, attribute, None)
        return members is not None and account.id in set(members)
    return rule


def any_of(*rules: Rule) -> Rule:
    return lambda account, obj: any(rule(account, obj) for rule in rules)


def all_of(*rules: Rule) -> Rule:
    return lambda account, obj: all(rule(account, obj) for rule in rules)


def nobody(_account: Account, _obj: Any) -> bool:
    return False


PERMISSIONS: dict[str, Rule] = {
    # --- identity (app.auth) ---
    "state_body.create": role_in(ADMINISTRATOR),
    "account.create": role_in(ADMINISTRATOR),
    # --- candidates (app.candidates); obj is a Candidate ---
    # Personal data (name, IIN, birth date, contacts, file): the candidate themself. HR officers of a
    # body the candidate applied to read it through the application (see "application.*" rules).
    "candidate.read_personal": owner(),
    "candidate.update": owner(),
    "candidate.consents.update": owner(),
    # The anonymous view (code, education level, months of experience): staff who run selection.
    "candidate.read_anonymous": any_of(owner(), role_in(HR_OFFICER, COMMISSION_MEMBER, PROCTOR, ADMINISTRATOR)),
    # --- vacancies, competitions, applications (app.vacancies, app.competitions, app.applications) ---
    # obj: a Vacancy, or a CompetitionAccess (app.competitions.access: state_body_id, member_account_ids,
    # voting_member_account_ids), or an ApplicationAccess (+ candidate_account_id).
    "vacancy.create": role_in(HR_OFFICER),
    "vacancy.manage": all_of(role_in(HR_OFFICER), same_state_body()),
    "vacancy.read_draft": any_of(all_of(role_in(HR_OFFICER), same_state_body()), role_in(ADMINISTRATOR)),
    "competition.manage": all_of(role_in(HR_OFFICER), same_state_body()),
    "competition.read": any_of(all_of(role_in(HR_OFFICER), same_state_body()), role_in(ADMINISTRATOR, PROCTOR),
                               all_of(role_in(COMMISSION_MEMBER), member_of())),
    "competition.read_personal": all_of(role_in(HR_OFFICER), same_state_body()),
    "competition.progress": any_of(all_of(role_in(HR_OFFICER), same_state_body()), role_in(ADMINISTRATOR),
                                   all_of(role_in(COMMISSION_MEMBER), member_of())),
    "competition.record_results": any_of(all_of(role_in(HR_OFFICER), same_state_body()), role_in(ADMINISTRATOR)),
    "competition.score": all_of(role_in(COMMISSION_MEMBER), member_of("voting_member_account_ids")),
    "application.read": any_of(owner("candidate_account_id"), all_of(role_in(HR_OFFICER), same_state_body())),
    "application.decide": all_of(role_in(HR_OFFICER), same_state_body()),
    # --- protocol (H3), notifications (H4) ---
}


def allow(action: str, rule: Rule) -> None:
    """Grant ``action`` also when ``rule`` holds (OR-ed with what the table already says)."""
    existing = PERMISSIONS.get(action, nobody)
    PERMISSIONS[action] = any_of(existing, rule)


def can(account: Account, action: str, obj: Any = None) -> bool:
    """Whether the active ``account`` may do ``action`` on ``obj``; ``KeyError`` for an unknown action."""
    rule = PERMISSIONS[action]
    return bool(account.is_active) and rule(account, obj)


def ensure_can(account: Account, action: str, obj: Any = None) -> None:
    """Raise the 403 ``forbidden`` problem unless ``can(account, action, obj)``."""
    if not can(account, action, obj):
        raise DomainError(FORBIDDEN, f"a {account.role} may not do {action} here")
