"""A worker killed with SIGKILL mid-job (issue 13): the job finishes after a restart, no e-mail goes out
twice, no half-written transcript is ever visible.

The worker is a real ``irikteu worker`` process on the real queue (Huey on SQLite) and database (SQLite,
and PostgreSQL when it answers); the letters go to a local SMTP server (aiosmtpd) that holds the Nth
letter unanswered, so the kill lands exactly there. Only the speech model is a stand-in
(``tests/integration/_fault_worker.py``): Whisper on a CPU is too slow for a fault test.
"""

from __future__ import annotations

import asyncio
import os
import signal
import smtplib
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.db import utcnow
from app.jobs.models import Job
from app.notifications.jobs import ABANDONED
from app.notifications.models import OutboxMessage
from app.notifications.service import SEND_EMAIL, enqueue_email
from app.transcripts.models import Recording, Transcript, TranscriptVersion
from tests.api._assessment import NOW, Clocked, build, clocked_world_every_backend_fixture  # noqa: F401
from tests.api._transcripts import add_interview
from tests.integration.test_smtp_delivery import _free_port
from tests.unit.ml._audio import tone

STALE_AFTER_SECONDS = 2
"""The restarted worker takes a job whose heartbeat is this old as abandoned (300 s in production)."""
WAIT = 45.0


@dataclass
class GatedInbox:
    """An SMTP server's handler: keeps each letter's recipients; holds letter ``hold_at`` unanswered
    (its content already in: the recipient has it) until ``release``; ``drop_at`` is lost instead,
    the connection closed with no answer; ``refuse_at`` is refused with a 554 answer."""

    hold_at: int = 0
    drop_at: int = 0
    refuse_at: int = 0
    received: list[str] = field(default_factory=list)
    arrivals: int = 0
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.arrivals += 1
        if self.arrivals == self.drop_at:
            server.transport.close()
            return "421 closing"
        if self.arrivals == self.refuse_at:
            return "554 5.7.1 Message rejected"
        self.received.extend(envelope.rcpt_tos)
        if self.arrivals == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[GatedInbox, str]]:
    inbox = GatedInbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, f"smtp://127.0.0.1:{port}"
    inbox.release.set()
    controller.stop()


@dataclass
class Workers:
    """Starts and kills ``irikteu worker`` processes for one world (same database, queue and data folder)."""

    world: Clocked
    faults: Path
    smtp_url: str = ""
    running: list[subprocess.Popen[bytes]] = field(default_factory=list)
    go_files: dict[int, Path] = field(default_factory=dict)

    def go(self, worker: subprocess.Popen[bytes]) -> None:
        self.go_files[worker.pid].touch()

    def standby(self) -> subprocess.Popen[bytes]:
        """A worker process that imports everything, then waits for ``go`` (a restart without the import time)."""
        settings = self.world.app.state.settings
        env = dict(
            os.environ,
            IRIKTEU_ENVIRONMENT="test",
            IRIKTEU_DATABASE_URL=settings.resolved_database_url,
            IRIKTEU_QUEUE_URL=settings.resolved_queue_url,
            IRIKTEU_QUEUE_NAME=settings.queue_name,
            IRIKTEU_DATA_DIR=str(settings.data_dir),
            IRIKTEU_SECRET_KEY=settings.secret_key,
            IRIKTEU_SMTP_URL=self.smtp_url,
            IRIKTEU_SMTP_TIMEOUT_SECONDS="5",
            IRIKTEU_JOB_STALE_AFTER_SECONDS=str(STALE_AFTER_SECONDS),
            IRIKTEU_JOB_RETRY_DELAY_SECONDS="0",
            IRIKTEU_LOG_LEVEL="WARNING",
            IRIKTEU_TEST_FAULT_DIR=str(self.faults),
        )
        go_file = self.faults / f"go-{len(self.running)}"
        env["IRIKTEU_TEST_GO_FILE"] = str(go_file)
        worker = subprocess.Popen(
            [sys.executable, "-m", "tests.integration._fault_worker", "worker", "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=Path(__file__).resolve().parents[2],
        )
        self.running.append(worker)
        self.go_files[worker.pid] = go_file
        return worker

    @staticmethod
    def kill(worker: subprocess.Popen[bytes]) -> None:
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL

    def stop_all(self) -> None:
        for worker in self.running:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)


@pytest.fixture
def workers(world_every_backend: Clocked, tmp_path: Path) -> Iterator[Workers]:
    faults = tmp_path / "faults"
    faults.mkdir()
    world_every_backend.app.state.settings.data_dir = tmp_path / "data"
    started = Workers(world=world_every_backend, faults=faults)
    yield started
    started.stop_all()
    world_every_backend.app.state.queue.huey.flush()


