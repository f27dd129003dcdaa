"""Vacancy alerts through the API: consent, signed unsubscribe links, campaigns drafted, approved, sent once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.alerts import delivery as alerts
from app.alerts.models import AlertCampaign, AlertCampaignRecipient, AlertDelivery, AlertSubscription
from app.alerts.tokens import make_token
from app.audit.models import AuditEvent
from app.auth.models import Account
from app.jobs.models import Job
from app.notifications.models import Notification, OutboxMessage
from tests.api._workflow import World, world_fixture  # noqa: F401

LEGAL = {"functional_areas": ["legal"]}


def _subscribe(
    world: World, account: Account, criteria: dict[str, Any] | None = None, frequency: str = "immediate"
) -> Any:
    return world.client.post(
        "/api/v1/alerts/subscriptions",
        headers=world.headers(account),
        json={"criteria": criteria or {}, "frequency": frequency},
    )


def _subscriber(
    world: World, criteria: dict[str, Any] | None = None, frequency: str = "immediate", **kwargs: Any
) -> tuple[Account, int]:
    account = world.candidate(vacancy_alerts=True, **kwargs)
    response = _subscribe(world, account, criteria, frequency)
    assert response.status_code == 201, response.text
    return account, response.json()["id"]


def _campaigns(world: World, hr: Account) -> list[dict[str, Any]]:
    response = world.client.get("/api/v1/alerts/campaigns", headers=world.headers(hr))
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


def _alert_mail(world: World) -> list[OutboxMessage]:
    with world.session() as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.event.in_(("vacancy_alert", "vacancy_digest")))
                .order_by(OutboxMessage.id)
            )
        )


def _approve_and_send(world: World, hr: Account, campaign_id: int) -> dict[str, Any]:
    response = world.client.post(f"/api/v1/alerts/campaigns/{campaign_id}/approve", headers=world.headers(hr))
    assert response.status_code == 200, response.text
    world.app.state.queue.execute(response.json()["send_job_id"])
    read = world.client.get(f"/api/v1/alerts/campaigns/{campaign_id}", headers=world.headers(hr))
    body: dict[str, Any] = read.json()
    return body


def _digests(world: World, now: datetime) -> dict[str, Any]:
    with world.session() as session:
        return alerts.send_digests(
            session=session, queue=world.app.state.queue, settings=world.app.state.settings, now=now
        )


def test_a_subscription_needs_the_vacancy_alerts_consent(world: World) -> None:
    without = world.candidate(vacancy_alerts=False)
    refused = _subscribe(world, without, LEGAL)
    assert (refused.status_code, refused.json()["code"], refused.json()["consents"]) == (
        422,
        "consent_required",
        ["vacancy_alerts"],
    )
    account, _ = _subscriber(
        world,
        {"functional_areas": ["legal"], "regions": ["astana"], "categories": ["с-4"], "text": " юрист "},
        "weekly",
    )
    listed = world.client.get("/api/v1/alerts/subscriptions", headers=world.headers(account)).json()
    assert listed[0]["criteria"] == {
        "functional_areas": ["legal"],
        "regions": ["Astana"],
        "categories": ["C-4"],
        "text": "юрист",
    }
    assert (listed[0]["frequency"], listed[0]["locale"], listed[0]["active"]) == ("weekly", "kk", True)
    bad = _subscribe(world, account, {"regions": ["Atlantis"]})
    assert (bad.status_code, bad.json()["code"]) == (422, "contradictory_filters")


def test_the_signed_link_unsubscribes_without_a_session_and_refuses_forged_or_old_ones(world: World) -> None:
    _, subscription_id = _subscriber(world, LEGAL)
    settings = world.app.state.settings
    now = datetime.now(UTC)
    token = make_token(subscription_id, secret_key=settings.secret_key, issued_at=now)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    other_key = make_token(subscription_id, secret_key="another-secret-of-someone-else", issued_at=now)
    for bad in (forged, other_key, "not-a-token", token.split(".")[0]):
        response = world.client.get("/api/v1/alerts/unsubscribe", params={"token": bad})
        assert (response.status_code, response.json()["code"]) == (400, "unsubscribe_token_invalid"), bad
    old = make_token(
        subscription_id,
        secret_key=settings.secret_key,
        issued_at=now - timedelta(days=settings.alerts_unsubscribe_max_age_days, seconds=1),
    )
    expired = world.client.post("/api/v1/alerts/unsubscribe", params={"token": old})
    assert (expired.status_code, expired.json()["code"]) == (400, "unsubscribe_token_expired")
    for method in ("get", "post"):  # the second click changes nothing
        done = getattr(world.client, method)("/api/v1/alerts/unsubscribe", params={"token": token})
        assert done.status_code == 200 and done.json()["active"] is False
    with world.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "alerts.unsubscribed")).all()
        assert [(e.actor, e.payload["via"]) for e in events] == [(f"subscription:{subscription_id}", "signed_link")]


def test_publication_drafts_a_campaign_and_nothing_is_queued_before_approval(world: World) -> None:
    _, legal_sub = _subscriber(world, LEGAL)
    _subscriber(world, {"functional_areas": ["healthcare"]})
    hr = world.account("hr_officer")
    vacancy_id, _ = world.published_competition(hr)
    [campaign] = _campaigns(world, hr)
    assert (campaign["status"], campaign["vacancy_ids"], campaign["recipients_count"]) == ("draft", [vacancy_id], 1)
    assert campaign["model"]["name"] and campaign["approved_by"] is None
    recipients = world.client.get(
        f"/api/v1/alerts/campaigns/{campaign['id']}/recipients", headers=world.headers(hr)
    ).json()
    [recipient] = recipients["items"]
    assert (recipient["subscription_id"], recipient["vacancy_ids"], recipient["status"]) == (
        legal_sub,
        [vacancy_id],
        "pending",
    )
    explanation = recipient["explanation"]["vacancies"][str(vacancy_id)]
    assert explanation["criteria"] == {"functional_area": "legal"}
    assert explanation["meets_requirements"] is True and 0 < explanation["profile_score"] <= 1
    assert _alert_mail(world) == []
    with world.session() as session:
        assert session.scalars(select(Notification).where(Notification.event == "vacancy_alert")).all() == []


def test_approval_queues_one_message_per_subscriber_and_a_second_campaign_sends_nothing_new(world: World) -> None:
    first, _ = _subscriber(world, LEGAL)
    second, _ = _subscriber(world, LEGAL)
    hr = world.account("hr_officer")
    vacancy_id, _ = world.published_competition(hr)
    [campaign] = _campaigns(world, hr)
    sent = _approve_and_send(world, hr, campaign["id"])
    assert (sent["status"], sent["approved_by"], sent["outcome"]) == ("sent", hr.id, {"delivered": 2})
    mail = _alert_mail(world)
    assert sorted(m.to_address for m in mail) == sorted([first.email, second.email])
    assert {m.subject for m in mail} == {"Жаңа бос лауазым: Бас сарапшы"}
    assert all("/unsubscribe?token=" in m.body for m in mail)
    # The link in the letter works.
    link = mail[0].body.split("/unsubscribe?token=")[1].split()[0]
    assert world.client.get("/api/v1/alerts/unsubscribe", params={"token": link}).json()["active"] is False
    again = world.client.post("/api/v1/alerts/campaigns", json={"vacancy_ids": [vacancy_id]}, headers=world.headers(hr))
    assert again.status_code == 201, again.text
    assert again.json()["recipients_count"] == 0
    resent = _approve_and_send(world, hr, again.json()["id"])
    assert (resent["status"], resent["outcome"]) == ("sent", {})
    assert len(_alert_mail(world)) == 2
    repeat = world.client.post(f"/api/v1/alerts/campaigns/{campaign['id']}/approve", headers=world.headers(hr))
    assert (repeat.status_code, repeat.json()["code"]) == (409, "campaign_not_draft")


def test_a_daily_digest_goes_out_at_most_once_a_day(world: World) -> None:
    account, subscription_id = _subscriber(world, LEGAL, frequency="daily")
    hr = world.account("hr_officer")
    first_vacancy, _ = world.published_competition(hr, title_kk="Бірінші", title_ru="Первая")
    outcome = _approve_and_send(world, hr, _campaigns(world, hr)[0]["id"])["outcome"]
    assert outcome == {"awaiting_digest": 1} and _alert_mail(world) == []
    with world.session() as session:
        digest_jobs = session.scalars(select(Job).where(Job.kind == "alerts.send_digests")).all()
        assert len(digest_jobs) == 1
    day1 = datetime(2026, 2, 2, 5, 0, tzinfo=UTC)  # 10:00 in Astana
    assert _digests(world, day1)["outcome"] == {"digests": 1}
    second_vacancy, _ = world.published_competition(hr, title_kk="Екінші", title_ru="Вторая")
    newest = max(_campaigns(world, hr), key=lambda c: c["id"])
    assert newest["vacancy_ids"] == [second_vacancy]
    _approve_and_send(world, hr, newest["id"])
    assert _digests(world, day1 + timedelta(hours=8))["outcome"] == {"waiting_next_period": 1}
    assert len(_alert_mail(world)) == 1
    assert _digests(world, day1 + timedelta(days=1))["outcome"] == {"digests": 1}
    mail = _alert_mail(world)
    assert [m.subject for m in mail] == ["Жаңа бос лауазым: Бірінші", "Жаңа бос лауазым: Екінші"]
    assert _digests(world, day1 + timedelta(days=1, hours=1))["outcome"] == {}
    assert len(_alert_mail(world)) == 2
    assert all(m.to_address == account.email for m in mail)
    with world.session() as session:
        delivered = session.execute(
            select(AlertDelivery.vacancy_id, AlertDelivery.period_key)
            .where(AlertDelivery.subscription_id == subscription_id)
            .order_by(AlertDelivery.id)
        ).all()
    assert delivered == [(first_vacancy, "daily:2026-02-02"), (second_vacancy, "daily:2026-02-03")]


def test_a_withdrawn_consent_stops_the_message_and_is_recorded(world: World) -> None:
    account, subscription_id = _subscriber(world, LEGAL)
    hr = world.account("hr_officer")
    world.published_competition(hr)
    [campaign] = _campaigns(world, hr)
    withdrawn = world.client.put(
        "/api/v1/candidates/me/consents", json={"vacancy_alerts": False}, headers=world.headers(account)
    )
    assert withdrawn.status_code == 200, withdrawn.text
    sent = _approve_and_send(world, hr, campaign["id"])
    assert sent["outcome"] == {"skipped_no_consent": 1}
    assert _alert_mail(world) == []
    with world.session() as session:
        recipient = session.scalars(
            select(AlertCampaignRecipient).where(AlertCampaignRecipient.subscription_id == subscription_id)
        ).one()
        assert recipient.status == "skipped_no_consent" and recipient.decided_at is not None


def test_switched_off_alerts_draft_no_campaign_and_the_publication_goes_on(world: World) -> None:
    _subscriber(world, LEGAL)
    admin = world.account("administrator")
    off = world.client.put(
        "/api/v1/admin/ml/vacancy_alerts", json={"enabled": False, "reason": "review"}, headers=world.headers(admin)
    )
    assert off.status_code == 200, off.text
    hr = world.account("hr_officer")
    vacancy_id, competition_id = world.published_competition(hr)
    assert competition_id and _campaigns(world, hr) == []
    with world.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "alerts.campaign_not_drafted")).one()
        assert (event.entity_id, event.payload["reason"]) == (str(vacancy_id), "ml_module_disabled")
    manual = world.client.post(
        "/api/v1/alerts/campaigns", json={"vacancy_ids": [vacancy_id]}, headers=world.headers(hr)
    )
    assert (manual.status_code, manual.json()["code"]) == (409, "ml_module_disabled")


def test_a_standing_rule_set_by_an_officer_approves_matching_campaigns(world: World) -> None:
    _subscriber(world, LEGAL)
    hr = world.account("hr_officer")
    rule = world.client.post(
        "/api/v1/alerts/standing-rules", json={"functional_areas": ["legal"]}, headers=world.headers(hr)
    )
    assert rule.status_code == 201, rule.text
    world.published_competition(hr)
    [campaign] = _campaigns(world, hr)
    assert (campaign["status"], campaign["standing_rule_id"], campaign["approved_by"]) == (
        "approved",
        rule.json()["id"],
        hr.id,
    )
    with world.session() as session:
        job = session.scalars(select(Job).where(Job.kind == "alerts.send_campaign")).one()
    world.app.state.queue.execute(job.id)
    assert len(_alert_mail(world)) == 1
    world.published_competition(hr, functional_area="healthcare")
    unruled = max(_campaigns(world, hr), key=lambda c: c["id"])
    assert (unruled["status"], unruled["standing_rule_id"], unruled["recipients_count"]) == ("draft", None, 0)


@pytest.mark.parametrize("frequency", ["immediate", "daily", "weekly"])
def test_period_keys(frequency: str) -> None:
    moment = datetime(2026, 2, 1, 20, 0, tzinfo=UTC)  # already 2 February in Astana
    expected = {"immediate": "immediate:7", "daily": "daily:2026-02-02", "weekly": "weekly:2026-W06"}
    assert alerts.period_key(frequency, moment, 7) == expected[frequency]


def test_only_the_vacancies_body_approves(world: World) -> None:
    _subscriber(world, LEGAL)
    hr = world.account("hr_officer")
    world.published_competition(hr)
    [campaign] = _campaigns(world, hr)
    stranger = world.account("hr_officer")
    response = world.client.post(f"/api/v1/alerts/campaigns/{campaign['id']}/approve", headers=world.headers(stranger))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    with world.session() as session:
        stored = session.get(AlertCampaign, campaign["id"])
        assert stored is not None and stored.status == "draft"
        assert session.scalars(select(AlertSubscription)).first() is not None


def test_with_matching_switched_off_the_publication_goes_on_without_a_campaign(world: World) -> None:
    _subscriber(world, LEGAL)
    admin = world.account("administrator")
    world.client.put("/api/v1/admin/ml/matching", json={"enabled": False}, headers=world.headers(admin))
    hr = world.account("hr_officer")
    vacancy_id, competition_id = world.published_competition(hr)
    assert competition_id and _campaigns(world, hr) == []
    with world.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "alerts.campaign_not_drafted")).one()
        assert event.entity_id == str(vacancy_id)
        assert (event.payload["reason"], event.payload["module"]) == ("ml_module_disabled", "matching")
