"""The interview transcript pages through HTTP: the secretary's upload and the job's live status fragment,
the transcript beside its recording, a member's correction as version 2 with its author, the word-level
diff, the exports, another body's interview (the 403 page), and the anonymity of every page members get.

The transcriber is the fixed one of the API tests (tests/api/test_transcripts.py); the browser journey
(tests/web/test_transcript_browser.py) runs the real Whisper model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.auth.models import Account
from app.i18n import translate
from app.transcripts import jobs as transcript_jobs
from app.transcripts.errors import SILENT_AUDIO
from app.transcripts.models import Recording, TranscriptVersion
from ml.transcription import TranscriptionError
from ml.transcription.transcriber import quality_note
from tests.api._assessment import NOW, Clocked, Setup, build, clocked_world_fixture  # noqa: F401
from tests.api._transcripts import FAKE_MODEL, add_interview
from tests.api.test_transcripts import FakeTranscriber
from tests.unit.ml._audio import tone
from tests.web._anonymity import Identity, assert_anonymous, identities
from tests.web._pages import csrf_of, sign_in


@dataclass
class Scene:
    world: Clocked
    setup: Setup
    interview: int
    fake: FakeTranscriber
    media: Path

    def client(self, account: Account, locale: str = "ru") -> TestClient:
        """A browser of its own for ``account``, signed in, asking for ``locale``."""
        client = TestClient(self.world.app, headers={"Accept-Language": locale})
        sign_in(client, account.email)
        return client

    def people(self) -> list[Identity]:
        with self.world.session() as session:
            return identities(session, self.world.app.state.settings.secret_key)

    def upload(self, client: TestClient, *, filename: str, language: str = "kk", body: bytes | None = None) -> Any:
        base = f"/commission/interviews/{self.interview}"
        token = csrf_of(client.get(f"{base}/recording").text)
        return client.post(
            f"{base}/recording",
            data={"csrf_token": token, "language": language},
            files={"file": (filename, self.media.read_bytes() if body is None else body, "audio/wav")},
            follow_redirects=False,
        )


def _interview(world: Clocked, setup: Setup) -> int:
    with world.session() as session:
        return add_interview(session, setup, status="held")


@pytest.fixture
def scene(world: Clocked, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scene]:
    world.app.state.settings.data_dir = tmp_path / "data"
    setup = build(world, topic=False)
    fake = FakeTranscriber()
    monkeypatch.setattr(transcript_jobs, "get_transcriber", lambda _settings: fake)
    yield Scene(
        world=world,
        setup=setup,
        interview=_interview(world, setup),
        fake=fake,
        media=tone(tmp_path / "tone.wav", 1.0),
    )


def _job_of(scene: Scene) -> str:
    with scene.world.session() as session:
        recording: Recording = session.scalars(select(Recording).where(Recording.interview_id == scene.interview)).one()
        assert recording.job_id is not None
        return recording.job_id


def _text(html: str) -> str:
    """The page's words without tags (to read sentences that markup splits)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_secretary_uploads_and_the_status_fragment_follows_the_job(scene: Scene) -> None:
    secretary = scene.client(scene.setup.secretary, "ru")
    base = f"/commission/interviews/{scene.interview}"
    form = secretary.get(f"{base}/recording")
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.text and 'name="language"' in form.text
    person = scene.setup.people[0].personal
    uploaded = scene.upload(secretary, filename=f"Собеседование {person['surname']} {person['given_name']}.wav")
    assert (uploaded.status_code, uploaded.headers["location"]) == (303, f"{base}/transcript?uploaded=1")
    with scene.world.session() as session:
        stored = session.scalars(select(Recording).where(Recording.interview_id == scene.interview)).one()
        assert (stored.filename, stored.language, stored.status, stored.uploaded_by) == (
            f"interview-{scene.setup.people[0].code}.wav",
            "kk",
            "queued",
            scene.setup.secretary.id,
        )

    waiting = secretary.get(f"{base}/transcript?uploaded=1")
    assert waiting.status_code == 200
    assert "Запись загружена и поставлена в очередь на расшифровку." in waiting.text
    assert f'hx-get="{base}/recording/status" hx-trigger="every 2s"' in waiting.text
    fragment = secretary.get(f"{base}/recording/status", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Ожидает расшифровки" in fragment.text and 'hx-trigger="every 2s"' in fragment.text
    assert "hx-redirect" not in fragment.headers

    member = scene.client(scene.setup.members[1], "kk")
    seen: dict[str, Any] = {}

    def midway() -> None:  # the job is at 50 %: what a member's page polls
        seen["fragment"] = member.get(f"{base}/recording/status", headers={"HX-Request": "true"})

    scene.fake.during = midway
    scene.world.app.state.queue.execute(_job_of(scene))
    assert "Мәтінге түсірілуде" in seen["fragment"].text
    assert "Өңделген аудио: 50 %" in seen["fragment"].text
    assert '<progress class="transcription-progress" max="100" value="50.0"' in seen["fragment"].text
    assert 'hx-trigger="every 2s"' in seen["fragment"].text

    done = member.get(f"{base}/recording/status", headers={"HX-Request": "true"})
    assert done.headers["hx-redirect"] == f"{base}/transcript"
    assert "Мәтінге түсірілді" in done.text and "hx-get" not in done.text
    assert f'href="{base}/transcript"' in done.text

    page = member.get(f"{base}/transcript")
    assert page.status_code == 200
    assert "hx-get" not in page.text  # nothing left to poll
    assert f'<audio id="interview-audio" controls preload="metadata" src="{base}/recording/file"' in page.text
    assert re.findall(r'<span class="segment-text">([^<]*)</span>', page.text) == ["Сәлеметсіз бе.", "Мен заңгермін."]
    assert re.findall(r'data-seek="([^"]+)"', page.text) == ["0.0", "1.5"]
    low = re.findall(r'<li class="segment( segment--low)?" id="segment-(\d)"', page.text)
    assert low == [("", "1"), (" segment--low", "2")]
    assert "Сенімділігі төмен: 29 %" in page.text
    note = quality_note(FAKE_MODEL, "kk")
    assert note is not None and note["kk"] in page.text and note["ru"] not in page.text
    assert "Машиналық стенограмма – баға емес, ұсыныс" in page.text
    assert "whisper-base-ct2, 1.0.0 нұсқасы" in page.text
    assert '<script src="/static/transcripts.js" defer></script>' in page.text
    assert "<script>" not in page.text and "onclick" not in page.text

    audio = member.get(f"{base}/recording/file")
    assert audio.status_code == 200 and audio.content == scene.media.read_bytes()
    assert audio.headers["content-type"] == "audio/wav"
    assert audio.headers["content-disposition"] == f'inline; filename="interview-{scene.setup.people[0].code}.wav"'
    again = secretary.get(f"{base}/recording")
    assert f"interview-{scene.setup.people[0].code}.wav" in again.text
    for html in (page.text, again.text, done.text, waiting.text):
        assert "Собеседование" not in html  # the uploaded name never reaches a page


def test_a_correction_is_version_2_with_its_author_and_the_diff_shows_the_changed_word(scene: Scene) -> None:
    secretary = scene.client(scene.setup.secretary, "ru")
    assert scene.upload(secretary, filename="call.wav").status_code == 303
    scene.world.app.state.queue.execute(_job_of(scene))
    member_account = scene.setup.members[1]
    member = scene.client(member_account, "ru")
    base = f"/commission/interviews/{scene.interview}"

    edit = member.get(f"{base}/transcript/edit")
    assert edit.status_code == 200
    assert 'name="base_version" value="1"' in edit.text
    assert re.findall(r'<textarea[^>]*name="(segment-\d)"[^>]*>([^<]*)</textarea>', edit.text) == [
        ("segment-1", "Сәлеметсіз бе."),
        ("segment-2", "Мен заңгермін."),
    ]
    saved = member.post(
        f"{base}/transcript/edit",
        data={
            "csrf_token": csrf_of(edit.text),
            "base_version": "1",
            "segment-1": "Сәлеметсіз бе.",
            "segment-2": "Мен экономистпін.",
            "note": "сөз түзетілді",
        },
        follow_redirects=False,
    )
    assert (saved.status_code, saved.headers["location"]) == (303, f"{base}/transcript?saved=2")
    with scene.world.session() as session:
        versions = session.scalars(select(TranscriptVersion).order_by(TranscriptVersion.version)).all()
        assert [(v.version, v.author_id, v.based_on, v.note) for v in versions] == [
            (1, None, None, None),
            (2, member_account.id, 1, "сөз түзетілді"),
        ]
        assert [s["text"] for s in versions[1].segments] == ["Сәлеметсіз бе.", "Мен экономистпін."]
        assert [(s["start"], s["end"]) for s in versions[1].segments] == [(0.0, 1.5), (1.5, 3.0)]

    page = member.get(f"{base}/transcript?saved=2")
    assert "Версия 2 сохранена." in page.text
    words = _text(page.text)
    assert "Версия 2 из 2" in words and f"Автор {member_account.display_name}" in words
    assert "Машинная стенограмма — подсказка" not in page.text  # version 2 is a person's
    assert re.findall(r'<span class="segment-text">([^<]*)</span>', page.text) == [
        "Сәлеметсіз бе.",
        "Мен экономистпін.",
    ]
    earlier = member.get(f"{base}/transcript?version=1")
    assert "Это прежняя версия." in earlier.text and "Мен заңгермін." in earlier.text
    assert f'href="{base}/transcript/edit"' not in earlier.text  # only the latest is corrected

    diff = member.get(f"{base}/transcript/diff?from=1&to=2")
    assert diff.status_code == 200
    assert re.findall(r"<del>(.*?)</del>", diff.text) == [
        '<span class="visually-hidden">удалено: </span><span lang="kk">заңгермін.</span>'
    ]
    assert re.findall(r"<ins>(.*?)</ins>", diff.text) == [
        '<span class="visually-hidden">добавлено: </span><span lang="kk">экономистпін.</span>'
    ]
    assert '<span lang="kk">Мен</span>' in diff.text and "Сәлеметсіз" not in diff.text  # only the changed segment
    assert "Фрагмент 2 · 0:01" in _text(diff.text)
    assert member.get(f"{base}/transcript/diff").text == diff.text  # the default: the last two versions
    same = member.get(f"{base}/transcript/diff?from=2&to=2")
    assert "Тексты двух версий совпадают." in same.text

    stale = member.post(
        f"{base}/transcript/edit",
        data={"csrf_token": csrf_of(edit.text), "base_version": "1", "segment-1": "x", "segment-2": "y"},
    )
    assert stale.status_code == 409
    assert 'href="#segment-1"' in stale.text and "data-error-summary" in stale.text

    exports = {
        "txt": ("text/plain; charset=utf-8", "Сәлеметсіз бе.\nМен экономистпін.\n"),
        "vtt": (
            "text/vtt; charset=utf-8",
            "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\nСәлеметсіз бе.\n\n"
            "2\n00:00:01.500 --> 00:00:03.000\nМен экономистпін.\n",
        ),
        "srt": (
            "application/x-subrip; charset=utf-8",
            "1\n00:00:00,000 --> 00:00:01,500\nСәлеметсіз бе.\n\n2\n00:00:01,500 --> 00:00:03,000\nМен экономистпін.\n",
        ),
    }
    for fmt, (content_type, body) in exports.items():
        exported = member.get(f"{base}/transcript/export?format={fmt}")
        assert (exported.status_code, exported.headers["content-type"], exported.text) == (200, content_type, body)
        assert exported.headers["content-disposition"] == (
            f'attachment; filename="interview-{scene.interview}-v2.{fmt}"'
        )
    first = member.get(f"{base}/transcript/export?format=txt&version=1")
    assert first.text == "Сәлеметсіз бе.\nМен заңгермін.\n"


def test_only_the_interviews_people_get_the_pages_and_only_the_secretary_and_hr_upload(scene: Scene) -> None:
    secretary = scene.client(scene.setup.secretary, "kk")
    assert scene.upload(secretary, filename="call.wav").status_code == 303
    scene.world.app.state.queue.execute(_job_of(scene))
    other = build(scene.world, topic=False)  # another state body's competition, with its own commission
    own = f"/commission/interviews/{scene.interview}"
    foreign = f"/commission/interviews/{_interview(scene.world, other)}"

    member = scene.client(scene.setup.members[1], "kk")
    for path in (
        f"{foreign}/transcript",
        f"{foreign}/recording/status",
        f"{foreign}/recording/file",
        f"{foreign}/transcript/diff",
        f"{foreign}/transcript/export?format=txt",
        f"{foreign}/transcript/edit",
        f"{own}/recording",  # a voting member does not upload
    ):
        refused = member.get(path)
        assert refused.status_code == 403, path
        assert "Бұл бетті көруге рұқсатыңыз жоқ" in refused.text, path
        assert other.people[0].code not in refused.text, path
    assert member.get("/commission/interviews/999999/transcript").status_code == 404

    hr = scene.client(scene.setup.hr, "ru")
    assert hr.get(f"{own}/transcript").status_code == 200
    assert hr.get(f"{own}/recording").status_code == 200
    assert hr.get(f"{own}/transcript/edit").status_code == 403  # HR reads, the commission corrects

    candidate = TestClient(scene.world.app)
    sign_in(candidate, scene.setup.people[0].account.email)
    assert candidate.get(f"{own}/transcript").status_code == 403
    anonymous = TestClient(scene.world.app).get(f"{own}/transcript", follow_redirects=False)
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, f"/sign-in?next={own}/transcript")

    index = member.get("/commission/transcripts")
    assert f'href="{own}/transcript"' in index.text and f'href="{foreign}/transcript"' not in index.text
    assert f"Кандидат {scene.setup.people[0].code}" in index.text
    work = member.get("/work")
    assert 'href="/commission/transcripts"' in work.text


