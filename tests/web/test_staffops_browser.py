"""Proctors and administrators in Chromium (issue 15): a proctor confirms a violation in Kazakh and the candidate's
result is void; an administrator switches essay pre-scoring off with a reason in Russian, the switches page shows
it and a commission member's essay page says why there is no suggestion; the administrator sends an e-mail of
unknown outcome again through the outbox's decision and check pages. Every page of both areas passes axe-core
(no serious or critical violation), fits 360 px, and is screenshotted in Kazakh and Russian under
var/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from app.exams.forms import get_item_bank
from app.exams.models import TestResult
from app.mlops.service import is_enabled
from app.notifications.models import OutboxMessage
from app.prescoring import registry
from app.prescoring.texts import UNAVAILABLE_TEXTS
from tests.api._assessment import NOW, write_essay
from tests.api._exam_sessions import BANK
from tests.api.test_prescoring import ESSAYS
from tests.factories.accounts import TEST_PASSWORD
from tests.web._anonymity import assert_anonymous, identities
from tests.web.conftest import Live
from tests.web.test_accessibility import Audit
from tests.web.test_staffops_pages import VALID, WEAK, flagged_reasoning

pytestmark = pytest.mark.timeout(600)

ADMIN_PAGES = (
    "/admin",
    "/admin/accounts",
    "/admin/accounts/new",
    "/admin/state-bodies",
    "/admin/state-bodies/new",
    "/admin/outbox",
    "/admin/audit",
    "/admin/models",
)


def staff_sign_in(page: Any, email: str) -> None:
    page.goto("/sign-in")
    page.fill("#email", email)
    page.fill("#password", TEST_PASSWORD)
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/work$"))


def _name(path: str) -> str:
    return path.strip("/").replace("/", "-")


def _held_letter(live: Live, key: str) -> int:
    """An e-mail handed to the mail server whose answer never came (held for a decision)."""
    with live.session() as session:
        letter = OutboxMessage(
            to_address=f"{key}@mail.kz",
            locale="ru",
            subject="s",
            body="b",
            event="application_confirmed",
            dedupe_key=key,
            status="unknown",
            attempts=1,
            last_error="outcome unknown: SMTPServerDisconnected",
            created_at=NOW,
        )
        session.add(letter)
        session.flush()
        return letter.id


def test_a_proctor_voids_a_result_and_an_administrator_stops_essay_pre_scoring(live: Live, browser: Any) -> None:
    live.app.dependency_overrides[get_item_bank] = lambda: BANK
    flagged = flagged_reasoning(live)
    with live.session() as session:
        for scope, key, metrics in (
            ("topic", registry.topic_key("тақырып", "тема"), VALID),
            ("cross_topic", None, WEAK),
        ):
            registry.register_model(
                session,
                scope=scope,
                key=key,
                card={"name": "essay-ridge", "version": "1.0"},
                params_sha256="a" * 64,
                data_sha256="d" * 64,
                n_train=30,
                metrics=metrics,
                artifact=b"x",
            )
    review_id = flagged.reviews[flagged.watched.code]
    audits = {"kk": Audit("kk"), "ru": Audit("ru")}

    # a proctor, in Kazakh: the queue, the timeline, a missing reason, the check, the recorded decision
    kk, audit = live.page(browser, "kk"), audits["kk"]
    staff_sign_in(kk, flagged.proctor.email)
    kk.goto("/proctor")
    audit.check(kk, "proctor-queue")
    kk.click(f"#review-{review_id} h2 a")
    kk.wait_for_url(re.compile(rf"/proctor/reviews/{review_id}$"))
    assert "Орнынан кетті" in kk.inner_text("#timeline")
    audit.check(kk, "proctor-review")
    kk.check("#decision-confirm")
    kk.locator(f"form[action$='/proctor/reviews/{review_id}'] button[type=submit]").click()
    assert kk.inner_text(".error-summary a") == "Шешіміңіздің себебін жазыңыз"
    audit.check(kk, "proctor-review-errors")
    reason = "Сессия кезінде орнынан 5 минутқа кетті"
    kk.fill("#reason", reason)
    kk.locator(f"form[action$='/proctor/reviews/{review_id}'] button[type=submit]").click()
    assert kk.inner_text("#checked-reason") == reason
    audit.check(kk, "proctor-check")
    kk.locator("form[action$='/decision'] button[type=submit]").click()
    kk.wait_for_url(re.compile(r"\?decided=1$"))
    assert kk.inner_text("#review-status") == "Бұзушылық расталды"
    audit.check(kk, "proctor-decided")
    with live.session() as session:
        result = session.scalars(select(TestResult).where(TestResult.account_id == flagged.watched.account.id)).one()
        assert (result.voided_at is not None, result.void_reason) == (True, f"proctoring violation confirmed: {reason}")

    # an administrator, in Russian: essay pre-scoring off with a reason, then every page of the area
    ru, audit = live.page(browser, "ru"), audits["ru"]
    staff_sign_in(ru, live.account("administrator").email)
    ru.goto("/admin/ml")
    audit.check(ru, "admin-ml")
    ru.click("#switch-essay_prescoring a[href='/admin/ml/essay_prescoring']")
    ru.wait_for_url(re.compile(r"/admin/ml/essay_prescoring$"))
    audit.check(ru, "admin-ml-switch")
    ru.fill("#reason", "Модель на перепроверке после жалобы кандидата")
    ru.locator("form[action='/admin/ml/essay_prescoring'] button[type=submit]").click()
    ru.wait_for_url(re.compile(r"/admin/ml\?changed=essay_prescoring$"))
    card = ru.locator("#switch-essay_prescoring")
    assert card.locator(".switch-state").inner_text() == "Выключен"
    assert card.locator(".switch-reason").inner_text() == "Модель на перепроверке после жалобы кандидата"
    audit.check(ru, "admin-ml-changed")
    with live.session() as session:
        assert is_enabled(session, "essay_prescoring") is False

    # a commission member opens an essay written since: no suggestion, and the administrator's reason says why
    writer, member = flagged.setup.people[2], flagged.setup.members[1]
    write_essay(live, writer, ESSAYS["ru"], language="ru")
    essay = live.page(browser, "ru")
    staff_sign_in(essay, member.email)
    essay.goto(f"/commission/competitions/{flagged.setup.competition_id}/essays/{writer.code}")
    why = essay.inner_text(".machine-suggestion")
    assert UNAVAILABLE_TEXTS["switched_off"]["ru"] in why
    assert "Причина, указанная администратором: Модель на перепроверке после жалобы кандидата" in why
    html = essay.content()
    assert "data-suggestion" not in html
    with live.session() as session:
        assert_anonymous(html, identities(session, live.app.state.settings.secret_key), "essay page")
    audit.check(essay, "commission-essay-switched-off")
    for path in ADMIN_PAGES:
        ru.goto(path)
        audit.check(ru, _name(path))

    # an e-mail of unknown outcome: the administrator sends it again, warned it may arrive twice
    first, second = (_held_letter(live, key) for key in ("first", "second"))
    ru.goto("/admin/outbox")
    ru.click(f"#decide-{first}")
    ru.wait_for_url(re.compile(rf"/admin/outbox/{first}$"))
    assert ru.inner_text("#twice-warning") == "Если отправить его ещё раз, человек может получить его дважды."
    audit.check(ru, "admin-outbox-letter")
    ru.check("#decision-resend")
    ru.fill("#note", "В журнале сервера письма нет")
    ru.locator(f"form[action='/admin/outbox/{first}'] button[type=submit]").click()
    assert ru.inner_text("#checked-decision") == "Отправить ещё раз"
    audit.check(ru, "admin-outbox-check")
    ru.click("#confirm")
    ru.wait_for_url(re.compile(r"\?decided=resend$"))
    assert ru.inner_text("#letter-state") == "Ожидает отправки"
    audit.check(ru, "admin-outbox-decided")

    # the same pages in the other language of each
    ru_proctor = live.page(browser, "ru")
    staff_sign_in(ru_proctor, flagged.proctor.email)
    for path, name in (("/proctor?status=all", "proctor-queue"), (f"/proctor/reviews/{review_id}", "proctor-decided")):
        ru_proctor.goto(path)
        audits["ru"].check(ru_proctor, name)
    kk_admin = live.page(browser, "kk")
    staff_sign_in(kk_admin, live.account("administrator").email)
    for path in ("/admin/ml", "/admin/ml/essay_prescoring", *ADMIN_PAGES):
        kk_admin.goto(path)
        audits["kk"].check(kk_admin, "admin-ml-switch" if path.endswith("prescoring") else _name(path))
    kk_admin.goto(f"/admin/outbox/{second}")
    audits["kk"].check(kk_admin, "admin-outbox-letter")
    kk_admin.check("#decision-mark_sent")
    kk_admin.locator(f"form[action='/admin/outbox/{second}'] button[type=submit]").click()
    assert kk_admin.inner_text("#checked-decision") == "Жіберілді деп белгілеу"
    audits["kk"].check(kk_admin, "admin-outbox-check")
    kk_admin.goto(f"/admin/outbox/{first}?decided=resend")
    audits["kk"].check(kk_admin, "admin-outbox-decided")

    for audit in audits.values():
        assert audit.blocking == [], audit.blocking
        assert audit.too_wide == [], audit.too_wide
    assert not live.csp_errors
    assert (len(audits["kk"].pages), len(audits["ru"].pages)) == (18, 17)
