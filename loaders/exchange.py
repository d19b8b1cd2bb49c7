"""Exchange format v1: the CSV files of a folder, their columns, and a parser that keeps
line and column of every value so that each problem can point at it.

Files load in dependency order: orgs, substations, feeders, transformers, customers, meters,
lv_lines (optional: the low-voltage lines of the areas, for technical loss).
"""

from __future__ import annotations

import codecs
import csv
import io
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graph.domain.model import METER_ROLES, OWNERSHIPS, Kind, Rel
from loaders.aliases import canonical
from loaders.problems import Problem


@dataclass(frozen=True)
class Column:
    name: str
    attr: str | None = None  # entity attribute it fills
    header_required: bool = True
    value_required: bool = True
    number: bool = False  # parsed as a positive finite float
    choices: tuple[str, ...] = ()  # allowed values, compared lowercased
    default: str | None = None  # used when the value is empty
    ref: Kind | None = None  # the value is the code of an entity of this kind
    link: Rel | None = None  # the relationship (referenced entity = parent, row = child)


@dataclass(frozen=True)
class FileSpec:
    file: str
    kind: Kind
    code: str
    columns: tuple[Column, ...]

    def header_required(self) -> list[str]:
        return [self.code] + [c.name for c in self.columns if c.header_required]


_ORG = Kind.ORG_UNIT


def _optional_number(name: str) -> Column:
    return Column(name, attr=name, header_required=False, value_required=False, number=True)


SPECS: tuple[FileSpec, ...] = (
    FileSpec(
        "orgs.csv",
        Kind.ORG_UNIT,
        "org_code",
        (
            Column("name", attr="name"),
            Column("parent_code", value_required=False, ref=_ORG, link=Rel.ORG_PARENT),
            Column("level", attr="level", value_required=False),
        ),
    ),
    FileSpec(
        "substations.csv",
        Kind.SUBSTATION,
        "substation_code",
        (
            Column("name", attr="name"),
            Column("voltage_kv", attr="voltage_kv", value_required=False, number=True),
            Column("org_code", value_required=False, ref=_ORG, link=Rel.SUBSTATION_OWNER),
        ),
    ),
    FileSpec(
        "feeders.csv",
        Kind.FEEDER,
        "feeder_code",
        (
            Column("name", attr="name"),
            Column("substation_code", ref=Kind.SUBSTATION, link=Rel.FEEDS),
            Column("voltage_kv", attr="voltage_kv", value_required=False, number=True),
            Column("org_code", value_required=False, ref=_ORG, link=Rel.FEEDER_OWNER),
        ),
    ),
    FileSpec(
        "transformers.csv",
        Kind.TRANSFORMER,
        "transformer_code",
        (
            Column("name", attr="name"),
            Column("feeder_code", ref=Kind.FEEDER, link=Rel.SUPPLIES),
            Column("capacity_kva", attr="capacity_kva", number=True),
            Column("ownership", attr="ownership", choices=OWNERSHIPS),
            Column("org_code", value_required=False, ref=_ORG, link=Rel.TRANSFORMER_OWNER),
            Column(
                "supply_radius_km",
                attr="supply_radius_km",
                header_required=False,
                value_required=False,
                number=True,
            ),
        ),
    ),
    FileSpec(
        "customers.csv",
        Kind.CUSTOMER,
        "customer_code",
        (
            Column("name", attr="name"),
            Column("category", attr="category", value_required=False),
        ),
    ),
    FileSpec(
        "meters.csv",
        Kind.METER,
        "meter_code",
        (
            Column("transformer_code", ref=Kind.TRANSFORMER, link=Rel.HAS_METER),
            Column("role", attr="role", choices=METER_ROLES),
            Column(
                "customer_code",
                value_required=False,
                ref=Kind.CUSTOMER,
                link=Rel.USES_METER,
            ),
            Column("multiplier", attr="multiplier", value_required=False, number=True, default="1"),
            Column("phase", attr="phase", header_required=False, value_required=False),
            # The LV node its service connects to (lv_lines.csv); a gate's: the busbar.
            Column("node", attr="node", header_required=False, value_required=False),
        ),
    ),
    FileSpec(
        "lv_lines.csv",
        Kind.LV_LINE,
        "line_code",
        (
            Column("transformer_code", ref=Kind.TRANSFORMER, link=Rel.HAS_LINE),
            Column("from_node", attr="from_node"),
            Column("to_node", attr="to_node"),
            Column("length_km", attr="length_km", number=True),
            Column("r_ohm_per_km", attr="r_ohm_per_km", number=True),
            _optional_number("x_ohm_per_km"),
            _optional_number("max_i_ka"),
        ),
    ),
)
SPEC_BY_FILE = {s.file: s for s in SPECS}
SPEC_BY_KIND = {s.kind: s for s in SPECS}
# The collection system's evidence: which area's concentrator (terminal) reads each meter.
# Rows name meters; they create nothing (see loaders.collection).
COLLECTION = FileSpec(
    "collection.csv",
    Kind.METER,
    "meter_code",
    (
        Column("terminal_code"),
        Column("transformer_code", ref=Kind.TRANSFORMER, link=Rel.READS),
    ),
)
NOT_TOPOLOGY = ("readings.csv", "curves.csv", COLLECTION.file)  # read by other commands


@dataclass(slots=True)
class Row:
    """One data row: the value of every column of its file's spec ("" when absent) and the
    1-based position of each column of the header."""

    line: int
    values: dict[str, str]
    positions: dict[str, int] = field(repr=False)