def _until(check: Callable[[], Any], what: str, seconds: float = WAIT) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {seconds} s")


def _rows(world: Clocked, model: Any, *where: Any) -> list[Any]:
    with world.session() as session:
        rows = list(session.scalars(select(model).where(*where).order_by(model.id)))
        session.expunge_all()
        return rows


# --- an alert campaign's letters -------------------------------------------------------------------


def _campaign_ready(world: Clocked, subscribers: int) -> tuple[Any, list[str], str]:
    """Subscribers, a published vacancy and its approved campaign; (hr, their addresses, the send job)."""
    addresses = []
    for _ in range(subscribers):
        account = world.candidate(vacancy_alerts=True)
        subscribed = world.client.post(
            "/api/v1/alerts/subscriptions",
            headers=world.headers(account),
            json={"criteria": {"functional_areas": ["legal"]}, "frequency": "immediate"},
        )
        assert subscribed.status_code == 201, subscribed.text
        addresses.append(account.email)
    hr = world.account("hr_officer")
    world.published_competition(hr)
    [campaign] = world.client.get("/api/v1/alerts/campaigns", headers=world.headers(hr)).json()
    assert campaign["recipients_count"] == subscribers
    approved = world.client.post(f"/api/v1/alerts/campaigns/{campaign['id']}/approve", headers=world.headers(hr))
    assert approved.status_code == 200, approved.text
    return hr, addresses, approved.json()["send_job_id"]


def _alert_statuses(world: Clocked) -> Counter[str]:
    return Counter(m.status for m in _rows(world, OutboxMessage, OutboxMessage.event == "vacancy_alert"))


def test_a_worker_killed_mid_campaign_sends_no_letter_twice_and_holds_the_unknown_one(
    workers: Workers, smtp: tuple[GatedInbox, str]
) -> None:
    inbox, workers.smtp_url = smtp
    world = workers.world
    expected = 5
    inbox.hold_at = 3  # the third letter's content arrives, its answer never does: the kill lands there
    first, restarted = workers.standby(), workers.standby()  # importing while the campaign is made
    _, addresses, campaign_job = _campaign_ready(world, expected)

    workers.go(first)
    assert inbox.holding.wait(WAIT), "the worker never reached the third letter"
    workers.kill(first)
    inbox.release.set()
    at_kill = _alert_statuses(world)
    assert at_kill == {"sent": 2, "sending": 1, "queued": 2}
    [unknown] = _rows(world, OutboxMessage, OutboxMessage.status == "sending")
    assert unknown.to_address == inbox.received[2]

    time.sleep(STALE_AFTER_SECONDS + 0.5)  # the killed worker's heartbeat is now stale
    workers.go(restarted)

    def settled() -> bool:
        jobs = _rows(world, Job, Job.kind == SEND_EMAIL)
        return len(jobs) == expected and all(j.status in ("succeeded", "failed") for j in jobs)

    _until(settled, "the restarted worker finishing the campaign's letters")
    after = _alert_statuses(world)
    per_recipient = Counter(inbox.received)
    print(
        f"\ncampaign letters: {expected} expected, {len(inbox.received)} received by the SMTP server, "
        f"outbox after restart {dict(after)}, per recipient {sorted(per_recipient.values())}"
    )
    assert after == {"sent": 4, "unknown": 1}
    assert per_recipient == dict.fromkeys(addresses, 1)  # each exactly once, the held one included
    assert {j.status for j in _rows(world, Job, Job.kind == SEND_EMAIL)} == {"succeeded"}
    assert _rows(world, Job, Job.id == campaign_job)[0].status == "succeeded"
    [held] = _rows(world, AuditEvent, AuditEvent.action == "outbox.outcome_unknown")
    assert held.entity_id == str(unknown.id) and held.payload["token"].endswith(":1")

    # The administrator sees it and decides; the letter had arrived, so: mark sent, send nothing.
    admin = world.headers(world.account("administrator"))
    summary = world.client.get("/api/v1/admin/outbox", headers=admin).json()
    assert [h["id"] for h in summary["held"]] == [unknown.id]
    assert summary["counts"]["unknown"] == 1
    decided = world.client.post(
        f"/api/v1/admin/outbox/{unknown.id}/decision",
        headers=admin,
        json={"decision": "mark_sent", "note": "the mail server's log shows it delivered"},
    )
    assert (decided.status_code, decided.json()["status"]) == (200, "sent")
    again = world.client.post(f"/api/v1/admin/outbox/{unknown.id}/decision", headers=admin, json={"decision": "resend"})
    assert (again.status_code, again.json()["code"]) == (409, "outbox_not_held")
    assert _alert_statuses(world) == {"sent": 5}
    time.sleep(1.0)  # nothing else arrives
    assert Counter(inbox.received) == dict.fromkeys(addresses, 1)


