"""Error codes of talent search, invitations and reserves."""

from __future__ import annotations

from app.errors import Kind, error_code

ALREADY_INVITED = error_code("already_invited", Kind.CONFLICT, "The candidate is already invited")
