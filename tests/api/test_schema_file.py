"""schema.graphql at the root is exported from the code; this fails when it drifts.

Re-export with: .venv/bin/strawberry export-schema api.schema:schema > schema.graphql
"""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema, find_breaking_changes, find_dangerous_changes

from api.descriptions import undescribed
from api.schema import schema

ROOT = Path(__file__).resolve().parents[2]


def test_schema_file_matches_code() -> None:
    on_disk = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert on_disk == schema.as_str() + "\n", "schema.graphql drifted: re-export it"


def test_public_contract_names_are_present() -> None:
    built = build_schema(schema.as_str())
    expected = {  # coordinate: its type, or the arguments' types in order
        "Query.node": "ID!, Date",
        "Query.orgUnit": "String!, Date",
        "Query.substations": "Int, String, Date",
        "Query.search": "String!, [EntityKind!], Int, Date",
        "Transformer.transformers": None,
        "Feeder.transformers": "Int, String",
        "Transformer.meters": "Int, String, MeterRole",
        "Transformer.gateMeters": "[Meter!]!",
        "PageInfo.hasPreviousPage": "Boolean!",
        "PageInfo.startCursor": "String",
    }
    assert "Node" in built.type_map and "PageInfo" in built.type_map
    for coordinate, want in expected.items():
        type_name, field_name = coordinate.split(".")
        field = built.type_map[type_name].fields.get(field_name)  # type: ignore[attr-defined]
        if want is None:
            assert field is None, coordinate
        elif field.args:
            assert ", ".join(str(a.type) for a in field.args.values()) == want, coordinate
        else:
            assert str(field.type) == want, coordinate


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    assert undescribed(schema._schema) == []


def test_changes_since_the_last_release_are_listed() -> None:
    released = sorted((ROOT / "docs/schema").glob("*.graphql"), key=_version)[-1]
    before = build_schema(released.read_text(encoding="utf-8"))
    now = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    listed = (ROOT / "docs/schema-changes.md").read_text(encoding="utf-8")
    unreleased = listed.split("## Unreleased", 1)[1].split("\n## ", 1)[0]
    changes = [*find_breaking_changes(before, now), *find_dangerous_changes(before, now)]
    missing = [c.description for c in changes if c.description not in unreleased]
    assert missing == [], f"list them in docs/schema-changes.md under Unreleased: {missing}"


def _version(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in path.stem.split("."))
