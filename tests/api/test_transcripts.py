"""Interview recordings and transcripts through HTTP: upload, the queued job and its progress, versions,
corrections, diff, exports, dedupe by hash, permissions, the off switch, limits and retention.

The transcriber is replaced by a fixed one here (fast, exact); tests/unit/ml/test_transcriber.py and the
last test of this module run the real Whisper weights."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from app.audit.models import AuditEvent
from app.db import utcnow
from app.interviews.models import Interview
from app.jobs.models import Job
from app.transcripts import jobs as transcript_jobs
from app.transcripts.models import Recording
from app.transcripts.service import RETENTION_JOB_KIND
from ml.registry import ModelInfo
from ml.transcription import Transcript, TranscriptionError
from tests.api._assessment import (
    NOW,
    Clocked,
    Setup,
    build,
    clocked_world_every_backend_fixture,  # noqa: F401
    clocked_world_fixture,  # noqa: F401
)
from tests.api._transcripts import FAKE_MODEL, add_interview, fixed_transcript
from tests.unit.ml._audio import RU_CLIP_MAX_WER, reference_wer, silence, tone


@dataclass
class FakeTranscriber:
    """Returns the fixed transcript; ``during`` runs at 50 % (to look at the job mid-way or to fail there)."""

    model_info: ModelInfo = FAKE_MODEL
    calls: list[tuple[str, str]] = field(default_factory=list)
    during: Callable[[], None] | None = None

    def transcribe(self, path: Any, *, language: Any, progress: Any = None) -> Transcript:
        self.calls.append((Path(path).suffix, language))
        if progress is not None:
            progress(0.5)
        if self.during is not None:
            self.during()
        return fixed_transcript(self.model_info, language)


@dataclass
class Scene:
    world: Clocked
    setup: Setup
    interviews: list[int]
    fake: FakeTranscriber
    media: Path

    def upload(
        self,
        interview_id: int,
        account: Any,
        content: bytes | None = None,
        language: str = "kk",
        filename: str = "interview.wav",
    ) -> Any:
        body = self.media.read_bytes() if content is None else content
        return self.world.client.post(
            f"/api/v1/interviews/{interview_id}/recording",
            files={"file": (filename, body, "audio/wav")},
            data={"language": language},
            headers=self.world.headers(account),
        )

    def get(self, path: str, account: Any) -> Any:
        return self.world.client.get(f"/api/v1/interviews/{path}", headers=self.world.headers(account))

    def run_job(self, job_id: str) -> None:
        self.world.app.state.queue.execute(job_id)

    def job(self, job_id: str, account: Any = None) -> dict[str, Any]:
        """The job as the interview's HR officer reads it (or ``account``)."""
        response = self.world.client.get(f"/api/v1/jobs/{job_id}", headers=self.world.headers(account or self.setup.hr))
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
def scene(world: Clocked, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scene]:
    settings = world.app.state.settings
    settings.data_dir = tmp_path / "data"
    setup = build(world, topic=False)
    ids = []
    with world.session() as session:
        for number in range(len(setup.people)):
            ids.append(add_interview(session, setup, person=number, starts=NOW + timedelta(days=1, hours=number)))
    fake = FakeTranscriber()
    monkeypatch.setattr(transcript_jobs, "get_transcriber", lambda _settings: fake)
    yield Scene(world=world, setup=setup, interviews=ids, fake=fake, media=tone(tmp_path / "tone.wav", 1.0))