def test_a_letter_whose_answer_never_came_is_held_and_resent_only_when_an_administrator_says_so(
    workers: Workers, smtp: tuple[GatedInbox, str]
) -> None:
    inbox, smtp_url = smtp
    world = workers.world
    world.app.state.settings.smtp_url = smtp_url
    inbox.drop_at = 2  # the server closes the connection after the second letter's content, unanswered
    inbox.refuse_at = 3  # and answers the third with a refusal: known not delivered, so retried
    _, addresses, campaign_job = _campaign_ready(world, 3)
    queue = world.app.state.queue
    queue.execute(campaign_job)
    jobs = _rows(world, Job, Job.kind == SEND_EMAIL)
    assert len(jobs) == 3
    queue.execute(jobs[0].id)
    queue.execute(jobs[1].id)  # the second letter to arrive: dropped
    with pytest.raises(smtplib.SMTPDataError):
        queue.execute(jobs[2].id)  # the third: refused; Huey would retry it, here the test does
    [retry] = _rows(world, OutboxMessage, OutboxMessage.status == "queued")
    assert retry.last_error is not None and retry.last_error.startswith("SMTPDataError: (554")
    assert (retry.attempts, retry.send_token) == (1, None)
    queue.execute(jobs[2].id)
    assert _alert_statuses(world) == {"sent": 2, "unknown": 1}
    [held] = _rows(world, OutboxMessage, OutboxMessage.status == "unknown")
    assert held.last_error is not None and held.last_error.startswith("outcome unknown: SMTPServerDisconnected")
    assert held.attempts == 1
    # A duplicate or restarted job leaves it alone.
    extra = queue.enqueue(SEND_EMAIL, {"outbox_id": held.id})
    queue.execute(extra)
    assert _rows(world, Job, Job.id == extra)[0].result == {
        "outbox_id": held.id,
        "status": "unknown",
        "skipped": True,
    }
    assert sorted(inbox.received) == sorted(a for a in addresses if a != held.to_address)

    admin_account = world.account("administrator")
    decided = world.client.post(
        f"/api/v1/admin/outbox/{held.id}/decision",
        headers=world.headers(admin_account),
        json={"decision": "resend", "note": "not in the mail server's log"},
    )
    assert (decided.status_code, decided.json()["status"]) == (200, "queued")
    [resend] = _rows(world, Job, Job.kind == SEND_EMAIL, Job.status == "queued")
    queue.execute(resend.id)
    assert _alert_statuses(world) == {"sent": 3}
    assert Counter(inbox.received) == dict.fromkeys(addresses, 1)
    [audit] = _rows(world, AuditEvent, AuditEvent.action == "outbox.decided_resend")
    assert (audit.actor, audit.entity_id) == (str(admin_account.id), str(held.id))
    assert audit.payload["before"]["status"] == "unknown" and audit.payload["note"] == "not in the mail server's log"
    queue.huey.flush()


# --- a transcription ----------------------------------------------------------------------------------


def _recordings_waiting(world: Clocked, tmp_path: Path, interviews: int) -> tuple[list[int], str]:
    """``interviews`` interviews with the same recording uploaded (one job for the file); (ids, job id)."""
    setup = build(world, topic=False)
    ids = []
    with world.session() as session:
        for number in range(interviews):
            ids.append(add_interview(session, setup, person=number, starts=NOW + timedelta(days=1, hours=number)))
    media = tone(tmp_path / "tone.wav", 1.0).read_bytes()
    jobs = set()
    for interview_id in ids:
        uploaded = world.client.post(
            f"/api/v1/interviews/{interview_id}/recording",
            files={"file": ("interview.wav", media, "audio/wav")},
            data={"language": "kk"},
            headers=world.headers(setup.hr),
        )
        assert uploaded.status_code == 202, uploaded.text
        jobs.add(uploaded.json()["job_id"])
    [job_id] = jobs
    return ids, job_id


def _transcripts(world: Clocked) -> tuple[int, list[TranscriptVersion]]:
    with world.session() as session:
        count = session.scalar(select(func.count()).select_from(Transcript)) or 0
    return count, _rows(world, TranscriptVersion)


