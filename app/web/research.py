"""Pages of researchers: fairness audits, exposure in matching and alerts, stored yearly audits, and
pseudonymised study exports (with the administrator's approval page).

Every figure is the research service's (``app.research``), the same the API gives: aggregates only, small cells
suppressed and marked as such. The plots are drawn from the same figures (matplotlib, PNG, served by a page
route); the downloadable report is ``irikteu evaluate fairness --report``'s (``evaluation.bias.write_report``).
"""

from __future__ import annotations

import io
import json
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.alerts.models import AlertCampaign
from app.auth.models import ADMINISTRATOR, HR_OFFICER, RESEARCHER, StateBody
from app.auth.permissions import ensure_can
from app.bounds import Id
from app.competitions.models import Competition
from app.deps import SessionDep, SettingsDep, TodayDep
from app.errors import NOT_FOUND, DomainError
from app.research import studies
from app.research.audit import STAGE_ORDER
from app.research.errors import BAD_SCOPE
from app.research.exposure import TOP, ExposureScope, research_exposure
from app.research.groups import DEFAULT_GROUPS, INTERSECTION, parts_of
from app.research.models import StoredAudit
from app.research.service import body_by_code, research_audit, research_scope, stored_audits
from app.research.thresholds import FOUR_FIFTHS
from app.vacancies.models import Vacancy
from app.web.deps import CheckedForm, Visitor, WebRoute, field, redirect, render, staff_of
from app.web.messages import FieldError, problem_message
from app.web.nav import staff_link

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _(message: str) -> str:
    """Mark a msgid for the catalogues; translated where it is shown."""
    return message


staff_link(
    "/research/fairness",
    _("Fairness audits"),
    RESEARCHER,
    ADMINISTRATOR,
    order=20,
    description=_("Selection rates, impact ratios and plots by group for a competition, a state body or a period"),
)
staff_link(
    "/research/exposure",
    _("Exposure in matching and alerts"),
    RESEARCHER,
    ADMINISTRATOR,
    order=21,
    description=_("Each group's share among those shown against its share of the eligible"),
)
staff_link(
    "/research/studies",
    _("Research studies"),
    RESEARCHER,
    ADMINISTRATOR,
    order=22,
    description=_("Pseudonymised record exports, only after an administrator approves the study"),
)
staff_link(
    "/research/audits",
    _("Yearly bias audits"),
    RESEARCHER,
    ADMINISTRATOR,
    HR_OFFICER,
    order=23,
    description=_("The stored yearly audits of a state body"),
)

Researcher = Annotated[Visitor, Depends(staff_of(RESEARCHER, ADMINISTRATOR))]
AuditReader = Annotated[Visitor, Depends(staff_of(RESEARCHER, ADMINISTRATOR, HR_OFFICER))]
Administrator = Annotated[Visitor, Depends(staff_of(ADMINISTRATOR))]

