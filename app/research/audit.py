"""One fairness audit over any scope: records in, aggregates out (the command, the API and the benchmark share it).

Inputs are three plain tables, however they were gathered (from the database by
``app.research.service`` or from a CSV by ``evaluation.bias``):

- ``records``: one row per application (index: an opaque application key) with the source columns of
  ``app.research.groups.SOURCE_COLUMNS``;
- ``stages``: one row per application and stage it entered: ``application``, ``stage``, ``selected``
  (went on) and, for the scored stages, ``score``;
- ``essays`` (optional): ``application``, ``human`` (the final essay score) and ``machine`` (the
  pre-scoring model's suggestion).

The report holds group figures only: no key, IIN, birth date or other source value leaves here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

import pandas as pd

from app.research.groups import UNKNOWN, describe, group_columns, parts_of

STAGE_ORDER: Final[tuple[str, ...]] = (
    "application",
    "eligibility",
    "personal_qualities",
    "reasoning",
    "essay",
    "practical",
    "interview",
    "final",
)
"""``application``: the HR decision on the documents; the others are the rules core's stages."""
SCORED_STAGES: Final[frozenset[str]] = frozenset({"personal_qualities", "essay", "practical", "interview", "final"})


def _order(stage: str) -> tuple[int, str]:
    return (STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER), stage)


def run_audit(
    *,
    records: pd.DataFrame,
    stages: pd.DataFrame,
    essays: pd.DataFrame | None,
    groups: Sequence[str],
    min_cell: int,
    scope: dict[str, Any],
    draws: int = 2000,
    progress: Callable[[str], None] = lambda _note: None,
) -> dict[str, Any]:
    """Every stage's figures and the essay model's agreement for each group name (intersections included)."""
    from app.research.figures import model_figures, stage_figures  # noqa: PLC0415  statsmodels, SciPy and Fairlearn load in seconds; the service starts without them

    labels = group_columns(records, groups)
    progress(f"groups assigned to {len(labels)} applications")
    joined = stages.join(labels, on="application")
    report: dict[str, Any] = {
        "scope": scope,
        "min_cell": min_cell,
        "applications": len(records) if len(records) >= min_cell else None,
        "groups": describe(groups),
        "unknown": {},
        "stages": {},
        "essay_model": None,
    }
    for name in groups:
        unknown = int((labels[name] == UNKNOWN).sum())
        report["unknown"][name] = unknown if unknown == 0 or unknown >= min_cell else f"<{min_cell}"
    hidden: dict[str, set[str]] = {name: set() for name in groups}
    for stage in sorted(joined["stage"].unique(), key=_order):
        rows = joined[joined["stage"] == stage]
        frame_columns = ["selected", *(["score"] if stage in SCORED_STAGES and "score" in rows else [])]
        block: dict[str, Any] = {"entered": len(rows) if len(rows) >= min_cell else None, "by_group": {}}
        for name in groups:
            figures = stage_figures(
                rows[[*frame_columns, name]],
                name,
                min_cell=min_cell,
                intersection=len(parts_of(name)) == 2,
                draws=draws,
                hidden_earlier=sorted(hidden[name]),
            )
            hidden[name].update(figures["suppressed"])
            block["by_group"][name] = figures
        report["stages"][str(stage)] = block
        progress(f"stage {stage}: {len(rows)} entries, {len(groups)} group definitions")
    if essays is not None and len(essays):
        scored = essays.join(labels, on="application")
        report["essay_model"] = {
            "n": len(scored) if len(scored) >= min_cell else None,
            "by_group": {
                name: model_figures(
                    scored[["human", "machine", name]], name, min_cell=min_cell, intersection=len(parts_of(name)) == 2
                )
                for name in groups
            },
        }
        progress(f"essay model: {len(scored)} essays")
    return report


def flagged(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every adverse-impact and model flag of a report, one line each (for the summary)."""
    found: list[dict[str, Any]] = []
    for stage, block in report["stages"].items():
        for name, figures in block["by_group"].items():
            for row in figures["groups"]:
                if row.get("four_fifths_flag"):
                    found.append(
                        {
                            "stage": stage,
                            "group": name,
                            "value": row["group"],
                            "kind": "impact_ratio",
                            "impact_ratio": row["impact_ratio"],
                            "fisher_p": row["fisher_p"],
                        }
                    )
                if row.get("scoring_four_fifths_flag"):
                    found.append(
                        {
                            "stage": stage,
                            "group": name,
                            "value": row["group"],
                            "kind": "scoring_rate",
                            "impact_ratio": row["scoring_impact_ratio"],
                        }
                    )
    for name, block in ((report.get("item_dif") or {}).get("by_group") or {}).items():
        for item in block.get("flagged", []):
            found.append(
                {
                    "stage": "items",
                    "group": name,
                    "value": item["item"],
                    "kind": "item_dif",
                    "ets_class": item["ets_class"],
                    "d_dif": item["d_dif"],
                }
            )
    model = report.get("essay_model") or {}
    for name, figures in (model.get("by_group") or {}).items():
        for row in figures["groups"]:
            if row.get("smd_flag"):
                found.append(
                    {"stage": "essay_model", "group": name, "value": row["group"], "kind": "smd", "smd": row["smd"]}
                )
    return found
