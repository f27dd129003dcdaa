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

Beside the table, ``OUTSIDER_ACCESS`` says per API operation which roles may succeed on
*someone else's* object (another body's, another candidate's, another competition's); the access
walk (``tests/api/test_access_walk.py``) sends every operation of ``/openapi.json`` that takes an
id as every role and holds the answers to it, so a new route needs its line there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from app.auth.models import ADMINISTRATOR, CANDIDATE, COMMISSION_MEMBER, HR_OFFICER, PROCTOR, RESEARCHER, ROLES, Account
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
    return lambda account, obj: (
        account.state_body_id is not None and obj is not None and getattr(obj, attribute, None) == account.state_body_id
    )


def member_of(attribute: str = "member_account_ids") -> Rule:
    """The account is among ``obj.<attribute>`` (an iterable of account ids), e.g. a competition's commission."""

    def rule(account: Account, obj: Any) -> bool:
        members: Iterable[int] | None = getattr(obj, attribute, None)
        return members is not None and account.id in set(members)

    return rule


def applied_to_own_body(attribute: str = "applied_state_body_ids") -> Rule:
    """The object (a candidate) applied to a competition of the account's state body."""

    def rule(account: Account, obj: Any) -> bool:
        bodies: Iterable[int] | None = getattr(obj, attribute, None)
        return account.state_body_id is not None and bodies is not None and account.state_body_id in set(bodies)

    return rule


def results_published(attribute: str = "results_published") -> Rule:
    """The competition's results are published (anonymity has ended)."""
    return lambda _account, obj: bool(getattr(obj, attribute, False))


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
    # The anonymous view (code, education level, months of experience): HR and administrators. Education and
    # experience by code are quasi-identifiers: never the commission's before publication, never the proctor's
    # (see "competition.read_replay_input").
    "candidate.read_anonymous": any_of(owner(), role_in(HR_OFFICER, ADMINISTRATOR)),
    # --- vacancies, competitions, applications (app.vacancies, app.competitions, app.applications) ---
    # obj: a Vacancy, or a CompetitionAccess (app.competitions.access: state_body_id, member_account_ids,
    # voting_member_account_ids), or an ApplicationAccess (+ candidate_account_id).
    "vacancy.create": role_in(HR_OFFICER),
    "vacancy.manage": all_of(role_in(HR_OFFICER), same_state_body()),
    "vacancy.read_draft": any_of(all_of(role_in(HR_OFFICER), same_state_body()), role_in(ADMINISTRATOR)),
    "competition.manage": all_of(role_in(HR_OFFICER), same_state_body()),
    "competition.read": any_of(
        all_of(role_in(HR_OFFICER), same_state_body()),
        role_in(ADMINISTRATOR, PROCTOR),
        all_of(role_in(COMMISSION_MEMBER), member_of()),
    ),
    "competition.read_personal": all_of(role_in(HR_OFFICER), same_state_body()),
    "competition.progress": any_of(
        all_of(role_in(HR_OFFICER), same_state_body()),
        role_in(ADMINISTRATOR),
        all_of(role_in(COMMISSION_MEMBER), member_of()),
    ),
    "competition.record_results": any_of(all_of(role_in(HR_OFFICER), same_state_body()), role_in(ADMINISTRATOR)),
    "competition.score": all_of(role_in(COMMISSION_MEMBER), member_of("voting_member_account_ids")),
    "application.read": any_of(owner("candidate_account_id"), all_of(role_in(HR_OFFICER), same_state_body())),
    "application.decide": all_of(role_in(HR_OFFICER), same_state_body()),
    # The stored data by anonymous code (experience, education: quasi-identifiers) is HR's until the
    # results are published; then the commission reads it too (replay). Never the proctor's.
    "competition.read_replay_input": any_of(
        all_of(role_in(HR_OFFICER), same_state_body()),
        role_in(ADMINISTRATOR),
        all_of(role_in(COMMISSION_MEMBER), member_of(), results_published()),
    ),
    # The names beside the codes once results are published: not the proctor's (codes only, always).
    "competition.read_names": any_of(
        all_of(role_in(HR_OFFICER), same_state_body()),
        role_in(ADMINISTRATOR),
        all_of(role_in(COMMISSION_MEMBER), member_of()),
    ),
    # --- a candidate seen by staff (obj: app.applications.access.CandidateAccess) ---
    # Accommodations (extra test minutes, with their medical reason): granted and read by the HR officer
    # of a body the candidate applied to, or by an administrator.
    "candidate.accommodate": any_of(all_of(role_in(HR_OFFICER), applied_to_own_body()), role_in(ADMINISTRATOR)),
    # --- background jobs (app.job_access.JobAccess: the job's object's body, commission, owner) ---
    "job.read": any_of(
        role_in(ADMINISTRATOR),
        all_of(role_in(HR_OFFICER), same_state_body()),
        all_of(role_in(COMMISSION_MEMBER), member_of()),
        owner(),
    ),
    # --- talent (app.talent); obj: app.competitions.access.RecordAccess of the recorder ---
    "reserve.remove": any_of(all_of(role_in(HR_OFFICER), same_state_body()), role_in(ADMINISTRATOR)),
    # --- protocol (H3), notifications (H4) ---
    # --- research (app.research, issue 16): group aggregates only, small cells suppressed; no object ---
    "research.read_aggregates": role_in(RESEARCHER, ADMINISTRATOR),
    # a stored yearly audit of a state body (obj: the StateBody): its HR officers read it too
    "research.audit.read": any_of(
        role_in(RESEARCHER, ADMINISTRATOR), all_of(role_in(HR_OFFICER), same_state_body("id"))
    ),
    "research.audit.run": role_in(ADMINISTRATOR),
    # --- appointment and the routes outside competition (app.appointments); obj is an AppointmentAccess
    # (state_body_id, candidate_account_id, proposed_by) or a Vacancy ---
    "appointment.manage": all_of(role_in(HR_OFFICER), same_state_body()),
    "appointment.list": role_in(HR_OFFICER, ADMINISTRATOR),
    "appointment.read": any_of(
        all_of(role_in(HR_OFFICER), same_state_body()), role_in(ADMINISTRATOR), owner("candidate_account_id")
    ),
    # the second person: an administrator who did not propose it (the service also refuses the proposer)
    "appointment.approve": all_of(
        role_in(ADMINISTRATOR), lambda account, obj: getattr(obj, "proposed_by", None) != account.id
    ),
    # --- the state's selection figures (app.analytics); obj is the state body id asked for, None: all ---
    "analytics.read": any_of(
        role_in(ADMINISTRATOR, RESEARCHER),
        lambda account, obj: account.role == HR_OFFICER and obj is not None and obj == account.state_body_id,
    ),
    # --- alert campaigns and standing rules seen on HR's pages (app.web.talent); obj has state_body_id ---
    "alert.manage": all_of(role_in(HR_OFFICER), same_state_body()),
    # --- research studies (app.research.studies): obj is the ResearchStudy; only its researcher exports ---
    "research.study.request": role_in(RESEARCHER),
    "research.study.read": any_of(role_in(ADMINISTRATOR), all_of(role_in(RESEARCHER), owner("requested_by"))),
    "research.study.decide": role_in(ADMINISTRATOR),
    "research.study.export": all_of(role_in(RESEARCHER), owner("requested_by")),
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