GROUP_LABELS: dict[str, str] = {
    "sex": _("Sex"),
    "age_band": _("Age band"),
    "language": _("Language"),
    "region": _("Region"),
    "education": _("Education level"),
    "accommodation": _("Accommodation granted"),
    "reserve": _("Personnel reserve"),
}
STAGE_LABELS: dict[str, str] = {
    "application": _("Documents (HR decision)"),
    "eligibility": _("Eligibility"),
    "personal_qualities": _("Personal qualities"),
    "reasoning": _("Reasoning"),
    "essay": _("Essay"),
    "practical": _("Practical task"),
    "interview": _("Interview"),
    "final": _("Final selection"),
}
VALUE_LABELS: dict[str, str] = {
    "female": _("Women"),
    "male": _("Men"),
    "unknown": _("Unknown"),
    "yes": _("Yes"),
    "no": _("No"),
    "kk": _("Kazakh"),
    "ru": _("Russian"),
}
SUPPRESSION_LABELS: dict[str, str] = {
    "small": _("Suppressed: fewer people than the minimum cell"),
    "complementary": _("Suppressed so that a small cell cannot be computed back"),
    "earlier_stage": _("Suppressed at an earlier stage"),
}
FLAG_LABELS: dict[str, str] = {
    "impact_ratio": _("Impact ratio"),
    "scoring_rate": _("Scoring impact ratio"),
    "item_dif": _("Item DIF (ETS class B or C)"),
    "smd": _("Standardised mean difference, machine against people"),
}
FLAG_STAGES: dict[str, str] = {"items": _("Test items"), "essay_model": _("Essay pre-scoring model")}
SCOPE_LABELS: dict[str, str] = {
    "competition_id": _("Competition"),
    "body_code": _("State body"),
    "date_from": _("Published from"),
    "date_to": _("Published to"),
}
STATUS_LABELS: dict[str, str] = {
    "requested": _("Waiting for approval"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
}


class Labels:
    """The page's words for the research codes (stages, groups, values), in the visitor's language."""

    def __init__(self, visitor: Visitor) -> None:
        self.t = visitor.texts

    def group(self, name: str) -> str:
        return " × ".join(self.t.gettext(GROUP_LABELS.get(part, part)) for part in parts_of(name))

    def stage(self, name: str) -> str:
        return self.t.gettext(STAGE_LABELS[name]) if name in STAGE_LABELS else name

    def value(self, value: str) -> str:
        return " × ".join(
            self.t.gettext(VALUE_LABELS[part]) if part in VALUE_LABELS else part for part in value.split(INTERSECTION)
        )

    def suppressed(self, why: str) -> str:
        return self.t.gettext(SUPPRESSION_LABELS.get(why, SUPPRESSION_LABELS["small"]))

    def status(self, status: str) -> str:
        return self.t.gettext(STATUS_LABELS.get(status, status))

    def number(self, value: float | None, digits: int = 3) -> str:
        return "–" if value is None else self.t.number(round(float(value), digits))

    def percent(self, value: float | None) -> str:
        return "–" if value is None else self.t.number(round(100 * float(value), 1)) + " %"


# --- the scope form --------------------------------------------------------------------------------------------


def _choices(session: Session, locale: str) -> dict[str, Any]:
    bodies = session.scalars(select(StateBody).order_by(StateBody.code)).all()
    found = session.execute(
        select(Competition.id, Vacancy.title_kk, Vacancy.title_ru, StateBody.code)
        .join(Vacancy, Vacancy.id == Competition.vacancy_id)
        .join(StateBody, StateBody.id == Competition.state_body_id)
        .order_by(Competition.id)
    ).all()
    return {
        "bodies": [(b.code, b.name_kk if locale == "kk" else b.name_ru) for b in bodies],
        "competitions": [(str(cid), f"{cid} · {code} · {kk if locale == 'kk' else ru}") for cid, kk, ru, code in found],
    }


def _scope_values(
    competition: str = "",
    body: str = "",
    date_from: Annotated[str, Query(alias="from")] = "",
    date_to: Annotated[str, Query(alias="to")] = "",
    groups: Annotated[list[str] | None, Query()] = None,
) -> dict[str, Any]:
    """The audit's scope and groups as the query string asks them (the page, its plots and its report)."""
    return {
        "competition": competition.strip(),
        "body": body.strip(),
        "from": date_from.strip(),
        "to": date_to.strip(),
        "groups": [g for g in groups or [] if g],
    }


ScopeAsked = Annotated[dict[str, Any], Depends(_scope_values)]


def _scope_query(values: dict[str, Any]) -> str:
    pairs = [(key, values[key]) for key in ("competition", "body", "from", "to") if values[key]]
    pairs += [("groups", g) for g in values["groups"]]
    return urlencode(pairs)


RECENT_SECONDS = 60.0
RECENT_MAX = 32
_RECENT: dict[tuple[Any, ...], tuple[float, dict[str, Any]]] = {}
"""Audits computed in the last minute, by database, scope, groups, minimum cell and draws: the page and each of
its plots read one audit, computed once (aggregates only, the same for every researcher)."""


def _audit_of(session: Session, values: dict[str, Any], min_cell: int, secret_key: str, draws: int) -> dict[str, Any]:
    competition_id: Id | None = None
    if values["competition"]:
        if not values["competition"].isdigit():
            raise DomainError(BAD_SCOPE, f"competition must be a number, got {values['competition']!r}")
        competition_id = int(values["competition"])
    scope = research_scope(
        competition_id=competition_id,
        body_code=values["body"] or None,
        date_from=values["from"] or None,
        date_to=values["to"] or None,
    )
    groups = tuple(values["groups"] or ["sex", "language"])
    key = (str(session.get_bind().engine.url), repr(scope), groups, min_cell, draws)
    now = time.monotonic()
    recent = _RECENT.get(key)
    if recent is not None and now - recent[0] < RECENT_SECONDS:
        return recent[1]
    with session.begin():
        report = research_audit(
            session=session, scope=scope, groups=groups, min_cell=min_cell, secret_key=secret_key, draws=draws
        )
    for stale in [k for k, (at, _report) in _RECENT.items() if now - at >= RECENT_SECONDS][:RECENT_MAX]:
        _RECENT.pop(stale, None)
    if len(_RECENT) < RECENT_MAX:
        _RECENT[key] = (now, report)
    return report


def _stage_tables(report: dict[str, Any], labels: Labels) -> list[dict[str, Any]]:
    """The report's stages as rows ready for the template: words for codes, numbers for the locale."""
    tables = []
    for stage, block in report.get("stages", {}).items():
        for name, figures in block["by_group"].items():
            rows: list[dict[str, Any]] = []
            for row in figures["groups"]:
                if "suppressed" in row:
                    rows.append(
                        {"value": labels.value(row["group"]), "suppressed": labels.suppressed(row["suppressed"])}
                    )
                    continue
                rows.append(
                    {
                        "value": labels.value(row["group"]),
                        "n": labels.number(row["n"], 0),
                        "selected": labels.number(row["selected"], 0),
                        "rate": labels.percent(row["rate"]),
                        "interval": f"{labels.percent(row['wilson'][0])} – {labels.percent(row['wilson'][1])}",
                        "impact_ratio": labels.number(row["impact_ratio"]),
                        "flag": row["four_fifths_flag"],
                        "fisher_p": labels.number(row["fisher_p"], 4),
                        "scoring_rate": labels.percent(row.get("scoring_rate")) if "scoring_rate" in row else None,
                        "scoring_ratio": labels.number(row.get("scoring_impact_ratio"))
                        if "scoring_rate" in row
                        else None,
                    }
                )
            tables.append(
                {
                    "id": f"{stage}-{name}".replace(INTERSECTION, "x"),
                    "stage": labels.stage(stage),
                    "group": labels.group(name),
                    "entered": block["entered"],
                    "scored": any("scoring_rate" in r for r in figures["groups"]),
                    "rows": rows,
                    "adverse": figures.get("adverse_impact_flag", False),
                }
            )
    return tables


@router.get("/research")
def research_home(visitor: Researcher) -> Response:
    """The research area starts with the fairness audits."""
    return redirect("/research/fairness")


@router.get("/research/fairness", response_class=HTMLResponse)
def fairness_page(
    request: Request,
    visitor: Researcher,
    session: SessionDep,
    settings: SettingsDep,
    values: ScopeAsked,
) -> HTMLResponse:
    """Choose the scope and the groups; with a scope chosen, the tables, plots and the report download."""
    labels = Labels(visitor)
    with session.begin():
        choices = _choices(session, visitor.locale)
    asked = any(values[key] for key in ("competition", "body", "from", "to"))
    report: dict[str, Any] | None = None
    errors: list[FieldError] = []
    status = 200
    if asked:
        try:
            report = _audit_of(session, values, settings.research_min_cell, settings.secret_key, draws=500)
        except DomainError as problem:
            errors = [FieldError("competition", problem_message(problem, visitor.texts))]
            status = 404 if problem.kind.value == "not_found" else 422
    chosen = values["groups"] or ["sex", "language"]
    return render(
        request,
        visitor,
        "research/fairness.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Fairness audits"),
        values=values,
        chosen=chosen,
        group_options=[(name, labels.group(name)) for name in DEFAULT_GROUPS],
        intersections=[(name, labels.group(name)) for name in ("sex×language", "sex×age_band", "language×region")],
        report=report,
        tables=_stage_tables(report, labels) if report else [],
        flags=[
            {
                "stage": labels.stage(f["stage"])
                if f["stage"] in STAGE_LABELS
                else visitor.texts.gettext(FLAG_STAGES.get(f["stage"], f["stage"])),
                "group": labels.group(f["group"])
                if f["group"] in GROUP_LABELS or INTERSECTION in f["group"]
                else f["group"],
                "value": labels.value(str(f["value"])),
                "kind": visitor.texts.gettext(FLAG_LABELS.get(f["kind"], f["kind"])),
            }
            for f in (report or {}).get("flags", [])
        ],
        plot_groups=[(name, labels.group(name)) for name in (report or {}).get("groups", {})],
        query=_scope_query({**values, "groups": chosen}),
        threshold=labels.number(FOUR_FIFTHS, 1),
        min_cell=settings.research_min_cell,
        labels=labels,
        **choices,
    )


