"""Settings: the environment prefix, the embedded defaults and the refusal of the default secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from pydantic import ValidationError

from app.main import create_app
from app.protocol.signing import make_demo_ca
from app.protocol.trust import TrustedRootsError
from app.settings import DEVELOPMENT_SECRET, Settings


def test_embedded_defaults_are_sqlite_files_under_the_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("IRIKTEU_DATABASE_URL", "IRIKTEU_QUEUE_URL", "IRIKTEU_DATA_DIR", "IRIKTEU_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert settings.resolved_database_url == "sqlite:///var/irikteu.db"
    assert settings.resolved_queue_url == "sqlite:///var/queue.db"
    assert settings.run_consumer_in_process is True


def test_the_environment_prefix_is_irikteu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRIKTEU_DATABASE_URL", "postgresql+psycopg://db/irikteu")
    monkeypatch.setenv("IRIKTEU_QUEUE_URL", "redis://cache:6379/0")
    monkeypatch.setenv("IRIKTEU_POLICY_OVERRIDES", '{"essay_word_limit": 250}')
    settings = Settings(_env_file=None)
    assert settings.resolved_database_url == "postgresql+psycopg://db/irikteu"
    assert settings.resolved_queue_url == "redis://cache:6379/0"
    assert settings.policy_overrides == {"essay_word_limit": 250}


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="IRIKTEU_SECRET_KEY"):
        Settings(_env_file=None, environment="production")
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(_env_file=None, environment="production", secret_key="short")
    ok = Settings(
        _env_file=None,
        environment="production",
        secret_key="x" * 32,
        protocol_trusted_roots="/etc/irikteu/nca-roots.pem",
    )
    assert ok.secret_key != DEVELOPMENT_SECRET


def test_production_refuses_to_start_without_trusted_roots_for_protocol_signatures(tmp_path: Path) -> None:
    """Finding: production accepted an empty list of trusted roots, so any self-made certificate signed."""
    with pytest.raises(ValidationError, match="IRIKTEU_PROTOCOL_TRUSTED_ROOTS"):
        Settings(_env_file=None, environment="production", secret_key="x" * 32)
    empty = tmp_path / "roots.pem"
    empty.write_text("")
    for bundle in (empty, tmp_path / "missing.pem"):
        settings = Settings(
            _env_file=None,
            environment="production",
            secret_key="x" * 32,
            protocol_trusted_roots=str(bundle),
            data_dir=tmp_path,
        )
        with pytest.raises(TrustedRootsError, match="IRIKTEU_PROTOCOL_TRUSTED_ROOTS"):
            create_app(settings, start_consumer=False)
    ca = make_demo_ca()
    good = tmp_path / "nca.pem"
    good.write_bytes(ca.certificate.public_bytes(serialization.Encoding.PEM))
    settings = Settings(
        _env_file=None,
        environment="production",
        secret_key="x" * 32,
        protocol_trusted_roots=str(good),
        data_dir=tmp_path,
    )
    assert create_app(settings, start_consumer=False).state.settings is settings


def test_development_runs_with_the_default_secret() -> None:
    assert Settings(_env_file=None, environment="development").secret_key == DEVELOPMENT_SECRET
