"""IMS QTI 3.0 export and import of single-choice items (``qti-choice-interaction``, as TAO exports them).

Languages: QTI holds one language per item body, so an item is exported as two
``qti-assessment-item`` documents with the same ``identifier`` (the item id) and ``xml:lang="kk"`` or
``"ru"``, files ``items/<id>.kk.xml`` and ``items/<id>.ru.xml``, listed in ``imsmanifest.xml``.
Import pairs documents by identifier and needs both languages; choice identifiers that are not
single letters (TAO's ``choice_1``, ``choice_2``, ...) become ``a``, ``b``, ... in document order.
What QTI has no element for (programme, section, type, version, source, review, demo, content
hash) travels in ``data-irikteu-*`` attributes of ``qti-item-body`` (QTI 3.0 allows ``data-*`` on
body elements); a TAO item without them takes programme and section from the importer's defaults and starts as a draft.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from app.items.bank import Problem
from app.items.item import LANGUAGES, Item

QTI_NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
MANIFEST_NS = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_LOCATION = f"{QTI_NS} https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd"
MATCH_CORRECT = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"
ITEM_RESOURCE_TYPE = "imsqti_item_xmlv3p0"
DATA = "data-irikteu-"


def _q(tag: str) -> str:
    return f"{{{QTI_NS}}}{tag}"


# --- export ------------------------------------------------------------------------------------------------


def item_xml(item: Item, language: str) -> bytes:
    """One language of ``item`` as a QTI 3.0 ``qti-assessment-item`` document."""
    ET.register_namespace("", QTI_NS)
    ET.register_namespace("xsi", XSI_NS)
    text = item.text("kk" if language == "kk" else "ru")
    root = ET.Element(
        _q("qti-assessment-item"),
        {
            f"{{{XSI_NS}}}schemaLocation": SCHEMA_LOCATION,
            "identifier": item.id,
            "title": item.id,
            "adaptive": "false",
            "time-dependent": "false",
            XML_LANG: language,
        },
    )
    response = ET.SubElement(
        root,
        _q("qti-response-declaration"),
        {"identifier": "RESPONSE", "cardinality": "single", "base-type": "identifier"},
    )
    ET.SubElement(ET.SubElement(response, _q("qti-correct-response")), _q("qti-value")).text = item.key
    ET.SubElement(
        root, _q("qti-outcome-declaration"), {"identifier": "SCORE", "cardinality": "single", "base-type": "float"}
    )
    document = item.to_dict()
    attributes = {
        f"{DATA}programme": item.programme,
        f"{DATA}section": item.section,
        f"{DATA}type": item.type,
        f"{DATA}version": str(item.version),
        f"{DATA}review-status": item.review.status,
        f"{DATA}demo": "true" if item.demo else "false",
        f"{DATA}content-hash": item.content_hash,
    }
    if item.review.by is not None:
        attributes[f"{DATA}review-by"] = item.review.by
    if item.review.at is not None:
        attributes[f"{DATA}review-at"] = item.review.at
    source = document["source"]
    if isinstance(source, Mapping):
        attributes[f"{DATA}source-act"] = source["act"]
        if "article" in source:
            attributes[f"{DATA}source-article"] = source["article"]
    else:
        attributes[f"{DATA}source"] = source
    body = ET.SubElement(root, _q("qti-item-body"), attributes)
    if text.passage is not None:
        ET.SubElement(body, _q("div"), {"class": "passage"}).text = text.passage
    if text.table is not None:
        table = ET.SubElement(body, _q("table"))
        if text.table.caption is not None:
            ET.SubElement(table, _q("caption")).text = text.table.caption
        header = ET.SubElement(ET.SubElement(table, _q("thead")), _q("tr"))
        for column in text.table.columns:
            ET.SubElement(header, _q("th")).text = column
        rows = ET.SubElement(table, _q("tbody"))
        for row in text.table.rows:
            tr = ET.SubElement(rows, _q("tr"))
            for cell in row:
                td = ET.SubElement(tr, _q("td"), {f"{DATA}integer": "true"} if isinstance(cell, int) else {})
                td.text = str(cell)
    interaction = ET.SubElement(
        body, _q("qti-choice-interaction"), {"response-identifier": "RESPONSE", "max-choices": "1", "shuffle": "false"}
    )
    ET.SubElement(interaction, _q("qti-prompt")).text = text.stem
    for option in text.options:
        ET.SubElement(interaction, _q("qti-simple-choice"), {"identifier": option.id}).text = option.text
    ET.SubElement(root, _q("qti-response-processing"), {"template": MATCH_CORRECT})
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"


def manifest_xml(hrefs: Iterable[tuple[str, str]]) -> bytes:
    """``imsmanifest.xml`` listing ``(identifier, href)`` item resources."""
    ET.register_namespace("", MANIFEST_NS)
    root = ET.Element(f"{{{MANIFEST_NS}}}manifest", {"identifier": "irikteu-item-bank"})
    ET.SubElement(root, f"{{{MANIFEST_NS}}}organizations")
    resources = ET.SubElement(root, f"{{{MANIFEST_NS}}}resources")
    for identifier, href in hrefs:
        resource = ET.SubElement(
            resources,
            f"{{{MANIFEST_NS}}}resource",
            {"identifier": identifier, "type": ITEM_RESOURCE_TYPE, "href": href},
        )
        ET.SubElement(resource, f"{{{MANIFEST_NS}}}file", {"href": href})
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"


def export_qti(items: Iterable[Item], out_dir: Path) -> list[Path]:
    """Write ``items/<id>.<lang>.xml`` for each item and language, and ``imsmanifest.xml``; the paths written."""
    (out_dir / "items").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    resources: list[tuple[str, str]] = []
    for item in items:
        for language in LANGUAGES:
            href = f"items/{item.id}.{language}.xml"
            (out_dir / href).write_bytes(item_xml(item, language))
            written.append(out_dir / href)
            resources.append((f"{item.id}.{language}", href))
    (out_dir / "imsmanifest.xml").write_bytes(manifest_xml(resources))
    written.append(out_dir / "imsmanifest.xml")
    return written


# --- import ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QtiVariant:
    """One language of one item read from a QTI document."""

    file: str
    identifier: str
    language: str
    metadata: dict[str, str]
    text: dict[str, Any]
    key: str | None


@dataclass(frozen=True)
class ImportDefaults:
    """What a QTI item without ``data-irikteu-*`` attributes (or a CSV row without the column) gets."""

    programme: str | None = None
    section: str | None = None
    source: str | None = None


def read_qti_sources(paths: Iterable[Path]) -> tuple[list[tuple[str, bytes]], list[Problem]]:
    """``(name, xml bytes)`` of every QTI item document in the given files, folders and .zip packages."""
    documents: list[tuple[str, bytes]] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*.xml")):
                if file.name != "imsmanifest.xml":
                    documents.append((str(file), file.read_bytes()))
        elif path.suffix == ".zip":
            try:
                with zipfile.ZipFile(path) as archive:
                    names = _package_items(archive)
                    documents.extend((f"{path}!{name}", archive.read(name)) for name in names)
            except (zipfile.BadZipFile, KeyError) as error:
                problems.append(Problem(str(path), 1, f"not a readable QTI package: {error}"))
        else:
            documents.append((str(path), path.read_bytes()))
    return documents, problems


def _package_items(archive: zipfile.ZipFile) -> list[str]:
    """Item files of a content package: the manifest's QTI item resources, or every .xml without one."""
    if "imsmanifest.xml" not in archive.namelist():
        return sorted(name for name in archive.namelist() if name.endswith(".xml"))
    manifest = ET.parse(io.BytesIO(archive.read("imsmanifest.xml"))).getroot()
    hrefs = []
    for resource in manifest.iter():
        if (
            resource.tag.rsplit("}", 1)[-1] == "resource"
            and "qti_item" in resource.get("type", "")
            and resource.get("href")
        ):
            hrefs.append(resource.get("href", ""))
    return hrefs


