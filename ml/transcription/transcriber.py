"""Speech to timestamped text with faster-whisper (CTranslate2) on the CPU, guarded against Whisper's known failures.

The pipeline, in order:

1. **Limits before work**: the file's size, then PyAV's container header (no audio track or not
   media at all: ``not_media``; a declared duration over the limit: ``recording_too_long``), then
   the decoded length (16 kHz mono float32, ~3.8 MB a minute).
2. **Silence**: an RMS below ``silence_rms_floor`` or no speech found by the Silero VAD is
   ``silent_audio``.
3. **Windows**: the VAD's speech regions are merged into windows of at most 30 s (Whisper's
   input), a new window starting after a pause longer than ``max_gap_s``; the pauses inside a
   window stay in it, so timestamps are exact without re-mapping.
4. **Language check**: the interview's language decodes; Whisper's language identification on
   the first window is only a check, and ``language_mismatch`` says the detected language is
   another one *and* the requested one got less than ``mismatch_probability`` of the mass.
5. **Decoding**: ``BatchedInferencePipeline`` over the windows (int8, ``batch_size`` windows
   at a time), never conditioned on the previous text (no error carried across windows), at
   temperature 0. A window whose text compresses too well (gzip ratio above
   ``compression_ratio_threshold``: a loop) or whose mean log-probability is below
   ``log_prob_threshold`` is decoded again, batched with the other failed windows, at each
   further temperature in turn with a repetition penalty (1.2) and no repeated 4-gram of tokens
   — bounded: at most ``len(temperatures) - 1`` passes over the failed windows; a retry is kept
   only if it is no longer a failure, loops less, or is more probable. A window Whisper itself
   calls silence (no-speech probability above ``no_speech_threshold`` and log-probability below
   the threshold) gives no text.
6. **Repeats**: a segment whose normalised text equals the previous kept one's is dropped
   (counted in ``dropped_repeats``); a segment with a phrase of 1-4 words (or a piece of a
   word) said 4 or more times in a row is flagged ``repetition`` and the loop is said once; one
   still over the compression threshold is flagged ``high_compression``.

Confidence of a segment = ``exp(avg_logprob) × (1 − no_speech_prob)``, in 0..1:
``exp(avg_logprob)`` is the geometric mean of the decoder's token probabilities, and the
no-speech factor discounts text decoded over what the model took for silence. (In the batched
pipeline a window's segments share the window's log-probability.) A segment is
``low_confidence`` below ``low_confidence_threshold`` or when it carries a flag.
"""

from __future__ import annotations

import math
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ml.registry import ModelInfo
from ml.transcription.model_files import BASE_MODEL_NAME, ModelFolder, resolve_model

SAMPLE_RATE = 16000
WINDOW_S = 30.0
Language = Literal["kk", "ru"]
LANGUAGES: tuple[str, ...] = ("kk", "ru")
MODEL_SETTING = "IRIKTEU_WHISPER_MODEL_DIR"


