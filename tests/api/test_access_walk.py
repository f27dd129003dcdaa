"""The access walk: every operation of ``/openapi.json`` that takes an id, as every role, against others' objects.

Generated from the OpenAPI document, so a route added tomorrow is walked tomorrow. For each
operation with a path parameter, an id in its query or an id in its body, the walk fills the
ids with objects the walking account has no business with — another state body's vacancies,
competitions, applications, candidates, reserve memberships, campaigns and standing rules,
another candidate's application, booking, notification and subscription, another
competition's interviews, essays and protocol, jobs — and sends the request as each role:
nobody signed in, a candidate who applied nowhere, the HR officer of a body with no
competitions, a commission member seated nowhere, the proctor, the researcher, the
administrator. Any 2xx the allow-list beside the permission table
(``app.auth.permissions.OUTSIDER_ACCESS``) does not grant fails the test, and so does an
operation the allow-list does not know (or an entry for an operation that no longer exists).

The requests a body's validation refused (422) before any permission check could run are
counted and printed with the totals, so the walk says how much of it reached the rules.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.alerts.models import AlertSubscription
from app.applications.models import Application
from app.appointments.models import Appointment
from app.auth.models import ADMINISTRATOR, CANDIDATE, COMMISSION_MEMBER, HR_OFFICER, PROCTOR, RESEARCHER, Account
from app.auth.permissions import ANONYMOUS, OUTSIDER_ACCESS, operation_key
from app.candidates.models import Candidate
from app.clock import kazakhstan_today
from app.competitions.models import RESULTS_PUBLISHED, CommissionMember, Competition
from app.db import utcnow as db_now
from app.demo_history import seed_demo_history
from app.interviews.models import Interview
from app.jobs.models import Job
from app.notifications.models import Notification, OutboxMessage
from app.protocol.models import Protocol
from app.vacancies.models import Vacancy
from tests.api._demo import Demo, demo_app
from tests.unit.ml._audio import tone

WALKERS = (ANONYMOUS, CANDIDATE, HR_OFFICER, COMMISSION_MEMBER, RESEARCHER, PROCTOR, ADMINISTRATOR)
"""The administrator walks last: an allowed write of theirs must not hide another role's refusal."""

MAX_COMBINATIONS = 4
ID_NAME = re.compile(r"(^|_)ids?$")


@dataclass
class Victims:
    """The others' objects, by the name of the parameter or body field that carries them."""

    values: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, name: str, *values: Any) -> None:
        self.values.setdefault(name, []).extend(v for v in values if v is not None)


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201, 202), response.text
    body: dict[str, Any] = response.json()
    return body


