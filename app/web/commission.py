"""Pages of commission members, the chair and the secretary: competitions, essay and interview
scoring (blind-first), transcripts, the protocol."""

from __future__ import annotations

from fastapi import APIRouter

from app.web.deps import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
