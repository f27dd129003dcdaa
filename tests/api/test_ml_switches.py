"""The administrator's run-time switches of the ML modules, through the HTTP API."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.mlops.service import is_enabled
from tests.api._workflow import World, world_fixture  # noqa: F401 (the fixture)


def test_only_an_administrator_switches_a_module_and_the_change_is_audited(world: World) -> None:
    admin = world.account("administrator")
    hr = world.account("hr_officer")
    everything_on = world.client.get("/api/v1/admin/ml", headers=world.headers(admin)).json()
    assert {m: s["enabled"] for m, s in everything_on.items()} == {
        "essay_prescoring": True,
        "transcription": True,
        "matching": True,
        "vacancy_alerts": True,
    }

    refused = world.client.put("/api/v1/admin/ml/transcription", json={"enabled": False}, headers=world.headers(hr))
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")

    response = world.client.put(
        "/api/v1/admin/ml/transcription",
        json={"enabled": False, "reason": "model under review"},
        headers=world.headers(admin),
    )
    assert response.status_code == 200
    assert response.json()["transcription"]["enabled"] is False
    assert response.json()["transcription"]["reason"] == "model under review"
    assert response.json()["matching"]["enabled"] is True
    with world.session() as session:
        assert is_enabled(session, "transcription") is False
        assert is_enabled(session, "matching") is True
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "ml.switched")).one()
        assert (event.entity_id, event.payload["before"], event.payload["after"]) == (
            "transcription",
            {"enabled": True},
            {"enabled": False},
        )


def test_an_unknown_module_is_a_404_problem(world: World) -> None:
    admin = world.account("administrator")
    response = world.client.put("/api/v1/admin/ml/mind_reading", json={"enabled": False}, headers=world.headers(admin))
    assert (response.status_code, response.json()["code"]) == (404, "unknown_ml_module")