def _victims(demo: Demo, tmp: Path) -> Victims:
    """The demo's objects plus those the owners make now: an accommodation, a reserve, a rule, a campaign …"""
    client, found = demo.client, Victims()
    with demo.session() as session:
        competitions = session.scalars(select(Competition).order_by(Competition.id)).all()
        finished = next(c for c in competitions if c.status == RESULTS_PUBLISHED)
        open_ = next(c for c in competitions if c.status != RESULTS_PUBLISHED)
        found.add("competition_id", finished.id, open_.id)
        found.add("vacancy_id", *session.scalars(select(Vacancy.id).order_by(Vacancy.id)))
        applications = [
            session.scalars(
                select(Application).where(Application.competition_id == c.id).order_by(Application.id)
            ).first()
            for c in (finished, open_)
        ]
        found.add("application_id", *(a.id for a in applications if a is not None))
        found.add("anonymous_code", *(a.anonymous_code for a in applications if a is not None))
        found.add("candidate_id", *(a.candidate_id for a in applications if a is not None))
        found.add(
            "account_id",
            *session.scalars(
                select(CommissionMember.account_id).where(CommissionMember.competition_id == finished.id).limit(1)
            ),
        )
        found.add("protocol_id", *session.scalars(select(Protocol.id)))
        found.add("interview_id", *session.scalars(select(Interview.id).order_by(Interview.id).limit(1)))
        victim = applications[0]
        assert victim is not None
        owner = session.get(Candidate, victim.candidate_id)
        assert owner is not None
        found.add(
            "notification_id",
            *session.scalars(select(Notification.id).where(Notification.account_id == owner.account_id).limit(1)),
        )
        found.add("subscription_id", *session.scalars(select(AlertSubscription.id).limit(1)))
        found.add("job_id", *session.scalars(select(Job.id).limit(1)))
        # A letter held for the administrator's decision (its sending outcome unknown).
        held = OutboxMessage(
            to_address=owner.account.email,
            locale="kk",
            subject="Тексеру",
            body="Мәтін",
            event="vacancy_alert",
            dedupe_key="access-walk:held",
            status="unknown",
            attempts=1,
            created_at=db_now(),
        )
        session.add(held)
        session.flush()
        found.add("outbox_id", held.id)
        open_vacancy = open_.vacancy_id
    # The demo's year of history holds appointments (by competition and direct) to walk too.
    with demo.session() as session:
        seed_demo_history(session)
        found.add("appointment_id", *session.scalars(select(Appointment.id).order_by(Appointment.id).limit(2)))
    # What the owners make now, through the API.
    hr_minfin, hr_almaty = demo.headers("hr.minfin"), demo.headers("hr.almaty")
    accommodated = client.post(
        "/api/v1/accommodations",
        headers=hr_minfin,
        json={
            "candidate_id": found.values["candidate_id"][0],
            "programme": "all",
            "extra_minutes": 10,
            "reason": "медицинская справка",
        },
    )
    _created(accommodated)
    reserve = _created(
        client.post(
            "/api/v1/talent/reserves",
            headers=hr_minfin,
            json={
                "candidate_id": found.values["candidate_id"][0],
                "kind": "presidential_youth",
                "since": "2026-01-01",
                "source": "Приказ № 1",
            },
        )
    )
    found.add("membership_id", reserve["id"])
    rule = _created(client.post("/api/v1/alerts/standing-rules", headers=hr_almaty, json={"categories": ["C-4"]}))
    found.add("rule_id", rule["id"])
    campaign = client.post("/api/v1/alerts/campaigns", headers=hr_almaty, json={"vacancy_ids": [open_vacancy]})
    found.add("campaign_id", _created(campaign)["id"])
    # another researcher's study, approved: only they may export it
    other_researcher = demo.headers(demo.extra(RESEARCHER))
    study = _created(
        client.post(
            "/api/v1/research/studies",
            headers=other_researcher,
            json={"title": "walk", "purpose": "walk", "competition_id": finished.id},
        )
    )
    _created(client.post(f"/api/v1/research/studies/{study['id']}/approve", headers=demo.headers("admin")))
    found.add("study_id", study["id"])
    booking = client.post(
        "/api/v1/test-bookings",
        headers=demo.headers("candidate02"),
        json={
            "programme": "legislation",
            "language": "kk",
            "starts_at": f"{kazakhstan_today() + timedelta(days=30)}T10:00:00+05:00",
        },
    )
    found.add("booking_id", _created(booking)["id"])
    recording = client.post(
        f"/api/v1/interviews/{found.values['interview_id'][0]}/recording",
        headers=hr_minfin,
        files={"file": ("Собеседование.wav", tone(tmp / "tone.wav", 1.0).read_bytes(), "audio/wav")},
        data={"language": "kk"},
    )
    if recording.status_code in (200, 202):
        found.add("job_id", recording.json()["job_id"])
    # Names that are not ids of a stored object: a plausible value, the same for everyone.
    found.add("session_id", 1)
    found.add("review_id", 1)
    found.add("task_id", 1)
    found.add("page", 1)
    found.add("item_id", "item-1")
    found.add("stage", "essay", "interview")
    found.add("module", "essay_prescoring")
    found.add("verification_code", "0000000000")
    return found


# --- request bodies from the schema --------------------------------------------------------------

