"""Item DIF from test answers: a planted item is flagged C; small groups and sparse items are held back."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.contingency_tables import StratifiedTable

from app.research.dif import item_dif


def _responses(n: int = 1000, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sex = np.where(np.arange(n) % 2 == 0, "female", "male")
    ability = rng.normal(0, 1, n)
    items = {}
    for k in range(10):
        shift = -1.2 * (sex == "female") if k == 0 else 0.0
        items[f"L{k}"] = (rng.random(n) < 1 / (1 + np.exp(-(ability + shift)))).astype(float)
    frame = pd.DataFrame({**items, "sex": sex})
    frame.loc[: n - 30, "rare"] = np.nan  # an item on few forms: 29 answers, so under the minimum per group
    frame.loc[n - 29 :, "rare"] = 1.0
    return frame


def test_a_planted_item_is_flagged_and_its_odds_ratio_is_statsmodels_mantel_haenszel() -> None:
    frame = _responses()
    scales = {"legislation:all": [f"L{k}" for k in range(10)] + ["rare"]}
    found = item_dif(frame, group="sex", scales=scales, min_cell=20, reference="male")
    assert found["status"] == "ok" and "rare" not in found["items"]
    assert [(f["item"], f["ets_class"], f["favours"]) for f in found["flagged"]] == [("L0", "C", "reference")]
    total = frame[[f"L{k}" for k in range(10)]].sum(axis=1)
    tables = []
    for level in sorted(total.unique()):
        at = frame[total == level]
        ref, foc = at[at["sex"] == "male"]["L0"], at[at["sex"] == "female"]["L0"]
        if len(ref) and len(foc):
            tables.append([[ref.sum(), len(ref) - ref.sum()], [foc.sum(), len(foc) - foc.sum()]])
    pooled = StratifiedTable(np.moveaxis(np.array(tables, dtype=float), 0, -1)).oddsratio_pooled
    assert abs(found["items"]["L0"]["alpha_mh"] - pooled) < 1e-9


def test_a_group_under_the_minimum_cell_hides_the_block() -> None:
    frame = _responses(n=60)
    frame.loc[:50, "sex"] = "male"
    assert item_dif(frame, group="sex", scales={"s": ["L0", "L1"]}, min_cell=10) == {
        "group": "sex",
        "status": "suppressed",
    }