def _plot(report: dict[str, Any], name: str, labels: Labels) -> bytes:
    """Selection rates with their 95 % Wilson intervals and impact ratios against the 0.8 line, per stage."""
    from matplotlib.figure import Figure  # noqa: PLC0415  matplotlib loads in about a second; only a plot needs it

    stages = [s for s in STAGE_ORDER if s in report["stages"]] + [s for s in report["stages"] if s not in STAGE_ORDER]
    figure = Figure(figsize=(max(7.0, 1.4 * len(stages)), 4.2))
    rates, ratios = figure.subplots(1, 2)
    values = sorted(
        {
            row["group"]
            for stage in stages
            for row in report["stages"][stage]["by_group"].get(name, {"groups": []})["groups"]
            if "suppressed" not in row
        }
    )
    for offset, value in enumerate(values):
        xs, ys, low, high, rx, ry = [], [], [], [], [], []
        for x, stage in enumerate(stages):
            block = report["stages"][stage]["by_group"].get(name, {"groups": []})
            row = next((r for r in block["groups"] if r["group"] == value and "suppressed" not in r), None)
            if row is None:
                continue
            position = x + (offset - len(values) / 2) * 0.08
            xs.append(position)
            ys.append(row["rate"])
            low.append(row["rate"] - row["wilson"][0])
            high.append(row["wilson"][1] - row["rate"])
            if row["impact_ratio"] is not None:
                rx.append(position)
                ry.append(row["impact_ratio"])
        rates.errorbar(xs, ys, yerr=[low, high], fmt="o", capsize=3, label=labels.value(value))
        ratios.plot(rx, ry, "o", label=labels.value(value))
    ticks = [labels.stage(s) for s in stages]
    rates.set_title(labels.t.gettext("Selection rate with its 95 % interval"), fontsize=9)
    ratios.set_title(labels.t.gettext("Impact ratio against the four-fifths line"), fontsize=9)
    for axis in (rates, ratios):
        axis.set_xticks(range(len(stages)), ticks, rotation=30, ha="right", fontsize=8)
    ratios.axhline(FOUR_FIFTHS, color="#d4351c", linestyle="--", linewidth=1, label="0.8")
    if values:
        rates.legend(fontsize=7)
        ratios.legend(fontsize=7)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=90)
    return out.getvalue()


