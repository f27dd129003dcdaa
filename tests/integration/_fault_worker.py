"""``python -m tests.integration._fault_worker``: the real ``irikteu worker`` with a stand-in speech model.

Everything but the model is the service's own: the CLI, the queue, the job handler, the database.
The stand-in reports progress and returns a fixed two-segment transcript at once (Whisper on a CPU
is too slow for a fault test). Files in ``IRIKTEU_TEST_FAULT_DIR`` make it stop where a test will
SIGKILL the process:

- ``block_transcribe``: mid-transcription (at 50 %), after writing ``transcribing``;
- ``block_write``: inside the job's one write transaction, after the first interview's version
  was flushed (not committed), after writing ``writing``.

The process imports everything first, then waits for the file ``IRIKTEU_TEST_GO_FILE`` before it
runs the worker: a test starts the "restarted" worker ahead as a standby and lets it go after the
kill, so a restart costs no import time (seconds on a busy machine).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import app.job_registry  # noqa: F401  (what the worker command would import after the go)
from app.cli import main
from app.transcripts import jobs as transcript_jobs
from app.transcripts import service
from ml.transcription import Transcript
from tests.api._transcripts import FAKE_MODEL as MODEL
from tests.api._transcripts import fixed_transcript

FAULTS = Path(os.environ["IRIKTEU_TEST_FAULT_DIR"])


def _stop_here(marker: str) -> None:
    (FAULTS / marker).write_text(str(os.getpid()))
    while True:  # until the test kills the process
        time.sleep(1)


class StandIn:
    model_info = MODEL

    def transcribe(self, path: Any, *, language: Any, progress: Any = None) -> Transcript:
        assert Path(path).is_file(), path
        if progress is not None:
            progress(0.5)
        if (FAULTS / "block_transcribe").exists():
            _stop_here("transcribing")
        return fixed_transcript(MODEL, language)


_write = service.write_machine_version


def _write_then_maybe_stop(**kwargs: Any) -> Any:
    version = _write(**kwargs)
    if (FAULTS / "block_write").exists():
        _stop_here("writing")
    return version


transcript_jobs.get_transcriber = lambda _settings: StandIn()  # type: ignore[assignment]
service.write_machine_version = _write_then_maybe_stop

if __name__ == "__main__":
    go = Path(os.environ["IRIKTEU_TEST_GO_FILE"])
    while not go.exists():
        time.sleep(0.05)
    main()
