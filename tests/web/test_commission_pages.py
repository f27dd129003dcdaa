"""The commission's pages over HTTP (TestClient, each member with their own signed-in client): blind-first
absence of the machine suggestion in the raw HTML, assist mode, why there is no suggestion, another body's
competition, the discussion-before-close refusal, the protocol upload's verification words, and the
anonymity scan of every page a member receives."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient

from app.auth.models import Account
from app.prescoring.texts import UNAVAILABLE_TEXTS
from app.protocol.signing import make_demo_ca, make_test_certificate, make_test_crl
from app.web import commission
from tests.api._assessment import (  # noqa: F401
    Clocked,
    Setup,
    build,
    clocked_world_fixture,
    close,
    score,
    write_essay,
)
from tests.api.test_competition_protocol import _published, _record_iin
from tests.api.test_practical import TASK
from tests.api.test_prescoring import ESSAYS, Scene, _scene
from tests.web._anonymity import assert_anonymous, identities
from tests.web._pages import csrf_of, sign_in

LOW_METRICS: dict[str, Any] = {
    "cv_qwk": 0.58,
    "validity": {"n": 34, "qwk": 0.58, "smd": 0.02, "groups": {}},
}


def client_of(world: Clocked, account: Account, locale: str = "kk") -> TestClient:
    """A browser-like client of ``account`` (its own cookies), pages in ``locale``."""
    client = TestClient(world.app, headers={"Accept-Language": locale})
    sign_in(client, account.email)
    return client


def post_form(client: TestClient, page: str, action: str, data: dict[str, str]) -> Any:
    token = csrf_of(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **data}, follow_redirects=False)


def essay_url(setup: Setup, code: str) -> str:
    return f"/commission/competitions/{setup.competition_id}/essays/{code}"


@pytest.fixture
def scene(world: Clocked, monkeypatch: pytest.MonkeyPatch) -> Scene:
    return _scene(world, monkeypatch)


def test_blind_first_the_suggestion_is_absent_from_the_html_until_the_members_own_score(scene: Scene) -> None:
    world, setup = scene.world, scene.setup
    first, second, _third = setup.people
    chair, member, _other = setup.members
    scene.register({ESSAYS["kk"]: 2, ESSAYS["ru"]: 5})
    write_essay(world, first, ESSAYS["kk"], language="kk")
    write_essay(world, second, ESSAYS["ru"], language="ru")
    assert [r["score"] for r in scene.run()] == [2, 5]
    chair_client, member_client = client_of(world, chair, "kk"), client_of(world, member, "ru")
    url = essay_url(setup, first.code)

    before = chair_client.get(url)
    assert before.status_code == 200
    for absent in ("data-suggestion", "fake-scorer", "rubric_level_4_similarity", "Бұл баға емес, ұсыныс", "60 %"):
        assert absent not in before.text, absent
    assert "Алдымен өз бағаңыз: машина ұсынысы өз бағаңызды сақтағаннан кейін пайда болады." in before.text
    assert ESSAYS["kk"] in before.text and "Мемлекеттік қызметтегі адалдық" in before.text  # text and kk topic
    assert "Flagged" not in before.text and "Талқылауға белгіленген" not in before.text

    saved = post_form(chair_client, url, f"{url}/score", {"score": "4", "comment": "Дәлелді"})
    assert (saved.status_code, saved.headers["location"]) == (303, f"{url}?done=scored")
    after = chair_client.get(f"{url}?done=scored").text
    assert "Бағаңыз сақталды." in after and "Сіз 4 қойдыңыз." in after
    suggestion = after.split("data-suggestion>")[1].split("</dl>")[0]
    assert "<dt>Ұсынылған баға</dt><dd>2</dd>" in suggestion
    assert "<dt>Сенімділік</dt><dd>60 %</dd>" in suggestion
    assert "<dt>Модель</dt><dd>fake-scorer 0.1</dd>" in suggestion
    assert "қорытынды бағасы бар 30 эссе" in suggestion and "d" * 12 in suggestion  # n_train, data hash
    assert "0,81" in suggestion and "30 эсse" not in suggestion
    assert "Бұл баға емес, ұсыныс" in after and "rubric_level_4_similarity" in after
    assert after.count("<td>10 %</td>") == 4 and after.count("<td>60 %</td>") == 1  # the probabilities
    # 4 against the suggested 2 is the policy's gap: the flag shows to the chair, who has scored
    assert "Мүшенің бағасы машина ұсынысынан алшақ: айырмашылығы 2 балл" in after

    # the other member has not scored: still no number, in Russian
    other_view = member_client.get(url).text
    assert "data-suggestion" not in other_view and "fake-scorer" not in other_view
    assert "Сначала вслепую: машинная подсказка появится после того, как вы сохраните свою оценку." in other_view
    listing = member_client.get(f"/commission/competitions/{setup.competition_id}/essays").text
    assert listing.count("Нужно оценить") == 2 and "fake-scorer" not in listing


def test_assist_mode_shows_the_suggestion_first(scene: Scene) -> None:
    world, setup = scene.world, scene.setup
    first = setup.people[0]
    member = setup.members[1]
    mode = world.client.put(
        f"/api/v1/competitions/{setup.competition_id}/prescoring-mode",
        json={"mode": "assist"},
        headers=world.headers(setup.hr),
    )
    assert mode.status_code == 200, mode.text
    scene.register({ESSAYS["ru"]: 3})
    write_essay(world, first, ESSAYS["ru"], language="ru")
    scene.run()
    page = client_of(world, member, "ru").get(essay_url(setup, first.code)).text
    assert "Режим проверки: с подсказкой." in page
    assert "<dt>Предлагаемая оценка</dt><dd>3</dd>" in page and "Это подсказка, а не оценка" in page
    assert page.index("data-suggestion") < page.index('id="score-title"')  # shown before the member's form


def test_without_a_suggestion_the_page_says_why_in_kazakh_and_russian(scene: Scene) -> None:
    world, setup = scene.world, scene.setup
    first, second = setup.people[0], setup.people[1]
    chair = setup.members[0]
    write_essay(world, first, ESSAYS["kk"], language="kk")
    kk, ru = client_of(world, chair, "kk"), client_of(world, chair, "ru")
    url = essay_url(setup, first.code)
    assert UNAVAILABLE_TEXTS["pending"]["kk"] in kk.get(url).text  # no job has run yet
    assert UNAVAILABLE_TEXTS["pending"]["ru"] in ru.get(url).text

    scene.register({ESSAYS["ru"]: 4}, metrics=LOW_METRICS)  # below the validity gate: held back
    write_essay(world, second, ESSAYS["ru"], language="ru")
    scene.run()
    held = ru.get(essay_url(setup, second.code)).text
    assert "Модель для этой темы пока недостаточно точна: QWK 0.58 на 34 эссе." in held
    assert "data-suggestion" not in held

    admin = world.account("administrator")
    off = world.client.put(
        "/api/v1/admin/ml/essay_prescoring",
        json={"enabled": False, "reason": "Тексеру жүріп жатыр"},
        headers=world.headers(admin),
    )
    assert off.status_code == 200, off.text
    page = kk.get(url).text
    assert UNAVAILABLE_TEXTS["switched_off"]["kk"] in page
    assert "Әкімшінің себебі: Тексеру жүріп жатыр" in page


def test_another_bodys_competition_is_the_403_page(scene: Scene) -> None:
    world, setup = scene.world, scene.setup
    write_essay(world, setup.people[0], ESSAYS["kk"], language="kk")
    stranger = world.account("commission_member")
    other_hr = world.account("hr_officer")
    base = f"/commission/competitions/{setup.competition_id}"
    for account in (stranger, other_hr):
        client = client_of(world, account, "ru")
        for path in ("/essays", f"/essays/{setup.people[0].code}", "/practical", "/interviews", "/protocol"):
            refused = client.get(base + path)
            assert refused.status_code == 403, (account.role, path)
            assert ESSAYS["kk"] not in refused.text and "Мемлекеттік қызметтегі адалдық" not in refused.text
    home = client_of(world, stranger, "ru").get("/commission").text
    assert "Вы пока не входите ни в одну комиссию." in home
    candidate_client = client_of(world, setup.people[1].account, "ru")
    assert candidate_client.get("/commission").status_code == 403


def test_flags_need_the_chairs_discussion_before_the_stage_closes_and_the_refusal_is_shown(scene: Scene) -> None:
    world, setup = scene.world, scene.setup
    first, second, third = setup.people
    chair, member, other = setup.members
    for person in (first, second, third):
        write_essay(world, person, ESSAYS["ru"] if person is second else ESSAYS["kk"], language="kk")
    clients = {account.id: client_of(world, account, "ru") for account in (chair, member, other)}
    for person, values in ((first, (5, 3, 3)), (second, (3, 3, 4)), (third, (4, 4, 4))):
        for account, value in zip((chair, member, other), values, strict=True):
            url = essay_url(setup, person.code)
            assert post_form(clients[account.id], url, f"{url}/score", {"score": str(value)}).status_code == 303
    hr = client_of(world, setup.hr, "ru")
    listing = f"/commission/competitions/{setup.competition_id}/essays"
    assert "Отмечено: нужно обсуждение" in hr.get(listing).text
    refused = post_form(hr, listing, f"/commission/competitions/{setup.competition_id}/stages/essay/close", {})
    assert refused.status_code == 409
    assert '<a href="#close-stage">' in refused.text
    assert f"По отмеченным эссе нужно записать обсуждение комиссии: {first.code}" in refused.text

    url = essay_url(setup, first.code)
    chair_page = clients[chair.id].get(url).text
    assert "Оценки двух членов комиссии сильно расходятся: разница 2 балла" in chair_page
    assert 'id="note"' in chair_page
    assert 'id="note"' not in clients[member.id].get(url).text  # only the chair records it
    empty = post_form(clients[chair.id], url, f"{url}/discussion", {"note": ""})
    assert empty.status_code == 422 and "Напишите, к какому выводу пришла комиссия" in empty.text
    recorded = post_form(clients[chair.id], url, f"{url}/discussion", {"note": "Решили: 4 обоснованно"})
    assert recorded.status_code == 303
    shown = clients[chair.id].get(recorded.headers["location"]).text
    assert "Обсуждение записано." in shown and "Решили: 4 обоснованно" in shown and "Обсуждено" in shown

    closed = post_form(hr, listing, f"/commission/competitions/{setup.competition_id}/stages/essay/close", {})
    assert (closed.status_code, closed.headers["location"]) == (303, f"{listing}?done=closed")
    assert "Этап эссе закрыт. Оценки окончательные." in hr.get(closed.headers["location"]).text
    # members may not close a stage: the service's rule (the HR service of the body closes)
    assert 'id="close-stage"' not in clients[chair.id].get(listing).text


def test_the_home_page_lists_what_waits_with_working_day_deadlines_and_overdue_marks(scene: Scene) -> None:
    world, setup = scene.world, scene.setup
    first, second = setup.people[0], setup.people[1]
    chair, member = setup.members[0], setup.members[1]
    write_essay(world, first, ESSAYS["kk"], language="kk")  # submitted Monday 2 February 2026 (Astana)
    write_essay(world, second, ESSAYS["ru"], language="ru")
    client = client_of(world, member, "ru")
    home = client.get("/commission").text
    assert "Эссе для оценки" in home and "Срок: 3 февраля 2026" in home  # 1 working day after Monday
    assert "Просрочено" not in home
    world.set_today(datetime(2026, 2, 4, tzinfo=UTC).date())
    late = client.get("/commission").text
    assert "Просрочено: 2" in late
    url = essay_url(setup, first.code)
    assert post_form(client, url, f"{url}/score", {"score": "3"}).status_code == 303
    assert "Просрочено: 1" in client.get("/commission").text
    assert "Секретарь" in client_of(world, setup.secretary, "ru").get("/commission").text
    chair_home = client_of(world, chair, "kk").get("/commission").text
    assert "Бағаланатын эсселер" in chair_home and "Мерзімі өтті: 2" in chair_home


def test_a_score_outside_the_scale_or_missing_is_refused_next_to_the_field(scene: Scene) -> None:
    world, setup = scene.world, scene.setup
    write_essay(world, setup.people[0], ESSAYS["kk"], language="kk")
    client = client_of(world, setup.members[1], "ru")
    url = essay_url(setup, setup.people[0].code)
    refused = post_form(client, url, f"{url}/score", {"score": "7"})
    assert refused.status_code == 422
    assert '<a href="#score-1">Выберите оценку от 1 до 5</a>' in refused.text
    secretary = client_of(world, setup.secretary, "ru")
    assert 'id="score-1"' not in secretary.get(url).text  # the secretary does not score


def test_interview_schedule_and_scoring_pages(scene: Scene) -> None:
    world, setup = scene.world, scene.setup
    first, second, third = setup.people
    chair, member, other = setup.members
    for person in (first, second, third):
        write_essay(world, person, ESSAYS["kk"], language="kk")
        for account in (chair, member, other):
            assert score(world, setup, "essay", person.code, account, 4).status_code == 200
    assert close(world, setup, "essay").status_code == 200
    scheduled = world.client.post(
        f"/api/v1/competitions/{setup.competition_id}/interviews",
        headers=world.headers(setup.hr),
        json={"anonymous_code": first.code, "starts_at": "2026-02-03T10:00:00+05:00"},
    )
    assert scheduled.status_code == 201, scheduled.text
    interview_id = scheduled.json()["id"]
    client = client_of(world, member, "ru")
    schedule = client.get(f"/commission/competitions/{setup.competition_id}/interviews").text
    assert "Каждое собеседование длится 15 минут." in schedule
    slot = schedule.split("<tbody>")[1].split("</td>")[0]
    assert "3 февр. 2026" in slot and "10:00:00 –" in slot and slot.endswith("10:15:00")  # 15 minutes, Astana time
    assert f'href="/commission/interviews/{interview_id}/transcript"' in schedule
    page_url = f"/commission/competitions/{setup.competition_id}/interviews/{first.code}"
    assert "Оценить собеседование можно после его начала." in client.get(page_url).text
    world.set_now(datetime(2026, 2, 3, 5, 20, tzinfo=UTC))
    client = client_of(world, member, "ru")  # a day later: the idle session has ended
    saved = post_form(client, page_url, f"{page_url}/score", {"score": "5", "comment": "Сильные ответы"})
    assert (saved.status_code, saved.headers["location"]) == (303, f"{page_url}?done=scored")
    assert "Вы поставили 5." in client.get(saved.headers["location"]).text
    assert (
        '<strong class="tag tag--done">5</strong>'
        in client.get(f"/commission/competitions/{setup.competition_id}/interviews").text
    )


def test_every_page_a_member_receives_names_no_candidate(scene: Scene) -> None:
    world, setup = scene.world, scene.setup
    first, second, _third = setup.people
    chair = setup.members[0]
    scene.register({ESSAYS["kk"]: 2, ESSAYS["ru"]: 5})
    write_essay(world, first, ESSAYS["kk"], language="kk")
    write_essay(world, second, ESSAYS["ru"], language="ru")
    scene.run()
    with world.session() as session:
        people = identities(session, world.app.state.settings.secret_key)
    base = f"/commission/competitions/{setup.competition_id}"
    for account in (chair, setup.members[1], setup.secretary):
        for locale in ("kk", "ru"):
            client = client_of(world, account, locale)
            url = essay_url(setup, first.code)
            if account is chair:
                post_form(client, url, f"{url}/score", {"score": "5"})
            pages = ["/commission", f"{base}/essays", url, essay_url(setup, second.code)]
            pages += [f"{base}/practical", f"{base}/interviews", f"{base}/protocol", "/work"]
            for path in pages:
                response = client.get(path)
                assert response.status_code == 200, path
                assert_anonymous(response.text, people, f"{account.id} {locale} {path}")


def _protocol_drawn_up(world: Clocked, tmp_path: Any, ca: Any) -> tuple[list[Account], str]:
    """A published competition whose protocol is drawn up, with ``ca`` as the trusted root."""
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(ca.certificate.public_bytes(serialization.Encoding.PEM))
    world.app.state.settings.protocol_trusted_roots = str(bundle)
    published = _published(world)
    drawn = world.client.post(
        f"/api/v1/competitions/{published.competition_id}/protocol", headers=world.headers(published.hr)
    )
    assert drawn.status_code == 201, drawn.text
    return published.members, f"/commission/competitions/{published.competition_id}/protocol"


def test_the_protocol_page_verifies_an_uploaded_signature_and_says_why_in_words(world: Clocked, tmp_path: Any) -> None:
    ca = make_demo_ca()
    members, page = _protocol_drawn_up(world, tmp_path, ca)
    first, second, _third = members
    client = client_of(world, first, "ru")
    shown = client.get(page)
    assert shown.status_code == 200
    assert (
        "Протокол заседания конкурсной комиссии" in shown.text
        and "Конкурстық комиссия отырысының хаттамасы" in shown.text
    )
    assert shown.text.count("Ещё не подписано") == 3 and "Не изменён" in shown.text
    assert "Подписать до" in shown.text and "23 февраля 2026" in shown.text
    pdf_link = shown.text.split('href="/commission/protocols/')[1].split('"')[0]
    pdf = client.get(f"/commission/protocols/{pdf_link}")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert 'filename="protocol-' in pdf.headers["content-disposition"]

    def upload(who: TestClient, content: bytes, name: str = "signature.p7s") -> Any:
        token = csrf_of(who.get(page).text)
        return who.post(
            f"{page}/signature",
            data={"csrf_token": token},
            files={"signature": (name, content, "application/pkcs7-signature")},
            follow_redirects=False,
        )

    iin = _record_iin(world, first)
    good = make_test_certificate("Member", iin, issuer=ca)
    wrong = upload(client, good.signer().sign(pdf.content + b"changed"))
    assert wrong.status_code == 422
    assert "Не подписано: Не тот документ: подпись поставлена не на этот протокол, а на другие данные" in wrong.text
    foreign = make_test_certificate("Member", iin, issuer=make_demo_ca("Another authority"))
    untrusted = upload(client, foreign.signer().sign(pdf.content))
    assert "Недоверенный сертификат: он выдан не доверенным удостоверяющим центром" in untrusted.text
    assert upload(client, b"not a signature").status_code == 422

    signed = upload(client, good.signer().sign(pdf.content))
    assert (signed.status_code, signed.headers["location"]) == (303, f"{page}?done=signed")
    after = client.get(signed.headers["location"]).text
    assert "Подпись действительна: она проверена по этому протоколу и сохранена." in after
    assert after.count("Подписано: действительна") == 1 and "Вы подписали этот протокол." in after

    # a certificate its authority revoked: the CRL is configured, the words say so
    revoked_iin = _record_iin(world, second)
    revoked = make_test_certificate("Member", revoked_iin, issuer=ca)
    crl = tmp_path / "ca.crl"
    crl.write_bytes(make_test_crl(ca, [revoked.certificate]).public_bytes(serialization.Encoding.PEM))
    world.app.state.settings.protocol_revocation_lists = str(crl)
    second_client = client_of(world, second, "kk")
    refused = upload(second_client, revoked.signer().sign(pdf.content))
    assert "Қол қойылмады: Кері қайтарылған сертификат: оны куәландырушы орталық қайтарып алған" in refused.text


def test_practical_tasks_are_read_and_scored_by_code_and_closing_too_early_is_refused(world: Clocked) -> None:
    setup = build(world, category="C-4", failing_personal_qualities=1, topic=False)
    first, second, third, stopped = setup.people
    chair, member, _other = setup.members
    created = world.client.post(
        f"/api/v1/competitions/{setup.competition_id}/practical-tasks", json=TASK, headers=world.headers(setup.hr)
    )
    assert created.status_code == 201, created.text
    base = f"/commission/competitions/{setup.competition_id}"
    client = client_of(world, member, "kk")
    listing = client.get(f"{base}/practical").text
    assert TASK["title_kk"] in listing and TASK["instructions_kk"] in listing and TASK["title_ru"] not in listing
    assert [code for code in (first.code, second.code, third.code, stopped.code) if code in listing] == [
        first.code,
        second.code,
        third.code,
    ]  # the one stopped at personal qualities never reached the stage
    assert listing.count("Бағалау керек") == 3
    assert 'href="' + base + '/essays"' not in listing  # no essay stage in a non-managerial plan
    url = f"{base}/practical/{first.code}"
    saved = post_form(client, url, f"{url}/score", {"score": "4", "comment": "Жақсы"})
    assert (saved.status_code, saved.headers["location"]) == (303, f"{url}?done=scored")
    page = client.get(saved.headers["location"]).text
    assert "Сіз 4 қойдыңыз." in page and "Сіздің түсініктемеңіз: Жақсы" in page
    assert client.get(f"{base}/practical").text.count("Бағалау керек") == 2
    with world.session() as session:
        people = identities(session, world.app.state.settings.secret_key)
    for html in (listing, page, client.get(url).text):
        assert_anonymous(html, people, "practical")
    not_reached = post_form(client, url, f"{base}/practical/{stopped.code}/score", {"score": "3"})
    assert not_reached.status_code == 422
    chair_client = client_of(world, chair, "ru")
    hr = client_of(world, setup.hr, "ru")
    refused = post_form(hr, f"{base}/practical", f"{base}/stages/practical/close", {})
    assert refused.status_code == 409
    summary = refused.text.split("data-error-summary>")[1].split("</div>")[0]
    # one score of three voting members is under the two-thirds quorum: every entrant is named
    expected = f"Оценки выставило недостаточно членов комиссии: {first.code}, {second.code}, {third.code}"
    assert f'<a href="#close-stage">{expected}</a>' in summary
    assert 'id="close-stage"' not in chair_client.get(f"{base}/practical").text


def test_the_essay_list_is_paged_in_application_order(scene: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    """One page at a time (a competition may have thousands of essays): page n lists the n-th essay of the
    whole list when a page holds one, links to the next, and a page past the end shows the last."""
    world, setup = scene.world, scene.setup
    for person, language in zip(setup.people, ("kk", "ru", "kk"), strict=True):
        write_essay(world, person, ESSAYS[language], language=language)
    client = client_of(world, setup.members[1], "ru")
    base = f"/commission/competitions/{setup.competition_id}/essays"
    codes = re.findall(rf'<td><a href="{base}/([^"]+)">', client.get(base).text)
    assert sorted(codes) == sorted(person.code for person in setup.people)
    monkeypatch.setattr(commission, "ESSAYS_PER_PAGE", 1)
    for number, code in enumerate(codes, start=1):
        page = client.get(f"{base}?page={number}").text
        assert re.findall(rf'<td><a href="{base}/([^"]+)">', page) == [code]
        assert f"Страница {number} из {len(codes)}" in page
        assert (f'href="{base}?page={number + 1}" rel="next"' in page) == (number < len(codes))
    past = client.get(f"{base}?page=999").text
    assert re.findall(rf'<td><a href="{base}/([^"]+)">', past) == [codes[-1]]
    assert client.get(f"{base}?page=0").status_code == 400  # the pages answer a bad query with 400