@router.get("/research/fairness/plot.png")
def fairness_plot(
    request: Request,
    visitor: Researcher,
    session: SessionDep,
    settings: SettingsDep,
    group: str,
    values: ScopeAsked,
) -> Response:
    """One group's plot of the audit the page shows (the same figures, drawn)."""
    values = {**values, "groups": values["groups"] or [group]}
    report = _audit_of(session, values, settings.research_min_cell, settings.secret_key, draws=500)
    if group not in report["groups"]:
        raise DomainError(BAD_SCOPE, f"the plot's group {group!r} is not among the audit's groups")
    return Response(_plot(report, group, Labels(visitor)), media_type="image/png")


@router.get("/research/fairness/report.zip")
def fairness_report(
    visitor: Researcher,
    session: SessionDep,
    settings: SettingsDep,
    values: ScopeAsked,
) -> Response:
    """The report of ``irikteu evaluate fairness --report`` (Markdown with its plots) and the JSON, zipped."""
    from evaluation.bias import write_report  # noqa: PLC0415  matplotlib loads with it; only a download needs it

    report = _audit_of(session, values, settings.research_min_cell, settings.secret_key, draws=2000)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as scratch, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        folder = Path(scratch)
        write_report(report, folder)
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
        archive.writestr("fairness.json", json.dumps(report, ensure_ascii=False, indent=2, default=str))
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="fairness-report.zip"'},
    )


