"""The transcriber on real Whisper base weights (loaded once for the module) and on files it must refuse."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from ml.transcription import Transcriber, TranscriberConfig, TranscriptionError
from ml.transcription.transcriber import confidence_of, has_loop
from tests.unit.ml._audio import RU_CLIP_MAX_WER, reference_wer, silence, tone

ASR_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "asr"


@pytest.fixture(scope="module")
def transcriber(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Transcriber]:
    yield Transcriber(
        TranscriberConfig(
            cache_dir=tmp_path_factory.mktemp("models") / "whisper-base", max_duration_s=60.0, max_bytes=2_000_000
        )
    )


def _clip(*parts: str) -> Path:
    path = ASR_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the real speech clips live in ../shared/data/asr (not in the repository)")
    return path


def test_the_russian_clip_is_transcribed_within_one_word_of_four(transcriber: Transcriber) -> None:
    seen: list[float] = []
    clip = _clip("ru", "test_sound_ru.wav")
    result = transcriber.transcribe(clip, language="ru", progress=seen.append)
    assert reference_wer(clip, result.text, "ru") <= RU_CLIP_MAX_WER, result.text
    assert (result.language, result.detected_language, result.language_mismatch) == ("ru", "ru", False)
    assert result.detected_probability > 0.9
    assert result.quality_note is None  # the warning is for Kazakh
    assert seen[-1] == 1.0 and seen == sorted(seen)
    assert math.isclose(result.duration, 3.234, abs_tol=0.001)
    segment = result.segments[0]
    assert 0.0 <= segment.start < segment.end <= 4.0
    assert segment.confidence == round(math.exp(segment.avg_logprob) * (1 - segment.no_speech_prob), 4)
    assert result.model.weights_sha256 == "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"


def test_a_kazakh_clip_carries_the_quality_note(transcriber: Transcriber) -> None:
    result = transcriber.transcribe(_clip("kk", "example_2.wav"), language="kk")
    assert result.quality_note is not None
    assert "IRIKTEU_WHISPER_MODEL_DIR" in result.quality_note["kk"]
    assert "IRIKTEU_WHISPER_MODEL_DIR" in result.quality_note["ru"]
    assert result.language == "kk"
    assert all(s.low_confidence == (s.confidence < 0.4 or bool(s.flags)) for s in result.segments)


def test_files_that_are_not_speech_are_refused(transcriber: Transcriber, tmp_path: Path) -> None:
    cases = {
        "silent_audio": silence(tmp_path / "silence.wav", 2.0),
        "silent_audio ": tone(tmp_path / "tone.wav", 2.0),  # sound, but the VAD finds no speech
        "not_media": tmp_path / "notes.txt",
        "recording_too_long": silence(tmp_path / "long.wav", 61.0),
    }
    (tmp_path / "notes.txt").write_text("not a recording")
    for code, path in cases.items():
        with pytest.raises(TranscriptionError) as raised:
            transcriber.transcribe(path, language="ru")
        assert raised.value.code == code.strip(), path
    big = tmp_path / "big.wav"
    big.write_bytes(b"\0" * 2_000_001)
    with pytest.raises(TranscriptionError) as too_large:
        transcriber.transcribe(big, language="ru")
    assert too_large.value.code == "recording_too_large"
    with pytest.raises(TranscriptionError) as language:
        transcriber.transcribe(cases["not_media"], language="en")  # type: ignore[arg-type]
    assert language.value.code == "unsupported_language"


def test_confidence_and_loops() -> None:
    assert confidence_of(0.0, 0.0) == 1.0
    assert confidence_of(-1.0, 0.5) == pytest.approx(math.exp(-1) / 2)
    assert confidence_of(0.3, 1.2) == 0.0
    assert has_loop("да да да да")
    assert has_loop("спасибо за внимание спасибо за внимание спасибо за внимание спасибо за внимание")
    assert not has_loop("да да да нет")
