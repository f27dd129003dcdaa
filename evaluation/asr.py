"""Word and character error rates of the interview transcriber, per language, on real and SYNTHETIC speech.

Real clips: ``../shared/data/asr/{kk,ru}/*.wav`` with a ``.txt`` reference each (three
utterances, see that folder's README). The Kazakh reference ``example_1.txt`` writes «карай»
where standard spelling is «қарай»; it is kept as it is and reported beside the figures.

Synthetic clips: sentences drawn (seeded) from ``../shared/data/legislation/`` — the Law on the
civil service in Kazakh for ``kk``, the same law and the Constitution in Russian for ``ru`` —
spoken by espeak-ng (``make eval-deps`` installs it). Robot speech from a formant synthesiser
is NOT interview speech: every output labels these figures SYNTHETIC; they measure the decoder
on long, clean, formal sentences, not what a commission will see.

Normalisation (applied to reference and hypothesis alike, before jiwer counts edits):

1. Unicode NFC, then lower case.
2. ``ё`` → ``е`` (Russian writes both; Whisper prefers ``е``).
3. Look-alike letters of another script inside a Cyrillic word become the Cyrillic letter:
   Latin ``a c e o p x y k m t h b i`` → ``а с е о р х у к м т н в і`` (``h`` from a capital
   ``H`` typed for ``Н``) and Latin ``ə ǝ`` (U+0259, U+01DD) → ``ә`` (the legislation texts
   type Kazakh ``і`` as Latin ``i``). Words without a Cyrillic letter are left alone.
4. Variant code points of the Kazakh letters (the same letter in other Turkic alphabets)
   become the Kazakh letter: ``ҡ ӄ`` → ``қ``, ``ҕ ӻ`` → ``ғ``, ``ҥ ӈ ӊ`` → ``ң``.
5. Punctuation and symbols (Unicode categories P* and S*) become spaces; whitespace collapses.

What is NOT normalised, on purpose: the Kazakh letters and the Russian letters they resemble —
``қ/к``, ``ғ/г``, ``ң/н``, ``ү/у``, ``ұ/у``, ``ө/о``, ``ә/а``, ``і/и``, ``һ/х``. They are
different sounds and different words (``қара`` "black" / ``кара`` is not Kazakh); a model
that writes Kazakh with Russian letters makes real errors, and folding them would hide the
base model's main failure. Numbers are not spelled out (the synthetic sentences hold none).
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import time
import unicodedata
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import jiwer

SYNTHETIC_LABEL = "SYNTHETIC (espeak-ng text-to-speech from the legislation texts; not real interview speech)"
REFERENCE_NOTES = {
    "kk/example_1": "the reference writes «карай» where standard spelling is «қарай»; kept as it is",
}
SOURCES = {
    "kk": ("law_on_civil_service.kk.txt",),
    "ru": ("law_on_civil_service.ru.txt", "constitution.ru.txt"),
}

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LOOKALIKE = str.maketrans(
    {
        "a": "а",
        "c": "с",
        "e": "е",
        "o": "о",
        "p": "р",
        "x": "х",
        "y": "у",
        "k": "к",
        "m": "м",
        "t": "т",
        "h": "н",
        "b": "в",
        "i": "і",
        "\u0259": "ә",
        "\u01dd": "ә",
    }
)
_VARIANTS = str.maketrans({"ҡ": "қ", "ӄ": "қ", "ҕ": "ғ", "ӻ": "ғ", "ҥ": "ң", "ӈ": "ң", "ӊ": "ң"})


def fix_letters(text: str) -> str:
    """Steps 3-4 of the normalisation: look-alike Latin letters in Cyrillic words, Kazakh letter variants."""

    def word(match: re.Match[str]) -> str:
        token = match.group(0)
        return token.translate(_LOOKALIKE) if _CYRILLIC.search(token) else token

    return re.sub(r"\w+", word, text).translate(_VARIANTS)


def normalise(text: str, language: str = "ru") -> str:
    """The normalisation of the module docstring (``language`` is accepted for symmetry; the rules are shared)."""
    text = unicodedata.normalize("NFC", text).lower().replace("ё", "е")
    text = fix_letters(text)
    text = "".join(" " if unicodedata.category(ch)[0] in "PS" else ch for ch in text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Clip:
    id: str
    language: str
    audio: Path
    reference: str
    synthetic: bool


@dataclass(frozen=True)
class ClipResult:
    clip: Clip
    hypothesis: str
    wer: float
    cer: float
    seconds: float
    duration: float


class _Transcriber(Protocol):
    def transcribe(self, path: Any, *, language: Any, progress: Any = None) -> Any: ...


class EvaluationError(Exception):
    pass


def real_clips(data: Path) -> list[Clip]:
    """Every ``{kk,ru}/*.wav`` with its ``.txt`` reference under ``data``."""
    clips = []
    for language in ("kk", "ru"):
        for audio in sorted((data / language).glob("*.wav")):
            reference = audio.with_suffix(".txt")
            if reference.exists():
                clips.append(
                    Clip(
                        id=f"{language}/{audio.stem}",
                        language=language,
                        audio=audio,
                        reference=reference.read_text(encoding="utf-8").strip(),
                        synthetic=False,
                    )
                )
    if not clips:
        raise EvaluationError(f"no {{kk,ru}}/*.wav with a .txt reference under {data}")
    return clips


_ALLOWED = re.compile(r"^[\u0400-\u04ff\s,;:«»\"()\-–—]+[.!?]?$")


def sentences(paths: Sequence[Path], count: int, seed: int = 6) -> list[str]:
    """``count`` distinct sentences of 6-20 words, Cyrillic letters and light punctuation only (no numbers)."""
    pool: set[str] = set()
    for path in paths:
        text = fix_letters(path.read_text(encoding="utf-8"))
        for raw in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
            sentence = raw.strip()
            if 6 <= len(sentence.split()) <= 20 and _ALLOWED.match(sentence) and sentence[0].isupper():
                pool.add(sentence)
    ordered = sorted(pool)
    if len(ordered) < count:
        raise EvaluationError(f"only {len(ordered)} usable sentences in {', '.join(map(str, paths))}")
    return random.Random(seed).sample(ordered, count)


def synthesise(text: str, language: str, target: Path) -> Path:
    """Speak ``text`` with espeak-ng into a WAV (cached by file name)."""
    if target.exists() and target.stat().st_size > 44:
        return target
    if shutil.which("espeak-ng") is None:
        raise EvaluationError(
            "espeak-ng is not installed: `make eval-deps` (apt-get install -y espeak-ng), or pass --synthetic 0"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".tmp.wav")
    subprocess.run(
        ["espeak-ng", "-v", language, "-s", "150", "-w", str(partial), text],
        check=True,
        capture_output=True,
        timeout=120,
    )
    partial.replace(target)
    return target


def synthetic_clips(legislation: Path, per_language: int, cache: Path) -> list[Clip]:
    clips = []
    for language, names in SOURCES.items():
        paths = [legislation / name for name in names]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise EvaluationError(f"missing legislation text: {', '.join(missing)}")
        for number, sentence in enumerate(sentences(paths, per_language), start=1):
            audio = synthesise(sentence, language, cache / language / f"{number:03d}.wav")
            clips.append(
                Clip(
                    id=f"synthetic/{language}/{number:03d}",
                    language=language,
                    audio=audio,
                    reference=sentence,
                    synthetic=True,
                )
            )
    return clips


def _duration(path: Path) -> float:
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes() / handle.getframerate()


def transcribe_all(
    clips: Sequence[Clip], transcriber: _Transcriber, echo: Callable[[str], None] | None = None
) -> list[ClipResult]:
    results = []
    for clip in clips:
        started = time.perf_counter()
        hypothesis = transcriber.transcribe(clip.audio, language=clip.language).text
        seconds = time.perf_counter() - started
        ref, hyp = normalise(clip.reference, clip.language), normalise(hypothesis, clip.language)
        result = ClipResult(
            clip=clip,
            hypothesis=hypothesis,
            wer=float(jiwer.wer(ref, hyp or "<empty>")),
            cer=float(jiwer.cer(ref, hyp or "<empty>")),
            seconds=seconds,
            duration=_duration(clip.audio),
        )
        results.append(result)
        if echo is not None:
            echo(describe(result))
    return results


def describe(result: ClipResult) -> str:
    clip = result.clip
    label = "SYNTHETIC" if clip.synthetic else "real"
    note = REFERENCE_NOTES.get(clip.id)
    lines = [
        f"[{label}] {clip.id} ({clip.language}, {result.duration:.1f} s): WER {result.wer:.3f}  CER "
        f"{result.cer:.3f}  ({result.seconds:.2f} s)",
        f"    reference:  {clip.reference}",
        f"    hypothesis: {result.hypothesis}",
        f"    normalised: {normalise(clip.reference, clip.language)!r} vs "
        f"{normalise(result.hypothesis, clip.language)!r}",
    ]
    if note:
        lines.append(f"    note: {note}")
    return "\n".join(lines)


def aggregate(results: Sequence[ClipResult]) -> dict[str, dict[str, float | int]]:
    """Corpus-level WER and CER per language (errors summed over clips / reference words or characters)."""
    out: dict[str, dict[str, float | int]] = {}
    for language in ("kk", "ru"):
        mine = [r for r in results if r.clip.language == language]
        if not mine:
            continue
        refs = [normalise(r.clip.reference, language) for r in mine]
        hyps = [normalise(r.hypothesis, language) or "<empty>" for r in mine]
        out[language] = {
            "wer": round(float(jiwer.wer(refs, hyps)), 4),
            "cer": round(float(jiwer.cer(refs, hyps)), 4),
            "n": len(mine),
        }
    return out


def rtf(results: Sequence[ClipResult]) -> float:
    audio = sum(r.duration for r in results)
    return round(sum(r.seconds for r in results) / audio, 4) if audio else 0.0


def evaluate(
    *,
    data: Path,
    legislation: Path,
    synthetic: int,
    cache: Path,
    transcriber: _Transcriber,
    echo: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The report: ``{"per_language", "synthetic", "rtf"}`` (``rtf`` over every clip transcribed here)."""
    real = transcribe_all(real_clips(data), transcriber, echo)
    report: dict[str, Any] = {"per_language": aggregate(real), "synthetic": None, "rtf": None}
    everything = list(real)
    if synthetic > 0:
        generated = transcribe_all(synthetic_clips(legislation, synthetic, cache), transcriber, echo)
        everything += generated
        report["synthetic"] = {
            "label": SYNTHETIC_LABEL,
            "per_language": aggregate(generated),
            "engine": "espeak-ng",
            "sentences_per_language": synthetic,
            "sources": {lang: list(names) for lang, names in SOURCES.items()},
            "rtf": rtf(generated),
        }
    report["rtf"] = rtf(everything)
    return report
