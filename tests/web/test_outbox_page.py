"""The administrator's decision on an e-mail of unknown outcome, through HTTP (issue 15): the outbox links each
held letter to its page, the page warns that sending again may deliver it twice, the decision is checked before
it is recorded by ``decide_held`` (the API's service: status, send job, audit event with the note), a letter no
longer held gets the service's 409 message, and only administrators get the pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.jobs.models import Job
from app.notifications.models import OutboxMessage
from app.notifications.service import SEND_EMAIL
from tests.api._workflow import World, world_fixture  # noqa: F401  (the `world` fixture)
from tests.web._pages import csrf_of, sign_in

RU = {"Accept-Language": "ru"}
KK = {"Accept-Language": "kk"}


def _letter(world: World, status: str, key: str) -> int:
    with world.session() as session:
        letter = OutboxMessage(
            to_address=f"{key}@mail.kz",
            locale="ru",
            subject="s",
            body="b",
            event="application_confirmed",
            dedupe_key=key,
            status=status,
            attempts=1,
            last_error="outcome unknown: SMTPServerDisconnected" if status == "unknown" else None,
            created_at=datetime(2026, 2, 2, 4, 0, tzinfo=UTC),
        )
        session.add(letter)
        session.flush()
        return letter.id


def _post(world: World, path: str, data: dict[str, str], headers: dict[str, str] | None = None) -> Any:
    token = csrf_of(world.client.get("/work").text)
    return world.client.post(path, data={"csrf_token": token, **data}, headers=headers or RU, follow_redirects=False)


def _state(world: World, letter_id: int) -> tuple[str, list[Job], list[AuditEvent]]:
    with world.session() as session:
        letter = session.get(OutboxMessage, letter_id)
        assert letter is not None
        jobs = list(session.scalars(select(Job).where(Job.kind == SEND_EMAIL)))
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.action.like("outbox.decided_%"))))
        session.expunge_all()
        return letter.status, jobs, events


def test_a_resend_is_chosen_checked_and_recorded_by_the_service_with_its_note_and_audit(world: World) -> None:
    held, waiting = _letter(world, "unknown", "held"), _letter(world, "queued", "waits")
    admin = world.account("administrator")
    sign_in(world.client, admin.email)
    outbox = world.client.get("/admin/outbox", headers=RU).text
    assert f'<a href="/admin/outbox/{held}" id="decide-{held}">' in outbox
    assert f'id="decide-{waiting}"' not in outbox  # a waiting letter is sent by the worker, no decision
    assert "Повторная отправка может доставить письмо дважды." in outbox

    page = world.client.get(f"/admin/outbox/{held}", headers=RU)
    assert page.status_code == 200 and f"<h1>Письмо № {held}</h1>" in page.text
    assert "Если отправить его ещё раз, человек может получить его дважды." in page.text
    assert "h***@mail.kz" in page.text and "held@mail.kz" not in page.text

    unchosen = _post(world, f"/admin/outbox/{held}", {"decision": "", "note": "x" * 501})
    assert unchosen.status_code == 422
    assert (
        '<a href="#decision-resend">Выберите, отправить письмо ещё раз или отметить его как отправленное</a>'
        in unchosen.text
    )
    assert '<a href="#note">Примечание слишком длинное: не более 500 символов</a>' in unchosen.text

    note = "В журнале почтового сервера письма нет"
    check = _post(world, f"/admin/outbox/{held}", {"decision": "resend", "note": note})
    assert check.status_code == 200 and "<h1>Проверьте решение</h1>" in check.text
    assert '<dd id="checked-decision">Отправить ещё раз</dd>' in check.text
    assert f'<dd id="checked-note">{note}</dd>' in check.text
    assert "человек получит его дважды" in check.text
    assert _state(world, held) == ("unknown", [], [])  # the check records nothing

    changed = _post(world, f"/admin/outbox/{held}/change", {"decision": "resend", "note": note})
    assert 'value="resend" aria-describedby="decision-resend-hint" checked' in changed.text
    assert f">{note}</textarea>" in changed.text

    recorded = _post(world, f"/admin/outbox/{held}/decision", {"decision": "resend", "note": note})
    assert (recorded.status_code, recorded.headers["location"]) == (303, f"/admin/outbox/{held}?decided=resend")
    shown = world.client.get(recorded.headers["location"], headers=RU).text
    assert "Письмо поставлено в очередь на повторную отправку." in shown
    assert '<dd id="letter-state">Ожидает отправки</dd>' in shown and 'name="decision"' not in shown
    status, jobs, events = _state(world, held)
    assert status == "queued"
    assert [(job.status, job.payload) for job in jobs] == [("queued", {"outbox_id": held})]
    [event] = events
    assert (event.action, event.entity_id, event.actor, event.actor_role) == (
        "outbox.decided_resend",
        str(held),
        str(admin.id),
        "administrator",
    )
    assert (event.payload["note"], event.payload["before"]["status"], event.payload["after"]) == (
        note,
        "unknown",
        {"status": "queued"},
    )


def test_marked_as_sent_then_a_second_decision_gets_the_services_409_message(world: World) -> None:
    held = _letter(world, "unknown", "held")
    sign_in(world.client, world.account("administrator").email)
    recorded = _post(world, f"/admin/outbox/{held}/decision", {"decision": "mark_sent", "note": ""}, KK)
    assert recorded.status_code == 303
    shown = world.client.get(recorded.headers["location"], headers=KK).text
    assert "Хат жіберілді деп тіркелді. Ол қайта жіберілмейді." in shown
    status, jobs, events = _state(world, held)
    assert (status, jobs) == ("sent", [])
    assert [(e.action, e.payload["note"]) for e in events] == [("outbox.decided_mark_sent", None)]

    again = _post(world, f"/admin/outbox/{held}/decision", {"decision": "resend", "note": ""})
    assert again.status_code == 409
    assert '<a href="#letter-state">Письмо не ожидает решения: результат его отправки известен</a>' in again.text
    assert '<dd id="letter-state">Отправлено</dd>' in again.text
    status, jobs, events = _state(world, held)
    assert (status, jobs, len(events)) == ("sent", [], 1)
    assert world.client.get("/admin/outbox/999999", headers=RU).status_code == 404


def test_only_administrators_get_the_letter_pages_and_others_change_nothing(world: World) -> None:
    held = _letter(world, "unknown", "held")
    for role in ("hr_officer", "proctor"):
        sign_in(world.client, world.account(role).email)
        assert world.client.get(f"/admin/outbox/{held}", headers=RU).status_code == 403
        for path in (f"/admin/outbox/{held}", f"/admin/outbox/{held}/decision"):
            refused = _post(world, path, {"decision": "mark_sent", "note": ""})
            assert refused.status_code == 403 and "У вас нет доступа к этой странице" in refused.text
    assert _state(world, held) == ("unknown", [], [])
