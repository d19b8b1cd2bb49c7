"""Every kind of bad input is reported with file, line and column, and nothing is written.

Each case loads over a stored network, next to a valid new customer (U7) that must not land.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.domain.errors import LoadRejected
from graph.domain.model import Kind
from graph.stores.contract import Store
from loaders.exchange import ReadOptions
from loaders.load import load_folder
from loaders.readings import _header as _readings_header
from tests.builder import small_network
from tests.fingerprint import fingerprint

TODAY = dt.date(2026, 11, 28)
GOOD_CUSTOMERS = "customer_code,name,category\nU7,赵敏,resident\n"

T_HEAD = "transformer_code,name,feeder_code,capacity_kva,ownership,org_code\n"
M_HEAD = "meter_code,transformer_code,role,customer_code,multiplier,phase\n"
O_HEAD = "org_code,name,parent_code,level\n"

CASES: dict[str, tuple[dict[str, str | bytes], list[str]]] = {
    "missing required column": (
        {
            "transformers.csv": "transformer_code,name,feeder_code,ownership,org_code\n"
            "T8,新台区,F1,public,Z1\n"
        },
        ['transformers.csv:1 (capacity_kva): error: missing required column "capacity_kva"'],
    ),
    "duplicate code": (
        {"customers.csv": GOOD_CUSTOMERS + "U8,甲,resident\nU8,乙,resident\n"},
        ['customers.csv:4:1 (customer_code): error: duplicate code "U8" (first on line 3)'],
    ),
    "control, bidi and invisible characters in codes": (
        {
            "customers.csv": GOOD_CUSTOMERS
            + "U8\u202e9,甲,resident\n\ufeffU9,乙,resident\n"
            + 'U\x01X,丙,resident\n"U""Q",丁,resident\n'
        },
        [
            'customers.csv:3:1 (customer_code): error: "customer_code" has a control, invisible '
            "or quote character (U+202E) at position 3",
            'customers.csv:4:1 (customer_code): error: "customer_code" has a control, invisible '
            "or quote character (U+FEFF) at position 1",
            'customers.csv:5:1 (customer_code): error: "customer_code" has a control, invisible '
            "or quote character (U+0001) at position 2",
            'customers.csv:6:1 (customer_code): error: "customer_code" has a control, invisible '
            "or quote character (U+0022) at position 2",
        ],
    ),
    "unknown substation": (
        {
            "feeders.csv": "feeder_code,name,substation_code,voltage_kv,org_code\n"
            "F9,10kV新线,S404,10,X1\n"
        },
        [
            'feeders.csv:2:3 (substation_code): error: unknown Substation "S404" '
            "(not in this folder nor stored)"
        ],
    ),
    "unknown org parent": (
        {"orgs.csv": O_HEAD + "Z9,新供电所,X404,station\n"},
        ['orgs.csv:2:3 (parent_code): error: unknown OrgUnit "X404"'],
    ),
    "unknown transformer and customer": (
        {"meters.csv": M_HEAD + "M8,T404,customer,U1,,\nM9,T1,customer,U404,,\n"},
        [
            'meters.csv:2:2 (transformer_code): error: unknown Transformer "T404"',
            'meters.csv:3:4 (customer_code): error: unknown Customer "U404"',
        ],
    ),
    "bad numbers": (
        {
            "transformers.csv": T_HEAD + "T8,新台区,F1,四百,public,Z1\n",
            "meters.csv": M_HEAD + "G8,T1,gate,,-5,\n",
        },
        [
            'transformers.csv:2:4 (capacity_kva): error: bad number "四百"',
            'meters.csv:2:5 (multiplier): error: bad number "-5": expected a positive number',
        ],
    ),
    "unknown role and ownership": (
        {
            "transformers.csv": T_HEAD + "T8,新台区,F1,400,shared,Z1\n",
            "meters.csv": M_HEAD + "G8,T1,main,,1,\n",
        },
        [
            'transformers.csv:2:5 (ownership): error: unknown ownership "shared": expected one of '
            "public, private",
            'meters.csv:2:3 (role): error: unknown role "main": expected one of gate, customer, pv',
        ],
    ),
    "cycle in the org tree (folder)": (
        {"orgs.csv": O_HEAD + "A,甲,B,\nB,乙,A,\n"},
        [
            "orgs.csv:2:3 (parent_code): error: cycle in the org tree",
            "orgs.csv:3:3 (parent_code): error: cycle in the org tree",
        ],
    ),
    "cycle in the org tree (folder and store)": (
        {"orgs.csv": O_HEAD + "P,省电力公司,Z1,province\n"},
        ["orgs.csv:2:3 (parent_code): error: cycle in the org tree: "],
    ),
    "customer meter without customer": (
        {"meters.csv": M_HEAD + "M8,T1,customer,,,\nV8,T1,pv,,,\nG8,T1,gate,U1,1,\n"},
        [
            "meters.csv:2:4 (customer_code): error: a customer meter needs a customer",
            "meters.csv:3:4 (customer_code): error: a pv meter needs a customer",
            "meters.csv:4:4 (customer_code): error: a gate meter has no customer",
        ],
    ),
    "empty code and empty required value": (
        {"meters.csv": M_HEAD + ",T1,customer,U1,,\nM8,,customer,U1,,\n"},
        [
            'meters.csv:2:1 (meter_code): error: "meter_code" is empty',
            'meters.csv:3:2 (transformer_code): error: "transformer_code" is empty',
        ],
    ),
    "short row": (
        {"meters.csv": M_HEAD + "M8,T1,customer\n"},
        ["meters.csv:2:4 (customer_code): error: row has 3 fields, the header has 6"],
    ),
    "not UTF-8": (
        {
            "customers.csv": b"customer_code,name,category\nU8,"
            + "王".encode("gbk")
            + b",resident\n"
        },
        [
            "customers.csv:2:4: error: not valid UTF-8 text - it reads as GB18030/GBK (how "
            "Excel saves CSV in China): load it with --encoding gb18030"
        ],
    ),
    "a row referring to a row with errors": (
        {
            "transformers.csv": T_HEAD + "T8,新台区,F1,abc,public,Z1\n",
            "meters.csv": M_HEAD + "M8,T8,customer,U7,,\n",
        },
        [
            "transformers.csv:2:4 (capacity_kva): error:",
            'meters.csv:2:2 (transformer_code): error: Transformer "T8" is on transformers.csv '
            "line 2, which has errors: fix that row",
        ],
    ),
    "unknown files and wrong-case names": (
        {
            "Meters.csv": M_HEAD + "M8,T1,customer,U7,,\n",
            "orgs.xlsx": b"PK\x03\x04 a workbook",
            "notes.txt": "what changed this month\n",
        },
        [
            "Meters.csv:1: error: unknown file: file names are lower case: rename it meters.csv",
            "notes.txt:1: error: unknown file: not a file of the exchange format",
            "orgs.xlsx:1: error: unknown file: a workbook: save each sheet as CSV (UTF-8)",
        ],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_reported_and_nothing_written(store: Store, tmp_path: Path, case: str) -> None:
    load_folder(store, small_network().write(tmp_path / "base"), today=TODAY)
    before = fingerprint(store)
    files, expected = CASES[case]
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "customers.csv").write_text(GOOD_CUSTOMERS, encoding="utf-8")
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(LoadRejected) as caught:
        load_folder(store, folder, today=TODAY)
    messages = [str(p) for p in caught.value.problems]
    for want in expected:
        assert any(m.startswith(want) for m in messages), (want, messages)
    assert len(messages) == len(expected), messages
    assert fingerprint(store) == before


def test_bom_and_extra_columns_are_accepted(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "bom"
    folder.mkdir()
    text = "\ufeffcustomer_code,name,category,remark\nU8,钱多多,commercial,备注\n"
    (folder / "customers.csv").write_text(text, encoding="utf-8")
    report = load_folder(store, folder, today=TODAY)
    assert report.rows_written == 1
    found = store.entities(Kind.CUSTOMER, ["U8"])
    assert found["U8"].attrs == {"name": "钱多多", "category": "commercial"}


def test_unknown_files_let_through_when_asked(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "customers.csv").write_text(GOOD_CUSTOMERS, encoding="utf-8")
    (folder / "README.txt").write_text("exported 2026-11-30\n", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\0")  # hidden files and sub-folders are no files
    (folder / "archive").mkdir()
    report = load_folder(store, folder, today=TODAY, read=ReadOptions(ignore_unknown=True))
    assert report.rows_written == 1
    assert [str(w) for w in report.warnings] == [
        "README.txt:1: warning: unknown file ignored: not a file of the exchange format "
        "(README: Exchange format v1)"
    ]


def test_a_gbk_export_loads_with_its_encoding(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "gbk"
    folder.mkdir()
    text = "customer_code,name,category\nU8,王小二,resident\n"
    (folder / "customers.csv").write_bytes(text.encode("gbk"))
    report = load_folder(store, folder, today=TODAY, read=ReadOptions(encoding="gb18030"))
    assert report.rows_written == 1
    assert store.entities(Kind.CUSTOMER, ["U8"])["U8"].attrs["name"] == "王小二"


def test_a_dry_run_checks_everything_and_writes_nothing(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "base"), today=TODAY)
    before = fingerprint(store)
    folder = tmp_path / "dry"
    folder.mkdir()
    (folder / "customers.csv").write_text(GOOD_CUSTOMERS, encoding="utf-8")
    report = load_folder(store, folder, today=TODAY, dry_run=True)
    assert report.summary.created[Kind.CUSTOMER] == 1 and report.rows_written == 0
    assert fingerprint(store) == before
    (folder / "customers.csv").write_text(GOOD_CUSTOMERS + "U8,,resident\n", encoding="utf-8")
    with pytest.raises(LoadRejected):  # the same checks as a load
        load_folder(store, folder, today=TODAY, dry_run=True)
    assert fingerprint(store) == before


def test_the_source_systems_chinese_column_names_are_accepted(store: Store, tmp_path: Path) -> None:
    load_folder(store, small_network().write(tmp_path / "base"), today=TODAY)
    folder = tmp_path / "zh"
    folder.mkdir()
    (folder / "customers.csv").write_text(
        "户号,户名,用电类别\nU8,钱多多,commercial\n", encoding="utf-8"
    )
    (folder / "meters.csv").write_text(
        "电能表编号,所属台区,表计类型,户号,综合倍率\nM8,T1,用户表,U8,1\nG8,T1,总表,,1\n",
        encoding="utf-8",
    )
    report = load_folder(store, folder, today=TODAY)
    assert report.summary.created[Kind.CUSTOMER] == 1 and report.summary.created[Kind.METER] == 2
    assert store.entities(Kind.CUSTOMER, ["U8"])["U8"].attrs["name"] == "钱多多"
    meters = store.entities(Kind.METER, ["M8", "G8"])  # Chinese values too: 用户表, 总表
    assert (meters["M8"].attrs["role"], meters["G8"].attrs["role"]) == ("customer", "gate")
    readings = tmp_path / "readings.csv"
    readings.write_text(
        "表号,数据日期,正向有功总,反向有功总\nM8,2026-11-01,3.5,\n", encoding="utf-8"
    )
    problems: list[object] = []
    assert _readings_header(readings, problems) == [  # type: ignore[arg-type]
        "meter_code",
        "date",
        "import_kwh",
        "export_kwh",
    ]
    assert problems == []
