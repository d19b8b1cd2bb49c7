"""A first load as files for `neo4j-admin database import full` (Neo4j's offline importer).

The importer writes store files directly, tens of times faster than transactions over Bolt,
but only into an empty database and with no checks of its own worth having: the change set
written here is the one `taiqu load` validated and planned, so every node and relationship
carries exactly the properties the Bolt write gives them (values, `search_key`, `attrs_from`,
the changeset that opened them, validity dates), with the graph version and the changeset's
record, so the graph started on these files is the one a Bolt load would have made.

Files: one node file per kind and one relationship file per relationship type, CSV with a
typed header (`code:ID(Meter)`, `multiplier:double`, `valid_from:date`); an empty unquoted
field is an absent property, as a null is in a Bolt write. `neo4j-admin.args` lists them as
importer options, relative to the folder: `cd FOLDER && neo4j-admin database import full
neo4j @neo4j-admin.args`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from graph.domain.changes import ChangeSet
from graph.domain.model import ATTRIBUTES, BEGINNING, REL_SPECS, Entity, Kind, Link, Rel
from graph.domain.search_key import search_key

ARGS_FILE = "neo4j-admin.args"
MANIFEST_FILE = "taiqu-import.json"  # what the folder holds, for the launcher and for people
META_LABEL, CHANGESET_LABEL = "TaiquMeta", "Changeset"  # as graph/stores/neo4j/queries.py
FIRST_VERSION = 1  # the version the first write produces

_TYPES = {float: "double", int: "long", str: None}  # Python attribute type -> importer type


class NotAFirstLoad(ValueError):
    """The change set changes stored things: only creations go through the importer."""


@dataclass(frozen=True)
class ImportFiles:
    """The files of one import, relative to `folder`, and whether a value spans lines."""

    folder: Path
    nodes: list[tuple[str, str]] = field(default_factory=list)  # (label, file)
    relationships: list[tuple[str, str]] = field(default_factory=list)  # (type, file)
    multiline: bool = False
    counts: dict[str, int] = field(default_factory=dict)  # rows per label or type

    def arguments(self) -> list[str]:
        """The importer's options (after `database import full DATABASE`)."""
        args = [f"--nodes={label}={name}" for label, name in self.nodes]
        args += [f"--relationships={rel}={name}" for rel, name in self.relationships]
        if self.multiline:  # slower parsing: only when a value holds a line break
            args.append("--multiline-fields=true")
        return args

    def entities(self) -> int:
        return sum(self.counts.values())


def _quoted(text: str) -> str:
    """A string field, always quoted (codes may hold commas), inner quotes doubled (RFC 4180,
    the importer's default)."""
    return '"' + text.replace('"', '""') + '"'


