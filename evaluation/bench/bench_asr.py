"""Benchmark: real-time factor and peak memory of the transcriber on a 15-minute recording, on this machine.

    python -m evaluation.bench.bench_asr [--minutes 15] [--language ru] [--grid]

The recording is built here: SYNTHETIC espeak-ng sentences from the legislation texts (as in
``evaluation.asr``) and the real clips of ``../shared/data/asr``, in the chosen language, with
0.3-1.5 s pauses between them, repeated up to the length. Each configuration runs in a fresh
process (so its peak RSS, ``ru_maxrss``, is its own: model + audio + decoding). Baselines
measured in the same run: decoding the audio alone (PyAV, the floor of any pipeline), and the
non-batched faster-whisper pipeline (``WhisperModel.transcribe`` with VAD, greedy, no
conditioning) on the same audio. Goals (issue 6): RTF ≤ 0.10, peak memory ≤ 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import sys
import time
import wave
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from faster_whisper import WhisperModel, decode_audio

from evaluation.asr import SOURCES, real_clips, sentences, synthesise

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
RATE = 16000


def build_recording(language: str, minutes: float, target: Path) -> Path:
    """Speech clips of ``language`` with pauses, up to ``minutes``, as a 16 kHz mono WAV (cached)."""
    if target.exists():
        return target
    pieces = [clip.audio for clip in real_clips(SHARED / "asr") if clip.language == language]
    legislation = [SHARED / "legislation" / name for name in SOURCES[language]]
    cache = ROOT / "var" / "eval" / "asr-bench" / language
    pieces += [
        synthesise(text, language, cache / f"{n:03d}.wav")
        for n, text in enumerate(sentences(legislation, 60, seed=15), start=1)
    ]
    audio = [decode_audio(str(path), sampling_rate=RATE) for path in pieces]
    rng = random.Random(15)
    out: list[np.ndarray[Any, Any]] = []
    total = 0
    while total < minutes * 60 * RATE:
        for clip in audio:
            pause = np.zeros(int(rng.uniform(0.3, 1.5) * RATE), dtype=np.float32)
            out += [clip, pause]
            total += clip.size + pause.size
    joined = np.concatenate(out)[: int(minutes * 60 * RATE)]
    target.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(target), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes((np.clip(joined, -1, 1) * 32767).astype("<i2").tobytes())
    return target


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _run(kind: str, recording: str, language: str, options: dict[str, Any], queue: Any) -> None:
    """In a fresh process: load, run once, report seconds and peak RSS."""
    from app.settings import get_settings  # noqa: PLC0415  the app stays out of the decode-only baseline's peak RSS (each kind runs in a fresh process)
    from app.transcripts.service import transcriber_config  # noqa: PLC0415  the app stays out of the decode-only baseline's peak RSS (each kind runs in a fresh process)
    from ml.transcription import Transcriber  # noqa: PLC0415  the app stays out of the decode-only baseline's peak RSS (each kind runs in a fresh process)

    result: dict[str, Any] = {"kind": kind, "options": options}
    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    if kind == "decode_only":
        started = time.perf_counter()
        audio = decode_audio(recording, sampling_rate=RATE)
        result.update(seconds=time.perf_counter() - started, audio_seconds=audio.size / RATE)
    elif kind == "sequential":
        config = transcriber_config(get_settings())
        from ml.transcription.model_files import resolve_model  # noqa: PLC0415  the app stays out of the decode-only baseline's peak RSS (each kind runs in a fresh process)

        folder = resolve_model(model_dir=config.model_dir, cache_dir=config.cache_dir)
        model = WhisperModel(
            str(folder.path), device="cpu", compute_type="int8", cpu_threads=config.cpu_threads or os.cpu_count() or 1
        )
        started = time.perf_counter()
        segments, info = model.transcribe(
            recording,
            language=language,
            beam_size=1,
            vad_filter=True,
            condition_on_previous_text=False,
            temperature=[0.0, 0.2, 0.4],
        )
        count = len(list(segments))
        result.update(seconds=time.perf_counter() - started, audio_seconds=info.duration, segments=count)
    else:
        config = replace(transcriber_config(get_settings()), **options)
        transcriber = Transcriber(config)
        started = time.perf_counter()
        transcript = transcriber.transcribe(recording, language=language)  # type: ignore[arg-type]
        result.update(
            seconds=time.perf_counter() - started,
            audio_seconds=transcript.duration,
            segments=len(transcript.segments),
            fallback_windows=transcript.fallback_windows,
            low_confidence=sum(s.low_confidence for s in transcript.segments),
            words=len(transcript.text.split()),
        )
    result["rtf"] = round(result["seconds"] / result["audio_seconds"], 4)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime - cpu_before, 1)
    result["peak_rss_mb"] = round(_peak_mb(), 1)
    queue.put(result)


def measure(kind: str, recording: Path, language: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run, args=(kind, str(recording), language, options or {}, queue))
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=15.0)
    parser.add_argument("--language", choices=("kk", "ru"), default="ru")
    parser.add_argument("--grid", action="store_true", help="also try other batch sizes, beams, timestamps")
    parser.add_argument("--no-sequential", action="store_true", help="skip the non-batched baseline (slow)")
    args = parser.parse_args(argv)
    if not (SHARED / "asr").exists():
        print(
            f"bench_asr: {SHARED / 'asr'} is absent (the real clips and legislation texts live in ../shared)",
            file=sys.stderr,
        )
        return 2
    recording = build_recording(
        args.language, args.minutes, ROOT / "var" / "bench" / f"asr-{args.minutes:g}min-{args.language}.wav"
    )
    print(
        f"recording: {recording} ({args.minutes:g} min, {args.language}, SYNTHETIC espeak-ng speech + the real "
        f"clips, with pauses); cores here: {os.cpu_count()}; load average: {os.getloadavg()}"
    )
    runs = [measure("decode_only", recording, args.language)]
    if not args.no_sequential:
        runs.append(measure("sequential", recording, args.language))
    configs: list[dict[str, Any]] = [{}]
    if args.grid:
        configs += [{"batch_size": 4}, {"batch_size": 16}, {"beam_size": 5}, {"without_timestamps": True}]
    runs += [measure("batched", recording, args.language, options) for options in configs]
    base = next(r for r in runs if r["kind"] == "decode_only")
    sequential = next((r for r in runs if r["kind"] == "sequential"), None)
    cores = os.cpu_count() or 1
    for run in runs:
        versus = f"  x{run['seconds'] / sequential['seconds']:.2f} of the sequential time" if sequential else ""
        print(
            f"{run['kind']:<12} {json.dumps(run['options']):<28} {run['seconds']:8.1f} s  RTF {run['rtf']:.4f}  "
            f"peak RSS {run['peak_rss_mb']:7.1f} MB  (x{run['seconds'] / base['seconds']:.1f} of decoding)"
            f"{versus}; CPU {run['cpu_seconds']:.0f} s (idle-machine floor: RTF "
            f"{run['cpu_seconds'] / cores / run['audio_seconds']:.3f})"
        )
    best = min((r for r in runs if r["kind"] == "batched"), key=lambda r: r["rtf"])
    print(
        f"load average at the end: {os.getloadavg()} (other work on the machine stretches wall time; the "
        "idle-machine floor is CPU seconds / cores / audio seconds, a lower bound)"
    )
    print(
        f"goals: RTF <= 0.10 -> {best['rtf']:.4f} ({'met' if best['rtf'] <= 0.10 else 'NOT met'}); peak <= 1536 MB "
        f"-> {best['peak_rss_mb']:.0f} MB ({'met' if best['peak_rss_mb'] <= 1536 else 'NOT met'})"
    )
    print(json.dumps({"runs": runs}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
