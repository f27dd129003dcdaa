"""The daily job that tells HR of overdue appointments and documents, in each officer's language, once each.

Results published Monday 16.03.2026: the documents are due 26.03 and the window is 27.03-02.04 (counted by
hand in tests/api/test_appointments.py). On 26.03 nothing is overdue; on 27.03 the documents are; on 03.04
the appointment is too.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.appointments.service import OVERDUE_JOB
from app.auth.models import HR_OFFICER
from app.jobs.models import Job
from app.notifications.models import Notification
from tests.api._workflow import World, world_fixture  # noqa: F401
from tests.api.test_appointments import published


def run_job(world: World, today: date) -> dict[str, int]:
    queue = world.app.state.queue
    job_id = queue.enqueue(OVERDUE_JOB, {"today": today.isoformat()})
    queue.execute(job_id)
    with world.session() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status == "succeeded", job and job.error
        return dict(job.result)


def told(world: World) -> list[tuple[int, str, str, str]]:
    with world.session() as session:
        return [
            (n.account_id, n.locale, n.subject, n.body)
            for n in session.scalars(
                select(Notification).where(Notification.event == "appointment_overdue").order_by(Notification.id)
            )
        ]


def test_hr_is_told_of_the_documents_then_the_appointment_once_each_in_its_language(world: World) -> None:
    comp = published(world)
    winner = next(iter(comp.candidates))
    kazakh = comp.hr_officer
    russian = world.account(HR_OFFICER, state_body_id=kazakh.state_body_id, locale="ru")
    world.account(HR_OFFICER)  # another body's officer hears nothing

    assert run_job(world, date(2026, 3, 26)) == {"overdue": 0, "notified": 0}
    assert told(world) == []

    assert run_job(world, date(2026, 3, 27)) == {"overdue": 1, "notified": 2}
    notices = told(world)
    assert [(account, locale, subject) for account, locale, subject, _body in notices] == [
        (kazakh.id, "kk", "Тағайындау мерзімі өтті: Бас маман"),
        (russian.id, "ru", "Просрочен срок назначения: Главный специалист"),
    ]
    assert f"({winner}) құжаттарды тапсыру мерзімі 26.03.2026 ж. өтті" in notices[0][3]
    assert f"({winner}) истёк срок сдачи документов — 26.03.2026" in notices[1][3]
    assert run_job(world, date(2026, 3, 30)) == {"overdue": 1, "notified": 0}

    # HR records that the documents came (this makes the winner's offer): the documents are no longer pending
    received = world.client.post(
        f"/api/v1/competitions/{comp.competition_id}/appointment/documents",
        json={"received_on": "2026-03-30"},
        headers=world.headers(kazakh),
    )
    assert received.status_code == 200, received.text
    assert run_job(world, date(2026, 4, 2)) == {"overdue": 0, "notified": 0}
    assert run_job(world, date(2026, 4, 3)) == {"overdue": 1, "notified": 2}
    latest = told(world)[2:]
    assert [(account, locale, subject) for account, locale, subject, _body in latest] == [
        (kazakh.id, "kk", "Тағайындау мерзімі өтті: Бас маман"),
        (russian.id, "ru", "Просрочен срок назначения: Главный специалист"),
    ]
    assert f"({winner}) истёк срок назначения — 02.04.2026" in latest[1][3]

    recorded = world.client.post(
        f"/api/v1/competitions/{comp.competition_id}/appointment",
        json={"order_number": "7", "appointed_on": "2026-04-03", "reason": "болезнь"},
        headers=world.headers(kazakh),
    )
    assert recorded.status_code == 200, recorded.text
    assert run_job(world, date(2026, 4, 6)) == {"overdue": 0, "notified": 0}
    assert len(told(world)) == 4
