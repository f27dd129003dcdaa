"""The researcher's pages on the demo data: aggregates only (no candidate's name, IIN, birth date, e-mail or phone
in any page, plot, report or export), other roles refused, the study approved on the administrator's page first."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.competitions.models import Competition
from app.demo import seed
from app.main import create_app
from app.vacancies.models import Vacancy
from tests.conftest import make_settings
from tests.web._anonymity import Identity, assert_anonymous, identities
from tests.web._pages import csrf_of, sign_in

DEMO = "@demo.irikteu.kz"


@pytest.fixture(name="demo")
def demo_fixture(sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(
        make_settings(sqlite_url, f"sqlite:///{tmp_path / 'q.db'}", research_min_cell=2), start_consumer=False
    )
    with TestClient(app) as client:
        seed(app.state.sessions)
        yield client


def _facts(client: TestClient) -> tuple[int, list[int], list[Identity]]:
    app = cast(FastAPI, client.app)
    with app.state.sessions() as session:
        finished = session.scalars(select(Competition.id).where(Competition.status == "results_published")).one()
        vacancies = list(session.scalars(select(Vacancy.id).order_by(Vacancy.id)).all()[:2])
        return finished, vacancies, identities(session, app.state.settings.secret_key)


def _as(client: TestClient, login: str, password: str) -> None:
    client.cookies.clear()
    sign_in(client, f"{login}{DEMO}", password)


def test_the_researcher_sees_tables_plots_and_the_report_with_no_personal_data(demo: TestClient) -> None:
    finished, vacancies, people = _facts(demo)
    _as(demo, "researcher", "demo-research-2026")
    form = demo.get("/research/fairness", headers={"Accept-Language": "ru"})
    assert form.status_code == 200 and "<h1>Аудиты справедливости</h1>" in form.text
    query = f"competition={finished}&groups=sex&groups=language"
    page = demo.get(f"/research/fairness?{query}", headers={"Accept-Language": "kk"})
    assert page.status_code == 200, page.text
    html = page.text
    # the HR decision on the documents by sex, with the rate, the interval and the four-fifths column
    assert "Құжаттар (HR шешімі) · Жынысы" in html
    assert "95 % аралық (Уилсон)" in html and "Бестен төрт шегінен төмен" in html
    # seven people with a minimum cell of 2: the sex rows are suppressed, and marked so
    assert '<span class="tag tag--grey">Жасырылған</span>' in html
    assert f"/research/fairness/plot.png?{query.replace('&', '&amp;')}&amp;group=sex" in html
    plot = demo.get(f"/research/fairness/plot.png?{query}&group=sex")
    assert plot.status_code == 200 and plot.headers["content-type"] == "image/png"
    assert plot.content.startswith(b"\x89PNG")
    report = demo.get(f"/research/fairness/report.zip?{query}")
    assert report.status_code == 200 and report.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(report.content)) as archive:
        names = archive.namelist()
        texts = {name: archive.read(name).decode() for name in names if not name.endswith(".png")}
    assert {"fairness-report.md", "fairness.json", "fairness-sex.png"} <= set(names)
    exposure = demo.get("/research/exposure?" + "&".join(f"vacancy={v}" for v in vacancies) + "&groups=sex")
    assert exposure.status_code == 200 and "Көрсетілу қатынасы" in exposure.text
    studies = demo.get("/research/studies")
    for where, text in {
        "page": html,
        "form": form.text,
        "exposure": exposure.text,
        "studies": studies.text,
        **texts,
    }.items():
        assert_anonymous(text, people, where)
    # a scope that does not exist is a message on the page, not a trace
    missing = demo.get("/research/fairness?competition=999999", headers={"Accept-Language": "ru"})
    assert missing.status_code == 404 and "Такого конкурса или государственного органа нет" in missing.text


def test_other_roles_get_the_403_page_and_hr_reads_only_its_own_bodys_audits(demo: TestClient) -> None:
    for login, password in (("candidate01", "demo-candidate-2026"), ("hr.minfin", "demo-hr-2026")):
        _as(demo, login, password)
        for path in (
            "/research",
            "/research/fairness",
            "/research/exposure",
            "/research/studies",
            "/research/fairness/plot.png?group=sex",
        ):
            assert demo.get(path).status_code == 403, (login, path)
    admin = TestClient(demo.app)
    sign_in(admin, f"admin{DEMO}", "demo-admin-2026")
    token = demo.post("/api/v1/auth/token", data={"username": f"admin{DEMO}", "password": "demo-admin-2026"})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    made = demo.post("/api/v1/research/audits", json={"body": "DEMO-MINFIN", "year": 2026}, headers=headers)
    assert made.status_code == 201
    _as(demo, "hr.minfin", "demo-hr-2026")
    own = demo.get("/research/audits", headers={"Accept-Language": "ru"})
    assert own.status_code == 200 and f'href="/research/audits/{made.json()["id"]}"' in own.text
    detail = demo.get(f"/research/audits/{made.json()['id']}", headers={"Accept-Language": "ru"})
    assert detail.status_code == 200 and made.json()["inputs_sha256"] in detail.text
    _, _, people = _facts(demo)
    assert_anonymous(own.text + detail.text, people, "audits")
    _as(demo, "hr.almaty", "demo-hr-2026")
    assert demo.get(f"/research/audits/{made.json()['id']}").status_code == 403
    assert demo.get("/research/audits?body=DEMO-MINFIN").status_code == 403
    _as(demo, "candidate01", "demo-candidate-2026")
    assert demo.get("/research/audits").status_code == 403


def test_a_study_is_requested_approved_on_the_administrators_page_then_exported(demo: TestClient) -> None:
    finished, _vacancies, people = _facts(demo)
    _as(demo, "researcher", "demo-research-2026")
    form = demo.get("/research/studies/new")
    refused = demo.post("/research/studies/new", data={"csrf_token": csrf_of(form.text), "title": ""})
    assert refused.status_code == 422 and 'href="#title"' in refused.text and 'href="#purpose"' in refused.text
    made = demo.post(
        "/research/studies/new",
        data={
            "csrf_token": csrf_of(form.text),
            "title": "Language and selection",
            "purpose": "Compare pass rates of kk and ru test takers",
            "competition": str(finished),
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    study_url = made.headers["location"].split("?")[0]
    study_id = int(study_url.rsplit("/", 1)[1])
    before = demo.get(f"{study_url}/export.csv", headers={"Accept-Language": "ru"})
    assert before.status_code == 409 and "Исследование не одобрено" in before.text
    # the researcher cannot decide: the decision route is the administrator's
    page = demo.get(study_url)
    assert 'name="decision"' not in page.text
    assert (
        demo.post(f"{study_url}/decision", data={"csrf_token": csrf_of(page.text), "decision": "approve"}).status_code
        == 403
    )
    _as(demo, "admin", "demo-admin-2026")
    listed = demo.get("/research/studies")
    assert f'href="{study_url}"' in listed.text
    check = demo.get(study_url, headers={"Accept-Language": "kk"})
    assert 'name="decision"' in check.text and "Compare pass rates of kk and ru test takers" in check.text
    empty = demo.post(f"{study_url}/decision", data={"csrf_token": csrf_of(check.text)})
    assert empty.status_code == 422 and 'href="#decision-approve"' in empty.text
    decided = demo.post(
        f"{study_url}/decision", data={"csrf_token": csrf_of(check.text), "decision": "approve"}, follow_redirects=False
    )
    assert decided.status_code == 303
    assert demo.get(f"{study_url}/export.csv").status_code == 403  # the export is the researcher's
    _as(demo, "researcher", "demo-research-2026")
    export = demo.get(f"{study_url}/export.csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    lines = export.text.strip().splitlines()
    assert lines[0].startswith("study,person,application,competition,applied_month,sex,age_band")
    assert len(lines) == 1 + 7 and all(line.startswith(f"{study_id},") for line in lines[1:])
    assert_anonymous(export.text, people, "export")
    with cast(FastAPI, demo.app).state.sessions() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity_type == "research_study", AuditEvent.entity_id == str(study_id)
            )
        ).all()
    assert actions == ["research.study_requested", "research.study_approved", "research.study_exported"]