def test_upload_problems_are_shown_next_to_their_field_and_nothing_is_stored(scene: Scene) -> None:
    secretary = scene.client(scene.setup.secretary, "ru")
    base = f"/commission/interviews/{scene.interview}"
    token = csrf_of(secretary.get(f"{base}/recording").text)
    empty = secretary.post(
        f"{base}/recording", data={"csrf_token": token}, files={"file": ("", b"", "application/octet-stream")}
    )
    assert empty.status_code == 422
    assert re.findall(r'<li><a href="#([a-z-]+)">([^<]+)</a></li>', empty.text) == [
        ("language", "Выберите язык собеседования"),
        ("file", "Выберите файл записи"),
    ]
    not_media = scene.upload(secretary, filename="notes.wav", body=b"this is text, not sound" * 10)
    assert not_media.status_code == 422
    assert 'href="#file"' in not_media.text and 'id="language-kk" name="language" value="kk" checked' in not_media.text
    forged = secretary.post(
        f"{base}/recording",
        data={"csrf_token": "0" * 64, "language": "kk"},
        files={"file": ("call.wav", scene.media.read_bytes(), "audio/wav")},
    )
    assert forged.status_code == 403
    with scene.world.session() as session:
        assert session.scalars(select(Recording)).all() == []
    incoming = scene.world.app.state.settings.data_dir / "recordings" / ".incoming"
    assert list(incoming.iterdir()) == []