def _field(value: object) -> str:
    """An absent value is an empty unquoted field: no property, as a null in a Bolt write."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _quoted(value)
    return repr(value)  # numbers: repr round-trips a float exactly


def _write_lines(path: Path, header: list[str], lines: Iterable[str]) -> tuple[int, bool]:
    """Write a header and data lines; return the line count and whether a value spans lines.

    Lines are built by string formatting rather than csv.writer: 4M rows in ~4 s, not 18.
    """
    count, multiline = 0, False
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(header) + "\n")
        for chunk in _chunks(lines, 50_000):
            text = "\n".join(chunk) + "\n"
            # One line break per row means no value holds one (else the importer must parse
            # quoted line breaks, which is slower: only then is it asked to).
            multiline = multiline or "\r" in text or text.count("\n") != len(chunk)
            handle.write(text)
            count += len(chunk)
    return count, multiline


def _chunks(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def node_header(kind: Kind) -> list[str]:
    attrs = [
        name if _TYPES[kind_type] is None else f"{name}:{_TYPES[kind_type]}"
        for name, kind_type in ATTRIBUTES[kind].items()
    ]
    return [f"code:ID({kind.value})", *attrs, "search_key", "attrs_from:date", "attrs_opened_by"]


def _node_lines(entities: list[Entity], born: str, by: str) -> Iterator[str]:
    names = list(ATTRIBUTES[entities[0].kind]) if entities else []
    tail = f"{born},{_quoted(by)}"
    for e in entities:
        attrs = e.attrs
        values = ",".join([_field(attrs.get(n)) for n in names])
        key = _quoted(search_key(e.code, attrs.get("name")))
        yield f"{_quoted(e.code)},{values},{key},{tail}"


REL_HEADER_TAIL = ["valid_from:date", "valid_to:date", "opened_by", "detail"]


def rel_header(rel: Rel) -> list[str]:
    spec = REL_SPECS[rel]
    return [f":START_ID({spec.parent.value})", f":END_ID({spec.child.value})", *REL_HEADER_TAIL]


def _rel_lines(links: list[Link], by: str) -> Iterator[str]:
    tails: dict[tuple[dt.date, dt.date, str | None], str] = {}  # a load's links share few
    for lk in links:
        key = (lk.valid_from, lk.valid_to, lk.detail)
        tail = tails.get(key)
        if tail is None:
            tail = tails[key] = (
                f"{lk.valid_from.isoformat()},{lk.valid_to.isoformat()},{_quoted(by)},"
                f"{_field(lk.detail)}"
            )
        yield f"{_quoted(lk.parent)},{_quoted(lk.child)},{tail}"


def write_import_files(changes: ChangeSet, folder: Path) -> ImportFiles:
    """Write `changes` (a first load: creations and new links only) into `folder`, which must
    be empty or absent; the changeset record is stamped with the first graph version."""
    if changes.updated or changes.closed or changes.ended:
        raise NotAFirstLoad("an offline import writes a first load only (nothing stored changes)")
    if changes.record is None:
        raise ValueError("a load's change set carries its audit record")
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise FileExistsError(f"{folder} is not empty: give a new folder for the import files")
    by = changes.record.id
    born = (changes.created_on or BEGINNING).isoformat()
    nodes: list[tuple[str, str]] = []
    rels: list[tuple[str, str]] = []
    counts: dict[str, int] = {}
    multiline = False
    for kind in Kind:
        created = changes.created.get(kind)
        if not created:
            continue
        name = f"nodes-{kind.value}.csv"
        count, spans = _write_lines(
            folder / name, node_header(kind), _node_lines(created, born, by)
        )
        nodes.append((kind.value, name))
        counts[kind.value] = count
        multiline |= spans
    by_rel: dict[Rel, list[Link]] = {}
    for link in changes.opened:
        by_rel.setdefault(link.rel, []).append(link)
    for rel in Rel:
        if rel not in by_rel:
            continue
        name = f"rels-{rel.value}.csv"
        count, spans = _write_lines(folder / name, rel_header(rel), _rel_lines(by_rel[rel], by))
        rels.append((rel.value, name))
        counts[rel.value] = count
        multiline |= spans
    record = replace(changes.record, graph_version=FIRST_VERSION)
    meta_header = [f"key:ID({META_LABEL})", "version:long"]
    _write_lines(folder / "nodes-meta.csv", meta_header, [f'"graph",{FIRST_VERSION}'])
    audit_header = [f"id:ID({CHANGESET_LABEL})", "seq:long", "record"]
    audit_line = f"{_quoted(by)},{FIRST_VERSION},{_quoted(record.to_json())}"
    _write_lines(folder / "nodes-changeset.csv", audit_header, [audit_line])
    nodes += [(META_LABEL, "nodes-meta.csv"), (CHANGESET_LABEL, "nodes-changeset.csv")]
    files = ImportFiles(folder, nodes, rels, multiline, counts)
    (folder / ARGS_FILE).write_text("\n".join(files.arguments()) + "\n", encoding="utf-8")
    manifest = {
        "changeset": by,
        "nodes": nodes,
        "relationships": rels,
        "multiline": multiline,
        "counts": counts,
    }
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return files


def read_import_files(folder: Path) -> ImportFiles:
    """The files `write_import_files` left in `folder` (FileNotFoundError when there are none)."""
    manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    return ImportFiles(
        folder,
        [tuple(n) for n in manifest["nodes"]],  # type: ignore[misc]
        [tuple(r) for r in manifest["relationships"]],  # type: ignore[misc]
        bool(manifest["multiline"]),
        dict(manifest["counts"]),
    )
