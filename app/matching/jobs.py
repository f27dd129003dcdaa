"""Queue jobs of matching: the full rebuild of an index snapshot."""

from __future__ import annotations

from typing import Any

from app.jobs.queue import JobContext, job_handler
from app.matching.index_service import INDEX_NAMES, rebuild


@job_handler("matching.rebuild_index")
def rebuild_index_job(context: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Payload ``{"name": "candidates" | "vacancies"}``; the result is the new manifest."""
    name = str(payload.get("name", "candidates"))
    if name not in INDEX_NAMES:
        raise ValueError(f"unknown index {name!r}; one of {', '.join(INDEX_NAMES)}")
    context.progress(0, f"rebuilding the {name} index")
    with context.sessions() as session:
        manifest = rebuild(session, context.settings, name, progress=context.progress)
        session.commit()
    context.progress(100, f"version {manifest.version}: {manifest.count} vectors")
    return {
        "name": manifest.name,
        "version": manifest.version,
        "count": manifest.count,
        "kind": manifest.kind,
        "model_id": manifest.model_id,
        "checksum": manifest.checksum,
    }
