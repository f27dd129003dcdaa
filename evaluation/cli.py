"""The ``irikteu evaluate`` command group: research evaluations (items, matching, speech, essays)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.db import make_engine, make_session_factory
from app.errors import DomainError
from app.settings import get_settings

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
    from evaluation.items import (  # noqa: PLC0415  loaded by its command only: every irikteu command imports this module
        ItemAnalysisError,
        analyse,
        parse_scale,
        read_key,
        read_responses,
        render_text,
    )

    try:
        scales = [parse_scale(spec) for spec in scale or []]
        table = read_responses(responses)
        answer_key = read_key(key) if key is not None else None
        report = analyse(table.frame, key=answer_key, scales=scales, group=group, reference=reference, irt=irt)
    except ItemAnalysisError as error:
        typer.echo(f"evaluate items: {error.message}", err=True)
        raise typer.Exit(INVALID_INPUT) from None
    report = {"input": {"file": str(responses), "layout": table.layout, "scored_with_key": key is not None}, **report}
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        typer.echo(render_text(report))


@evaluate_cli.command("matching")
def matching(
    data: Annotated[Path, typer.Option(help="job-board CSV: name, requirement, responsibility, professional_roles")] = (
        Path("../shared/data/jobs/hhkz_astana_vacancies.csv")
    ),
    cache_dir: Annotated[Path, typer.Option(help="on-disk embedding cache (model id + text hash)")] = (
        Path("var/cache/embeddings")
    ),
    folds: Annotated[int, typer.Option(min=2, help="query folds for tuning the hybrid's weights")] = 5,
    limit: Annotated[int | None, typer.Option(help="only the first N vacancies (a quick run)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Matching quality (issue 7): nDCG@10, MAP and recall@10 of BM25, embeddings alone and the hybrid.

    Exit 0 with the report on stdout; exit 2 with one line on stderr when the data is missing or bad.
    """
    from evaluation.matching import MatchingEvaluationError, evaluate, render_text  # noqa: PLC0415  loaded by its command only: every irikteu command imports this module

    try:
        report = evaluate(
            data, cache_dir=cache_dir, folds=folds, limit=limit, progress=lambda note: typer.echo(note, err=True)
        )
    except MatchingEvaluationError as error:
        typer.echo(f"evaluate matching: {error}", err=True)
        raise typer.Exit(INVALID_INPUT) from None
    typer.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json else render_text(report))


@evaluate_cli.command("asr")
def asr(
    data: Annotated[Path, typer.Option(help="folder with kk/*.wav and ru/*.wav, a .txt reference each")] = Path(
        "../shared/data/asr"
    ),
    legislation: Annotated[Path, typer.Option(help="the law texts the SYNTHETIC sentences come from")] = Path(
        "../shared/data/legislation"
    ),
    synthetic: Annotated[int, typer.Option(help="SYNTHETIC sentences per language (espeak-ng; 0: none)")] = 25,
    as_json: Annotated[bool, typer.Option("--json", help="the report as JSON (per-clip lines go to stderr)")] = False,
) -> None:
    """WER and CER of the interview transcriber per language, on the real clips and on SYNTHETIC speech.

    Exit 0 with the report on stdout; exit 2 with one line on stderr when data or espeak-ng is missing.
    """
    from app.transcripts.service import transcriber_config  # noqa: PLC0415  loaded by its command only: every irikteu command imports this module
    from evaluation.asr import EvaluationError, evaluate  # noqa: PLC0415  loaded by its command only: every irikteu command imports this module
    from ml.transcription import Transcriber  # noqa: PLC0415  loaded by its command only: every irikteu command imports this module

    settings = get_settings()
    try:
        transcriber = Transcriber(transcriber_config(settings))
        report = evaluate(
            data=data,
            legislation=legislation,
            synthetic=synthetic,
            cache=settings.data_dir / "eval" / "asr-synthetic",
            transcriber=transcriber,
            echo=lambda line: typer.echo(line, err=as_json),
        )
    except EvaluationError as error:
        typer.echo(f"evaluate asr: {error}", err=True)
        raise typer.Exit(INVALID_INPUT) from None
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    typer.echo(f"real clips: {json.dumps(report['per_language'], ensure_ascii=False)}")
    if report["synthetic"] is not None:
        typer.echo(f"{report['synthetic']['label']}: {json.dumps(report['synthetic']['per_language'])}")
    typer.echo(
        f"real-time factor over every clip here: {report['rtf']} (short clips pad to 30 s windows; "
        "see evaluation/bench/bench_asr.py for a 15-minute recording)"
    )