def _assert_finished(world: Clocked, interviews: list[int], job_id: str) -> Job:
    job: Job = _until(
        lambda: next(iter(_rows(world, Job, Job.id == job_id, Job.status.in_(("succeeded", "failed")))), None),
        "the restarted worker finishing the transcription",
    )
    transcripts, versions = _transcripts(world)
    print(
        f"\ntranscription: job {job.status} after {job.attempts} attempts, {transcripts} transcripts, "
        f"{len(versions)} versions for {len(interviews)} interviews, segments {[len(v.segments) for v in versions]}"
    )
    assert (job.status, job.result["segments"] if job.result else None) == ("succeeded", 2)
    assert transcripts == len(interviews)
    assert [(v.version, len(v.segments), v.segments[-1]["text"]) for v in versions] == [(1, 2, "Мен заңгермін.")] * len(
        interviews
    )
    assert {r.status for r in _rows(world, Recording)} == {"transcribed"}
    return job


def test_a_worker_killed_mid_transcription_leaves_nothing_and_the_job_finishes_after_restart(
    workers: Workers, tmp_path: Path
) -> None:
    world = workers.world
    first, restarted = workers.standby(), workers.standby()  # importing while the interviews are made
    interviews, job_id = _recordings_waiting(world, tmp_path, 2)
    (workers.faults / "block_transcribe").touch()
    workers.go(first)
    _until(lambda: (workers.faults / "transcribing").exists(), "the worker reaching the middle of the transcription")
    [running] = _rows(world, Job, Job.id == job_id)
    assert (running.status, running.progress, running.attempts) == ("running", 50.0, 1)
    workers.kill(first)
    assert _transcripts(world) == (0, [])
    assert {r.status for r in _rows(world, Recording)} == {"queued"}

    (workers.faults / "block_transcribe").unlink()
    time.sleep(STALE_AFTER_SECONDS + 0.5)
    workers.go(restarted)
    job = _assert_finished(world, interviews, job_id)
    assert job.attempts == 2


def test_a_worker_killed_while_writing_the_transcripts_leaves_none_half_written(
    workers: Workers, tmp_path: Path
) -> None:
    world = workers.world
    first, restarted = workers.standby(), workers.standby()
    interviews, job_id = _recordings_waiting(world, tmp_path, 2)
    (workers.faults / "block_write").touch()
    workers.go(first)
    # The first interview's version is written (flushed) in the job's transaction; the second is not yet.
    _until(lambda: (workers.faults / "writing").exists(), "the worker writing the first transcript")
    workers.kill(first)
    assert _transcripts(world) == (0, [])
    assert {r.status for r in _rows(world, Recording)} == {"queued"}

    (workers.faults / "block_write").unlink()
    time.sleep(STALE_AFTER_SECONDS + 0.5)
    workers.go(restarted)
    job = _assert_finished(world, interviews, job_id)
    assert job.attempts == 2


def test_a_letter_another_attempt_holds_is_left_to_it_until_its_lease_runs_out(
    workers: Workers, smtp: tuple[GatedInbox, str]
) -> None:
    inbox, smtp_url = smtp
    world = workers.world
    world.app.state.settings.smtp_url = smtp_url
    queue = world.app.state.queue
    with world.session() as session:
        letter = enqueue_email(
            session=session,
            queue=queue,
            to_address="someone@example.kz",
            locale="kk",
            subject="Тексеру",
            body="Мәтін",
            event="vacancy_alert",
            dedupe_key="lease-test",
        )
        letter.status, letter.send_token = "sending", "another-job:1"
        letter.lease_until = utcnow() + timedelta(minutes=1)
        letter_id = letter.id
    [job] = _rows(world, Job, Job.kind == SEND_EMAIL)
    queue.execute(job.id)
    skipped = {"outbox_id": letter_id, "status": "sending", "skipped": True}
    assert _rows(world, Job, Job.id == job.id)[0].result == skipped
    with world.session() as session:
        session.get(OutboxMessage, letter_id).lease_until = utcnow() - timedelta(seconds=1)
    second = queue.enqueue(SEND_EMAIL, {"outbox_id": letter_id})
    queue.execute(second)
    assert _rows(world, Job, Job.id == second)[0].result == {"outbox_id": letter_id, "status": "unknown", "held": True}
    [held] = _rows(world, OutboxMessage, OutboxMessage.id == letter_id)
    assert (held.status, held.last_error) == ("unknown", ABANDONED)
    assert inbox.received == []
    queue.huey.flush()
