"""The proctors' and administrators' pages through HTTP (issue 15): the review queue by anonymous code (an
anonymity scan of every page, before and after publication), the decision with its required reason and its
consequence (the result voided, the stage left), dismissal; the ML switches with their reason, the 403 page for
others, the audit chain's state (intact, then tampered), the model registry's cards, accounts, state bodies and
the outbox."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text

from app.audit.models import AuditEvent
from app.auth.models import Account, StateBody
from app.competitions.models import Competition
from app.exams.models import TestResult
from app.exams.reviews import ProctoringReview
from app.mlops.service import is_enabled
from app.notifications.models import OutboxMessage
from app.prescoring import registry
from app.web.i18n import Texts
from tests.api._assessment import Clocked, Person, Setup, build
from tests.api._exam_sessions import (
    answer_sections,
    booked,
    start,
    started,
    submit,
    testing_world_fixture,  # noqa: F401  (the `world` fixture: a clock and the small item bank)
)
from tests.web._anonymity import Identity, assert_anonymous, identities
from tests.web._pages import csrf_of, sign_in

KK = {"Accept-Language": "kk"}
RU = {"Accept-Language": "ru"}
MOMENT = datetime(2026, 2, 3, 4, 5, tzinfo=UTC)  # during the reasoning test booked for 04:00 UTC


@dataclass
class Flagged:
    setup: Setup
    proctor: Account
    watched: Person
    other: Person
    reviews: dict[str, int]
    """Anonymous code → review id."""


def flagged_reasoning(world: Clocked) -> Flagged:
    """Two candidates of a competition sit the reasoning test; each session gets one flagged event."""
    setup = build(world, category="C-1")
    watched, other = setup.people[0], setup.people[1]
    proctor = world.account("proctor")
    sessions, booking_ids = {}, {}
    for person in (watched, other):
        world.set_now(datetime(2026, 2, 2, 5, 0, tzinfo=UTC))
        booking = booked(world, person.account, "reasoning", application_id=person.application_id)
        sessions[person.code] = started(world, person.account, booking)["id"]
        booking_ids[person.code] = booking["id"]
    for person, kind, evidence in ((watched, "left_seat", "rec/42.webm#t=300"), (other, "looked_away", None)):
        body: dict[str, Any] = {"kind": kind, "occurred_at": MOMENT.isoformat()}
        if evidence:
            body["evidence_ref"] = evidence
        posted = world.client.post(
            f"/api/v1/test-sessions/{sessions[person.code]}/proctoring-events",
            json=body,
            headers=world.headers(person.account),
        )
        assert posted.status_code == 201, posted.text
    world.set_now(MOMENT + timedelta(minutes=15))
    for person, numeric in ((watched, 18), (other, 12)):  # both blocks: the booking's result is scored
        answer_sections(world, person.account, sessions[person.code], {"text": 20})
        submit(world, person.account, sessions[person.code])
        second = start(world, person.account, booking_ids[person.code])
        assert second.status_code == 201, second.text
        answer_sections(world, person.account, second.json()["id"], {"numeric": numeric})
        submit(world, person.account, second.json()["id"])
    with world.session() as session:
        rows = session.scalars(select(ProctoringReview).order_by(ProctoringReview.id)).all()
        reviews = {code: row.id for code, row in zip((watched.code, other.code), rows, strict=True)}
    return Flagged(setup, proctor, watched, other, reviews)


def _people(world: Clocked) -> list[Identity]:
    with world.session() as session:
        return identities(session, world.app.state.settings.secret_key)


def _results(world: Clocked, *people: Person) -> list[tuple[bool, str | None]]:
    """(voided, void reason) of each person's reasoning result."""
    with world.session() as session:
        found = []
        for person in people:
            result = session.scalars(select(TestResult).where(TestResult.account_id == person.account.id)).one()
            found.append((result.voided_at is not None, result.void_reason))
        return found


def _post(world: Clocked, path: str, data: dict[str, str], headers: dict[str, str] | None = None) -> Any:
    token = csrf_of(world.client.get("/work").text)
    return world.client.post(path, data={"csrf_token": token, **data}, headers=headers or {}, follow_redirects=False)


# --- proctors ---------------------------------------------------------------------------------------------