@dataclass
class ParsedFile:
    spec: FileSpec
    rows: list[Row]


@dataclass(frozen=True)
class ReadOptions:
    """How a load folder's files are read: their encoding (None: UTF-8, a BOM allowed) and
    whether files the exchange format does not know are let through (warned) or refused."""

    encoding: str | None = None
    ignore_unknown: bool = False


# The encodings a Chinese source system's export is likely in besides UTF-8: Excel saves CSV
# in the system's code page (GBK, of which GB18030 is the superset).
_CHINESE = "gb18030"


def encoding_problem(name: str) -> str | None:
    """Why `name` is no text encoding Python knows; None when it is one."""
    try:
        codecs.lookup(name)
    except LookupError:
        return f"unknown encoding {name!r} (utf-8, gbk, gb18030)"
    return None


def decode(path: Path, problems: list[Problem], encoding: str | None = None) -> str | None:
    """The text of `path` in `encoding` (None: UTF-8), or None with a problem where it is not;
    a file that is not UTF-8 but reads as GB18030 with Chinese in it is named as such."""
    data = path.read_bytes()
    wanted = encoding or "utf-8-sig"
    try:
        return data.decode(wanted)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"not valid {encoding or 'UTF-8'} text"
        if encoding is None and _reads_as_chinese(data):
            message += (
                " - it reads as GB18030/GBK (how Excel saves CSV in China): load it with "
                "--encoding gb18030, or save it as 'CSV UTF-8'"
            )
        problems.append(Problem(path.name, line, column, None, message))
        return None


def _reads_as_chinese(data: bytes) -> bool:
    try:
        text = data.decode(_CHINESE)
    except UnicodeDecodeError:
        return False
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _picker(indexes: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """The fields at `indexes` as a tuple (itemgetter of one index returns a bare value)."""
    if len(indexes) == 1:
        only = indexes[0]
        return lambda fields: (fields[only],)
    return operator.itemgetter(*indexes)


def read_rows(spec: FileSpec, text: str, problems: list[Problem]) -> Iterator[Row]:
    """The data rows of `text` read as `spec`'s file; header and shape problems appended."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = canonical(spec.file, [h.strip() for h in next(reader)])
    except StopIteration:
        problems.append(Problem(spec.file, 1, None, None, "empty file: a header row is required"))
        return
    missing = [c for c in spec.header_required() if c not in header]
    for name in missing:
        problems.append(Problem(spec.file, 1, None, name, f'missing required column "{name}"'))
    if missing:
        return
    positions = {name: header.index(name) + 1 for name in header if name}
    width = len(header)
    # Keep the spec's columns only (extra ones are ignored); an absent optional column reads "".
    spec_columns = [spec.code] + [c.name for c in spec.columns]
    names = [name for name in spec_columns if name in positions]
    pick = _picker([positions[name] - 1 for name in names])
    absent = {name: "" for name in spec_columns if name not in positions}
    strip = str.strip
    # Built-ins only in the loop (zip, map, join): a million rows a file.
    for fields in reader:
        line = reader.line_num
        if not "".join(fields).strip():
            continue  # blank line
        if len(fields) < width:
            problems.append(
                Problem(
                    spec.file,
                    line,
                    len(fields) + 1,
                    header[len(fields)],
                    f"row has {len(fields)} fields, the header has {width}",
                )
            )
            continue
        values = dict(zip(names, map(strip, pick(fields)), strict=True))
        if absent:
            values.update(absent)
        yield Row(line, values, positions)


def parse_folder(
    folder: Path, problems: list[Problem], options: ReadOptions | None = None
) -> list[ParsedFile]:
    """Read every known file of `folder` in dependency order. A file the format does not know
    (`Customers.csv`, `orgs.xlsx`, `notes.txt`) is an error: left out silently, its rows
    would turn into "unknown" references elsewhere; with `ignore_unknown` a warning."""
    options = options or ReadOptions()
    parsed: list[ParsedFile] = []
    for spec in SPECS:
        path = folder / spec.file
        if not path.is_file():
            continue
        text = decode(path, problems, options.encoding)
        if text is None:
            continue
        parsed.append(ParsedFile(spec, list(read_rows(spec, text, problems))))
    problems.extend(unknown_files(folder, options.ignore_unknown))
    return parsed


KNOWN_FILES = frozenset(SPEC_BY_FILE) | frozenset(NOT_TOPOLOGY)


def unknown_files(folder: Path, ignore: bool) -> list[Problem]:
    """A problem per file of `folder` the exchange format does not know (sub-folders and
    hidden files aside): errors, or warnings when `ignore`."""
    found = []
    by_lower = {name.lower(): name for name in KNOWN_FILES}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith(".") or path.name in KNOWN_FILES:
            continue
        right = by_lower.get(path.name.lower())
        if right is not None:
            why = f"file names are lower case: rename it {right}"
        elif path.suffix.lower() in (".xlsx", ".xls"):
            why = "a workbook: save each sheet as CSV (UTF-8) under its exchange-format name"
        else:
            why = "not a file of the exchange format (README: Exchange format v1)"
        if ignore:
            found.append(
                Problem(path.name, 1, None, None, f"unknown file ignored: {why}", "warning")
            )
        else:
            message = f"unknown file: {why} (--ignore-unknown skips it)"
            found.append(Problem(path.name, 1, None, None, message))
    return found