def test_a_recording_becomes_a_versioned_transcript_that_members_correct_and_export(scene: Scene) -> None:
    hr, (chair, member, _other) = scene.setup.hr, scene.setup.members
    interview = scene.interviews[0]
    not_yet = scene.get(f"{interview}/transcript", chair)
    assert (not_yet.status_code, not_yet.json()["code"]) == (404, "transcript_not_ready")

    uploaded = scene.upload(interview, hr)
    assert uploaded.status_code == 202, uploaded.text
    recording = uploaded.json()
    digest = hashlib.sha256(scene.media.read_bytes()).hexdigest()
    assert (
        recording["status"],
        recording["sha256"],
        recording["size_bytes"],
        recording["language"],
        recording["filename"],
        recording["progress"],
    ) == ("queued", digest, scene.media.stat().st_size, "kk", f"interview-{scene.setup.people[0].code}.wav", 0.0)
    job_id = recording["job_id"]
    assert scene.job(job_id)["status"] == "queued"

    seen: dict[str, Any] = {}

    def midway() -> None:  # what the API shows while the job runs: progress, and no transcript yet
        seen["job"] = scene.job(job_id)
        seen["recording"] = scene.get(f"{interview}/recording", hr).json()
        seen["transcript"] = scene.get(f"{interview}/transcript", chair).status_code

    scene.fake.during = midway
    scene.run_job(job_id)
    assert (seen["job"]["status"], seen["job"]["progress"], seen["job"]["progress_note"]) == (
        "running",
        50.0,
        "audio processed",
    )
    assert (seen["recording"]["status"], seen["recording"]["progress"]) == ("transcribing", 50.0)
    assert seen["transcript"] == 404
    done = scene.job(job_id)
    assert (done["status"], done["progress"], done["result"]["segments"]) == ("succeeded", 100.0, 2)
    assert scene.get(f"{interview}/recording", hr).json()["status"] == "transcribed"

    machine = scene.get(f"{interview}/transcript", chair).json()
    assert (machine["version"], machine["latest_version"], machine["machine"], machine["author_id"]) == (
        1,
        1,
        True,
        None,
    )
    assert machine["model"] == FAKE_MODEL.as_dict()
    assert [(s["start"], s["end"], s["text"], s["confidence"], s["low_confidence"]) for s in machine["segments"]] == [
        (0.0, 1.5, "Сәлеметсіз бе.", 0.8958, False),
        (1.5, 3.0, "Мен заңгермін.", 0.2861, True),
    ]
    assert "IRIKTEU_WHISPER_MODEL_DIR" in machine["quality_note"]["kk"]
    assert (machine["language"], machine["detected_language"], machine["language_mismatch"]) == ("kk", "kk", False)
    with scene.world.session() as session:
        row = session.get(Interview, interview)
        assert (row.recording_ref, row.transcript_ref) == (
            f"recording:{recording['id']}",
            f"transcript:{machine['transcript_id']}",
        )

    corrected_segments = [
        {"start": 0.0, "end": 1.5, "text": "Сәлеметсіз бе."},
        {"start": 1.5, "end": 3.0, "text": "Мен заңгермін, бес жыл жұмыс істедім."},
    ]
    corrected = scene.world.client.post(
        f"/api/v1/interviews/{interview}/transcript/versions",
        json={"base_version": 1, "segments": corrected_segments, "note": "толықтырылды"},
        headers=scene.world.headers(member),
    )
    assert corrected.status_code == 201, corrected.text
    assert (
        corrected.json()["version"],
        corrected.json()["machine"],
        corrected.json()["author_id"],
        corrected.json()["based_on"],
        corrected.json()["segments"],
    ) == (2, False, member.id, 1, corrected_segments)
    stale = scene.world.client.post(
        f"/api/v1/interviews/{interview}/transcript/versions",
        json={"base_version": 1, "segments": []},
        headers=scene.world.headers(chair),
    )
    assert (stale.status_code, stale.json()["code"], stale.json()["latest_version"]) == (
        409,
        "transcript_version_conflict",
        2,
    )

    versions = scene.get(f"{interview}/transcript/versions", hr).json()["versions"]
    assert [(v["version"], v["machine"], v["author_id"], v["note"], v["segments"]) for v in versions] == [
        (1, True, None, None, 2),
        (2, False, member.id, "толықтырылды", 2),
    ]
    assert scene.get(f"{interview}/transcript?version=1", hr).json()["segments"][1]["text"] == "Мен заңгермін."
    assert scene.get(f"{interview}/transcript", hr).json()["version"] == 2

    diff = scene.get(f"{interview}/transcript/diff?from=1&to=2", chair).json()
    assert diff == {
        "from": 1,
        "to": 2,
        "changes": [
            {
                "op": "replace",
                "from_segments": [1, 2],
                "to_segments": [1, 2],
                "before": ["Мен заңгермін."],
                "after": ["Мен заңгермін, бес жыл жұмыс істедім."],
            }
        ],
        "unified": "--- version 1\n+++ version 2\n@@ -1,2 +1,2 @@\n Сәлеметсіз бе.\n-Мен заңгермін.\n"
        "+Мен заңгермін, бес жыл жұмыс істедім.\n",
    }

    exports = {
        fmt: scene.get(f"{interview}/transcript/export?format={fmt}&version=1", chair)
        for fmt in ("txt", "vtt", "srt", "json")
    }
    assert exports["txt"].text == "Сәлеметсіз бе.\nМен заңгермін.\n"
    assert exports["vtt"].text == (
        "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\nСәлеметсіз бе.\n\n"
        "2\n00:00:01.500 --> 00:00:03.000\nМен заңгермін.\n"
    )
    assert exports["srt"].text == (
        "1\n00:00:00,000 --> 00:00:01,500\nСәлеметсіз бе.\n\n2\n00:00:01,500 --> 00:00:03,000\nМен заңгермін.\n"
    )
    document = json.loads(exports["json"].text)
    assert (document["version"], document["model"], [s["text"] for s in document["segments"]]) == (
        1,
        FAKE_MODEL.as_dict(),
        ["Сәлеметсіз бе.", "Мен заңгермін."],
    )
    assert exports["vtt"].headers["content-type"] == "text/vtt; charset=utf-8"
    assert exports["srt"].headers["content-disposition"] == f'attachment; filename="interview-{interview}-v1.srt"'
    latest_txt = scene.get(f"{interview}/transcript/export?format=txt", chair).text
    assert latest_txt == "Сәлеметсіз бе.\nМен заңгермін, бес жыл жұмыс істедім.\n"

    downloaded = scene.get(f"{interview}/recording/file", member)
    assert (downloaded.status_code, downloaded.content) == (200, scene.media.read_bytes())
    with scene.world.session() as session:
        wanted = ("recording.uploaded", "transcript.machine_version", "transcript.corrected")
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.in_(wanted)).order_by(AuditEvent.id)
        ).all()
        model_version = session.scalars(
            select(AuditEvent.model_version).where(AuditEvent.action == "transcript.machine_version")
        ).one()
    assert actions == ["recording.uploaded", "transcript.machine_version", "transcript.corrected"]
    assert model_version == "whisper-base-ct2@1.0.0#d01c3014881c"


