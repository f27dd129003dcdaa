"""``irikteu items``: validate the bank, import items from CSV or QTI 3.0, export them as QTI 3.0."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.items.bank import DEFAULT_BANK_PATH, InvalidItemBankError, load_bank
from app.items.importing import import_items
from app.items.item import PROGRAMMES
from app.items.qti import ImportDefaults, export_qti

items_cli = typer.Typer(help="The item bank: validate, import, export.", no_args_is_help=True)

INVALID_INPUT = 2
BANK = Path("item_bank")


def _bank_path(path: Path) -> Path:
    """``item_bank`` relative to the working directory, else the repository's (run from anywhere)."""
    return DEFAULT_BANK_PATH if path == BANK and not path.exists() else path


@items_cli.command("validate")
def validate(
    path: Annotated[Path, typer.Argument(help="a YAML file or a folder of them")] = BANK,
) -> None:
    """Check every item (schema, key, options in both languages, unique ids, content hash); exit 2 on problems."""
    try:
        bank = load_bank(_bank_path(path))
    except InvalidItemBankError as error:
        for problem in error.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(INVALID_INPUT) from None
    typer.echo(f"{len(bank)} items valid")


@items_cli.command("import")
def import_(
    sources: Annotated[
        list[Path], typer.Argument(help="CSV files, QTI 3.0 item XML files, folders of them, or .zip content packages")
    ],
    target: Annotated[Path, typer.Option("--target", help="folder the YAML files go to")] = Path("item_bank/imported"),
    bank: Annotated[Path, typer.Option("--bank", help="the bank whose ids must not be reused")] = BANK,
    programme: Annotated[str | None, typer.Option(help="programme of items that do not name one")] = None,
    section: Annotated[str | None, typer.Option(help="section of items that do not name one")] = None,
    source: Annotated[str | None, typer.Option(help="source text of items that do not name one")] = None,
) -> None:
    """Import items (CSV columns: see app/items/importing.py) as YAML files; all or nothing, exit 2 on problems."""
    try:
        written = import_items(
            sources,
            target,
            bank=_bank_path(bank),
            defaults=ImportDefaults(programme=programme, section=section, source=source),
        )
    except InvalidItemBankError as error:
        for problem in error.problems:
            typer.echo(str(problem), err=True)
        typer.echo("nothing imported", err=True)
        raise typer.Exit(INVALID_INPUT) from None
    typer.echo(f"{len(written)} items imported into {target}")


@items_cli.command("export")
def export(
    qti: Annotated[Path, typer.Option("--qti", help="folder to write the QTI 3.0 package to")],
    programme: Annotated[str | None, typer.Option(help="only this programme")] = None,
    bank: Annotated[Path, typer.Option("--bank", help="the bank to export")] = BANK,
) -> None:
    """Write every item as QTI 3.0 (items/<id>.kk.xml and .ru.xml) with an imsmanifest.xml."""
    if programme is not None and programme not in PROGRAMMES:
        typer.echo(f"unknown programme {programme} (one of {', '.join(PROGRAMMES)})", err=True)
        raise typer.Exit(INVALID_INPUT)
    try:
        loaded = load_bank(_bank_path(bank))
    except InvalidItemBankError as error:
        for problem in error.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(INVALID_INPUT) from None
    items = sorted(
        (item for item in loaded if programme is None or item.programme == programme), key=lambda item: item.id
    )
    export_qti(items, qti)
    typer.echo(f"{len(items)} items exported to {qti}")