@evaluate_cli.command("aes")
def aes(
    data: Annotated[Path, typer.Option(help="folder with asap_training_set_rel3.tsv.gz and asap_nea_folds.tsv")] = (
        Path("../shared/data/essays")
    ),
    cache_dir: Annotated[Path, typer.Option(help="on-disk embedding cache (model id + role + text hash)")] = (
        Path("var/cache/embeddings")
    ),
    prompts: Annotated[str | None, typer.Option(help="only these prompts, e.g. 1,3 (default: all 8)")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="only the first N essays (by id) of each prompt")] = (None),
    curve_folds: Annotated[int, typer.Option(min=1, max=5, help="folds per learning-curve point")] = 5,
    curve: Annotated[bool, typer.Option("--curve/--no-curve", help="the learning curve (25..200, all)")] = True,
    cross_prompt: Annotated[
        bool, typer.Option("--cross-prompt/--no-cross-prompt", help="leave-one-prompt-out scores")
    ] = True,
    embed_only: Annotated[bool, typer.Option("--embed-only", help="only fill the embedding cache, then exit")] = False,
    report_dir: Annotated[Path | None, typer.Option("--report", help="write DIR/aes-report.md with PNG plots")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Essay scorer on ASAP-AES (issue 5): per-prompt QWK and ETS flags, learning curve, cross-prompt.

    Progress goes to stderr. Exit 0 with the report on stdout; exit 2 with one line on stderr when the
    data is missing or bad.
    """
    from evaluation import aes as aes_evaluation  # noqa: PLC0415  loaded by its command only: every irikteu command imports this module

    def progress(note: str) -> None:
        typer.echo(note, err=True)

    try:
        chosen = aes_evaluation.parse_prompts(prompts)
        if embed_only:
            summary = aes_evaluation.embed_only(
                data, prompts=chosen, limit=limit, cache_dir=cache_dir, progress=progress
            )
            typer.echo(
                json.dumps(summary)
                if as_json
                else f"embedded {summary['embedded']} essays with "
                f"{summary['embedder']} in {summary['seconds']} s (cache {summary['cache']})"
            )
            return
        evaluation = aes_evaluation.evaluate(
            data,
            prompts=chosen,
            limit=limit,
            curve_folds=curve_folds,
            learning_curve=curve,
            cross_prompt=cross_prompt,
            cache_dir=cache_dir,
            progress=progress,
        )
    except aes_evaluation.AesEvaluationError as error:
        typer.echo(f"evaluate aes: {error}", err=True)
        raise typer.Exit(INVALID_INPUT) from None
    if report_dir is not None:
        path = aes_evaluation.write_report(evaluation, report_dir)
        typer.echo(f"report written to {path}", err=True)
    report = evaluation.report
    typer.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json else aes_evaluation.render_text(report))


@evaluate_cli.command("fairness")
def fairness(
    competition: Annotated[int | None, typer.Option(help="one competition (stored data)")] = None,
    body: Annotated[str | None, typer.Option(help="a state body's code: all its competitions")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="first day (YYYY-MM-DD) of a period")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="last day (YYYY-MM-DD) of a period")] = None,
    data: Annotated[Path | None, typer.Option(help="a CSV instead of the database (see evaluation/bias.py)")] = None,
    groups: Annotated[str | None, typer.Option(help="e.g. sex,language,sex*language (default: every group)")] = None,
    min_cell: Annotated[int | None, typer.Option(min=1, help="default: IRIKTEU_RESEARCH_MIN_CELL")] = None,
    report_dir: Annotated[Path | None, typer.Option("--report", help="write DIR/fairness-report.md with plots")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Fairness audit (issue 16): selection and scoring rates per group, impact ratios, tests, the essay model.

    One scope: --competition, or --body and/or --from/--to, or --data. Progress goes to stderr; exit 2 with
    one line on stderr when the input is bad.
    """
    from app.research.service import research_audit, research_scope  # noqa: PLC0415  loaded by its command only: every irikteu command imports this module
    from evaluation.bias import FairnessInputError, evaluate_file, write_report  # noqa: PLC0415  loaded by its command only: every irikteu command imports this module

    def progress(note: str) -> None:
        typer.echo(note, err=True)

    settings = get_settings()
    cell = min_cell if min_cell is not None else settings.research_min_cell
    scopes = [
        competition is not None,
        body is not None or date_from is not None or date_to is not None,
        data is not None,
    ]
    try:
        if sum(scopes) != 1:
            raise FairnessInputError("give exactly one scope: --competition, --body and/or --from/--to, or --data")
        if data is not None:
            report = evaluate_file(data, groups=groups, min_cell=cell, progress=progress)
        else:
            scope = research_scope(competition_id=competition, body_code=body, date_from=date_from, date_to=date_to)
            engine = make_engine(settings.resolved_database_url)
            try:
                with make_session_factory(engine)() as session:
                    report = research_audit(
                        session=session,
                        scope=scope,
                        groups=groups,
                        min_cell=cell,
                        secret_key=settings.secret_key,
                        progress=progress,
                    )
            finally:
                engine.dispose()
    except (FairnessInputError, DomainError) as error:
        typer.echo(f"evaluate fairness: {error.detail if isinstance(error, DomainError) else error}", err=True)
        raise typer.Exit(INVALID_INPUT) from None
    if report_dir is not None:
        typer.echo(f"report written to {write_report(report, report_dir)}", err=True)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        flags = report["flags"]
        typer.echo(f"{len(report['stages'])} stages, {len(report['groups'])} group definitions, {len(flags)} flags")
        for flag in flags:
            typer.echo(f"  {flag['stage']}: {flag['group']} = {flag['value']} ({flag['kind']})")
