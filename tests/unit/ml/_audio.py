"""Small WAV files the transcription tests write themselves (numpy + the wave module)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 16000


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