class TranscriptionError(Exception):
    """A recording this transcriber refuses; ``code`` is stable (``not_media``, ``silent_audio``,
    ``recording_too_large``, ``recording_too_long``, ``unsupported_language``)."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


@dataclass(frozen=True)
class TranscriberConfig:
    """Every knob of the transcriber; the service fills it from its settings."""

    model_dir: Path | None = None
    """Any CTranslate2 Whisper folder; ``None``: the packaged base model joined into ``cache_dir``."""
    cache_dir: Path = Path("var/models/whisper-base")
    device: str = "cpu"
    compute_type: str = "int8"
    cpu_threads: int = 0
    """0: every core of the machine."""
    batch_size: int = 4
    beam_size: int = 1
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4)
    compression_ratio_threshold: float = 2.4
    log_prob_threshold: float = -1.0
    no_speech_threshold: float = 0.6
    low_confidence_threshold: float = 0.4
    mismatch_probability: float = 0.1
    without_timestamps: bool = False
    """True decodes one segment per window (faster, coarser timestamps)."""
    max_bytes: int = 1 << 30
    max_duration_s: float = 25 * 60.0
    silence_rms_floor: float = 1e-4
    """≈ −80 dBFS: below it the file carries no sound at all."""
    vad_threshold: float = 0.5
    vad_min_silence_ms: int = 500
    vad_speech_pad_ms: int = 600
    max_gap_s: float = 3.0


@dataclass(frozen=True)
class Segment:
    """One stretch of speech: times in seconds from the start of the recording."""

    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    temperature: float
    confidence: float
    low_confidence: bool
    flags: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["flags"] = list(self.flags)
        return values


@dataclass(frozen=True)
class Transcript:
    """What the model heard, with who heard it and how sure it was."""

    language: str
    detected_language: str
    detected_probability: float
    requested_language_probability: float
    language_mismatch: bool
    duration: float
    speech_duration: float
    segments: tuple[Segment, ...]
    model: ModelInfo
    quality_note: dict[str, str] | None
    dropped_repeats: int = 0
    fallback_windows: int = 0
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return " ".join(segment.text for segment in self.segments)

    def metadata(self) -> dict[str, Any]:
        """Everything but the segments, as JSON-ready values."""
        return {
            "language": self.language,
            "detected_language": self.detected_language,
            "detected_probability": self.detected_probability,
            "requested_language_probability": self.requested_language_probability,
            "language_mismatch": self.language_mismatch,
            "duration": self.duration,
            "speech_duration": self.speech_duration,
            "model": self.model.as_dict(),
            "quality_note": self.quality_note,
            "dropped_repeats": self.dropped_repeats,
            "fallback_windows": self.fallback_windows,
            "options": self.options,
        }


def quality_note(model: ModelInfo, language: str) -> dict[str, str] | None:
    """The warning a Kazakh transcript from the base model carries, in English, Kazakh and Russian."""
    if model.name != BASE_MODEL_NAME or language != "kk":
        return None
    return {
        "en": f"Whisper base recognises Kazakh poorly: check this transcript against the recording. A better "
        f"model (large-v3 or a Kazakh fine-tune, CTranslate2 format) is one setting away: {MODEL_SETTING}.",
        "kk": f"Whisper base үлгісі қазақ тіліндегі сөйлеуді нашар таниды: мәтінді жазбамен салыстырып тексеріңіз. "
        f"Жақсырақ үлгі (large-v3 немесе қазақ тіліне бейімделген үлгі) {MODEL_SETTING} баптауымен қосылады.",
        "ru": f"Модель Whisper base плохо распознаёт казахскую речь: сверяйте текст с записью. Более точная "
        f"модель (large-v3 или дообученная на казахском) подключается настройкой {MODEL_SETTING}.",
    }


# --- audio ------------------------------------------------------------------------------------


def probe(path: Path, config: TranscriberConfig) -> float | None:
    """Check size and container before decoding; the declared duration in seconds when the file has one."""
    import av  # noqa: PLC0415  PyAV (FFmpeg) only where a recording is read

    size = path.stat().st_size
    if size > config.max_bytes:
        raise TranscriptionError(
            "recording_too_large",
            f"the recording has {size} bytes; the limit is {config.max_bytes}",
            size=size,
            limit=config.max_bytes,
        )
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise TranscriptionError("not_media", "the file has no audio track")
            declared = container.duration
    except av.error.FFmpegError as error:
        raise TranscriptionError(
            "not_media", f"the file is not audio or video that FFmpeg can read ({error})"
        ) from None
    seconds = None if declared is None else declared / 1_000_000
    if seconds is not None and seconds > config.max_duration_s:
        raise TranscriptionError(
            "recording_too_long",
            f"the recording lasts {seconds:.0f} s; the limit is {config.max_duration_s:.0f} s",
            duration=seconds,
            limit=config.max_duration_s,
        )
    return seconds


def load_audio(path: Path, config: TranscriberConfig) -> np.ndarray[Any, np.dtype[np.float32]]:
    """Probe, then decode to 16 kHz mono float32 with PyAV; refuses what is too long, not media, or silent."""
    import av  # noqa: PLC0415  PyAV (FFmpeg) only where a recording is read
    from faster_whisper import decode_audio  # noqa: PLC0415  faster-whisper loads CTranslate2; only a transcribing worker pays

    probe(path, config)
    try:
        audio: np.ndarray[Any, np.dtype[np.float32]] = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except (av.error.FFmpegError, ValueError) as error:
        raise TranscriptionError("not_media", f"the audio track cannot be decoded ({error})") from None
    duration = audio.shape[0] / SAMPLE_RATE
    if duration > config.max_duration_s:
        raise TranscriptionError(
            "recording_too_long",
            f"the recording lasts {duration:.0f} s; the limit is {config.max_duration_s:.0f} s",
            duration=duration,
            limit=config.max_duration_s,
        )
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if audio.size else 0.0
    if rms < config.silence_rms_floor:
        raise TranscriptionError("silent_audio", f"the recording is silent (RMS {rms:.2e})", rms=rms)
    return audio


def speech_windows(
    audio: np.ndarray[Any, np.dtype[np.float32]], config: TranscriberConfig
) -> list[tuple[float, float]]:
    """Speech regions from the VAD merged into windows of at most 30 s, in seconds."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps  # noqa: PLC0415  faster-whisper loads CTranslate2; only a transcribing worker pays

    pad = config.vad_speech_pad_ms / 1000
    options = VadOptions(
        threshold=config.vad_threshold,
        min_silence_duration_ms=config.vad_min_silence_ms,
        speech_pad_ms=config.vad_speech_pad_ms,
        max_speech_duration_s=WINDOW_S - 2 * pad - 0.1,
    )
    regions = [(r["start"] / SAMPLE_RATE, r["end"] / SAMPLE_RATE) for r in get_speech_timestamps(audio, options)]
    windows: list[tuple[float, float]] = []
    for start, end in regions:
        if windows and end - windows[-1][0] <= WINDOW_S and start - windows[-1][1] <= config.max_gap_s:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, min(end, start + WINDOW_S)))
    return windows