# --- who may succeed on others' objects, per operation (the access walk's allow-list) -------------------

ANONYMOUS = "anonymous"
"""The caller who sends no token (in ``OUTSIDER_ACCESS`` beside the roles)."""


def operation_key(method: str, path: str) -> str:
    """``"GET /api/v1/competitions/{competition_id}"``: an operation as the OpenAPI document names it."""
    return f"{method.upper()} {path}"


_NOBODY: frozenset[str] = frozenset()
_ADMIN = frozenset({ADMINISTRATOR})
_ADMIN_PROCTOR = frozenset({ADMINISTRATOR, PROCTOR})
_ADMIN_HR = frozenset({ADMINISTRATOR, HR_OFFICER})
_EVERYONE = frozenset({ANONYMOUS, *ROLES})

OUTSIDER_ACCESS: dict[str, frozenset[str]] = {
    # --- vacancies: a published vacancy is public; the rest is its body's HR officers' ---
    "GET /api/v1/vacancies/{vacancy_id}": _EVERYONE,
    "POST /api/v1/vacancies/{vacancy_id}/publish": _NOBODY,
    "POST /api/v1/vacancies/{vacancy_id}/close": _NOBODY,
    # --- competitions: read by administrators and proctors (anonymous codes only), run by the body's HR ---
    "GET /api/v1/competitions/{competition_id}": _ADMIN_PROCTOR,
    "GET /api/v1/competitions/{competition_id}/applications": _ADMIN_PROCTOR,  # codes; no names to proctors
    "GET /api/v1/competitions/{competition_id}/results": _ADMIN_PROCTOR,  # no names to proctors
    "GET /api/v1/competitions/{competition_id}/progress": _ADMIN,
    "GET /api/v1/competitions/{competition_id}/replay-input": _ADMIN,
    "POST /api/v1/competitions/{competition_id}/commission": _NOBODY,
    "DELETE /api/v1/competitions/{competition_id}/commission/{account_id}": _NOBODY,
    "PUT /api/v1/competitions/{competition_id}/essay-topic": _NOBODY,
    "PUT /api/v1/competitions/{competition_id}/prescoring-mode": _NOBODY,
    "POST /api/v1/competitions/{competition_id}/publish-results": _NOBODY,
    "GET /api/v1/competitions/{competition_id}/protocol": _ADMIN,
    "POST /api/v1/competitions/{competition_id}/protocol": _NOBODY,
    # --- applications: the candidate's own, their body's HR; applying is a candidate's own new object ---
    "POST /api/v1/competitions/{competition_id}/applications": frozenset({CANDIDATE}),
    "GET /api/v1/applications/{application_id}": _NOBODY,
    "POST /api/v1/applications/{application_id}/confirm": _NOBODY,
    "POST /api/v1/applications/{application_id}/reject": _NOBODY,
    "POST /api/v1/applications/{application_id}/stage-results": _NOBODY,
    # --- essays, practical assessment, scores, interviews (the commission's and the body's HR's) ---
    "GET /api/v1/applications/{application_id}/essay": _NOBODY,
    "PUT /api/v1/applications/{application_id}/essay": _NOBODY,
    "POST /api/v1/applications/{application_id}/essay/start": _NOBODY,
    "POST /api/v1/applications/{application_id}/essay/submit": _NOBODY,
    "GET /api/v1/competitions/{competition_id}/essays": _ADMIN,
    "GET /api/v1/competitions/{competition_id}/essays/{anonymous_code}": _ADMIN,
    "POST /api/v1/competitions/{competition_id}/essays/prescore": _NOBODY,
    "POST /api/v1/competitions/{competition_id}/essays/{anonymous_code}/discussion": _NOBODY,
    "GET /api/v1/competitions/{competition_id}/practical": _ADMIN,
    "POST /api/v1/competitions/{competition_id}/practical-tasks": _NOBODY,
    "PUT /api/v1/competitions/{competition_id}/practical-tasks/{task_id}": _NOBODY,
    "PUT /api/v1/competitions/{competition_id}/stages/{stage}/scores/{anonymous_code}": _NOBODY,
    "POST /api/v1/competitions/{competition_id}/stages/{stage}/close": _NOBODY,
    "GET /api/v1/competitions/{competition_id}/interviews": _ADMIN,
    "POST /api/v1/competitions/{competition_id}/interviews": _NOBODY,
    "POST /api/v1/interviews/{interview_id}/status": _NOBODY,
    "GET /api/v1/applications/{application_id}/interview": _NOBODY,
    # --- recordings and transcripts: the interview's commission and its body's HR only ---
    "POST /api/v1/interviews/{interview_id}/recording": _NOBODY,
    "GET /api/v1/interviews/{interview_id}/recording": _NOBODY,
    "GET /api/v1/interviews/{interview_id}/recording/file": _NOBODY,
    "POST /api/v1/interviews/{interview_id}/recording/transcribe": _NOBODY,
    "GET /api/v1/interviews/{interview_id}/transcript": _NOBODY,
    "GET /api/v1/interviews/{interview_id}/transcript/versions": _NOBODY,
    "POST /api/v1/interviews/{interview_id}/transcript/versions": _NOBODY,
    "GET /api/v1/interviews/{interview_id}/transcript/diff": _NOBODY,
    "GET /api/v1/interviews/{interview_id}/transcript/export": _NOBODY,
    # --- protocol: the body's HR, the commission, administrators ---
    "GET /api/v1/protocols/{protocol_id}": _ADMIN,
    "GET /api/v1/protocols/{protocol_id}/pdf": _ADMIN,
    "GET /api/v1/protocols/{protocol_id}/html": _ADMIN,
    "GET /api/v1/protocols/{protocol_id}/verification": _ADMIN,
    "POST /api/v1/protocols/{protocol_id}/signatures": _NOBODY,
    # --- tests: the candidate's own bookings and sessions; accommodations by the body applied to ---
    "POST /api/v1/test-bookings": _NOBODY,
    "GET /api/v1/test-bookings/{booking_id}": _NOBODY,
    "POST /api/v1/test-bookings/{booking_id}/cancel": _NOBODY,
    "POST /api/v1/test-sessions/{booking_id}/start": _NOBODY,
    "GET /api/v1/test-sessions/{session_id}": _NOBODY,
    "GET /api/v1/test-sessions/{session_id}/pages/{page}": _NOBODY,
    "PUT /api/v1/test-sessions/{session_id}/answers/{item_id}": _NOBODY,
    "POST /api/v1/test-sessions/{session_id}/submit": _NOBODY,
    "GET /api/v1/certificates/verify/{verification_code}": _EVERYONE,  # a certificate's public check
    "POST /api/v1/accommodations": _ADMIN,
    "GET /api/v1/accommodations": _ADMIN,
    # --- proctoring: the candidate's own session's events; reviews are the proctors' ---
    "POST /api/v1/test-sessions/{session_id}/proctoring-events": _NOBODY,
    # (any proctor reviews any session: the demo's pending review is review 1, so the walk reaches it as one)
    "GET /api/v1/proctoring/reviews/{review_id}": frozenset({PROCTOR}),
    "POST /api/v1/proctoring/reviews/{review_id}/decision": frozenset({PROCTOR}),
    # --- talent: the pool is national (consent decides what HR sees); reserves recorded by a body are its own ---
    "GET /api/v1/talent/search": _ADMIN_HR,
    "POST /api/v1/talent/search": _ADMIN_HR,
    "POST /api/v1/talent/invitations": _NOBODY,
    "GET /api/v1/talent/invitations": _NOBODY,
    "GET /api/v1/talent/reserves": _ADMIN_HR,  # an HR officer lists their own body's records only
    "POST /api/v1/talent/reserves": _ADMIN_HR,  # a new record, of the recorder's body
    "DELETE /api/v1/talent/reserves/{membership_id}": _ADMIN,
    # --- alerts: subscriptions are the candidate's own; campaigns and rules their body's ---
    "DELETE /api/v1/alerts/subscriptions/{subscription_id}": _NOBODY,
    "POST /api/v1/alerts/campaigns": _NOBODY,
    "GET /api/v1/alerts/campaigns/{campaign_id}": _ADMIN,
    "GET /api/v1/alerts/campaigns/{campaign_id}/recipients": _ADMIN,
    "POST /api/v1/alerts/campaigns/{campaign_id}/approve": _NOBODY,
    "POST /api/v1/alerts/campaigns/{campaign_id}/cancel": _NOBODY,
    "DELETE /api/v1/alerts/standing-rules/{rule_id}": _NOBODY,
    # --- notifications and jobs: the account's own; a job's object decides (app.job_access) ---
    "POST /api/v1/notifications/{notification_id}/read": _NOBODY,
    "GET /api/v1/jobs/{job_id}": _ADMIN,
    # --- appointment and the routes outside competition: the body's HR; administrators read and approve ---
    "GET /api/v1/competitions/{competition_id}/appointment": _ADMIN,
    "POST /api/v1/competitions/{competition_id}/appointment": _NOBODY,
    "POST /api/v1/competitions/{competition_id}/appointment/refusal": _NOBODY,
    "POST /api/v1/competitions/{competition_id}/appointment/documents": _NOBODY,
    "GET /api/v1/appointments/{appointment_id}": _ADMIN,
    "POST /api/v1/appointments/{appointment_id}/order": _NOBODY,
    "POST /api/v1/appointments/{appointment_id}/refusal": _NOBODY,
    "POST /api/v1/appointments/{appointment_id}/documents": _NOBODY,
    "POST /api/v1/appointments/{appointment_id}/approve": _ADMIN,  # the second person, never the proposer
    "POST /api/v1/appointments/{appointment_id}/reject": _ADMIN,
    "GET /api/v1/vacancies/{vacancy_id}/routes": _NOBODY,
    "POST /api/v1/vacancies/{vacancy_id}/direct-appointments": _NOBODY,
    # --- research: aggregates of any competition, never a person's record ---
    "GET /api/v1/research/fairness": frozenset({ADMINISTRATOR, RESEARCHER}),
    # --- administration ---
    "POST /api/v1/admin/accounts": _ADMIN,
    "PUT /api/v1/admin/ml/{module}": _ADMIN,
    "POST /api/v1/admin/outbox/{outbox_id}/decision": _ADMIN,  # a held e-mail (issue 13: unknown outcome)
    # --- research studies and exposure: a study is its researcher's; administrators decide on any ---
    "POST /api/v1/research/studies": frozenset({RESEARCHER}),  # a study of any competition's records
    "GET /api/v1/research/studies/{study_id}": _ADMIN,
    "POST /api/v1/research/studies/{study_id}/approve": _ADMIN,
    "POST /api/v1/research/studies/{study_id}/reject": _ADMIN,
    "GET /api/v1/research/studies/{study_id}/export": _NOBODY,
    "GET /api/v1/research/exposure": frozenset({ADMINISTRATOR, RESEARCHER}),
}
"""Each operation that takes an id, and the roles that may get a 2xx on *someone else's* object.

``tests/api/test_access_walk.py`` reads it: it sends every such operation of ``/openapi.json``
as nobody signed in, a candidate who applied nowhere, the HR officer of a body with no
competitions, a commission member seated nowhere, the proctor, the researcher and the
administrator, with the ids of others' objects (another body's, another candidate's, another
competition's), and fails on a 2xx for a role not listed here, and on an operation missing
here. The rules in ``PERMISSIONS`` decide on the object; this list says what those rules let an
outsider do, so a new route needs a line here the day it is added.
"""