def test_the_queue_and_the_timeline_show_codes_only_before_and_after_publication(world: Clocked) -> None:
    flagged = flagged_reasoning(world)
    sign_in(world.client, flagged.proctor.email)
    review_id = flagged.reviews[flagged.watched.code]
    queue = world.client.get("/proctor", headers=KK)
    assert queue.status_code == 200
    assert "<h1>Прокторинг тексерістері</h1>" in queue.text
    assert f">{flagged.watched.code}</a>" in queue.text and f">{flagged.other.code}</a>" in queue.text
    assert "Мерзімі өтті" not in queue.text  # due on 2026-02-04; today is 2026-02-02
    review = world.client.get(f"/proctor/reviews/{review_id}", headers=KK)
    assert review.status_code == 200
    timeline = review.text.split('id="timeline"')[1].split("</ol>")[0]
    assert "Орнынан кетті" in timeline and "rec/42.webm#t=300" in timeline
    assert f"<dd>{Texts('kk').date(date(2026, 2, 4))}</dd>" in review.text  # decide by the next working day
    pages = [queue.text, review.text, world.client.get(f"/proctor/reviews/{review_id}", headers=RU).text]
    people = _people(world)
    assert len(people) == 3
    for number, page in enumerate(pages):
        assert_anonymous(page, people, f"page {number}")

    world.set_today(date(2026, 2, 5))  # a working day past the deadline
    late = world.client.get("/proctor", headers=RU)
    assert late.text.count('class="tag tag--overdue"') == 2 and "2 проверки просрочены" in late.text
    with world.session() as session:  # the results are published: anonymity has ended for others, not here
        competition = session.get(Competition, flagged.setup.competition_id)
        assert competition is not None
        competition.status, competition.results_published_on = "results_published", date(2026, 2, 5)
        competition.results_published_at = datetime(2026, 2, 5, 4, 0, tzinfo=UTC)
    after = [world.client.get(path, headers=KK).text for path in ("/proctor", f"/proctor/reviews/{review_id}")]
    checked = _post(world, f"/proctor/reviews/{review_id}", {"decision": "confirm", "reason": "Орнынан кетті"}, KK)
    assert checked.status_code == 200
    for number, page in enumerate([*after, checked.text]):
        assert_anonymous(page, people, f"after publication, page {number}")


def test_a_decision_needs_a_reason_then_a_check_and_a_confirmed_violation_voids_the_result(world: Clocked) -> None:
    flagged = flagged_reasoning(world)
    sign_in(world.client, flagged.proctor.email)
    review_id = flagged.reviews[flagged.watched.code]
    for path in (f"/proctor/reviews/{review_id}", f"/proctor/reviews/{review_id}/decision"):
        refused = _post(world, path, {"decision": "confirm", "reason": "  "}, KK)
        assert refused.status_code == 422
        assert '<a href="#reason">Шешіміңіздің себебін жазыңыз</a>' in refused.text
    no_choice = _post(world, f"/proctor/reviews/{review_id}", {"reason": "Көрдім"}, RU)
    assert '<a href="#decision-confirm">Выберите: подтвердить или отклонить</a>' in no_choice.text
    with world.session() as session:
        assert session.get(ProctoringReview, review_id).status == "pending"
    assert _results(world, flagged.watched) == [(False, None)]

    reason = "Орнынан 5 минутқа кетті"
    check = _post(world, f"/proctor/reviews/{review_id}", {"decision": "confirm", "reason": reason}, KK)
    assert check.status_code == 200 and "<h1>Шешіміңізді тексеріңіз</h1>" in check.text
    assert f'<dd id="checked-reason">{reason}</dd>' in check.text
    assert '<dd id="checked-decision">Бұзушылықты растау</dd>' in check.text
    assert _results(world, flagged.watched) == [(False, None)]  # nothing recorded before the check
    changed = _post(world, f"/proctor/reviews/{review_id}/change", {"decision": "confirm", "reason": reason}, KK)
    assert 'id="decision-confirm" name="decision" value="confirm" checked' in changed.text
    assert f">{reason}</textarea>" in changed.text

    recorded = _post(world, f"/proctor/reviews/{review_id}/decision", {"decision": "confirm", "reason": reason}, KK)
    assert (recorded.status_code, recorded.headers["location"]) == (303, f"/proctor/reviews/{review_id}?decided=1")
    shown = world.client.get(recorded.headers["location"], headers=KK)
    assert 'id="decision-recorded"' in shown.text and "Бұзушылық расталды" in shown.text
    assert f'<dd id="decision-reason">{reason}</dd>' in shown.text
    assert _results(world, flagged.watched, flagged.other) == [
        (True, f"proctoring violation confirmed: {reason}"),
        (False, None),
    ]
    application = world.client.get(
        f"/api/v1/applications/{flagged.watched.application_id}", headers=world.headers(flagged.setup.hr)
    ).json()
    assert application["stage_results"]["violations"] == ["reasoning"]
    twice = _post(world, f"/proctor/reviews/{review_id}/decision", {"decision": "dismiss", "reason": "x"}, RU)
    assert twice.status_code == 409 and "Решение по проверке уже принято" in twice.text
    pending = world.client.get("/proctor", headers=RU).text
    assert f">{flagged.watched.code}</a>" not in pending and f">{flagged.other.code}</a>" in pending


