"""The essay scorer's saved form: its fitted state as a skops file, which loads without running code.

A saved scorer is ``MAGIC``, the SHA-256 of the skops bytes (hex) and a newline, then the skops bytes
(``skops.io``: a zip of JSON and ``.npy`` arrays). Loading checks the digest first (a changed byte is
refused before anything is read), then lets ``skops.io.loads`` build only the types it trusts by
default (scikit-learn estimators, numpy arrays, builtins) and the two listed in
:data:`TRUSTED_TYPES`; a file naming any other type is refused, never imported. The old format (a
pickle of the scorer's ``__dict__``, which runs code on load) is recognised and refused with
:class:`~ml.essay_scoring.api.StaleScorerArtifact`, so the service retrains that model.
"""

from __future__ import annotations

import hashlib
import zipfile
from typing import Any, Final

import skops.io
from skops.io.exceptions import UntrustedTypesFoundException

from ml.essay_scoring.api import ScorerArtifactError, StaleScorerArtifact, is_stale_artifact

MAGIC: Final = b"irikteu-essay-scorer/skops-1\n"
TRUSTED_TYPES: Final = (
    # the fitted trees of HistGradientBoostingRegressor (the "hgb" and "blend" second levels)
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    # VotingRegressor.named_estimators_ (the "blend" second level)
    "sklearn.utils._bunch.Bunch",
)


def dumps_state(state: dict[str, Any]) -> bytes:
    """``state`` (a dict of the scorer's parameters and fitted attributes) as a saved scorer."""
    payload: bytes = skops.io.dumps(state, compression=zipfile.ZIP_DEFLATED)
    return MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload


def loads_state(data: bytes) -> dict[str, Any]:
    """The state saved by :func:`dumps_state`; :class:`ScorerArtifactError` for anything else."""
    if is_stale_artifact(data):
        raise StaleScorerArtifact(
            "this essay scorer was saved in the old pickle format, which runs code when "
            "loaded; it is not loaded: the model has to be trained again"
        )
    if not data.startswith(MAGIC):
        raise ScorerArtifactError("not a saved essay scorer (unknown format)")
    digest, _, payload = data[len(MAGIC) :].partition(b"\n")
    if hashlib.sha256(payload).hexdigest().encode() != digest:
        raise ScorerArtifactError("the saved essay scorer was altered: its SHA-256 does not match the one it records")
    try:
        state = skops.io.loads(payload, trusted=list(TRUSTED_TYPES))
    except UntrustedTypesFoundException as error:
        raise ScorerArtifactError(f"the saved essay scorer holds types that are not trusted: {error}") from error
    except (zipfile.BadZipFile, ValueError, KeyError, TypeError) as error:
        raise ScorerArtifactError(f"the saved essay scorer cannot be read: {error}") from error
    if not isinstance(state, dict) or not all(isinstance(key, str) for key in state):
        raise ScorerArtifactError("the saved essay scorer does not hold a scorer's state")
    return state
