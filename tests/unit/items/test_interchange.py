"""Import from CSV and QTI 3.0 (all or nothing) and export to QTI 3.0, round trip included."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest

from app.items.bank import DEFAULT_BANK_PATH, Bank, InvalidItemBankError, load_bank
from app.items.importing import CSV_COLUMNS, import_items
from app.items.qti import ImportDefaults, export_qti

QTI = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"


@pytest.fixture(scope="module")
def demo_bank() -> Bank:
    return load_bank(DEFAULT_BANK_PATH)


def csv_row(**cells: str) -> dict[str, str]:
    row = {
        "id": "leg-eth-9001",
        "programme": "legislation",
        "section": "ethics",
        "key": "b",
        "kk_stem": "Сұрақ?",
        "ru_stem": "Вопрос?",
        "kk_a": "бір",
        "kk_b": "екі",
        "ru_a": "один",
        "ru_b": "два",
        "source_act": "ethics",
        "review_status": "approved",
        "review_by": "hr",
        "review_at": "2025-02-01",
    }
    row.update(cells)
    return row


def write_csv(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = CSV_COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns})
    return path


def test_csv_import_writes_valid_yaml(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "items.csv",
        [
            csv_row(),
            csv_row(
                id="rt-9001",
                programme="reasoning_text",
                section="text",
                source_act="",
                source="authored",
                kk_passage="Мәтін.",
                ru_passage="Текст.",
                key="a",
            ),
        ],
    )
    target = tmp_path / "bank" / "imported"
    written = import_items([source], target, bank=tmp_path / "bank")
    assert written == [target / "leg-eth-9001.yaml", target / "rt-9001.yaml"]
    bank = load_bank(target)
    item = bank.get("rt-9001")
    assert (item.text("ru").passage, item.key, item.source, item.approved) == ("Текст.", "a", "authored", True)
    assert bank.get("leg-eth-9001").computed_hash() == bank.get("leg-eth-9001").content_hash


def test_one_bad_csv_row_writes_nothing(tmp_path: Path) -> None:
    source = write_csv(
        tmp_path / "items.csv", [csv_row(), csv_row(id="leg-eth-9002", key="c"), csv_row(id="leg-eth-9003", ru_b="")]
    )
    target = tmp_path / "imported"
    with pytest.raises(InvalidItemBankError) as caught:
        import_items([source], target, bank=None)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{source}:3: key c is not among the options (a, b)",
        f"{source}:4: text.ru.options: [{{'id': 'a', 'text': 'один'}}] is too short",
    ]
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [source]


def test_csv_unknown_column_and_id_already_in_bank(tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "bad.csv", [csv_row()], (*CSV_COLUMNS, "colour"))
    with pytest.raises(InvalidItemBankError) as caught:
        import_items([bad], tmp_path / "out", bank=None)
    assert [str(problem) for problem in caught.value.problems] == [f"{bad}:1: unknown column(s): colour"]
    taken = write_csv(tmp_path / "taken.csv", [csv_row(id="leg-const-0001")])
    with pytest.raises(InvalidItemBankError) as caught:
        import_items([taken], tmp_path / "out", bank=DEFAULT_BANK_PATH)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{taken}:2: id leg-const-0001 is already in the bank "
        f"({DEFAULT_BANK_PATH / 'demo' / 'legislation' / 'constitution-01.yaml'}:2)"
    ]
    assert not (tmp_path / "out").exists()


def test_qti_export_then_import_gives_the_same_content_hashes(demo_bank: Bank, tmp_path: Path) -> None:
    chosen = [
        demo_bank.get(item_id)
        for item_id in (
            "leg-const-0001",
            "leg-cs-0001",
            "leg-ac-0001",
            "lang-kk-0001",
            "rt-0001",
            "rn-0001",
            "pq-q01-0001",
            "pq-val-0001",
        )
    ]
    export_qti(chosen, tmp_path / "qti")
    assert sorted(path.name for path in (tmp_path / "qti" / "items").iterdir()) == sorted(
        f"{item.id}.{language}.xml" for item in chosen for language in ("kk", "ru")
    )
    package = tmp_path / "package.zip"
    with zipfile.ZipFile(package, "w") as archive:
        for file in (tmp_path / "qti").rglob("*"):
            archive.write(file, file.relative_to(tmp_path / "qti").as_posix())
    for source, target in ((tmp_path / "qti", tmp_path / "from-dir"), (package, tmp_path / "from-zip")):
        import_items([source], target, bank=None)
        imported = load_bank(target)
        assert {item.id: item.content_hash for item in imported} == {item.id: item.content_hash for item in chosen}
        assert {item.id: item.computed_hash() for item in imported} == {item.id: item.content_hash for item in chosen}
        assert imported.get("rn-0001").text("kk").table == demo_bank.get("rn-0001").text("kk").table
        assert imported.get("leg-const-0001").source == demo_bank.get("leg-const-0001").source


TAO_ITEM = """<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="{ns}" identifier="i1700000000A" title="Q" adaptive="false" time-dependent="false"
    xml:lang="{lang}-KZ">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier">
    <qti-correct-response><qti-value>choice_2</qti-value></qti-correct-response>
  </qti-response-declaration>
  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
  <qti-item-body>
    <div class="grid-row"><div class="col-12">
      <qti-choice-interaction response-identifier="RESPONSE" shuffle="false" max-choices="1">
        <qti-prompt>{stem}</qti-prompt>
        <qti-simple-choice identifier="choice_1">{one}</qti-simple-choice>
        <qti-simple-choice identifier="choice_2">{two}</qti-simple-choice>
      </qti-choice-interaction>
    </div></div>
  </qti-item-body>
  <qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"/>
