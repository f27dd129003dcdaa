"""Error codes of the ML modules' run-time switches."""

from __future__ import annotations

from app.errors import Kind, error_code

ML_MODULE_DISABLED = error_code("ml_module_disabled", Kind.CONFLICT, "The ML module is switched off")
UNKNOWN_ML_MODULE = error_code("unknown_ml_module", Kind.NOT_FOUND, "The ML module does not exist")
