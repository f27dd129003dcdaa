"""A researcher, in Chromium, chooses a competition and the groups and sees the audit's tables and plot, in kk
and ru: axe-core finds nothing serious or critical, and screenshots are taken at 360 and 1280 px."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from app.competitions.models import Competition
from app.demo import seed
from tests.web.conftest import Live, screenshot
from tests.web.test_accessibility import BLOCKING, WCAG_TAGS

pytestmark = pytest.mark.timeout(600)

WORDS = {
    "kk": {"button": "Аудитті көрсету", "table": "Құжаттар (HR шешімі) · Жынысы", "women": "Әйелдер"},
    "ru": {"button": "Показать аудит", "table": "Документы (решение кадровой службы) · Пол", "women": "Женщины"},
}


def test_a_researcher_chooses_a_scope_and_sees_the_table_in_kk_and_ru(
    live_factory: Callable[..., Live], browser: Any
) -> None:
    live = live_factory(research_min_cell=1)  # a minimum cell of 1 hides nothing: the figures' rendering is seen
    seed(live.app.state.sessions)
    with live.app.state.sessions() as session:
        finished = session.scalars(select(Competition.id).where(Competition.status == "results_published")).one()
    axe = Axe()
    for locale, words in WORDS.items():
        page = live.page(browser, locale)
        page.goto("/sign-in")
        page.fill("#email", "researcher@demo.irikteu.kz")
        page.fill("#password", "demo-research-2026")
        page.locator("form[action='/sign-in'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"/work$"))
        page.goto("/research")
        page.select_option("#competition", str(finished))
        page.locator("input[name=groups][value=sex]").check()
        page.get_by_role("button", name=words["button"]).click()
        page.wait_for_url(re.compile(r"/research\?competition="))
        heading = page.get_by_role("heading", name=words["table"])
        assert heading.is_visible()
        table = page.locator("table[aria-labelledby='table-application-sex']")
        text = table.inner_text()
        assert words["women"] in text and "%" in text  # the women's selection rate and its interval
        plot = page.locator("img[src*='group=sex']")
        plot.scroll_into_view_if_needed()
        assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", plot.element_handle())
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
        blocking = [f"{v['id']} ({v['impact']})" for v in result.response["violations"] if v["impact"] in BLOCKING]
        assert not blocking, f"{locale}: {blocking}"
        screenshot(page, locale, "research-fairness")
        page.context.close()
    assert not live.csp_errors
