"""The selection figures page through HTTP, on the small fixed history of ``tests.factories.history``: every
figure on the page is the API's (and the hand-computed values of tests/api/test_analytics.py), the CSV is the
API's byte for byte, the report's plots are served as PNG, HR sees its own body only."""

from __future__ import annotations

import re
from typing import Any

from babel.numbers import format_decimal
from fastapi.testclient import TestClient

from app.auth.models import ADMINISTRATOR, CANDIDATE, RESEARCHER, Account
from app.rules.policy import policy_from_overrides
from app.web.i18n import Texts
from tests.api._workflow import World, world_fixture  # noqa: F401
from tests.api.test_analytics import PERIOD, history_fixture  # noqa: F401
from tests.factories.history import History
from tests.web._pages import sign_in

RU = {"Accept-Language": "ru"}


def signed_in(world: World, account: Account) -> TestClient:
    client = TestClient(world.app)
    sign_in(client, account.email)
    return client


def table(html: str, table_id: str) -> dict[str, dict[str, str]]:
    """Row key -> figure -> the cell's text, of the page's table ``table_id``."""
    found = re.search(rf'<table class="data-table" id="{table_id}"[^>]*>(.*?)</table>', html, re.S)
    assert found is not None, table_id
    rows = {}
    for key, row in re.findall(r'<tr data-key="([^"]*)">(.*?)</tr>', found.group(1), re.S):
        rows[key] = dict(re.findall(r'<td data-figure="([^"]+)">([^<]*)</td>', row))
    return rows


def ru(value: float | None) -> str:
    return "—" if value is None else format_decimal(value, format="#,##0.####", locale="ru")


def expected(group: dict[str, Any], texts: Texts) -> dict[str, str]:
    def shown(value: float | None) -> str:
        return "—" if value is None else format_decimal(value, format="#,##0.####", locale=texts.locale)

    return {
        "competitions": texts.number(group["competitions"]),
        "places": texts.number(group["places"]),
        "applications": texts.number(group["applications"]),
        "candidates_per_place": shown(group["candidates_per_place"]["value"]),
        "target": shown(group["candidates_per_place"]["target"]),
        "no_winner_share": shown(group["no_winner_share"]["value"]),
        "time_to_fill": shown(group["time_to_fill_working_days"]["value"]),
        "time_to_fill_median": shown(group["time_to_fill_working_days"]["median"]),
        "appointments": texts.number(group["appointments"]),
        "alert_reach": shown(group["alert_reach"]["value"]),
    }


def test_the_page_shows_the_apis_figures_per_body(world: World, history: History) -> None:
    world.app.state.policy = policy_from_overrides({"analytics_min_cell": 1})
    admin = world.account(ADMINISTRATOR)
    params = {**PERIOD, "by": "body"}
    api = world.client.get("/api/v1/analytics/figures", params=params, headers=world.headers(admin)).json()
    page = signed_in(world, admin).get("/analytics", params=params, headers=RU)
    assert page.status_code == 200
    shown = table(page.text, "figures")
    texts = Texts("ru")
    assert shown == {g["key"]: expected(g, texts) for g in api["groups"]}
    # the hand-computed values (tests/api/test_analytics.py), in Russian notation
    assert (shown["MINFIN"]["candidates_per_place"], shown["MINFIN"]["target"]) == ("7,5", "3,5")
    assert (shown["MINFIN"]["no_winner_share"], shown["MINFIN"]["time_to_fill"], shown["MINFIN"]["alert_reach"]) == (
        "0,5",
        "6",
        "0,25",
    )
    assert table(page.text, "pass-rates")["MINFIN"] == {
        "pass_rate_personal_qualities": "0,6667",
        "pass_rate_interview": "1",
    }
    assert table(page.text, "route-shares")["KYZ"] == {
        "route_share_competition": "0,5",
        "route_share_grant_graduate": "0,5",
    }
    assert table(page.text, "online-shares") == {
        g["key"]: {
            f"online_share_{kind}": ru(g["online_share"][kind]["value"])
            for kind in ("applications", "tests", "protocols")
        }
        for g in api["groups"]
    }
    assert table(page.text, "online-shares")["MINFIN"] == {
        "online_share_applications": "1",
        "online_share_tests": "—",  # this history records no test results
        "online_share_protocols": "0",
    }
    for name in ("candidates-per-place.png", "no-winner-share.png", "time-to-fill.png", "stages-and-routes.png"):
        assert f'src="/analytics/plots/{name}?from=2026-01-01&amp;to=2026-12-31&amp;by=body"' in page.text
    assert 'href="/analytics/figures.csv?from=2026-01-01&amp;to=2026-12-31&amp;by=body"' in page.text


