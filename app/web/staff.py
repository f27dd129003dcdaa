"""The staff home page (``/work``): the links of the visitor's role, each with what it is for."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web.deps import StaffVisitor, WebRoute, render
from app.web.nav import links_for

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/work", response_class=HTMLResponse)
def work_home(request: Request, visitor: StaffVisitor) -> HTMLResponse:
    assert visitor.account is not None
    return render(
        request,
        visitor,
        "staff/work.html",
        title=visitor.texts.gettext("My work"),
        links=links_for(visitor.account.role),
    )
