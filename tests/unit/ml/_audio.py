"""Small WAV files the transcription tests write themselves (numpy + the wave module), and the word error
rate of a transcript of a real clip against the clip's human reference."""

from __future__ import annotations

import wave
from pathlib import Path

import jiwer
import numpy as np

from evaluation.asr import normalise

RATE = 16000
RU_CLIP_MAX_WER = 0.25
"""The Russian clip (four words): at most one word of four wrong. Whisper's words depend on the CPU kernels
CTranslate2 picks (AVX-512 and AVX2 machines differ by a case ending on this clip), so a test compares with
the human reference within this tolerance, never with the words one machine printed."""


def reference_wer(clip: Path, hypothesis: str, language: str) -> float:
    """WER of ``hypothesis`` against the clip's human reference (the ``.txt`` beside it), both normalised as
    the ASR evaluation does (case, punctuation, look-alike letters)."""
    reference = normalise(clip.with_suffix(".txt").read_text(encoding="utf-8"), language)
    return float(jiwer.wer(reference, normalise(hypothesis, language) or "<empty>"))


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path


def silence(path: Path, seconds: float) -> Path:
    return write_wav(path, np.zeros(int(seconds * RATE)))


def tone(path: Path, seconds: float, hertz: float = 440.0, amplitude: float = 0.3) -> Path:
    t = np.arange(int(seconds * RATE)) / RATE
    return write_wav(path, amplitude * np.sin(2 * np.pi * hertz * t))