def test_small_cells_are_suppressed_as_in_the_api(world: World, history: History) -> None:
    researcher = world.account(RESEARCHER)
    params = {**PERIOD, "by": "month"}
    api = world.client.get("/api/v1/analytics/figures", params=params, headers=world.headers(researcher)).json()
    page = signed_in(world, researcher).get("/analytics", params=params, headers=RU)
    shown = table(page.text, "figures")
    assert shown == {g["key"]: expected(g, Texts("ru")) for g in api["groups"]}
    assert (shown["2026-03"]["candidates_per_place"], shown["2026-04"]["no_winner_share"]) == ("12", "—")
    assert f"меньше чем по {api['min_cell']} случаям" in page.text


def test_hr_sees_its_own_body_whatever_it_asks(world: World, history: History) -> None:
    world.app.state.policy = policy_from_overrides({"analytics_min_cell": 1})
    hr = signed_in(world, history.kyzylorda_hr)
    page = hr.get("/analytics", params={**PERIOD, "by": "body", "state_body_id": history.minfin.id}, headers=RU)
    assert page.status_code == 200
    assert list(table(page.text, "figures")) == ["KYZ"]
    assert 'id="state_body_id"' not in page.text
    csv_page = hr.get("/analytics/figures.csv", params={**PERIOD, "by": "body", "state_body_id": history.minfin.id})
    assert [line.split(",")[0] for line in csv_page.text.splitlines()[1:]] == ["KYZ"]


def test_the_csv_is_the_apis_and_the_plots_are_png(world: World, history: History) -> None:
    world.app.state.policy = policy_from_overrides({"analytics_min_cell": 1})
    admin = world.account(ADMINISTRATOR)
    client = signed_in(world, admin)
    params = {**PERIOD, "by": "region"}
    api = world.client.get("/api/v1/analytics/figures.csv", params=params, headers=world.headers(admin))
    page_csv = client.get("/analytics/figures.csv", params=params)
    assert page_csv.status_code == 200 and page_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert page_csv.headers["content-disposition"] == 'attachment; filename="figures.csv"'
    assert page_csv.content == api.content
    assert "Astana" in page_csv.text
    plot = client.get("/analytics/plots/candidates-per-place.png", params=PERIOD)
    assert plot.status_code == 200 and plot.headers["content-type"] == "image/png"
    assert plot.content[:8] == b"\x89PNG\r\n\x1a\n" and len(plot.content) > 10_000
    assert client.get("/analytics/plots/secrets.png", params=PERIOD).status_code == 404


def test_a_bad_period_is_shown_at_the_field_and_others_get_the_403_page(world: World, history: History) -> None:
    researcher = signed_in(world, world.account(RESEARCHER))
    bad = researcher.get("/analytics", params={"from": "2026-05-01", "to": "2026-04-01"}, headers=RU)
    assert bad.status_code == 422
    assert '<a href="#to">Конец периода раньше его начала</a>' in bad.text
    not_a_date = researcher.get("/analytics", params={"from": "2026-13-01"}, headers=RU)
    assert not_a_date.status_code == 422 and '<a href="#from">Введите настоящую дату</a>' in not_a_date.text
    candidate = signed_in(world, world.account(CANDIDATE))
    assert candidate.get("/analytics").status_code == 403
    assert candidate.get("/analytics/figures.csv").status_code == 403
    assert candidate.get("/analytics/plots/time-to-fill.png").status_code == 403
