"""Loading the item bank from YAML: JSON Schema and semantic checks, each problem with its file and line.

A YAML file holds one item (a mapping with ``id``) or a small group (a mapping with ``items:``, a
list of items). ``validate_path`` reports every problem; ``load_bank`` refuses a bank with any.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from app.items.item import LIKERT_OPTIONS, VALIDITY_SECTION, Item, compute_content_hash
from app.settings import get_settings

DEFAULT_BANK_PATH = get_settings().item_bank_dir
SCHEMA_PATH = DEFAULT_BANK_PATH / "schema" / "item.schema.json"
YAML_SUFFIXES = (".yaml", ".yml")
ARTICLE_REQUIRED = ("constitution", "civil_service")
"""Acts whose items must name the article they test (their texts are in the repository's sources)."""

PathKey = tuple[str | int, ...]


class ItemBankError(ValueError):
    """Base of the item bank's errors; ``code`` is stable."""

    code = "item_bank_error"


@dataclass(frozen=True, order=True)
class Problem:
    """One validation problem; ``str()`` gives ``file:line: message``."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class InvalidItemBankError(ItemBankError):
    """The bank (or an import) has problems; nothing of it is used."""

    code = "invalid_item_bank"

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class UnknownItemError(ItemBankError, KeyError):
    code = "unknown_item"


@dataclass(frozen=True)
class Bank:
    """Validated items by id (one version per id)."""

    items: Mapping[str, Item]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Item]:
        return iter(self.items.values())

    def get(self, item_id: str) -> Item:
        try:
            return self.items[item_id]
        except KeyError:
            raise UnknownItemError(f"no item {item_id!r} in the bank") from None

    def approved(self, programme: str, section: str | None = None) -> list[Item]:
        """Approved items of a programme (and section), ordered by id."""
        return sorted(
            (
                item
                for item in self.items.values()
                if item.approved and item.programme == programme and (section is None or item.section == section)
            ),
            key=lambda item: item.id,
        )


@dataclass(frozen=True)
class ParsedItem:
    """An item document as found in a file, with the line of every node."""

    file: str
    document: Any
    lines: Mapping[PathKey, int]
    base: PathKey

    def line(self, *path: str | int) -> int:
        """The line of the deepest node of ``path`` that exists (1-based)."""
        full = self.base + tuple(path)
        while full not in self.lines and full:
            full = full[:-1]
        return self.lines.get(full, 1)


def validate_path(path: str | Path) -> list[Problem]:
    """Every problem of the YAML files under ``path`` (a file or a folder), in file and line order."""
    _, problems = _load(Path(path))
    return problems


def load_bank(path: str | Path = DEFAULT_BANK_PATH) -> Bank:
    """The validated bank under ``path``; raises ``InvalidItemBankError`` listing every problem."""
    items, problems = _load(Path(path))
    if problems:
        raise InvalidItemBankError(problems)
    return Bank(items={item.id: item for item in items})


@cache
def default_bank() -> Bank:
    """The repository's bank (``item_bank/``), loaded once per process."""
    return load_bank(DEFAULT_BANK_PATH)


def yaml_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(
        candidate for candidate in path.rglob("*") if candidate.suffix in YAML_SUFFIXES and candidate.is_file()
    )


def _load(path: Path) -> tuple[list[Item], list[Problem]]:
    if not path.exists():
        return [], [Problem(str(path), 1, "no such file or folder")]
    parsed: list[ParsedItem] = []
    problems: list[Problem] = []
    for file in yaml_files(path):
        found, file_problems = parse_file(file)
        parsed.extend(found)
        problems.extend(file_problems)
    items, item_problems = check_items(parsed)
    problems.extend(item_problems)
    return items, sorted(problems, key=lambda problem: (problem.file, problem.line, problem.message))


def check_items(parsed: Iterable[ParsedItem]) -> tuple[list[Item], list[Problem]]:
    """Schema and semantic checks of parsed documents, and unique ids across them."""
    items: list[Item] = []
    problems: list[Problem] = []
    first_seen: dict[str, str] = {}
    for candidate in parsed:
        item_problems = _schema_problems(candidate)
        if not item_problems:
            item_problems = _semantic_problems(candidate)
        document = candidate.document
        if isinstance(document, Mapping) and isinstance(document.get("id"), str):
            where = f"{candidate.file}:{candidate.line('id')}"
            if document["id"] in first_seen:
                item_problems.append(
                    Problem(
                        candidate.file,
                        candidate.line("id"),
                        f"duplicate id {document['id']} (first at {first_seen[document['id']]})",
                    )
                )
            else:
                first_seen[document["id"]] = where
        problems.extend(item_problems)
        if not item_problems:
            items.append(Item.from_dict(document))
    return items, problems


def parse_file(file: Path) -> tuple[list[ParsedItem], list[Problem]]:
    """The item documents of one YAML file, or the problems that stop it from being read."""
    name = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return [], [Problem(name, 1, "not UTF-8 text")]
    except OSError as error:
        return [], [Problem(name, 1, f"cannot read: {error.strerror}")]
    return parse_text(text, name)


def parse_text(text: str, name: str) -> tuple[list[ParsedItem], list[Problem]]:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        return [], [Problem(name, line, f"not valid YAML: {error.problem or error.context}")]
    except yaml.YAMLError as error:
        return [], [Problem(name, 1, f"not valid YAML: {error}")]
    if node is None:
        return [], [Problem(name, 1, "empty file")]
    lines: dict[PathKey, int] = {}
    problems: list[Problem] = []
    document = _build(node, (), lines, problems, name, _Loader(""))
    if problems:
        return [], problems
    if isinstance(document, Mapping) and "items" in document and "id" not in document:
        group = document["items"]
        if set(document) != {"items"} or not isinstance(group, list):
            return [], [Problem(name, lines[()], "a group file is a mapping with one key, items: a list of items")]
        return [ParsedItem(name, member, lines, ("items", index)) for index, member in enumerate(group)], []
    return [ParsedItem(name, document, lines, ())], []


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader (libyaml's when present) that keeps dates as strings (the schema wants ``review.at`` as text)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _build(
    node: Any,
    path: PathKey,
    lines: dict[PathKey, int],
    problems: list[Problem],
    name: str,
    constructor: _Loader,
    line: int | None = None,
) -> Any:
    # A mapping member's line is its key's: a block mapping value starts on the line below the key.
    lines[path] = line or node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                problems.append(Problem(name, key_node.start_mark.line + 1, f"key {key!r} is not a string"))
                continue
            if key in result:
                problems.append(Problem(name, key_node.start_mark.line + 1, f"duplicate key {key}"))
                continue
            result[key] = _build(
                value_node, (*path, key), lines, problems, name, constructor, key_node.start_mark.line + 1
            )
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(member, (*path, index), lines, problems, name, constructor)
            for index, member in enumerate(node.value)
        ]
    return constructor.construct_object(node, deep=True)


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def item_schema() -> dict[str, Any]:
    """The item JSON Schema (2020-12)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _dotted(path: Iterable[str | int]) -> str:
    return ".".join(str(part) for part in path)


def _schema_problems(candidate: ParsedItem) -> list[Problem]:
    problems = []
    errors = sorted(_validator().iter_errors(candidate.document), key=lambda error: list(map(str, error.path)))
    for error in errors:
        # oneOf/anyOf say only "is not valid under any of the given schemas": name the closest branch's error.
        best = jsonschema.exceptions.best_match([error])
        while best.context:
            best = jsonschema.exceptions.best_match(best.context)
        where = _dotted(best.absolute_path)
        message = f"{where}: {best.message}" if where else best.message
        problems.append(Problem(candidate.file, candidate.line(*best.absolute_path), message))
    return problems


def _semantic_problems(candidate: ParsedItem) -> list[Problem]:
    document = candidate.document
    problems: list[Problem] = []

    def add(message: str, *path: str | int) -> None:
        problems.append(Problem(candidate.file, candidate.line(*path), message))

    texts = document["text"]
    ids = {language: [option["id"] for option in texts[language]["options"]] for language in ("kk", "ru")}
    for language, option_ids in ids.items():
        seen: set[str] = set()
        for index, option_id in enumerate(option_ids):
            if option_id in seen:
                add(f"duplicate option id {option_id} in {language}", "text", language, "options", index, "id")
            seen.add(option_id)
    if ids["kk"] != ids["ru"]:
        add(
            f"option ids differ between kk ({', '.join(ids['kk'])}) and ru ({', '.join(ids['ru'])})",
            "text",
            "ru",
            "options",
        )
    if document["key"] not in ids["kk"]:
        add(f"key {document['key']} is not among the options ({', '.join(ids['kk'])})", "key")
    if document["type"] == "pq_likert":
        if tuple(ids["kk"]) != LIKERT_OPTIONS:
            add("a pq_likert item has the four options a, b, c, d (disagree to agree)", "text", "kk", "options")
        if document["key"] not in (LIKERT_OPTIONS[0], LIKERT_OPTIONS[-1]):
            add("a pq_likert item keys an end of the scale (a or d)", "key")
    source = document["source"]
    if document["programme"] == "legislation":
        if not isinstance(source, Mapping):
            add("a legislation item cites {act, article}", "source")
        elif source["act"] != document["section"]:
            add(f"source.act {source['act']} is not the item's section {document['section']}", "source", "act")
        elif source["act"] in ARTICLE_REQUIRED and "article" not in source:
            add(f"a {source['act']} item cites the article it tests (source.article)", "source")
    elif isinstance(source, Mapping):
        add("only legislation items cite {act, article}; give a text source", "source")
    if (
        document["programme"] == "personal_qualities"
        and document["section"] == VALIDITY_SECTION
        and document["type"] != "pq_likert"
    ):  # pragma: no cover - the schema already requires pq_likert
        add("validity items are pq_likert", "type")
    for language in ("kk", "ru"):
        table = texts[language].get("table")
        if table is not None:
            for index, row in enumerate(table["rows"]):
                if len(row) != len(table["columns"]):
                    add(
                        f"row {index + 1} has {len(row)} cells for {len(table['columns'])} columns",
                        "text",
                        language,
                        "table",
                        "rows",
                        index,
                    )
    tables = [texts[language].get("table") for language in ("kk", "ru")]
    if (tables[0] is None) != (tables[1] is None) or (
        tables[0] is not None
        and tables[1] is not None
        and [len(row) for row in tables[0]["rows"]] != [len(row) for row in tables[1]["rows"]]
    ):
        add("the kk and ru tables differ in shape", "text", "ru", "table")
    if (texts["kk"].get("passage") is None) != (texts["ru"].get("passage") is None):
        add("a passage is given in one language only", "text")
    expected = compute_content_hash(document)
    if document["content_hash"] != expected:
        add(f"content_hash does not match the content (computed {expected})", "content_hash")
    return problems


def dump_yaml(items: Iterable[Item]) -> str:
    """YAML text of a group file holding ``items`` (one item: still a group of one)."""
    documents = [item.to_dict() for item in items]
    return str(yaml.dump({"items": documents}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100))


class _Dumper(yaml.SafeDumper):  # type: ignore[misc]
    """Multi-line strings as literal blocks, so passages read as written."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
