"""One journey in Chromium with the real Whisper model: the secretary (Kazakh pages) uploads the Russian interview
clip and the page follows the queued job by itself until the transcript is there; a member (Russian pages) plays
a segment from its start, corrects a word, and the diff shows it. axe-core on each page; screenshots kk and ru.

The clip is ../shared/data/asr/ru/test_sound_ru.wav (3 s, the shortest Russian one); the in-process queue
consumer runs the transcription as in production.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.api._assessment import build
from tests.api._transcripts import add_interview
from tests.web._anonymity import assert_anonymous, identities
from tests.web._pages import sign_in_page
from tests.web.conftest import SCREENSHOTS, Live
from tests.web.test_accessibility import Audit

pytestmark = pytest.mark.timeout(600)

CLIP = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "asr" / "ru" / "test_sound_ru.wav"


def test_upload_the_russian_clip_see_the_transcript_correct_a_word_and_see_the_diff(
    live_factory: Callable[..., Live], browser: Any, tmp_path: Path
) -> None:
    assert CLIP.exists(), f"{CLIP}: the real speech clips live in ../shared/data/asr (see its README)"
    live = live_factory(start_consumer=True, data_dir=tmp_path / "data")
    setup = build(live, topic=False)
    with live.session() as session:
        base = f"/commission/interviews/{add_interview(session, setup, status='held')}"
    with live.session() as session:
        people = identities(session, live.app.state.settings.secret_key)

    # the secretary, in Kazakh: the list, the upload form, the page that waits for the job
    kk = Audit("kk")
    secretary = live.page(browser, "kk")
    sign_in_page(secretary, setup.secretary.email)
    secretary.click("a[href='/commission/transcripts']")
    kk.check(secretary, "transcripts-list")
    secretary.click(f"a[href='{base}/transcript']")
    secretary.click(f"a[href='{base}/recording']")
    kk.check(secretary, "transcripts-upload")
    secretary.check("#language-ru")
    secretary.set_input_files("#file", str(CLIP))
    secretary.locator(f"form[action='{base}/recording'] button[type=submit]").click()
    secretary.wait_for_url(re.compile(r"/transcript\?uploaded=1$"))
    assert secretary.locator("#transcription-status[hx-get]").count() == 1  # polling the job
    kk.check(secretary, "transcripts-waiting")
    # htmx polls the status fragment; when the job is done the page reloads with the transcript
    secretary.wait_for_selector(".segment-text", timeout=300_000)
    machine_text = " ".join(secretary.locator(".segment-text").all_inner_texts())
    assert "нейронн" in machine_text.lower(), machine_text
    assert secretary.locator("#transcription-status").count() == 0
    kk.check(secretary, "transcripts-transcript")
    assert_anonymous(secretary.content(), people, "secretary's transcript page")

    # a member, in Russian: play from a segment, correct its last word, read the diff
    ru = Audit("ru")
    member = live.page(browser, "ru")
    sign_in_page(member, setup.members[1].email)
    member.goto(f"{base}/transcript")
    assert_anonymous(member.content(), people, "member's transcript page")
    member.wait_for_function("() => document.getElementById('interview-audio').readyState >= 1")
    member.evaluate("() => { document.getElementById('interview-audio').currentTime = 2.5; }")
    first = member.locator("button[data-seek]").first
    start = float(first.get_attribute("data-seek") or "nan")
    first.click()
    member.wait_for_function(
        "(start) => Math.abs(document.getElementById('interview-audio').currentTime - start) < 0.5", arg=start
    )
    ru.check(member, "transcripts-transcript")
    member.click(f"a[href='{base}/transcript/edit']")
    ru.check(member, "transcripts-edit")
    original = member.input_value("#segment-1")
    *kept, last = original.split()
    member.fill("#segment-1", " ".join([*kept, "отлично."]))
    member.fill("#note", "исправлено слово")
    member.locator(f"form[action='{base}/transcript/edit'] button[type=submit]").click()
    member.wait_for_url(re.compile(r"/transcript\?saved=2$"))
    assert "Версия 2 сохранена." in member.inner_text("main")
    assert member.locator(".segment-text").first.inner_text().endswith("отлично.")
    member.locator("form.diff-form button[type=submit]").click()
    member.wait_for_url(re.compile(r"/transcript/diff\?from=1&to=2$"))
    assert [" ".join(t.split()) for t in member.locator("del").all_text_contents()] == [f"удалено: {last}"]
    assert [" ".join(t.split()) for t in member.locator("ins").all_text_contents()] == ["добавлено: отлично."]
    ru.check(member, "transcripts-diff")
    assert_anonymous(member.content(), people, "member's diff page")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for audit in (kk, ru):
        (SCREENSHOTS / f"axe-transcripts-{audit.locale}.json").write_text(
            json.dumps({"pages": audit.pages, "minor": audit.minor}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        assert audit.blocking == []
        assert audit.too_wide == []
    assert not live.csp_errors