# --- exposure in matching and alerts ---------------------------------------------------------------------------


@router.get("/research/exposure", response_class=HTMLResponse)
def exposure_page(
    request: Request,
    visitor: Researcher,
    session: SessionDep,
    settings: SettingsDep,
    today: TodayDep,
    vacancy: Annotated[list[str] | None, Query()] = None,
    campaign: Annotated[list[str] | None, Query()] = None,
    groups: Annotated[list[str] | None, Query()] = None,
) -> HTMLResponse:
    """Choose talent searches (their vacancies) and alert campaigns; each group's exposure ratio, pooled."""
    labels = Labels(visitor)
    vacancy_ids = [int(v) for v in vacancy or [] if v.isdigit()]
    campaign_ids = [int(c) for c in campaign or [] if c.isdigit()]
    chosen = [g for g in groups or [] if g] or ["sex", "language"]
    with session.begin():
        vacancies = session.execute(select(Vacancy.id, Vacancy.title_kk, Vacancy.title_ru).order_by(Vacancy.id)).all()
        campaigns = session.scalars(select(AlertCampaign.id).order_by(AlertCampaign.id)).all()
    report: dict[str, Any] | None = None
    errors: list[FieldError] = []
    status = 200
    if vacancy_ids or campaign_ids:
        try:
            with session.begin():
                report = research_exposure(
                    session=session,
                    scope=ExposureScope(vacancy_ids=tuple(vacancy_ids), campaign_ids=tuple(campaign_ids)),
                    groups=chosen,
                    min_cell=settings.research_min_cell,
                    settings=settings,
                    on=today,
                )
        except DomainError as problem:
            errors = [FieldError("vacancy", problem_message(problem, visitor.texts))]
            status = 422
    tables = []
    for name, figures in (report or {}).get("by_group", {}).items():
        tables.append(
            {
                "group": labels.group(name),
                "rows": [
                    {"value": labels.value(r["group"]), "suppressed": labels.suppressed(r["suppressed"])}
                    if "suppressed" in r
                    else {
                        "value": labels.value(r["group"]),
                        "eligible": labels.number(r["eligible"], 0),
                        "exposed": labels.number(r["exposed"], 0),
                        "eligible_share": labels.percent(r["eligible_share"]),
                        "exposed_share": labels.percent(r["exposed_share"]),
                        "ratio": labels.number(r["exposure_ratio"]),
                        "flag": r["flag"],
                    }
                    for r in figures["groups"]
                ],
            }
        )
    return render(
        request,
        visitor,
        "research/exposure.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Exposure in matching and alerts"),
        vacancies=[(str(v), f"{v} · {kk if visitor.locale == 'kk' else ru}") for v, kk, ru in vacancies],
        campaigns=[str(c) for c in campaigns],
        chosen_vacancies=[str(v) for v in vacancy_ids],
        chosen_campaigns=[str(c) for c in campaign_ids],
        chosen=chosen,
        group_options=[(name, labels.group(name)) for name in DEFAULT_GROUPS],
        report=report,
        tables=tables,
        top=TOP,
        threshold=labels.number(FOUR_FIFTHS, 1),
        min_cell=settings.research_min_cell,
    )


# --- the stored yearly audits (HR of the body, researchers, administrators) ------------------------------------


def _readable_bodies(session: Session, visitor: Visitor) -> list[StateBody]:
    assert visitor.account is not None
    if visitor.account.role == HR_OFFICER:
        own = session.get(StateBody, visitor.account.state_body_id) if visitor.account.state_body_id else None
        return [own] if own is not None else []
    return list(session.scalars(select(StateBody).order_by(StateBody.code)).all())


