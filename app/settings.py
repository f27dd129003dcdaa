"""Service settings from the environment (prefix ``IRIKTEU_``), validated once at start."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "irikteu-development-secret-change-me"
"""The secret a fresh checkout runs with; refused in every environment but development and test."""


class Settings(BaseSettings):
    """One settings object for the API, the worker and the CLI."""

    model_config = SettingsConfigDict(env_prefix="IRIKTEU_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    secret_key: str = DEVELOPMENT_SECRET
    data_dir: Path = Path("var")
    prompts_dir: Path = Field(
        default=Path(__file__).resolve().parents[1] / "prompts",
        description="templates, rubrics and question banks (the repository's prompts/; images set their copy)",
    )
    database_url: str = Field(default="", description="SQLAlchemy URL; empty means SQLite under data_dir")
    queue_url: str = Field(
        default="",
        description="sqlite:///PATH (default, under data_dir), redis://HOST:PORT/DB, or memory:// (tests)",
    )
    queue_name: str = "irikteu"
    queue_workers: int = 2
    run_consumer_in_process: bool = Field(
        default=True, description="start the Huey consumer inside `irikteu serve` (the embedded default)"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_json: bool = True
    policy_overrides: dict[str, Any] = Field(
        default_factory=dict, description="SelectionPolicy fields to change, as JSON"
    )
    job_max_retries: int = 3
    job_retry_delay_seconds: int = 10
    vacancy_stale_working_days: int = Field(
        default=5, ge=0, description="a draft vacancy older than this many working days is flagged stale")
    application_window_working_days: int = Field(
        default=7, ge=0, description="working days a published competition accepts applications, by default")
    smtp_url: str = Field(
        default="",
        description="smtp://USER:PASS@HOST:PORT (plain), smtp+starttls://… or smtps://… (TLS); "
                    "empty: e-mails stay queued in the outbox, nothing is sent",
    )
    mail_from: str = Field(default="Irikteu <no-reply@irikteu.local>", description="From: of every e-mail")
    smtp_timeout_seconds: float = 15.0
    access_token_minutes: int = Field(default=60, gt=0, description="lifetime of a bearer token")

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.environment == "production" and (
            self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32
        ):
            raise ValueError(
                "IRIKTEU_SECRET_KEY must be set to a random value of at least 32 characters "
                "outside development (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'irikteu.db'}"

    @property
    def resolved_queue_url(self) -> str:
        return self.queue_url or f"sqlite:///{self.data_dir / 'queue.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