def test_the_same_file_is_transcribed_once(scene: Scene) -> None:
    hr, secretary = scene.setup.hr, scene.setup.secretary
    first, second, third = scene.interviews
    a = scene.upload(first, hr)
    again = scene.upload(first, secretary)
    assert (again.status_code, again.json()["id"]) == (200, a.json()["id"])
    b = scene.upload(second, secretary, filename="copy.wav")
    assert b.status_code == 202
    assert b.json()["job_id"] == a.json()["job_id"]  # one job for one (hash, language, model)
    scene.run_job(a.json()["job_id"])
    assert scene.fake.calls == [(".wav", "kk")]
    for interview in (first, second):
        assert scene.get(f"{interview}/transcript", hr).json()["segments"][0]["text"] == "Сәлеметсіз бе."
    c = scene.upload(third, hr)  # after the job: the finished transcript is reused at once
    assert (c.status_code, c.json()["status"]) == (202, "transcribed")
    reused = scene.get(f"{third}/transcript", hr).json()
    assert (reused["version"], reused["model"]) == (1, FAKE_MODEL.as_dict())
    assert "reused_from_version_id" in reused["details"]
    assert scene.fake.calls == [(".wav", "kk")]
    russian = scene.upload(third, hr, language="ru")  # the same file said to be Russian is another job
    assert russian.status_code == 200  # same interview, same file: nothing new
    with scene.world.session() as session:
        assert len(session.scalars(select(Job.id).where(Job.kind == "transcribe_recording")).all()) == 1