@router.get("/research/audits", response_class=HTMLResponse)
def audits_page(request: Request, visitor: AuditReader, session: SessionDep, body: str = "") -> HTMLResponse:
    """The stored yearly audits of a state body: HR officers their own body's, others any body's."""
    assert visitor.account is not None
    labels = Labels(visitor)
    with session.begin():
        bodies = _readable_bodies(session, visitor)
        code = body or (bodies[0].code if len(bodies) == 1 else "")
        rows: list[dict[str, Any]] = []
        chosen = None
        if code:
            chosen = body_by_code(session, code)
            ensure_can(visitor.account, "research.audit.read", chosen)
            for stored in stored_audits(session, chosen):
                rows.append(_stored_row(stored, labels))
        options = [(b.code, b.name_kk if visitor.locale == "kk" else b.name_ru) for b in bodies]
    return render(
        request,
        visitor,
        "research/audits.html",
        title=visitor.texts.gettext("Yearly bias audits"),
        bodies=options,
        body=code,
        chosen=chosen is not None,
        audits=rows,
    )


def _stored_row(stored: StoredAudit, labels: Labels) -> dict[str, Any]:
    report = stored.report
    return {
        "id": stored.id,
        "period": f"{labels.t.date(stored.period_from)} – {labels.t.date(stored.period_to)}",
        "created": labels.t.datetime(stored.created_at),
        "applications": report.get("applications"),
        "flags": len(report.get("flags", [])),
        "sha": stored.inputs_sha256,
    }


@router.get("/research/audits/{audit_id}", response_class=HTMLResponse)
def audit_page(request: Request, visitor: AuditReader, session: SessionDep, audit_id: Id) -> HTMLResponse:
    """One stored audit's tables (the aggregates as stored, small cells already suppressed)."""
    assert visitor.account is not None
    labels = Labels(visitor)
    with session.begin():
        stored = session.get(StoredAudit, audit_id)
        if stored is None:
            raise DomainError(NOT_FOUND, f"no stored audit {audit_id}")
        state_body = session.get(StateBody, stored.state_body_id)
        ensure_can(visitor.account, "research.audit.read", state_body)
        row = _stored_row(stored, labels)
        report = dict(stored.report)
    return render(
        request,
        visitor,
        "research/audit.html",
        title=visitor.texts.gettext("Yearly bias audit"),
        audit=row,
        body_name=(state_body.name_kk if visitor.locale == "kk" else state_body.name_ru) if state_body else "",
        tables=_stage_tables(report, labels),
        threshold=labels.number(FOUR_FIFTHS, 1),
    )


# --- research studies: request (researcher), decide (administrator), export (the researcher, once approved) -----


def _study_row(study: Any, labels: Labels) -> dict[str, Any]:
    return {
        "id": study.id,
        "title": study.title,
        "purpose": study.purpose,
        "scope": [(labels.t.gettext(SCOPE_LABELS.get(k, k)), str(v)) for k, v in study.scope.items()],
        "status": study.status,
        "status_label": labels.status(study.status),
        "requested": labels.t.datetime(study.requested_at),
        "decided": labels.t.datetime(study.decided_at),
        "note": study.decision_note,
        "exports": study.exports,
    }


@router.get("/research/studies", response_class=HTMLResponse)
def studies_page(request: Request, visitor: Researcher, session: SessionDep) -> HTMLResponse:
    assert visitor.account is not None
    labels = Labels(visitor)
    with session.begin():
        rows = [_study_row(s, labels) for s in studies.list_studies(session=session, actor=visitor.account)]
    return render(
        request,
        visitor,
        "research/studies.html",
        title=visitor.texts.gettext("Research studies"),
        studies=rows,
        is_admin=visitor.account.role == ADMINISTRATOR,
    )