# --- text checks --------------------------------------------------------------------------------

_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)


def _normal(text: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", unicodedata.normalize("NFC", text).lower()).split())


_CHARACTER_LOOP = re.compile(r"(\S{1,8}?)\1{4,}")


def has_loop(text: str, *, times: int = 4, longest: int = 4) -> bool:
    """Whether a phrase of 1..``longest`` words, or a piece of a word, comes ``times`` or more times in a row."""
    if _CHARACTER_LOOP.search(text):
        return True
    words = _normal(text).split()
    return any(
        _run_at(words, begin, size) >= times for size in range(1, longest + 1) for begin in range(len(words) - size + 1)
    )


def _run_at(words: list[str], begin: int, size: int) -> int:
    phrase, count = words[begin : begin + size], 1
    while words[begin + count * size : begin + (count + 1) * size] == phrase:
        count += 1
    return count


def collapse_loops(text: str, *, times: int = 4, longest: int = 4) -> str:
    """A looped phrase said once (``да да да да да`` → ``да``; ``ғағағағаға`` → ``ға``), the rest kept."""
    text = _CHARACTER_LOOP.sub(r"\1", text)
    words = text.split()
    keys = [_normal(word) for word in words]
    out: list[str] = []
    index = 0
    while index < len(words):
        for size in range(1, longest + 1):
            count = _run_at(keys, index, size)
            if count >= times and all(keys[index : index + size]):
                out.extend(words[index : index + size])
                index += count * size
                break
        else:
            out.append(words[index])
            index += 1
    return " ".join(out)


def confidence_of(avg_logprob: float, no_speech_prob: float) -> float:
    """``exp(avg_logprob) × (1 − no_speech_prob)``, clamped to 0..1 (see the module docstring)."""
    return max(0.0, min(1.0, math.exp(min(avg_logprob, 0.0)) * (1.0 - no_speech_prob)))


@dataclass
class _Raw:
    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    temperature: float
    window: int


# --- the transcriber ---------------------------------------------------------------------------


class Transcriber:
    """Loads the model once; ``transcribe`` may be called from several threads (the model's calls queue up in
    CTranslate2, each caller keeps reporting its own progress)."""

    def __init__(self, config: TranscriberConfig | None = None) -> None:
        from faster_whisper import BatchedInferencePipeline, WhisperModel  # noqa: PLC0415  faster-whisper loads CTranslate2; only a transcribing worker pays

        self.config = config or TranscriberConfig()
        folder: ModelFolder = resolve_model(model_dir=self.config.model_dir, cache_dir=self.config.cache_dir)
        self.model_info = folder.info
        threads = self.config.cpu_threads or os.cpu_count() or 1
        self._model = WhisperModel(
            str(folder.path),
            device=self.config.device,
            compute_type=self.config.compute_type,
            cpu_threads=threads,
            num_workers=1,
        )
        self._pipeline = BatchedInferencePipeline(self._model)

    def transcribe(
        self, path: str | Path, *, language: Language, progress: Callable[[float], None] | None = None
    ) -> Transcript:
        """The transcript of the recording at ``path`` spoken in ``language``; ``progress`` gets 0..1 of
        the audio processed. Raises :class:`TranscriptionError` for what it refuses."""
        if language not in LANGUAGES:
            raise TranscriptionError("unsupported_language", f"language {language!r}: kk or ru")
        config = self.config
        audio = load_audio(Path(path), config)
        duration = audio.shape[0] / SAMPLE_RATE
        windows = speech_windows(audio, config)
        if not windows:
            raise TranscriptionError("silent_audio", "no speech was found in the recording")
        detected, detected_p, requested_p = self._detect(audio, windows[0], language)
        raws, fallbacks = self._decode(audio, windows, language, duration, progress)
        segments, dropped = self._finish(raws)
        if progress is not None:
            progress(1.0)
        mismatch = detected != language and requested_p < config.mismatch_probability
        return Transcript(
            language=language,
            detected_language=detected,
            detected_probability=round(detected_p, 4),
            requested_language_probability=round(requested_p, 4),
            language_mismatch=mismatch,
            duration=round(duration, 3),
            speech_duration=round(sum(e - s for s, e in windows), 3),
            segments=tuple(segments),
            model=self.model_info,
            quality_note=quality_note(self.model_info, language),
            dropped_repeats=dropped,
            fallback_windows=fallbacks,
            options={
                "beam_size": config.beam_size,
                "batch_size": config.batch_size,
                "temperatures": list(config.temperatures),
                "condition_on_previous_text": False,
                "compression_ratio_threshold": config.compression_ratio_threshold,
                "log_prob_threshold": config.log_prob_threshold,
                "no_speech_threshold": config.no_speech_threshold,
                "vad": True,
                "compute_type": config.compute_type,
                "device": config.device,
                "low_confidence_threshold": config.low_confidence_threshold,
            },
        )

    def _detect(
        self, audio: np.ndarray[Any, np.dtype[np.float32]], window: tuple[float, float], language: str
    ) -> tuple[str, float, float]:
        piece = audio[int(window[0] * SAMPLE_RATE) : int(window[1] * SAMPLE_RATE)]
        detected, probability, everything = self._model.detect_language(audio=piece)
        requested = next((p for code, p in everything if code == language), 0.0)
        return str(detected), float(probability), float(requested)

    def _run(
        self,
        audio: np.ndarray[Any, np.dtype[np.float32]],
        windows: list[tuple[float, float]],
        language: str,
        *,
        temperature: float,
        progress: Callable[[float], None] | None = None,
        duration: float = 0.0,
        **penalties: float,
    ) -> dict[int, list[_Raw]]:
        """One batched pass over ``windows``; the segments by window position."""
        config = self.config
        fps = self._model.frames_per_second  # the pipeline's ``seek`` of a window, computed as it does
        position_of = {int(int(start * SAMPLE_RATE) / SAMPLE_RATE * fps): n for n, (start, _e) in enumerate(windows)}
        segments, _info = self._pipeline.transcribe(
            audio,
            language=language,
            clip_timestamps=[{"start": s, "end": e} for s, e in windows],
            batch_size=config.batch_size,
            beam_size=config.beam_size,
            temperature=temperature,
            compression_ratio_threshold=config.compression_ratio_threshold,
            log_prob_threshold=config.log_prob_threshold,
            no_speech_threshold=config.no_speech_threshold,
            without_timestamps=config.without_timestamps,
            vad_filter=False,
            **penalties,
        )
        found: dict[int, list[_Raw]] = {}
        last_report = time.monotonic()
        for segment in segments:
            position = position_of.get(segment.seek, len(windows) - 1)
            end = min(segment.end, windows[position][1])
            found.setdefault(position, []).append(
                _Raw(
                    segment.start,
                    max(segment.start, end),
                    segment.text.strip(),
                    segment.avg_logprob,
                    segment.no_speech_prob,
                    segment.compression_ratio,
                    temperature,
                    position,
                )
            )
            if progress is not None and time.monotonic() - last_report > 0.5:
                progress(min(0.99, windows[position][1] / duration))
                last_report = time.monotonic()
        return found

    def _decode(
        self,
        audio: np.ndarray[Any, np.dtype[np.float32]],
        windows: list[tuple[float, float]],
        language: str,
        duration: float,
        progress: Callable[[float], None] | None,
    ) -> tuple[list[_Raw], int]:
        first = self._run(
            audio, windows, language, temperature=self.config.temperatures[0], progress=progress, duration=duration
        )
        raws = [raw for position in sorted(first) for raw in first[position]]
        return self._fall_back(audio, windows, language, raws)

    def _bad(self, raws: Iterable[_Raw]) -> bool:
        config = self.config
        return any(
            raw.compression_ratio > config.compression_ratio_threshold
            or (raw.avg_logprob < config.log_prob_threshold and raw.no_speech_prob <= config.no_speech_threshold)
            for raw in raws
        )

    def _fall_back(
        self,
        audio: np.ndarray[Any, np.dtype[np.float32]],
        windows: list[tuple[float, float]],
        language: str,
        raws: list[_Raw],
    ) -> tuple[list[_Raw], int]:
        """Decode again the windows that look like failures: batched, once per further temperature, with a
        repetition penalty (bounded: ``len(temperatures) - 1`` passes over the failed windows at most)."""
        by_window: dict[int, list[_Raw]] = {}
        for raw in raws:
            by_window.setdefault(raw.window, []).append(raw)
        bad = sorted(index for index, found in by_window.items() if self._bad(found))
        retried_windows = len(bad)
        for temperature in self.config.temperatures[1:]:
            if not bad:
                break
            again = self._run(
                audio,
                [windows[i] for i in bad],
                language,
                temperature=temperature,
                repetition_penalty=1.2,
                no_repeat_ngram_size=4,
            )
            still = []
            for position, index in enumerate(bad):
                found, retried = by_window[index], [replace(r, window=index) for r in again.get(position, [])]
                if retried and self._better(retried, found):
                    by_window[index] = retried
                if self._bad(by_window[index]):
                    still.append(index)
            bad = still
        return [raw for index in sorted(by_window) for raw in by_window[index]], retried_windows

    def _better(self, retried: list[_Raw], found: list[_Raw]) -> bool:
        if self._bad(found) and not self._bad(retried):
            return True
        looped = max(r.compression_ratio for r in found) > self.config.compression_ratio_threshold
        if looped and max(r.compression_ratio for r in retried) < max(r.compression_ratio for r in found):
            return True
        return sum(r.avg_logprob for r in retried) / len(retried) > sum(r.avg_logprob for r in found) / len(found)

    def _finish(self, raws: list[_Raw]) -> tuple[list[Segment], int]:
        config = self.config
        segments: list[Segment] = []
        dropped = 0
        previous = None
        for raw in raws:
            silence = raw.no_speech_prob > config.no_speech_threshold and raw.avg_logprob < config.log_prob_threshold
            normal = _normal(raw.text)
            if silence or not normal:
                continue
            if normal == previous:
                dropped += 1
                continue
            previous = normal
            flags = []
            text = raw.text
            if has_loop(text):
                flags.append("repetition")
                text = collapse_loops(text)
            if raw.compression_ratio > config.compression_ratio_threshold:
                flags.append("high_compression")
            confidence = confidence_of(raw.avg_logprob, raw.no_speech_prob)
            segments.append(
                Segment(
                    start=round(raw.start, 3),
                    end=round(raw.end, 3),
                    text=text,
                    avg_logprob=round(raw.avg_logprob, 4),
                    no_speech_prob=round(raw.no_speech_prob, 4),
                    compression_ratio=round(raw.compression_ratio, 3),
                    temperature=raw.temperature,
                    confidence=round(confidence, 4),
                    low_confidence=confidence < config.low_confidence_threshold or bool(flags),
                    flags=tuple(flags),
                )
            )
        return segments, dropped
