"""``irikteu items`` as a user runs it: exit codes, stdout and stderr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.items.bank import DEFAULT_BANK_PATH

REPOSITORY = DEFAULT_BANK_PATH.parent


def irikteu(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "items", *args], capture_output=True, text=True, timeout=120, cwd=REPOSITORY
    )


def test_validate_the_committed_bank() -> None:
    result = irikteu("validate")
    assert (result.returncode, result.stdout, result.stderr) == (0, "594 items valid\n", "")


def test_validate_reports_file_line_message_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: 0\n", encoding="utf-8")
    result = irikteu("validate", str(tmp_path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == f"{bad}:1: 'content_hash' is a required property"
    assert f"{bad}:2: version: 0 is less than the minimum of 1" in result.stderr.splitlines()


def test_import_refuses_a_bad_file_and_export_import_round_trip(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,programme\nx,legislation\n", encoding="utf-8")
    result = irikteu("import", str(bad), "--target", str(tmp_path / "out"), "--bank", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == (f"{bad}:1: missing column(s): section, key, kk_stem, ru_stem\nnothing imported\n")
    assert not (tmp_path / "out").exists()
    exported = irikteu("export", "--qti", str(tmp_path / "qti"), "--programme", "state_language")
    assert (exported.returncode, exported.stdout) == (0, f"53 items exported to {tmp_path / 'qti'}\n")
    imported = irikteu(
        "import", str(tmp_path / "qti"), "--target", str(tmp_path / "out"), "--bank", str(tmp_path / "empty")
    )
    assert (imported.returncode, imported.stdout) == (0, f"53 items imported into {tmp_path / 'out'}\n")
    assert irikteu("validate", str(tmp_path / "out")).stdout == "53 items valid\n"
    again = irikteu(
        "import", str(tmp_path / "qti"), "--target", str(tmp_path / "out"), "--bank", str(tmp_path / "empty")
    )
    assert again.returncode == 2
    assert again.stderr.endswith("nothing imported\n")


def test_export_refuses_an_unknown_programme(tmp_path: Path) -> None:
    result = irikteu("export", "--qti", str(tmp_path), "--programme", "history")
    assert result.returncode == 2
    assert result.stderr.startswith("unknown programme history")