</qti-assessment-item>
"""


def test_tao_style_items_import_as_drafts_with_the_given_programme(tmp_path: Path) -> None:
    kk = tmp_path / "kk.xml"
    ru = tmp_path / "ru.xml"
    kk.write_text(TAO_ITEM.format(ns=QTI, lang="kk", stem="Сұрақ?", one="бір", two="екі"), encoding="utf-8")
    ru.write_text(TAO_ITEM.format(ns=QTI, lang="ru", stem="Вопрос?", one="один", two="два"), encoding="utf-8")
    with pytest.raises(InvalidItemBankError) as caught:
        import_items([kk, ru], tmp_path / "out", bank=None)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{kk}:1: 'programme' is a required property",
        f"{kk}:1: 'section' is a required property",
    ]
    assert not (tmp_path / "out").exists()
    written = import_items(
        [kk, ru],
        tmp_path / "out",
        bank=None,
        defaults=ImportDefaults(programme="state_language", section="kazakh", source="TAO import"),
    )
    assert [path.name for path in written] == ["i1700000000a.yaml"]
    item = load_bank(tmp_path / "out").get("i1700000000a")
    assert (item.review.status, item.key, item.text("kk").stem, item.text("ru").options[1].text) == (
        "draft",
        "b",
        "Сұрақ?",
        "два",
    )


def test_qti_item_without_its_second_language_is_refused(tmp_path: Path) -> None:
    kk = tmp_path / "kk.xml"
    kk.write_text(
        TAO_ITEM.format(ns=QTI, lang="kk", stem="Сұрақ?", one="бір", two="екі")
        .replace("choice_1", "a")
        .replace("choice_2", "b"),
        encoding="utf-8",
    )
    broken = tmp_path / "broken.xml"
    broken.write_text("<qti-assessment-item>\n<unclosed>\n</qti-assessment-item>\n", encoding="utf-8")
    with pytest.raises(InvalidItemBankError) as caught:
        import_items(
            [kk, broken],
            tmp_path / "out",
            bank=None,
            defaults=ImportDefaults(programme="state_language", section="kazakh"),
        )
    assert [str(problem) for problem in caught.value.problems] == [
        f"{broken}:3: not well-formed XML: mismatched tag: line 3, column 2",
        f"{kk}:1: item i1700000000A has no ru variant (both kk and ru are required)",
    ]