def test_only_the_interviews_commission_and_hr_see_it(scene: Scene) -> None:
    world, setup = scene.world, scene.setup
    interview = scene.interviews[0]
    chair, member, _other = setup.members
    outsiders = {
        "candidate": setup.people[0].account,
        "other body's HR": world.account("hr_officer"),
        "proctor": world.account("proctor"),
        "researcher": world.account("researcher"),
        "administrator": world.account("administrator"),
        "member of another commission": world.account("commission_member"),
    }
    for who, account in {**outsiders, "chair (votes, does not keep the record)": chair}.items():
        refused = scene.upload(interview, account)
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden"), who
    assert not (world.app.state.settings.data_dir / "recordings" / str(interview)).exists()
    uploaded = scene.upload(interview, setup.secretary)
    assert uploaded.status_code == 202
    scene.run_job(uploaded.json()["job_id"])
    for path in (
        "recording",
        "recording/file",
        "transcript",
        "transcript/versions",
        "transcript/export?format=vtt",
        "transcript/diff?from=1&to=1",
    ):
        for who, account in outsiders.items():
            response = scene.get(f"{interview}/{path}", account)
            assert (response.status_code, response.json()["code"]) == (403, "forbidden"), (who, path)
        for account in (setup.hr, chair, member, setup.secretary):
            assert scene.get(f"{interview}/{path}", account).status_code == 200, path
    hr_edit = world.client.post(
        f"/api/v1/interviews/{interview}/transcript/versions",
        json={"base_version": 1, "segments": []},
        headers=world.headers(setup.hr),
    )
    assert (hr_edit.status_code, hr_edit.json()["code"]) == (403, "forbidden")
    missing = scene.get("999999/transcript", setup.hr)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_the_commission_reads_a_neutral_file_name_never_the_uploaded_one(scene: Scene) -> None:
    """Finding: HR uploads «Собеседование Фамилия Имя.wav»; members read that name before publication."""
    world, setup = scene.world, scene.setup
    interview, person = scene.interviews[0], setup.people[0]
    surname = person.personal["surname"]
    uploaded = scene.upload(interview, setup.hr, filename=f"Собеседование {surname} Әйгерім.WAV")
    assert uploaded.status_code == 202, uploaded.text
    assert uploaded.json()["filename"] == f"interview-{person.code}.wav"
    scene.run_job(uploaded.json()["job_id"])
    chair = setup.members[0]
    for path in ("recording", "recording/file"):
        response = scene.get(f"{interview}/{path}", chair)
        assert response.status_code == 200, path
        seen = response.text if path == "recording" else response.headers["content-disposition"]
        assert surname not in seen and "Собеседование" not in seen, path
        assert f"interview-{person.code}.wav" in seen, path
    with world.session() as session:
        assert [r.filename for r in session.scalars(select(Recording))] == [f"interview-{person.code}.wav"]
        # a row stored before names were replaced is shown neutral too
        session.execute(update(Recording).values(filename=f"Собеседование {surname}.mp4"))
    shown = scene.get(f"{interview}/recording", chair).json()["filename"]
    assert shown == f"interview-{person.code}.mp4"
    job = world.client.get(f"/api/v1/jobs/{uploaded.json()['job_id']}")
    assert (job.status_code, job.json()["code"]) == (401, "unauthorized")


def test_a_transcription_job_is_read_by_the_interviews_people_only(
    world_every_backend: Clocked, tmp_path: Path
) -> None:
    """``GET /api/v1/jobs/{id}``: whoever may read the recording's transcript (and administrators), no one else."""
    world = world_every_backend
    world.app.state.settings.data_dir = tmp_path / "data"
    setup = build(world, topic=False)
    with world.session() as session:
        interview_id = add_interview(session, setup)
    uploaded = world.client.post(
        f"/api/v1/interviews/{interview_id}/recording",
        headers=world.headers(setup.hr),
        files={"file": ("a.wav", tone(tmp_path / "tone.wav", 1.0).read_bytes(), "audio/wav")},
        data={"language": "kk"},
    )
    assert uploaded.status_code == 202, uploaded.text
    url = f"/api/v1/jobs/{uploaded.json()['job_id']}"
    readers = {
        "hr": setup.hr,
        "chair": setup.members[0],
        "secretary": setup.secretary,
        "administrator": world.account("administrator"),
        "other body's HR": world.account("hr_officer"),
        "member elsewhere": world.account("commission_member"),
        "proctor": world.account("proctor"),
        "the candidate": setup.people[0].account,
    }
    got = {who: world.client.get(url, headers=world.headers(account)).status_code for who, account in readers.items()}
    assert got == {
        "hr": 200,
        "chair": 200,
        "secretary": 200,
        "administrator": 200,
        "other body's HR": 404,
        "member elsewhere": 404,
        "proctor": 404,
        "the candidate": 404,
    }
    assert world.client.get(url).status_code == 401


