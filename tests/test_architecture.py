"""The layer order of docs/architecture.md, kept true: no module imports against it.

A module may import from its own layer and from the layers below it, never from one above.
The domain imports the standard library only; the two stores know nothing of each other.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("graph", "loaders", "api", "taiqu")

#: Lowest first. The longest matching prefix names a module's layer.
LAYERS = [
    "graph.domain",
    "graph.stores",
    "graph.series",
    "graph.indicators",
    "graph.services",
    "loaders",
    "taiqu.settings",
    "api",
    "taiqu",
]


def layer_of(module: str) -> int | None:
    """The layer index of a project module (None: not one of ours)."""
    matches = [
        (len(prefix), index)
        for index, prefix in enumerate(LAYERS)
        if module == prefix or module.startswith(prefix + ".")
    ]
    return max(matches)[1] if matches else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in a file, type-checking imports included."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # `from graph.stores import embedded` imports graph.stores.embedded
            found.extend((node.lineno, f"{node.module}.{a.name}") for a in node.names)
    return found


def source_files() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def test_layer_of_names_the_layers() -> None:
    assert layer_of("graph.domain.model") == 0
    assert layer_of("graph.stores.neo4j.queries") == 1
    assert layer_of("graph.indicators.scoring") == 3
    assert layer_of("taiqu.settings") == 6
    assert layer_of("taiqu.cli") == 8
    assert layer_of("strawberry") is None


def test_no_import_against_the_layer_order() -> None:
    wrong = []
    for path in source_files():
        importer = module_name(path)
        own = layer_of(importer)
        if importer == "graph":  # the top package: a docstring, nothing to import
            assert imports_of(path) == []
            continue
        assert own is not None, f"{importer} is in no layer: add it to LAYERS and the doc"
        for line, imported in imports_of(path):
            theirs = layer_of(imported)
            if theirs is not None and theirs > own:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {importer} imports {imported}")
    assert wrong == []


def test_the_domain_uses_the_standard_library_only() -> None:
    wrong = []
    for path in sorted((ROOT / "graph" / "domain").rglob("*.py")):
        for line, imported in imports_of(path):
            top = imported.split(".")[0]
            if top in sys.stdlib_module_names or imported.startswith("graph.domain"):
                continue
            wrong.append(f"{path.relative_to(ROOT)}:{line}: imports {imported}")
    assert wrong == []


def test_the_stores_know_nothing_of_each_other() -> None:
    wrong = []
    for own, other in (("embedded", "neo4j"), ("neo4j", "embedded")):
        for path in sorted((ROOT / "graph" / "stores" / own).rglob("*.py")):
            for line, imported in imports_of(path):
                if imported.startswith(f"graph.stores.{other}"):
                    wrong.append(f"{path.relative_to(ROOT)}:{line}: imports {imported}")
    assert wrong == []


def test_the_series_and_services_reach_stores_through_the_contract() -> None:
    """Only the factory (and the tests) name a store implementation."""
    wrong = []
    for folder in ("series", "services"):
        for path in sorted((ROOT / "graph" / folder).rglob("*.py")):
            for line, imported in imports_of(path):
                if imported.startswith(("graph.stores.embedded", "graph.stores.neo4j")):
                    wrong.append(f"{path.relative_to(ROOT)}:{line}: imports {imported}")
    assert wrong == []