SAMPLES: dict[str, dict[str, Any]] = {
    "StageResultsIn": {"legislation_certificate_valid": True, "personal_qualities": {"percent": 80, "reliable": True}},
    "CommissionSeatIn": {"role": "member"},
    "EssayTopicIn": {"kk": "Тақырып", "ru": "Тема"},
    "PrescoringModeIn": {"mode": "assist"},
    "ScoreIn": {"score": 3},
    "BookingIn": {"programme": "personal_qualities", "language": "kk", "starts_at": "2027-03-01T10:00:00+05:00"},
    "AnswerIn": {"option": "a", "client_request_id": "walk-1"},
    "AccommodationIn": {"programme": "all", "extra_minutes": 30, "reason": "справка"},
    "SignatureIn": {"signature": "MAA="},  # base64 of an empty DER sequence: decoded, then refused
    "StaffAccountIn": {
        "email": "walk@walk.example.kz",
        "password": "walk-password-2026",
        "role": "hr_officer",
        "display_name": "walk",
    },
    "DecisionIn": {"decision": "dismiss", "reason": "walk"},
    "SwitchIn": {"enabled": True, "reason": "walk"},
    "CorrectionIn": {"base_version": 1, "segments": []},
    "ReserveIn": {"kind": "presidential_youth", "since": "2026-01-01", "source": "walk"},
    "InterviewIn": {"starts_at": "2027-03-01T10:00:00+05:00"},
    "InterviewStatusIn": {"status": "cancelled"},
    "RejectIn": {"reason": "walk"},
    "EssayStartIn": {"language": "kk"},
    "EssayDraftIn": {"text": "walk"},
    "EssaySubmitIn": {"text": "walk"},
}


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    ref = schema.get("$ref")
    if ref is None:
        return None, schema
    name = ref.rsplit("/", 1)[-1]
    return name, document["components"]["schemas"][name]


def _example(document: dict[str, Any], schema: dict[str, Any], name: str, victims: Victims, depth: int = 0) -> Any:
    """A value for ``schema``: a victim's id for an id field, otherwise the simplest valid-looking value."""
    schema_name, schema = _resolve(document, schema)
    if ID_NAME.search(name) and name in victims.values:
        values = victims.values[name]
        return values if schema.get("type") == "array" else values[0]
    singular = name[:-1] if name.endswith("_ids") else None
    if singular and singular in victims.values:
        return victims.values[singular][:1]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [option for option in schema[key] if option.get("type") != "null"]
            return _example(document, options[0], name, victims, depth) if options else None
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        sample = SAMPLES.get(schema_name or "", {})
        body = {
            prop: _example(document, sub, prop, victims, depth + 1)
            for prop, sub in schema.get("properties", {}).items()
            if prop in schema.get("required", []) or prop in victims.values or ID_NAME.search(prop)
        }
        return {k: v for k, v in {**body, **sample}.items() if v is not None}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return "2026-12-01"
        if fmt == "date-time":
            return "2026-12-01T10:00:00+05:00"
        return "x" * max(1, schema.get("minLength", 1))
    return None


# --- the walk ------------------------------------------------------------------------------------


@dataclass
class Operation:
    method: str
    path: str
    path_params: list[str]
    query: dict[str, Any]
    body: Any
    body_kind: str | None  # "json" | "form" | "multipart" | None

    @property
    def key(self) -> str:
        return operation_key(self.method, self.path)


def _operations(document: dict[str, Any], victims: Victims) -> tuple[list[Operation], list[str], list[str]]:
    """(the operations that take an id, the keys of those that take none, unknown parameter names)."""
    walked: list[Operation] = []
    skipped: list[Operation] = []
    unknown: list[str] = []
    for path, item in document["paths"].items():
        for method, spec in item.items():
            parameters = spec.get("parameters", [])
            path_params = [p["name"] for p in parameters if p["in"] == "path"]
            query: dict[str, Any] = {}
            query_ids = False
            for parameter in parameters:
                if parameter["in"] != "query":
                    continue
                name = parameter["name"]
                if ID_NAME.search(name) and name in victims.values:
                    query[name] = victims.values[name][0]
                    query_ids = True
                elif parameter.get("required"):
                    query[name] = _example(document, parameter["schema"], name, victims)
            body, body_kind, body_ids = None, None, False
            content = spec.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body_kind = "json"
                body = _example(document, content["application/json"]["schema"], "body", victims)
                body_ids = bool(
                    re.search(r'"[a-z_]*_ids?"', json.dumps(content["application/json"]["schema"]))
                    or _has_id_field(document, content["application/json"]["schema"])
                )
            elif "application/x-www-form-urlencoded" in content:
                body_kind = "form"
            elif "multipart/form-data" in content:
                body_kind = "multipart"
            unknown += [f"{method.upper()} {path}: {name}" for name in path_params if name not in victims.values]
            operation = Operation(method.upper(), path, path_params, query, body, body_kind)
            (walked if path_params or query_ids or body_ids else skipped).append(operation)
    return walked, [op.key for op in skipped], unknown


