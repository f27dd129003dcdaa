"""Item DIF by group from stored test answers: Mantel–Haenszel with the ETS A/B/C classes, by the code of
``irikteu evaluate items`` (``evaluation.items.analyse``), so the service and the command agree.

Each submitted test session is one row; an item scores 1 when its latest answer earns the point
(``Item.credits``: the key, or the keyed half of a personal-qualities Likert item, so the Likert items get
the dichotomous check too) and 0 otherwise, and is blank on forms that did not hold it. The matching
score is the section total. An item is analysed only when each group has at least the minimum cell of
answers to it; a group smaller than that hides the whole block.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from evaluation.items import ItemAnalysisError, analyse


def item_dif(
    responses: pd.DataFrame,
    *,
    group: str,
    scales: Mapping[str, Sequence[str]],
    min_cell: int,
    reference: str | None = None,
) -> dict[str, Any]:
    """DIF of every item with enough answers in both values of ``responses[group]`` (two values, others dropped)."""
    labels = responses[group].astype("string")
    counts = labels.value_counts()
    values = sorted(str(v) for v in counts.index if v != "unknown")
    if len(values) != 2:
        return {"group": group, "status": "not_two_groups", "values": values}
    if min(int(counts[v]) for v in values) < min_cell:
        return {"group": group, "status": "suppressed"}
    kept = responses[labels.isin(values)]
    usable: dict[str, list[str]] = {}
    for scale, items in scales.items():
        enough = [
            item
            for item in items
            if item in kept and kept.groupby(group)[item].count().reindex(values).fillna(0).min() >= min_cell
        ]
        if enough:
            usable[scale] = enough
    if not usable:
        return {"group": group, "status": "too_few_answers"}
    text = kept[[item for items in usable.values() for item in items]].map(
        lambda value: None if pd.isna(value) else str(int(value))
    )
    try:
        report = analyse(
            text.assign(**{group: kept[group].astype(str)}),
            scales=list(usable.items()),
            group=group,
            reference=reference,
        )
    except ItemAnalysisError as error:
        return {"group": group, "status": "not_estimable", "detail": error.message}
    dif = report["dif"]
    flagged = [
        {"item": item, "ets_class": row["ets_class"], "d_dif": row["d_dif"], "favours": row.get("favours")}
        for item, row in dif["items"].items()
        if row.get("ets_class") in ("B", "C")
    ]
    return {"group": group, "status": "ok", **dif, "flagged": flagged}
