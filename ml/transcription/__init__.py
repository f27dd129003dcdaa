"""Interview transcription: Whisper (CTranslate2, faster-whisper) on the CPU; see ``transcriber``."""

from ml.transcription.model_files import BASE_MODEL_SHA256, ModelFilesError, ensure_base_model, join_parts
from ml.transcription.transcriber import (
    Segment,
    Transcriber,
    TranscriberConfig,
    Transcript,
    TranscriptionError,
)

__all__ = [
    "BASE_MODEL_SHA256",
    "ModelFilesError",
    "Segment",
    "Transcriber",
    "TranscriberConfig",
    "Transcript",
    "TranscriptionError",
    "ensure_base_model",
    "join_parts",
]
