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
from tests.web._pages import sign_in_page
from tests.web.conftest import Live, screenshot
from tests.web.test_accessibility import BLOCKING, WCAG_TAGS

pytestmark = pytest.mark.timeout(600)

WORDS = {
    "kk": {
        "button": "Аудитті көрсету",
        "table": "Құжаттар (HR шешімі) · Жынысы",
        "women": "Әйелдер",
        "send": "Өтінімді жіберу",
        "requested": "Зерттеу сұралды",
    },
    "ru": {
        "button": "Показать аудит",
        "table": "Документы (решение кадровой службы) · Пол",
        "women": "Женщины",
        "send": "Отправить запрос",
        "requested": "Исследование запрошено",
    },
}


def _accessible(axe: Axe, page: Any, locale: str, name: str) -> None:
    """axe-core finds nothing serious or critical; screenshots at 360 and 1280 px."""
    page.wait_for_load_state("load")
    result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    blocking = [f"{v['id']} ({v['impact']})" for v in result.response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"{locale} {name}: {blocking}"
    screenshot(page, locale, name)


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
        sign_in_page(page, "researcher@demo.irikteu.kz", "demo-research-2026")
        page.goto("/research/fairness")
        page.select_option("#competition", str(finished))
        page.locator("input[name=groups][value=sex]").check()
        page.get_by_role("button", name=words["button"]).click()
        page.wait_for_url(re.compile(r"/research/fairness\?competition="))
        heading = page.get_by_role("heading", name=words["table"])
        assert heading.is_visible()
        table = page.locator("table[aria-labelledby='table-application-sex']")
        text = table.inner_text()
        assert words["women"] in text and "%" in text  # the women's selection rate and its interval
        plot = page.locator("img[src*='group=sex']")
        plot.scroll_into_view_if_needed()
        assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", plot.element_handle())
        _accessible(axe, page, locale, "research-fairness")
        # the other research pages: exposure, the study request and its confirmation, the yearly audits
        page.goto("/research/exposure?vacancy=1&vacancy=2&groups=sex")
        _accessible(axe, page, locale, "research-exposure")
        page.goto("/research/studies/new")
        _accessible(axe, page, locale, "research-study-new")
        page.fill("#title", f"Study {locale}")
        page.fill("#purpose", "Pass rates by language")
        page.select_option("#competition", str(finished))
        page.get_by_role("button", name=words["send"]).click()
        page.wait_for_url(re.compile(r"/research/studies/\d+\?requested=1$"))
        assert page.get_by_role("heading", name=words["requested"]).is_visible()
        _accessible(axe, page, locale, "research-study-requested")
        page.goto("/research/audits")
        _accessible(axe, page, locale, "research-audits")
        page.context.close()
        # the administrator's decision page for the study just requested
        admin = live.page(browser, locale)
        sign_in_page(admin, "admin@demo.irikteu.kz", "demo-admin-2026")
        admin.goto("/research/studies")
        admin.get_by_role("link", name=f"Study {locale}").click()
        assert admin.locator("input[name=decision]").count() == 2
        _accessible(axe, admin, locale, "research-study-decision")
        admin.context.close()
    assert not live.csp_errors