def test_switched_off_the_recording_is_kept_untranscribed_until_switched_on(scene: Scene) -> None:
    world = scene.world
    admin = world.account("administrator")
    off = world.client.put("/api/v1/admin/ml/transcription", json={"enabled": False}, headers=world.headers(admin))
    assert off.status_code == 200
    interview = scene.interviews[0]
    stored = scene.upload(interview, scene.setup.hr)
    assert (stored.status_code, stored.json()["status"], stored.json()["job_id"]) == (
        202,
        "transcription_disabled",
        None,
    )
    not_ready = scene.get(f"{interview}/transcript", scene.setup.hr).json()
    assert (not_ready["code"], not_ready["recording_status"]) == ("transcript_not_ready", "transcription_disabled")
    world.client.put("/api/v1/admin/ml/transcription", json={"enabled": True}, headers=world.headers(admin))
    queued = world.client.post(
        f"/api/v1/interviews/{interview}/recording/transcribe", headers=world.headers(scene.setup.hr)
    )
    assert (queued.status_code, queued.json()["status"]) == (202, "queued")
    scene.run_job(queued.json()["job_id"])
    assert scene.get(f"{interview}/transcript", scene.setup.hr).json()["version"] == 1


def test_a_worker_killed_mid_job_leaves_nothing_half_written_and_the_job_is_retried(scene: Scene) -> None:
    interview = scene.interviews[0]
    job_id = scene.upload(interview, scene.setup.hr).json()["job_id"]

    def killed() -> None:
        raise RuntimeError("worker killed")

    scene.fake.during = killed
    with pytest.raises(RuntimeError):
        scene.run_job(job_id)  # Huey retries a job that raised
    assert scene.job(job_id)["status"] == "retrying"
    assert scene.get(f"{interview}/transcript", scene.setup.hr).json()["code"] == "transcript_not_ready"
    # a worker that vanished leaves the job "running" with a stale heartbeat: the periodic sweep requeues it
    with scene.world.session() as session:
        session.execute(
            update(Job).where(Job.id == job_id).values(status="running", heartbeat_at=utcnow() - timedelta(minutes=30))
        )
    assert scene.world.app.state.queue.requeue_stale() == 1
    scene.fake.during = None
    scene.run_job(job_id)
    assert scene.job(job_id)["status"] == "succeeded"
    versions = scene.get(f"{interview}/transcript/versions", scene.setup.hr).json()["versions"]
    assert [v["version"] for v in versions] == [1]


def test_files_over_the_limits_or_not_media_are_refused_and_not_kept(scene: Scene, tmp_path: Path) -> None:
    settings = scene.world.app.state.settings
    interview, hr = scene.interviews[0], scene.setup.hr
    settings.recording_max_bytes = 40_000
    big = scene.upload(interview, hr, content=b"\0" * 40_001)
    assert (big.status_code, big.json()["code"]) == (413, "recording_too_large")
    settings.recording_max_bytes = 1 << 30
    text = scene.upload(interview, hr, content="бұл жазба емес".encode(), filename="notes.txt")
    assert (text.status_code, text.json()["code"]) == (422, "not_media")
    settings.recording_max_minutes = 0.05
    long = scene.upload(interview, hr, content=silence(tmp_path / "long.wav", 4.0).read_bytes())
    assert (long.status_code, long.json()["code"]) == (422, "recording_too_long")
    bad_language = scene.upload(interview, hr, language="en")
    assert (bad_language.status_code, bad_language.json()["code"]) == (422, "validation_error")
    not_multipart = scene.world.client.post(
        f"/api/v1/interviews/{interview}/recording",
        content=b"x",
        headers={**scene.world.headers(hr), "content-type": "audio/wav"},
    )
    assert (not_multipart.status_code, not_multipart.json()["code"]) == (415, "unsupported_media_type")
    recordings = settings.data_dir / "recordings"
    assert [p.name for p in recordings.rglob("*") if p.is_file()] == []
    with scene.world.session() as session:
        assert session.scalars(select(Recording)).all() == []


