"""The ``irikteu evaluate`` command group: research evaluations (item analysis now; essays, speech later)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

evaluate_cli = typer.Typer(help="Research evaluations (item analysis, ...).", no_args_is_help=True)

INVALID_INPUT = 2


@evaluate_cli.command("items")
def items(
    responses: Annotated[Path, typer.Argument(help="CSV: a row per person, a column per item (or Subj,Items,Scores)")],
    key: Annotated[Path | None, typer.Option(help="CSV with columns item,key: score chosen options 0/1")] = None,
    scale: Annotated[list[str] | None, typer.Option(help="NAME=COL,COL,... (repeatable; default: all items)")] = None,
    group: Annotated[str | None, typer.Option(help="column with two groups: Mantel-Haenszel DIF per item")] = None,
    reference: Annotated[str | None, typer.Option(help="reference group (default: first value sorted)")] = None,
    irt: Annotated[bool, typer.Option("--irt", help="also fit a 2PL model (girth) to the dichotomous items")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Classical item analysis: difficulty, discrimination, distractors, Cronbach's alpha, DIF.

    Exit 0 with the report on stdout; exit 2 with one line on stderr when the input is bad.
    """
    from evaluation.items import ItemAnalysisError, analyse, parse_scale, read_key, read_responses, render_text

    try:
        scales = [parse_scale(spec) for spec in scale or []]
        table = read_responses(responses)
        answer_key = read_key(key) if key is not None else None
        report = analyse(table.frame, key=answer_key, scales=scales, group=group, reference=reference, irt=irt)
    except ItemAnalysisError as error:
        typer.echo(f"evaluate items: {error.message}", err=True)
        raise typer.Exit(INVALID_INPUT) from None
    report = {"input": {"file": str(responses), "layout": table.layout, "scored_with_key": key is not None},
              **report}
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        typer.echo(render_text(report))