def test_a_dismissed_review_leaves_the_result_and_keeps_its_reason(world: Clocked) -> None:
    flagged = flagged_reasoning(world)
    sign_in(world.client, flagged.proctor.email)
    review_id = flagged.reviews[flagged.other.code]
    reason = "Тапсырманы оқыды, экраннан кетпеді"
    recorded = _post(world, f"/proctor/reviews/{review_id}/decision", {"decision": "dismiss", "reason": reason}, KK)
    assert recorded.status_code == 303
    with world.session() as session:
        row = session.get(ProctoringReview, review_id)
        assert row is not None and (row.status, row.decision_reason) == ("dismissed", reason)
    assert _results(world, flagged.other) == [(False, None)]
    every = world.client.get("/proctor?status=all", headers=RU).text
    assert every.count('class="card-title"') == 2 and "Отклонено" in every
    dismissed = world.client.get("/proctor?status=dismissed", headers=RU).text
    assert f">{flagged.other.code}</a>" in dismissed and f">{flagged.watched.code}</a>" not in dismissed


def test_only_proctors_see_the_review_pages(world: Clocked) -> None:
    assert world.client.get("/proctor", follow_redirects=False).headers["location"] == "/sign-in?next=/proctor"
    for role in ("administrator", "commission_member", "hr_officer"):
        sign_in(world.client, world.account(role).email)
        refused = world.client.get("/proctor", headers=KK)
        assert refused.status_code == 403 and "Бұл бетті көруге рұқсатыңыз жоқ" in refused.text
    proctor = world.account("proctor")
    sign_in(world.client, proctor.email)
    assert world.client.get("/proctor/reviews/999999").status_code == 404
    home = world.client.get("/work", headers=RU).text
    assert 'href="/proctor"' in home and 'href="/admin"' not in home


# --- administrators ---------------------------------------------------------------------------------------


def test_switching_a_module_off_needs_a_reason_which_is_kept_and_shown(world: Clocked) -> None:
    admin = world.account("administrator")
    sign_in(world.client, admin.email)
    form = world.client.get("/admin/ml/essay_prescoring", headers=RU)
    assert form.status_code == 200 and "<h1>Выключить: Предварительная оценка эссе</h1>" in form.text
    refused = _post(world, "/admin/ml/essay_prescoring", {"enabled": "off", "reason": ""}, RU)
    assert refused.status_code == 422
    assert '<a href="#reason">Напишите, почему вы выключаете модуль</a>' in refused.text
    with world.session() as session:
        assert is_enabled(session, "essay_prescoring") is True

    reason = "Модель на перепроверке после жалобы"
    switched = _post(world, "/admin/ml/essay_prescoring", {"enabled": "off", "reason": reason}, RU)
    assert (switched.status_code, switched.headers["location"]) == (303, "/admin/ml?changed=essay_prescoring")
    page = world.client.get(switched.headers["location"], headers=RU).text
    card = page.split('id="switch-essay_prescoring"')[1].split("</li>")[0]
    assert "Выключен" in card and f'<dd class="switch-reason">{reason}</dd>' in card
    other = page.split('id="switch-transcription"')[1].split("</li>")[0]
    assert "Включён" in other and "switch-reason" not in other
    with world.session() as session:
        assert (is_enabled(session, "essay_prescoring"), is_enabled(session, "matching")) == (False, True)
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "ml.switched")).one()
        assert (event.entity_id, event.actor, event.payload["reason"]) == ("essay_prescoring", str(admin.id), reason)

    back_on = _post(world, "/admin/ml/essay_prescoring", {"enabled": "on", "reason": ""}, RU)
    assert back_on.status_code == 303
    with world.session() as session:
        assert is_enabled(session, "essay_prescoring") is True
    assert world.client.get("/admin/ml/mind_reading").status_code == 404