def test_a_job_that_finds_silence_marks_the_recording_failed(scene: Scene) -> None:
    def silent() -> None:
        raise TranscriptionError("silent_audio", "no speech was found in the recording")

    scene.fake.during = silent
    interview = scene.interviews[0]
    job_id = scene.upload(interview, scene.setup.hr).json()["job_id"]
    scene.run_job(job_id)
    assert scene.job(job_id)["result"]["error_code"] == "silent_audio"
    recording = scene.get(f"{interview}/recording", scene.setup.hr).json()
    assert (recording["status"], recording["error_code"]) == ("failed", "silent_audio")
    again = scene.upload(scene.interviews[1], scene.setup.hr)  # the same silent file elsewhere fails at once
    assert (again.json()["status"], again.json()["error_code"]) == ("failed", "silent_audio")


def test_recordings_are_deleted_after_the_retention_period_and_the_transcript_stays(scene: Scene) -> None:
    queue, settings = scene.world.app.state.queue, scene.world.app.state.settings
    assert "irikteu.periodic.delete_expired_recordings" in {task.name for task in queue.huey._registry.periodic_tasks}
    old, fresh = scene.interviews[0], scene.interviews[1]
    first = scene.upload(old, scene.setup.hr).json()
    scene.run_job(first["job_id"])
    scene.upload(fresh, scene.setup.hr, content=tone(settings.data_dir / "other.wav", 1.5, hertz=300).read_bytes())
    with scene.world.session() as session:
        session.execute(
            update(Recording)
            .where(Recording.id == first["id"])
            .values(uploaded_at=utcnow() - timedelta(days=settings.recording_retention_days, minutes=1))
        )
        stored = settings.data_dir / "recordings" / session.get(Recording, first["id"]).path
    assert stored.exists()
    job_id = queue.enqueue(RETENTION_JOB_KIND)
    queue.execute(job_id)
    # the retention job works on no one object: the administrators' to read
    assert scene.job(job_id, scene.world.account("administrator"))["result"] == {"deleted": [first["id"]]}
    assert not stored.exists()
    recording = scene.get(f"{old}/recording", scene.setup.hr).json()
    assert recording["status"] == "deleted" and recording["deleted_at"] is not None
    gone = scene.get(f"{old}/recording/file", scene.setup.hr)
    assert (gone.status_code, gone.json()["code"]) == (404, "recording_deleted")
    assert scene.get(f"{old}/transcript", scene.setup.hr).json()["segments"][0]["text"] == "Сәлеметсіз бе."
    assert scene.get(f"{fresh}/recording", scene.setup.hr).json()["deleted_at"] is None
    with scene.world.session() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "recording.deleted")).one()
    assert (event.entity_id, event.actor, event.payload["reason"], event.payload["retention_days"]) == (
        str(first["id"]),
        "system",
        "retention",
        90,
    )


def test_a_real_recording_through_the_api_with_the_real_model(world: Clocked, tmp_path: Path) -> None:
    clip = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "asr" / "ru" / "test_sound_ru.wav"
    if not clip.exists():
        pytest.skip(f"{clip} is absent: the real speech clips live in ../shared/data/asr (not in the repository)")
    settings = world.app.state.settings
    settings.data_dir = tmp_path / "data"
    setup = build(world, topic=False)
    with world.session() as session:
        interview_id = add_interview(session, setup, status="held")
    uploaded = world.client.post(
        f"/api/v1/interviews/{interview_id}/recording",
        files={"file": ("call.wav", clip.read_bytes(), "audio/wav")},
        data={"language": "ru"},
        headers=world.headers(setup.secretary),
    )
    assert uploaded.status_code == 202, uploaded.text
    world.app.state.queue.execute(uploaded.json()["job_id"])
    transcript = world.client.get(
        f"/api/v1/interviews/{interview_id}/transcript", headers=world.headers(setup.members[0])
    ).json()
    text = " ".join(s["text"] for s in transcript["segments"])
    assert reference_wer(clip, text, "ru") <= RU_CLIP_MAX_WER, text
    assert transcript["model"]["weights_sha256"] == "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
    assert (transcript["detected_language"], transcript["language_mismatch"]) == ("ru", False)