def parse_qti_item(name: str, data: bytes) -> tuple[QtiVariant | None, list[Problem]]:
    """One ``qti-assessment-item`` document read into a language variant, or the problems found."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        return None, [Problem(name, error.position[0], f"not well-formed XML: {error}")]
    if _local(root.tag) != "qti-assessment-item":
        return None, [Problem(name, 1, f"not a QTI 3.0 qti-assessment-item (root is {_local(root.tag)})")]
    identifier = root.get("identifier") or ""
    language = (root.get(XML_LANG) or "").split("-")[0].lower()
    problems: list[Problem] = []
    if language not in LANGUAGES:
        problems.append(Problem(name, 1, f"xml:lang {root.get(XML_LANG)!r} is neither kk nor ru"))
    body = _child(root, "qti-item-body")
    interactions = [element for element in root.iter() if _local(element.tag) == "qti-choice-interaction"]
    if body is None or len(interactions) != 1:
        return None, [*problems, Problem(name, 1, "an item needs one qti-choice-interaction in its qti-item-body")]
    interaction = interactions[0]
    if interaction.get("max-choices", "1") != "1":
        problems.append(Problem(name, 1, "only single-choice interactions (max-choices=1) are imported"))
    prompt = _child(interaction, "qti-prompt")
    stem = _text(prompt) if prompt is not None else ""
    if not stem:
        # TAO puts the question before the interaction when there is no prompt.
        stem = "\n".join(
            _text(element) for element in body if _local(element.tag) not in ("qti-choice-interaction", "table", "div")
        ).strip()
    text: dict[str, Any] = {
        "stem": stem,
        "options": [
            {"id": choice.get("identifier") or "", "text": _text(choice)}
            for choice in interaction
            if _local(choice.tag) == "qti-simple-choice"
        ],
    }
    for element in body:
        if _local(element.tag) == "div" and "passage" in (element.get("class") or "").split():
            text["passage"] = _text(element)
        if _local(element.tag) == "table":
            text["table"] = _table(element)
    values = [
        element
        for element in root.iter()
        if _local(element.tag) == "qti-value" and _local_parent(root, element) == "qti-correct-response"
    ]
    key = (values[0].text or "").strip() if values else None
    identifiers = [option["id"] for option in text["options"]]
    if not all(re.fullmatch(r"[a-z]", identifier) for identifier in identifiers) and len(identifiers) <= 6:
        # TAO names choices choice_1, choice_2, ...: the bank's option ids are letters, in the same order.
        letters = dict(zip(identifiers, "abcdef", strict=False))
        for option in text["options"]:
            option["id"] = letters[option["id"]]
        key = letters.get(key or "", key)
    if key is None:
        problems.append(Problem(name, 1, "no qti-correct-response: the key is missing"))
    metadata = {
        attribute.removeprefix(DATA): value for attribute, value in body.attrib.items() if attribute.startswith(DATA)
    }
    return QtiVariant(name, identifier, language, metadata, text, key), problems


def variants_to_documents(
    variants: Iterable[QtiVariant], defaults: ImportDefaults
) -> tuple[list[tuple[str, dict[str, Any]]], list[Problem]]:
    """Pair kk and ru variants by identifier into item documents ``(file, document)``."""
    by_identifier: dict[str, dict[str, QtiVariant]] = {}
    problems: list[Problem] = []
    for variant in variants:
        languages = by_identifier.setdefault(variant.identifier, {})
        if variant.language in languages:
            problems.append(
                Problem(
                    variant.file,
                    1,
                    f"a second {variant.language} variant of {variant.identifier} "
                    f"(first in {languages[variant.language].file})",
                )
            )
        languages[variant.language] = variant
    documents: list[tuple[str, dict[str, Any]]] = []
    for identifier, languages in by_identifier.items():
        missing = [language for language in LANGUAGES if language not in languages]
        if missing:
            file = next(iter(languages.values())).file
            problems.append(
                Problem(
                    file, 1, f"item {identifier} has no {' or '.join(missing)} variant (both kk and ru are required)"
                )
            )
            continue
        kk, ru = languages["kk"], languages["ru"]
        if kk.key != ru.key:
            problems.append(Problem(ru.file, 1, f"the kk and ru variants of {identifier} key different options"))
        documents.append((kk.file, _document(identifier, kk, ru, defaults)))
    return documents, problems


def _document(identifier: str, kk: QtiVariant, ru: QtiVariant, defaults: ImportDefaults) -> dict[str, Any]:
    meta = {**ru.metadata, **kk.metadata}
    programme = meta.get("programme") or defaults.programme
    source: Any
    if "source-act" in meta:
        source = {"act": meta["source-act"]}
        if "source-article" in meta:
            source["article"] = meta["source-article"]
    elif programme == "legislation" and (meta.get("section") or defaults.section):
        source = {"act": meta.get("section") or defaults.section}
    else:
        source = meta.get("source") or defaults.source or f"imported from QTI: {Path(kk.file).name}"
    review: dict[str, str] = {"status": meta.get("review-status", "draft")}
    for field in ("by", "at"):
        if f"review-{field}" in meta:
            review[field] = meta[f"review-{field}"]
    version = meta.get("version", "1")
    document: dict[str, Any] = {
        "id": re.sub(r"[^a-z0-9]+", "-", identifier.lower()).strip("-"),
        "version": int(version) if version.isdigit() else version,
        "programme": programme,
        "section": meta.get("section") or defaults.section,
        "type": meta.get("type") or ("pq_likert" if programme == "personal_qualities" else "single_choice"),
        "text": {"kk": kk.text, "ru": ru.text},
        "key": kk.key,
        "source": source,
        "review": review,
        "demo": meta.get("demo", "false") == "true",
    }
    if "content-hash" in meta:
        document["content_hash"] = meta["content-hash"]
    return {name: value for name, value in document.items() if value is not None}


def _table(element: ET.Element) -> dict[str, Any]:
    table: dict[str, Any] = {"columns": [], "rows": []}
    for child in element.iter():
        tag = _local(child.tag)
        if tag == "caption":
            table["caption"] = _text(child)
        elif tag == "th":
            table["columns"].append(_text(child))
        elif tag == "tr" and any(_local(cell.tag) == "td" for cell in child):
            table["rows"].append(
                [
                    int(_text(cell))
                    if cell.get(f"{DATA}integer") == "true" and re.fullmatch(r"-?\d+", _text(cell))
                    else _text(cell)
                    for cell in child
                    if _local(cell.tag) == "td"
                ]
            )
    return table


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _local_parent(root: ET.Element, target: ET.Element) -> str | None:
    for parent in root.iter():
        if target in list(parent):
            return _local(parent.tag)
    return None


def _text(element: ET.Element) -> str:
    return "".join(element.itertext()).strip()