def test_others_get_the_403_page_and_change_nothing(world: Clocked) -> None:
    for role in ("proctor", "hr_officer", "researcher"):
        sign_in(world.client, world.account(role).email)
        for path in ("/admin", "/admin/ml", "/admin/accounts", "/admin/audit", "/admin/models", "/admin/outbox"):
            refused = world.client.get(path, headers=RU)
            assert refused.status_code == 403, (role, path)
            assert "У вас нет доступа к этой странице" in refused.text
        posted = _post(world, "/admin/ml/matching", {"enabled": "off", "reason": "попытка"})
        assert posted.status_code == 403
    with world.session() as session:
        assert is_enabled(session, "matching") is True
        assert (
            session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "ml.switched")) == 0
        )


def test_the_audit_page_says_whether_the_chain_is_intact_and_where_it_breaks(world: Clocked) -> None:
    admin = world.account("administrator")
    sign_in(world.client, admin.email)
    for enabled in ("off", "on", "off"):
        assert _post(world, "/admin/ml/matching", {"enabled": enabled, "reason": "проверка"}).status_code == 303
    with world.session() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        count, middle = len(events), events[len(events) // 2].id
    assert count == 3
    intact = world.client.get("/admin/audit", headers=KK).text
    assert 'data-valid="true"' in intact and f"Тізбек бүтін: {count} оқиға тексерілді." in intact
    with world.session() as session:  # someone with file access drops the guard and edits a reason
        session.execute(text("DROP TRIGGER audit_events_no_update"))
        session.execute(text('UPDATE audit_events SET payload = \'{"reason": "x"}\' WHERE id = :id'), {"id": middle})
    broken = world.client.get("/admin/audit", headers=RU).text
    assert 'data-valid="false"' in broken
    assert f"Событие {middle} нарушает цепочку: его содержимое не совпадает с его хэшем." in broken
    assert "1 событие до него цело." in broken


VALID = {"n": 30, "cv_qwk": 0.81, "validity": {"n": 30, "qwk": 0.81, "smd": 0.03, "groups": {}}}
WEAK = {
    "n": 34,
    "validity": {
        "n": 34,
        "qwk": 0.58,
        "smd": 0.04,
        "groups": {"language": {"kk": {"n": 20, "smd": -0.02}, "ru": {"n": 14, "smd": 0.3}}},
    },
}


def test_the_registry_shows_each_models_card_and_whether_the_gate_holds_it_back(world: Clocked) -> None:
    with world.session() as session:
        ids = [
            registry.register_model(
                session,
                scope=scope,
                key=key,
                card={"name": "essay-ridge", "version": version},
                params_sha256=params * 64,
                data_sha256=data * 64,
                n_train=n,
                metrics=metrics,
                artifact=b"x",
            ).id
            for scope, key, version, params, data, n, metrics in (
                ("topic", registry.topic_key("тақырып", "тема"), "1.0", "a", "d", 30, VALID),
                ("cross_topic", None, "1.1", "b", "e", 34, WEAK),
            )
        ]
    sign_in(world.client, world.account("administrator").email)
    page = world.client.get("/admin/models", headers=RU)
    assert page.status_code == 200
    good = page.text.split(f'id="model-{ids[0]}"')[1].split("</li>\n  {")[0].split('<li class="card"')[0]
    weak = page.text.split(f'id="model-{ids[1]}"')[1].split('<li class="card"')[0]
    assert "Проходит порог валидности" in good and "Задержана" not in good
    assert f'<dd class="hash training-hash">{"d" * 64}</dd>' in good
    assert '<dd class="qwk">0,81</dd>' in good and "Одна тема эссе" in good
    assert "Задержана: не делает предложений" in weak and f'<dd class="hash training-hash">{"e" * 64}</dd>' in weak
    assert '<dd class="qwk">0,58</dd>' in weak and '<dd class="smd">0,04</dd>' in weak
    failures = weak.split('class="plain-list gate-failures"')[1].split("</ul>")[0]
    assert "<li>QWK ниже 0,7</li>" in failures
    assert "language=ru" not in failures  # 14 essays: too few for the group threshold (20)
    assert "SMD группы language=ru" in weak and "Все темы" in weak
    assert page.text.index(f'id="model-{ids[1]}"') < page.text.index(f'id="model-{ids[0]}"')  # newest first


def test_an_administrator_adds_a_state_body_and_a_staff_account(world: Clocked) -> None:
    sign_in(world.client, world.account("administrator").email)
    bad = _post(world, "/admin/state-bodies/new", {"code": "no spaces", "name_kk": "", "name_ru": "x", "region": "x"})
    assert bad.status_code == 422
    assert bad.text.index('href="#code"') < bad.text.index('href="#name_kk"')
    body = {"code": "MJ-15", "name_kk": "Әділет министрлігі", "name_ru": "Министерство юстиции", "region": "Астана"}
    added = _post(world, "/admin/state-bodies/new", body, RU)
    assert added.status_code == 303
    taken = _post(world, "/admin/state-bodies/new", body, RU)
    assert taken.status_code == 422 and 'href="#code"' in taken.text
    with world.session() as session:
        body_id = session.scalars(select(StateBody.id).where(StateBody.code == "MJ-15")).one()
    listed = world.client.get("/admin/state-bodies", headers=RU).text
    assert "Министерство юстиции" in listed and "MJ-15" in listed

    account = {
        "email": "Kadr.New@gov.kz",
        "display_name": "Айгүл Серікова",
        "role": "hr_officer",
        "state_body_id": "",
        "locale": "ru",
        "iin": "",
        "password": "Kadr-2026-strong!",
    }
    missing = _post(world, "/admin/accounts/new", account, RU)
    assert missing.status_code == 422 and 'href="#state_body_id"' in missing.text
    assert "Kadr-2026-strong!" not in missing.text  # a password is never sent back
    created = _post(world, "/admin/accounts/new", {**account, "state_body_id": str(body_id)}, RU)
    assert created.status_code == 303, created.text
    with world.session() as session:
        row = session.scalars(select(Account).where(Account.email == "kadr.new@gov.kz")).one()
        assert (row.role, row.state_body_id, row.locale, row.is_active) == ("hr_officer", body_id, "ru", True)
    page = world.client.get(created.headers["location"], headers=RU).text
    card = page.split(f'id="account-{row.id}"')[1].split("</li>")[0]
    assert "Айгүл Серікова" in card and "Сотрудник кадровой службы" in card and "MJ-15" in card


def test_the_outbox_shows_each_state_and_the_held_and_unknown_outcome_messages(world: Clocked) -> None:
    created = datetime(2026, 2, 2, 4, 0, tzinfo=UTC)
    rows = [
        ("queued", "waits", 1, "not sent: smtp_url is not set"),
        ("unknown", "unknown", 1, None),
        ("sent", "done", 1, None),
        ("failed", "failed", 5, "SMTPServerDisconnected: gone"),
    ]
    with world.session() as session:
        for number, (status, key, attempts, error) in enumerate(rows):
            session.add(
                OutboxMessage(
                    to_address=f"person{number}@mail.kz",
                    locale="kk",
                    subject="s",
                    body="b",
                    event="application_confirmed",
                    dedupe_key=key,
                    status=status,
                    attempts=attempts,
                    last_error=error,
                    created_at=created + timedelta(minutes=number),
                    sent_at=created if status == "sent" else None,
                )
            )
        session.flush()
        ids = {status: m.id for status, m in ((m.status, m) for m in session.scalars(select(OutboxMessage)))}
    sign_in(world.client, world.account("administrator").email)
    page = world.client.get("/admin/outbox", headers=RU)
    assert page.status_code == 200
    text = page.text
    for status in ("queued", "unknown", "sent", "failed"):
        assert f'<dd id="count-{status}">1</dd>' in text
    held = text.split('id="held"')[1].split("</ul>\n")[0]
    assert f'id="held-{ids["queued"]}"' in held and f'id="held-{ids["unknown"]}"' in held
    assert f'id="held-{ids["sent"]}"' not in held and f'id="held-{ids["failed"]}"' not in held
    assert "Передано почтовому серверу: исход неизвестен" in held
    assert "p***@mail.kz" in held and "person0@mail.kz" not in text  # addresses masked
    assert html.escape("SMTPServerDisconnected: gone") in text.split('id="failed"')[1]
