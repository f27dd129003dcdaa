"""A whole competition through HTTP: vacancy, publication, 8 applications, HR decisions, results, publication.

The outcome the API stores is the one ``irikteu replay`` prints for the replay-input document the
API exports: the same core function on the same data.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.applications.models import Application
from app.competitions.models import Competition
from app.notifications.models import Notification
from app.rules.replay import replay
from app.selection import service as selection
from tests.api._workflow import World, world_every_backend_fixture  # noqa: F401

CERTIFICATE: dict[str, Any] = {"legislation_certificate_valid": True}
# ref -> (recorded results, essay scores, interview scores)
CANDIDATES: dict[str, tuple[dict[str, Any], list[int], list[int]]] = {
    "c1": (
        {
            "legislation": {"constitution": 12, "civil_service": 10, "anti_corruption": 9, "ethics": 7},
            "personal_qualities": {"percent": 80, "reliable": True},
            "reasoning": {"text": 20, "numeric": 20},
        },
        [4, 4, 5],
        [5, 5, 4],
    ),
    "c2": (
        {
            **CERTIFICATE,
            "personal_qualities": {"percent": 70, "reliable": True},
            "reasoning": {"text": 18, "numeric": 18},
        },
        [4, 4, 4],
        [4, 4, 4],
    ),
    "c3": ({"legislation": {"constitution": 15, "civil_service": 15, "anti_corruption": 4, "ethics": 10}}, [], []),
    "c4": ({"legislation": {"constitution": 7, "civil_service": 7, "anti_corruption": 6, "ethics": 5}}, [], []),
    "c5": ({**CERTIFICATE, "personal_qualities": {"percent": 45, "reliable": True}}, [], []),
    "c6": ({**CERTIFICATE, "personal_qualities": {"percent": 90, "reliable": False}}, [], []),
    "c7": (
        {
            **CERTIFICATE,
            "personal_qualities": {"percent": 60, "reliable": True},
            "reasoning": {"text": 10, "numeric": 10},
        },
        [],
        [],
    ),
    "c8": (
        {
            **CERTIFICATE,
            "personal_qualities": {"percent": 65.5, "reliable": True},
            "reasoning": {"text": 15, "numeric": 15},
        },
        [2, 3, 2],
        [],
    ),
}


def _irikteu_replay(document: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "competition.json"
    path.write_text(json.dumps(document, ensure_ascii=False))
    result = subprocess.run(
        [sys.executable, "-m", "app", "replay", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    printed: dict[str, Any] = json.loads(result.stdout)
    return printed


def test_a_whole_competition_from_vacancy_to_published_results(world_every_backend: World, tmp_path: Path) -> None:
    world = world_every_backend
    hr = world.account("hr_officer")
    vacancy = world.client.post(
        "/api/v1/vacancies",
        headers=world.headers(hr),
        json={
            "category": "C-1",
            "functional_area": "legal",
            "title_kk": "Басқарма басшысы",
            "title_ru": "Руководитель управления",
            "duties_kk": "Басқарманы басқару.",
            "duties_ru": "Руководство.",
            "requirements": {
                "min_education_level": "bachelor",
                "min_experience_months": 24,
                "min_functional_area_months": 12,
            },
        },
    ).json()
    competition_id = world.client.post(f"/api/v1/vacancies/{vacancy['id']}/publish", headers=world.headers(hr)).json()[
        "competition_id"
    ]
    members = [world.account("commission_member") for _ in range(3)]
    for member, role in zip(members, ("chair", "member", "member"), strict=True):
        world.client.post(
            f"/api/v1/competitions/{competition_id}/commission",
            json={"account_id": member.id, "role": role},
            headers=world.headers(hr),
        )

    # 8 qualified candidates (different experience for the record) and one who is rejected
    codes: dict[str, str] = {}
    application_ids: dict[str, int] = {}
    for index, ref in enumerate(CANDIDATES):
        account = world.candidate(experience_years=3 + index, surname=f"Кандидат{index}")
        response = world.client.post(
            f"/api/v1/competitions/{competition_id}/applications",
            headers={**world.headers(account), "Idempotency-Key": f"apply-{ref}"},
        )
        assert response.status_code == 201, response.text
        assert response.json()["qualified"] is True
        codes[ref], application_ids[ref] = response.json()["anonymous_code"], response.json()["id"]
    unqualified = world.candidate(experience_years=1)
    rejected = world.client.post(
        f"/api/v1/competitions/{competition_id}/applications", headers=world.headers(unqualified)
    ).json()
    assert rejected["qualified"] is False

    for ref, application_id in application_ids.items():
        confirmed = world.client.post(f"/api/v1/applications/{application_id}/confirm", headers=world.headers(hr))
        assert confirmed.status_code == 200, ref
    world.client.post(
        f"/api/v1/applications/{rejected['id']}/reject", json={"reason": "Өтіл жеткіліксіз"}, headers=world.headers(hr)
    )

    world.set_today(date(2026, 2, 16))
    for ref, (results, _essay, _interview) in CANDIDATES.items():
        response = world.client.post(
            f"/api/v1/applications/{application_ids[ref]}/stage-results", json=results, headers=world.headers(hr)
        )
        assert response.status_code == 200, response.text
    # member scores through the service (the essay and interview endpoints come with their own issue)
    with world.session() as session:
        for ref, (_results, essay, interview) in CANDIDATES.items():
            application = session.get(Application, application_ids[ref])
            assert application is not None
            for stage, scores in (("essay", essay), ("interview", interview)):
                for member, score in zip(members, scores, strict=False):
                    selection.record_member_score(
                        session=session, application=application, stage=stage, scorer=member, score=score
                    )
            if essay:
                selection.record_member_score(
                    session=session,
                    application=application,
                    stage="essay",
                    scorer=None,
                    score=1,
                    score_type="ml_suggestion",
                )

    progress = world.client.get(f"/api/v1/competitions/{competition_id}/progress", headers=world.headers(members[0]))
    assert progress.status_code == 200
    assert progress.json()["candidates"] == 8
    outcome = progress.json()["outcome"]
    by_code = {code: ref for ref, code in codes.items()}
    stages = {stage["stage"]: stage for stage in outcome["stages"]}
    assert {by_code[c]: reason for c, reason in stages["eligibility"]["eliminated"].items()} == {
        "c3": "legislation_act_below_minimum",
        "c4": "legislation_total_below_minimum",
    }
    assert {by_code[c]: reason for c, reason in stages["personal_qualities"]["eliminated"].items()} == {
        "c5": "personal_qualities_below_minimum",
        "c6": "personal_qualities_unreliable",
    }
    assert [by_code[c] for c in stages["reasoning"]["advanced"]] == ["c1", "c2", "c8"]
    assert (stages["reasoning"]["places"], stages["reasoning"]["cutoff_score"]) == (3, 30)
    assert {by_code[c]: reason for c, reason in stages["essay"]["eliminated"].items()} == {"c8": "essay_below_minimum"}
    assert [(by_code[e["ref"]], e["rank"], e["total"]) for e in outcome["ranking"]] == [("c1", 1, 3.4), ("c2", 2, 3.02)]
    assert outcome["winner"] == codes["c1"]
    assert outcome["deadlines"] is None

    document = world.client.get(f"/api/v1/competitions/{competition_id}/replay-input", headers=world.headers(hr)).json()
    assert [c["ref"] for c in document["candidates"]] == [codes[ref] for ref in CANDIDATES]
    assert document["candidates"][0]["essay"] == [4, 4, 5]  # the ML suggestion is not there
    assert replay(document) == outcome

    world.set_today(date(2026, 2, 20))
    published = world.client.post(f"/api/v1/competitions/{competition_id}/publish-results", headers=world.headers(hr))
    assert published.status_code == 200, published.text
    body = published.json()
    assert body["status"] == "results_published"
    assert body["results_published_on"] == "2026-02-20"
    assert body["outcome"]["deadlines"] == {
        "appointment_from": "2026-03-02",
        "appointment_until": "2026-03-06",
        "documents_due": "2026-03-02",
    }
    assert body["names"] == {codes["c1"]: "Кандидат0 Асқар", codes["c2"]: "Кандидат1 Асқар"}

    exported = world.client.get(f"/api/v1/competitions/{competition_id}/replay-input", headers=world.headers(hr)).json()
    assert exported["competition"]["results_published_on"] == "2026-02-20"
    assert _irikteu_replay(exported, tmp_path) == body["outcome"]
    with world.session() as session:
        stored = session.get(Competition, competition_id)
        assert stored is not None and stored.outcome == body["outcome"]
        notified = session.scalars(
            select(Notification.account_id).where(Notification.event == "results_published")
        ).all()
    assert len(notified) == 9  # the 8 confirmed candidates and the HR officer

    member_view = world.client.get(
        f"/api/v1/competitions/{competition_id}/applications", headers=world.headers(members[1])
    ).json()
    assert {a["anonymous_code"]: a["full_name"] for a in member_view if a["full_name"]} == body["names"]
    again = world.client.post(f"/api/v1/competitions/{competition_id}/publish-results", headers=world.headers(hr))
    assert (again.status_code, again.json()["code"]) == (409, "results_already_published")
    late = world.client.post(
        f"/api/v1/applications/{application_ids['c7']}/stage-results",
        json={"violations": ["reasoning"]},
        headers=world.headers(hr),
    )
    assert (late.status_code, late.json()["code"]) == (409, "results_already_published")
