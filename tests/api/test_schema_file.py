"""schema.graphql at the root is exported from the code; this fails when it drifts.

Re-export with: .venv/bin/strawberry export-schema api.schema:schema > schema.graphql
"""

from __future__ import annotations

from pathlib import Path

from api.schema import schema

ROOT = Path(__file__).resolve().parents[2]


def test_schema_file_matches_code() -> None:
    on_disk = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert on_disk == schema.as_str() + "\n", "schema.graphql drifted: re-export it"


def test_public_contract_names_are_present() -> None:
    sdl = schema.as_str()
    for fragment in (
        "interface Node",
        "node(id: ID!",
        "orgUnit(code: String!, asOf: Date",
        "substations(first: Int",
        "search(text: String!, kinds: [EntityKind!]",
        "transformers(first: Int = null, after: String = null): TransformerConnection!",
        "meters(first: Int = null, after: String = null, role: MeterRole = null): MeterConnection!",
        "gateMeters: [Meter!]!",
        "type PageInfo",
    ):
        assert fragment in sdl, fragment
