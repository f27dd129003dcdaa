"""Joining the Whisper base weights: once, atomically, checked against the recorded SHA-256."""

from __future__ import annotations

import hashlib
import multiprocessing
from pathlib import Path

import pytest

from ml.transcription.model_files import (
    BASE_MODEL_SHA256,
    ModelFilesError,
    custom_model,
    ensure_base_model,
    join_parts,
    packaged_parts,
)


def _parts(tmp_path: Path) -> tuple[list[Path], list[Path], str]:
    one, two, config = tmp_path / "model.bin.part1", tmp_path / "model.bin.part2", tmp_path / "config.json"
    one.write_bytes(b"A" * 1000)
    two.write_bytes(b"B" * 500)
    config.write_text('{"lang_ids": []}')
    return [one, two], [config], hashlib.sha256(b"A" * 1000 + b"B" * 500).hexdigest()


def test_parts_are_joined_once_and_reused(tmp_path: Path) -> None:
    parts, side, expected = _parts(tmp_path)
    target = tmp_path / "cache"
    assert join_parts(parts=parts, side_files=side, target_dir=target, expected_sha256=expected) == target
    assert (target / "model.bin").read_bytes() == b"A" * 1000 + b"B" * 500
    assert (target / "config.json").read_text() == '{"lang_ids": []}'
    stamp = (target / "model.bin").stat().st_mtime_ns
    join_parts(parts=parts, side_files=side, target_dir=target, expected_sha256=expected)
    assert (target / "model.bin").stat().st_mtime_ns == stamp  # not written again
    assert sorted(p.name for p in target.iterdir()) == [".lock", "config.json", "model.bin"]  # no temp files


def test_a_corrupted_part_is_refused_naming_the_files(tmp_path: Path) -> None:
    parts, side, expected = _parts(tmp_path)
    parts[1].write_bytes(b"B" * 499 + b"X")
    with pytest.raises(ModelFilesError) as raised:
        join_parts(parts=parts, side_files=side, target_dir=tmp_path / "cache", expected_sha256=expected)
    assert str(parts[0]) in str(raised.value) and str(parts[1]) in str(raised.value)
    assert expected in str(raised.value)
    assert not (tmp_path / "cache" / "model.bin").exists()
    assert [p.name for p in (tmp_path / "cache").iterdir() if p.name.endswith(".tmp")] == []


def test_a_damaged_cache_is_rebuilt_from_the_parts(tmp_path: Path) -> None:
    parts, side, expected = _parts(tmp_path)
    target = tmp_path / "cache"
    join_parts(parts=parts, side_files=side, target_dir=target, expected_sha256=expected)
    (target / "model.bin").write_bytes(b"garbage")
    join_parts(parts=parts, side_files=side, target_dir=target, expected_sha256=expected)
    assert hashlib.sha256((target / "model.bin").read_bytes()).hexdigest() == expected


def _join_in_child(args: tuple[list[Path], list[Path], Path, str]) -> str:
    parts, side, target, expected = args
    join_parts(parts=parts, side_files=side, target_dir=target, expected_sha256=expected)
    return hashlib.sha256((target / "model.bin").read_bytes()).hexdigest()


def test_concurrent_processes_end_with_one_good_file(tmp_path: Path) -> None:
    parts, side, expected = _parts(tmp_path)
    target = tmp_path / "cache"
    with multiprocessing.get_context("fork").Pool(3) as pool:
        hashes = pool.map(_join_in_child, [(parts, side, target, expected)] * 6)
    assert hashes == [expected] * 6


def test_the_packaged_base_model_joins_to_the_recorded_hash(tmp_path: Path) -> None:
    found = packaged_parts()
    assert [p.name for p in found.parts] == ["model.bin.part1", "model.bin.part2"]
    assert sorted(p.name for p in found.side_files) == ["config.json", "tokenizer.json", "vocabulary.txt"]
    folder = ensure_base_model(tmp_path / "whisper-base")
    assert folder.info.weights_sha256 == BASE_MODEL_SHA256
    assert (folder.info.name, folder.info.version) == ("whisper-base-ct2", "1.0.0")
    assert hashlib.sha256((folder.path / "model.bin").read_bytes()).hexdigest() == BASE_MODEL_SHA256
    assert custom_model(folder.path).info.weights_sha256 == BASE_MODEL_SHA256  # any folder is hashed the same way


def test_a_custom_folder_without_weights_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ModelFilesError) as raised:
        custom_model(tmp_path)
    assert "IRIKTEU_WHISPER_MODEL_DIR" in str(raised.value)
    assert raised.value.code == "whisper_model_missing"
