"""Schemathesis against the app in-process (issue 13): no 5xx, no undocumented status or content type,
no response outside the OpenAPI document — for every operation, as every role of the demo.

Each operation is one pytest test (so ``-n 2`` splits them); the generated examples go to the roles in
turn, each with that role's bearer token (and every seventh without one), on one database seeded with the demo
data (``irikteu seed-demo``: a finished and an open competition, every role's accounts). The
examples per operation are bounded (``MAX_EXAMPLES``, or ``IRIKTEU_SCHEMATHESIS_EXAMPLES``) so the
whole file stays within a few minutes on two cores; the counts of a run are printed at its end.

Left out: ``POST /api/v1/auth/sign-out`` (it would revoke the very tokens the run signs in with; its
own test is in ``test_sign_in_defences.py``).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.demo import seed
from app.main import create_app
from app.migrate import upgrade
from tests.conftest import make_settings

MAX_EXAMPLES = int(os.environ.get("IRIKTEU_SCHEMATHESIS_EXAMPLES", "6"))
ROLES = {  # the demo accounts of the README, one per role
    "administrator": ("admin@demo.irikteu.kz", "demo-admin-2026"),
    "hr_officer": ("hr.minfin@demo.irikteu.kz", "demo-hr-2026"),
    "commission_member": ("member1@demo.irikteu.kz", "demo-member-2026"),
    "proctor": ("proctor@demo.irikteu.kz", "demo-proctor-2026"),
    "researcher": ("researcher@demo.irikteu.kz", "demo-research-2026"),
    "candidate": ("candidate01@demo.irikteu.kz", "demo-candidate-2026"),
}
ROTATION = ("administrator", "hr_officer", "commission_member", "proctor", "researcher", "candidate", "anonymous")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# One app per test process on its own SQLite file; the schema is read from it at import (no database
# needed for that), the database is migrated and seeded by the module fixture below.
_DIRECTORY = Path(tempfile.mkdtemp(prefix="irikteu-schemathesis-"))
APP = create_app(
    make_settings(
        f"sqlite:///{_DIRECTORY / 'irikteu.db'}", f"sqlite:///{_DIRECTORY / 'q.db'}", data_dir=_DIRECTORY / "data"
    ),
    start_consumer=False,
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).exclude(path="/api/v1/auth/sign-out")
# The coverage phase's boundary values (huge ids, year 9999, empty strings) stay; its probes with methods
# the path does not serve (405 from the router) are left out to keep the run short.
schema.config.phases.coverage.unexpected_methods = set()
TALLY: Counter[str] = Counter()


@pytest.fixture(scope="module")
def tokens() -> Iterator[dict[str, dict[str, str]]]:
    upgrade(str(APP.state.settings.resolved_database_url))
    with TestClient(APP) as client:
        seed(APP.state.sessions)
        headers: dict[str, dict[str, str]] = {"anonymous": {}}
        for role, (email, password) in ROLES.items():
            response = client.post(
                "/api/v1/auth/token", data={"username": email, "password": password}, headers={"X-Forwarded-For": role}
            )
            assert response.status_code == 200, (role, response.text)
            headers[role] = {"Authorization": f"Bearer {response.json()['access_token']}"}
        yield headers
    statuses = {key[7:]: value for key, value in sorted(TALLY.items()) if key.startswith("status:")}
    roles = {key[5:]: value for key, value in sorted(TALLY.items()) if key.startswith("role:")}
    print(
        f"\nschemathesis: {TALLY['operations']} operations, {TALLY['examples']} examples, "
        f"{len(roles)} roles (anonymous included) {roles}, statuses {statuses}"
    )
    report = os.environ.get("IRIKTEU_SCHEMATHESIS_REPORT")
    if report:  # one JSON line per test process (xdist swallows the print)
        with open(report, "a", encoding="utf-8") as stream:
            stream.write(
                json.dumps(
                    {
                        "operations": TALLY["operations"],
                        "examples": TALLY["examples"],
                        "roles": roles,
                        "statuses": statuses,
                    }
                )
                + "\n"
            )
    shutil.rmtree(_DIRECTORY, ignore_errors=True)


_seen_operations: set[str] = set()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, print_blob=True, suppress_health_check=list(HealthCheck)
)
def test_no_server_error_and_every_response_is_documented(
    case: schemathesis.Case[Any], tokens: dict[str, dict[str, str]]
) -> None:
    label = f"{case.method} {case.path}"
    if label not in _seen_operations:
        _seen_operations.add(label)
        TALLY["operations"] += 1
    # The roles take turns, example by example, so every operation meets every role (and no token) within
    # its first seven examples without multiplying the requests.
    role = ROTATION[TALLY[f"examples:{label}"] % len(ROTATION)]
    TALLY[f"examples:{label}"] += 1
    TALLY["examples"] += 1
    TALLY[f"role:{role}"] += 1
    response = case.call_and_validate(headers={**dict(case.headers or {}), **tokens[role]}, checks=CHECKS, timeout=300)
    TALLY["requests"] += 1
    TALLY[f"status:{response.status_code}"] += 1