def _new_study_page(
    request: Request,
    visitor: Visitor,
    session: Session,
    values: dict[str, str],
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> HTMLResponse:
    with session.begin():
        choices = _choices(session, visitor.locale)
    return render(
        request,
        visitor,
        "research/study_new.html",
        status=status,
        errors=errors,
        title=visitor.texts.gettext("Request a study export"),
        values=values,
        **choices,
    )


StudyRequester = Annotated[Visitor, Depends(staff_of(RESEARCHER))]


@router.get("/research/studies/new", response_class=HTMLResponse)
def new_study(request: Request, visitor: StudyRequester, session: SessionDep) -> HTMLResponse:
    return _new_study_page(request, visitor, session, {})


@router.post("/research/studies/new", response_class=HTMLResponse)
def create_study(request: Request, visitor: StudyRequester, form: CheckedForm, session: SessionDep) -> Response:
    assert visitor.account is not None
    values = {key: field(form, key) for key in ("title", "purpose", "competition", "body", "from", "to")}
    t = visitor.texts
    errors = [
        FieldError(name, message)
        for name, message in (
            ("title", t.gettext("Enter the study's title")),
            ("purpose", t.gettext("Describe the study's purpose")),
        )
        if not values[name]
    ]
    if not (values["competition"] or values["body"] or values["from"] or values["to"]):
        errors.append(FieldError("competition", t.gettext("Choose a competition, a state body or a period")))
    if errors:
        return _new_study_page(request, visitor, session, values, errors, 422)
    try:
        scope = research_scope(
            competition_id=int(values["competition"]) if values["competition"].isdigit() else None,
            body_code=values["body"] or None,
            date_from=values["from"] or None,
            date_to=values["to"] or None,
        )
        with session.begin():
            study = studies.request_study(
                session=session, actor=visitor.account, title=values["title"], purpose=values["purpose"], scope=scope
            )
            study_id = study.id
    except DomainError as problem:
        return _new_study_page(
            request, visitor, session, values, [FieldError("competition", problem_message(problem, t))], 422
        )
    return redirect(f"/research/studies/{study_id}?requested=1")


@router.get("/research/studies/{study_id}", response_class=HTMLResponse)
def study_page(
    request: Request, visitor: Researcher, session: SessionDep, study_id: Id, requested: str = "", decided: str = ""
) -> HTMLResponse:
    """A study: what was asked, its status; the administrator's decision form, or the researcher's download."""
    assert visitor.account is not None
    with session.begin():
        row = _study_row(studies.get_study(session=session, study_id=study_id, actor=visitor.account), Labels(visitor))
    return render(
        request,
        visitor,
        "research/study.html",
        title=row["title"],
        study=row,
        is_admin=visitor.account.role == ADMINISTRATOR,
        requested=bool(requested),
        decided=bool(decided),
    )


@router.post("/research/studies/{study_id}/decision", response_class=HTMLResponse)
def decide(request: Request, visitor: Administrator, form: CheckedForm, session: SessionDep, study_id: Id) -> Response:
    """The administrator's approval or rejection (irreversible: the study page shows all of it first)."""
    assert visitor.account is not None
    decision = field(form, "decision")
    if decision not in ("approve", "reject"):
        with session.begin():
            row = _study_row(
                studies.get_study(session=session, study_id=study_id, actor=visitor.account), Labels(visitor)
            )
        return render(
            request,
            visitor,
            "research/study.html",
            status=422,
            errors=[FieldError("decision-approve", visitor.texts.gettext("Choose to approve or to reject the study"))],
            title=row["title"],
            study=row,
            is_admin=True,
            requested=False,
            decided=False,
        )
    with session.begin():
        studies.decide_study(
            session=session,
            study_id=study_id,
            actor=visitor.account,
            approve=decision == "approve",
            note=field(form, "note") or None,
        )
    return redirect(f"/research/studies/{study_id}?decided=1")


@router.get("/research/studies/{study_id}/export.csv")
def study_export(visitor: Researcher, session: SessionDep, settings: SettingsDep, study_id: Id) -> Response:
    """The approved study's pseudonymised records as CSV (audited); the 409 page before approval."""
    assert visitor.account is not None
    with session.begin():
        export = studies.export_study(
            session=session, study_id=study_id, actor=visitor.account, secret_key=settings.secret_key
        )
    return Response(
        studies.export_csv(export),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="study-{study_id}.csv"'},
    )
