"""Importing items from CSV and QTI 3.0 into YAML files, all or nothing.

CSV columns (UTF-8, header row, one item per row; ``*`` = required):

- ``id``\\*, ``programme``\\*, ``section``\\*, ``key``\\* (an option id ``a``–``f``)
- ``version`` (default 1), ``type`` (default ``single_choice``; ``pq_likert`` for personal qualities)
- ``kk_stem``\\*, ``ru_stem``\\*, ``kk_passage``, ``ru_passage``
- ``kk_table``, ``ru_table``: JSON ``{"columns": [...], "rows": [[...], ...], "caption": "..."}``
- ``kk_a`` … ``kk_f``, ``ru_a`` … ``ru_f``: option texts; an empty cell means no such option
- ``source_act``, ``source_article`` (legislation) or ``source`` (free text for the others)
- ``review_status`` (``draft`` by default), ``review_by``, ``review_at`` (YYYY-MM-DD), ``demo`` (true/false)

The content hash is computed on import. Every item is checked (schema, semantics, ids unique in
the import and new to the bank) before anything is written; one problem and nothing is written.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from app.items.bank import (
    DEFAULT_BANK_PATH,
    InvalidItemBankError,
    ParsedItem,
    Problem,
    check_items,
    dump_yaml,
    parse_file,
    yaml_files,
)
from app.items.item import Item, compute_content_hash
from app.items.qti import ImportDefaults, parse_qti_item, read_qti_sources, variants_to_documents

OPTION_LETTERS = "abcdef"
CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "version",
    "programme",
    "section",
    "type",
    "key",
    "kk_stem",
    "ru_stem",
    "kk_passage",
    "ru_passage",
    "kk_table",
    "ru_table",
    *(f"{language}_{letter}" for language in ("kk", "ru") for letter in OPTION_LETTERS),
    "source_act",
    "source_article",
    "source",
    "review_status",
    "review_by",
    "review_at",
    "demo",
)
CSV_REQUIRED: tuple[str, ...] = ("id", "programme", "section", "key", "kk_stem", "ru_stem")


def read_csv(path: Path, defaults: ImportDefaults | None = None) -> tuple[list[ParsedItem], list[Problem]]:
    """Item documents of a CSV file, each with the line its row starts on."""
    defaults = defaults or ImportDefaults()
    name = str(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        return [], [Problem(name, 1, f"cannot read: {error.strerror}")]
    parsed: list[ParsedItem] = []
    problems: list[Problem] = []
    with handle:
        try:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                return [], [Problem(name, 1, "empty CSV file")]
            header = [column.strip() for column in header]
            unknown = [column for column in header if column not in CSV_COLUMNS]
            missing = [column for column in CSV_REQUIRED if column not in header]
            if unknown:
                problems.append(Problem(name, 1, f"unknown column(s): {', '.join(unknown)}"))
            if missing:
                problems.append(Problem(name, 1, f"missing column(s): {', '.join(missing)}"))
            if problems:
                return [], problems
            line = reader.line_num + 1
            for row in reader:
                if any(cell.strip() for cell in row):
                    if len(row) != len(header):
                        problems.append(Problem(name, line, f"{len(row)} cells for {len(header)} columns"))
                    else:
                        document, row_problems = _row_document(dict(zip(header, row, strict=True)), defaults)
                        problems.extend(Problem(name, line, message) for message in row_problems)
                        if not row_problems:
                            parsed.append(ParsedItem(name, document, {(): line}, ()))
                line = reader.line_num + 1
        except (csv.Error, UnicodeDecodeError) as error:
            problems.append(Problem(name, line if "line" in locals() else 1, f"not a readable CSV file: {error}"))
    return parsed, problems


def _row_document(row: dict[str, str], defaults: ImportDefaults) -> tuple[dict[str, Any], list[str]]:
    cell = {column: value.strip() for column, value in row.items()}
    problems: list[str] = []
    programme = cell.get("programme") or defaults.programme or ""
    text: dict[str, Any] = {}
    for language in ("kk", "ru"):
        entry: dict[str, Any] = {"stem": cell.get(f"{language}_stem", "")}
        if cell.get(f"{language}_passage"):
            entry["passage"] = cell[f"{language}_passage"]
        if cell.get(f"{language}_table"):
            try:
                entry["table"] = json.loads(cell[f"{language}_table"])
            except json.JSONDecodeError as error:
                problems.append(f"{language}_table: not valid JSON ({error.msg})")
        entry["options"] = [
            {"id": letter, "text": cell[f"{language}_{letter}"]}
            for letter in OPTION_LETTERS
            if cell.get(f"{language}_{letter}")
        ]
        text[language] = entry
    source: Any
    if cell.get("source_act"):
        source = {"act": cell["source_act"]}
        if cell.get("source_article"):
            source["article"] = cell["source_article"]
    else:
        source = cell.get("source") or defaults.source or ""
    review: dict[str, str] = {"status": cell.get("review_status") or "draft"}
    for field in ("by", "at"):
        if cell.get(f"review_{field}"):
            review[field] = cell[f"review_{field}"]
    version: Any = cell.get("version") or "1"
    if version.isdigit():
        version = int(version)
    demo = cell.get("demo", "").lower()
    if demo not in ("", "true", "false"):
        problems.append("demo: must be true or false")
    document = {
        "id": cell.get("id", ""),
        "version": version,
        "programme": programme,
        "section": cell.get("section") or defaults.section or "",
        "type": cell.get("type") or ("pq_likert" if programme == "personal_qualities" else "single_choice"),
        "text": text,
        "key": cell.get("key", ""),
        "source": source,
        "review": review,
        "demo": demo == "true",
    }
    document["content_hash"] = compute_content_hash(document)
    return document, problems


def read_qti(paths: Sequence[Path], defaults: ImportDefaults | None = None) -> tuple[list[ParsedItem], list[Problem]]:
    """Item documents of QTI files, folders or .zip packages (kk and ru variants paired by identifier)."""
    sources, problems = read_qti_sources(paths)
    variants = []
    for name, data in sources:
        variant, item_problems = parse_qti_item(name, data)
        problems.extend(item_problems)
        if variant is not None and not item_problems:
            variants.append(variant)
    documents, pairing_problems = variants_to_documents(variants, defaults or ImportDefaults())
    problems.extend(pairing_problems)
    for _, document in documents:
        document.setdefault("content_hash", compute_content_hash(document))
    return [ParsedItem(file, document, {(): 1}, ()) for file, document in documents], problems


def import_items(
    sources: Sequence[Path],
    target: Path,
    *,
    bank: Path | None = DEFAULT_BANK_PATH,
    defaults: ImportDefaults | None = None,
) -> list[Path]:
    """Import CSV and QTI sources into ``target/<id>.yaml`` files; all or nothing.

    ``InvalidItemBankError`` lists every problem when any source has one, an item's id is already
    in ``bank`` (or twice in the import), or a file it would write exists; then nothing is written.
    """
    parsed: list[ParsedItem] = []
    problems: list[Problem] = []
    qti_sources = [source for source in sources if source.suffix.lower() != ".csv"]
    for source in sources:
        if not source.exists():
            problems.append(Problem(str(source), 1, "no such file or folder"))
        elif source.suffix.lower() == ".csv":
            found, csv_problems = read_csv(source, defaults)
            parsed.extend(found)
            problems.extend(csv_problems)
    if qti_sources and all(source.exists() for source in qti_sources):
        found, qti_problems = read_qti(qti_sources, defaults)
        parsed.extend(found)
        problems.extend(qti_problems)
    items, item_problems = check_items(parsed)
    problems.extend(item_problems)
    problems.extend(_conflicts(parsed, items, target, bank))
    if problems:
        raise InvalidItemBankError(sorted(set(problems)))
    return _write_all(items, target)


def _conflicts(parsed: Iterable[ParsedItem], items: Sequence[Item], target: Path, bank: Path | None) -> list[Problem]:
    where = {candidate.document.get("id"): candidate for candidate in parsed if isinstance(candidate.document, dict)}
    existing: dict[str, str] = {}
    for root in {path for path in (bank, target) if path is not None and path.exists()}:
        for file in yaml_files(root):
            documents, _ = parse_file(file)
            for document in documents:
                if isinstance(document.document, dict) and isinstance(document.document.get("id"), str):
                    existing.setdefault(document.document["id"], f"{document.file}:{document.line('id')}")
    problems = []
    for item in items:
        candidate = where[item.id]
        if item.id in existing:
            problems.append(
                Problem(candidate.file, candidate.line(), f"id {item.id} is already in the bank ({existing[item.id]})")
            )
        elif (target / f"{item.id}.yaml").exists():
            problems.append(Problem(candidate.file, candidate.line(), f"{target / (item.id + '.yaml')} exists"))
    return problems


def _write_all(items: Sequence[Item], target: Path) -> list[Path]:
    """Write into a scratch folder beside ``target`` first, then move the files in (or the folder, if new)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".import-", dir=target.parent))
    try:
        for item in items:
            (scratch / f"{item.id}.yaml").write_text(dump_yaml([item]), encoding="utf-8")
        if not target.exists():
            os.replace(scratch, target)
        else:
            for item in items:
                os.replace(scratch / f"{item.id}.yaml", target / f"{item.id}.yaml")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return [target / f"{item.id}.yaml" for item in items]