def _has_id_field(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    _, resolved = _resolve(document, schema)
    for option in resolved.get("anyOf", []):
        if _has_id_field(document, option):
            return True
    return any(ID_NAME.search(prop) for prop in resolved.get("properties", {}))


def _requests(operation: Operation, victims: Victims) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each (url, path values) to try: the product of the others' objects, at most ``MAX_COMBINATIONS``."""
    choices = [victims.values[name] for name in operation.path_params]
    for combination in itertools.islice(itertools.product(*choices), MAX_COMBINATIONS):
        values = dict(zip(operation.path_params, combination, strict=True))
        url = operation.path
        for name, value in values.items():
            url = url.replace("{" + name + "}", str(value))
        yield url, values


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    yield from demo_app(tmp_path_factory.mktemp("walk"))


def test_no_role_reaches_an_object_the_permission_table_keeps_from_it(
    demo: Demo, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    victims = _victims(demo, tmp_path)
    document = demo.client.get("/openapi.json").json()
    operations, skipped, unknown_params = _operations(document, victims)
    assert unknown_params == [], "path parameters the walk has no object for: add them to _victims"
    keys = {op.key for op in operations}
    unknown = sorted(keys - set(OUTSIDER_ACCESS))
    assert unknown == [], f"operations the allow-list does not know: add them to OUTSIDER_ACCESS: {unknown}"
    stale = sorted(set(OUTSIDER_ACCESS) - keys)
    assert stale == [], f"OUTSIDER_ACCESS names operations that do not exist (or take no id): {stale}"

    walkers: dict[str, dict[str, str]] = {ANONYMOUS: {}}
    accounts: dict[str, Account] = {
        CANDIDATE: demo.extra_candidate(),
        HR_OFFICER: demo.extra(HR_OFFICER),
        COMMISSION_MEMBER: demo.extra(COMMISSION_MEMBER),
        RESEARCHER: demo.account("researcher"),
        PROCTOR: demo.account("proctor"),
        ADMINISTRATOR: demo.account("admin"),
    }
    walkers.update({role: demo.headers(account) for role, account in accounts.items()})

    violations: list[str] = []
    statuses: Counter[int] = Counter()
    validation_only: set[str] = set()
    requests = 0
    for operation in operations:
        allowed = OUTSIDER_ACCESS[operation.key]
        refused_by_validation = True
        for url, _values in _requests(operation, victims):
            for role in WALKERS:
                kwargs: dict[str, Any] = {"headers": walkers[role], "params": operation.query}
                if operation.body_kind == "json":
                    kwargs["json"] = operation.body
                elif operation.body_kind == "form":
                    kwargs["data"] = {"username": "x", "password": "x"}
                elif operation.body_kind == "multipart":
                    kwargs["files"] = {"file": ("walk.wav", b"RIFF", "audio/wav")}
                    kwargs["data"] = {"language": "kk"}
                response = demo.client.request(operation.method, url, **kwargs)
                requests += 1
                statuses[response.status_code] += 1
                refused_by_validation &= response.status_code == 422
                if 200 <= response.status_code < 300 and role not in allowed:
                    violations.append(f"{operation.key} as {role}: {response.status_code} {url} {response.text[:160]}")
        if refused_by_validation:
            validation_only.add(operation.key)
    summary = {
        "operations_in_document": len(operations) + len(skipped),
        "operations_walked": len(operations),
        "operations_without_ids": len(skipped),
        "roles": len(WALKERS),
        "requests": requests,
        "statuses": dict(sorted(statuses.items())),
        "operations_refused_by_validation_only": sorted(validation_only),
    }
    print("access walk:", json.dumps(summary, ensure_ascii=False))  # pytest -s; also in the JUnit XML:
    for name, value in summary.items():
        record_property(f"access_walk_{name}", value)
    assert violations == [], "\n".join(violations)
