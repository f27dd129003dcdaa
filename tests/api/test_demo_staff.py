"""The demo's work for the staff (``app.demo_staff``): after ``irikteu seed-demo`` every staff role has something
waiting — essays to score, interviews held without a recording, a proctoring review, an alert campaign draft —
and loading the demo again adds nothing."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.alerts.models import AlertCampaign
from app.applications.models import Application
from app.clock import kazakhstan_today
from app.competitions.models import Competition, MemberScore
from app.demo import seed
from app.demo_staff import working_days_before
from app.essays.models import Essay
from app.exams.reviews import ProctoringReview
from app.interviews.models import Interview
from app.main import create_app
from app.proctoring.models import ProctoringEvent
from app.rules.calendar import nth_working_day_after
from tests.conftest import make_settings

COUNTED = (Competition, Application, Essay, MemberScore, Interview, ProctoringReview, ProctoringEvent, AlertCampaign)


def _headers(client: TestClient, login: str, password: str) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", data={"username": f"{login}@demo.irikteu.kz", "password": password})
    assert token.status_code == 200, login
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def _counts(app: Any) -> dict[str, int]:
    with app.state.sessions() as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model)) for model in COUNTED}


def test_every_staff_role_finds_work_waiting_and_a_second_seed_adds_nothing(sqlite_url: str, tmp_path: Path) -> None:
    app = create_app(make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}"), start_consumer=False)
    with TestClient(app) as client:
        first = seed(app.state.sessions)
        assert first["added"]["staff_work"] == {
            "essay_stage_competitions": 1,
            "essays_to_score": 4,
            "interview_stage_competitions": 1,
            "interviews_to_score": 3,
            "proctoring_reviews": 1,
        }
        assert first["added"]["alert_draft"] == {"open_vacancies": 1, "alert_campaign_drafts": 1}
        before = _counts(app)
        assert seed(app.state.sessions) == {"demo_version": first["demo_version"], "already_loaded": True, "added": {}}
        assert _counts(app) == before
        today = kazakhstan_today()

        # member1 chairs the essay-stage competition of the Ministry of Finance: four locked essays, none scored
        member1 = _headers(client, "member1", "demo-member-2026")
        mine = client.get("/api/v1/competitions", headers=member1).json()
        topic = "Прозрачность и добросовестная конкуренция в государственных закупках"
        [essay_stage] = [c for c in mine if (c["essay_topic"] or {}).get("ru") == topic]
        assert (essay_stage["status"], essay_stage["category"], essay_stage["prescoring_mode"]) == (
            "closed",
            "C-1",
            "blind_first",
        )
        essays = client.get(f"/api/v1/competitions/{essay_stage['id']}/essays", headers=member1).json()
        assert essays["stage_closed"] is False
        assert Counter(e["language"] for e in essays["essays"]) == {"kk": 2, "ru": 2}
        assert [e["my_score"] for e in essays["essays"]] == [None] * 4
        assert all(e["anonymous_code"] and e["word_count"] > 10 for e in essays["essays"])
        assert sorted((seat["display_name"], seat["role"]) for seat in essay_stage["commission"]) == [
            ("Андрей Ситников (демо)", "member"),  # member3
            ("Ерлан Жұмабаев (демо)", "chair"),  # member1
            ("Ольга Морозова (демо)", "secretary"),  # member5
            ("Сәуле Омарова (демо)", "member"),  # member2
        ]
        with app.state.sessions() as session:
            locked = session.scalars(
                select(Essay.locked)
                .join(Application, Application.id == Essay.application_id)
                .where(Application.competition_id == essay_stage["id"])
            ).all()
            assert locked == [True] * 4
            assert (
                session.scalar(
                    select(func.count())
                    .select_from(MemberScore)
                    .join(Application, Application.id == MemberScore.application_id)
                    .where(Application.competition_id == essay_stage["id"])
                )
                == 0
            )
        # the secretary (member5) keeps the record: the essays are there, a score is refused
        member5 = _headers(client, "member5", "demo-member-2026")
        seen = client.get(f"/api/v1/competitions/{essay_stage['id']}/essays", headers=member5).json()["essays"]
        assert len(seen) == 4
        refused = client.put(
            f"/api/v1/competitions/{essay_stage['id']}/stages/essay/scores/{seen[0]['anonymous_code']}",
            json={"score": 4},
            headers=member5,
        )
        assert (refused.status_code, refused.json()["code"]) == (403, "not_on_commission")

        # the Akimat of Almaty's interview-stage competition: three interviews held on the last working day,
        # no scores and no recording yet
        almaty = _headers(client, "hr.almaty", "demo-hr-2026")
        [interview_stage] = [
            c
            for c in client.get("/api/v1/competitions", headers=almaty).json()
            if (c["essay_topic"] or {}).get("ru") == "Как повысить качество коммунальных услуг для жителей города"
        ]
        listed = client.get(f"/api/v1/competitions/{interview_stage['id']}/interviews", headers=almaty).json()
        assert listed["stage_closed"] is False and len(listed["shortlist"]) == 3
        held_on = working_days_before(today, 1)
        assert [(i["status"], i["recording_ref"], i["starts_at"][:10]) for i in listed["interviews"]] == [
            ("held", None, held_on.isoformat())
        ] * 3  # 10:00–10:40 in Astana is the same day in UTC
        for_member = client.get(f"/api/v1/competitions/{interview_stage['id']}/interviews", headers=member1).json()
        assert [i["my_score"] for i in for_member["interviews"]] == [None] * 3

        # the proctor's queue: one pending review of a state-language test with the flagged event
        proctor = _headers(client, "proctor", "demo-proctor-2026")
        [review] = client.get("/api/v1/proctoring/reviews", params={"status": "pending"}, headers=proctor).json()
        assert (review["programme"], review["flags"], [e["kind"] for e in review["events"]]) == (
            "state_language",
            ["looked_away"],
            ["looked_away"],
        )
        assert review["review_due_on"] == nth_working_day_after(held_on, 1).isoformat()
        assert review["review_due_on"] >= today.isoformat() and review["overdue"] is False

        # HR of the Ministry of Finance: the campaign drafted for today's vacancy waits for approval
        minfin = _headers(client, "hr.minfin", "demo-hr-2026")
        campaigns = client.get("/api/v1/alerts/campaigns", headers=minfin).json()
        assert [(c["status"], c["recipients_count"]) for c in campaigns] == [("draft", 1)]
