"""Is the series folder whole: its manifest readable, every file it names present (and, in a
deep check at start-up, readable as Parquet)?"""

from __future__ import annotations

import os

import duckdb

from graph.series import sql
from graph.series.files import MANIFEST, Manifest, SeriesFolder

_SHOWN = 10  # problems listed one by one; the rest counted


def read_manifest(folder: SeriesFolder) -> tuple[Manifest | None, list[str]]:
    """The manifest, or None and why it cannot be read."""
    try:
        return folder.read(), []
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return None, [f"{folder.path(MANIFEST)}: unreadable ({type(exc).__name__}: {exc})"]


def series_problems(folder: SeriesFolder, manifest: Manifest, deep: bool = False) -> list[str]:
    """Files the manifest names that are missing (or, `deep`, not readable as Parquet)."""
    names = sorted(manifest.files())
    missing = [n for n in names if not os.path.isfile(folder.path(n))]
    problems = [f"{folder.path(n)}: missing" for n in missing]
    if deep:
        present = [n for n in names if n not in set(missing)]
        con = duckdb.connect()
        try:
            for name in present:
                try:
                    con.execute(sql.PARQUET_FOOTER, {"file": folder.path(name)}).fetchall()
                except duckdb.Error as exc:
                    first_line = str(exc).splitlines()[0]
                    problems.append(f"{folder.path(name)}: unreadable ({first_line})")
        finally:
            con.close()
    if len(problems) > _SHOWN:
        problems = [*problems[:_SHOWN], f"... and {len(problems) - _SHOWN} more"]
    return problems