def test_no_page_or_file_a_member_gets_names_the_candidate(scene: Scene) -> None:
    secretary_account = scene.setup.secretary
    secretary = scene.client(secretary_account, "kk")
    person = scene.setup.people[0].personal
    assert scene.upload(secretary, filename=f"{person['surname']}_{person['given_name']}.wav").status_code == 303
    base = f"/commission/interviews/{scene.interview}"
    pages = {
        "upload": secretary.get(f"{base}/recording"),
        "queued": secretary.get(f"{base}/transcript"),
        "fragment-queued": secretary.get(f"{base}/recording/status"),
    }
    scene.world.app.state.queue.execute(_job_of(scene))
    member = scene.client(scene.setup.members[0], "ru")
    edit = member.get(f"{base}/transcript/edit")
    member.post(
        f"{base}/transcript/edit",
        data={"csrf_token": csrf_of(edit.text), "base_version": "1", "segment-1": "А", "segment-2": "Б"},
    )
    pages |= {
        "index": member.get("/commission/transcripts"),
        "transcript": member.get(f"{base}/transcript"),
        "version-1": member.get(f"{base}/transcript?version=1"),
        "edit": edit,
        "diff": member.get(f"{base}/transcript/diff?from=1&to=2"),
        "fragment": member.get(f"{base}/recording/status"),
        "file": member.get(f"{base}/recording/file"),
        **{fmt: member.get(f"{base}/transcript/export?format={fmt}") for fmt in ("txt", "vtt", "srt")},
    }
    people = scene.people()
    for name, response in pages.items():
        assert response.status_code == 200, name
        headers = " ".join(f"{key}: {value}" for key, value in response.headers.items())
        body = "" if name == "file" else response.text
        assert_anonymous(body + headers, people, name)
    assert scene.setup.people[0].code in pages["transcript"].text


def test_a_failed_transcription_stops_the_polling_and_says_why(scene: Scene) -> None:
    secretary = scene.client(scene.setup.secretary, "ru")
    assert scene.upload(secretary, filename="call.wav").status_code == 303

    def silent() -> None:
        raise TranscriptionError("silent_audio", "no speech")

    scene.fake.during = silent
    scene.world.app.state.queue.execute(_job_of(scene))
    base = f"/commission/interviews/{scene.interview}"
    fragment = secretary.get(f"{base}/recording/status", headers={"HX-Request": "true"})
    assert "Расшифровка не удалась" in fragment.text
    assert translate(SILENT_AUDIO.title, "ru") in fragment.text and SILENT_AUDIO.title not in fragment.text
    assert "hx-get" not in fragment.text and "hx-redirect" not in fragment.headers
    page = secretary.get(f"{base}/transcript")
    assert translate(SILENT_AUDIO.title, "ru") in page.text and "segment-text" not in page.text
    assert f'href="{base}/recording"' in page.text  # upload another file
