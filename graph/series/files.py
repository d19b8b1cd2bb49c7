"""The time-series folder: immutable Parquet files named by generation, one manifest.

    TAIQU_HOME/series/
      manifest.json                       which files are current (replaced atomically)
      readings/2026-10-01.g7-1a2b3c.parquet  one per day: meter_id, day, import, export kWh
      balances/2026-10.g7-1a2b3c.parquet     one per month: per area per day sums
      corrections/replaced.g7-….parquet      readings replaced by write g7 (old and new)
      topology/*.g7-….parquet                meters, memberships, spans, links, transformers,
                                             and what technical loss reads (nodes, lines)
      curves/2026-10-01.g7-….parquet         one per day: meter_id, p1..p96 kW (curves.csv)

(g7 is the generation, 1a2b3c a token of the write that made the file.)

A writer (a `taiqu load`) holds `write.lock`, writes new files under new names, then replaces
`manifest.json` with one rename: readers (a running `taiqu serve`) see either the previous
generation or the next, never half of one, and never wait for a lock. Files that neither the
current nor the previous manifest names are deleted by the next writer, so a reader that
resolved names just before a swap still finds them.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from graph.series.technical.day import Assumptions

MANIFEST = "manifest.json"
LOCK = "write.lock"


@dataclass(frozen=True)
class Manifest:
    """The current generation's files, relative to the series folder."""

    generation: int = 0
    readings: dict[str, str] = field(default_factory=dict)  # ISO day -> file
    balances: dict[str, str] = field(default_factory=dict)  # YYYY-MM -> file
    corrections: tuple[str, ...] = ()
    topology: dict[str, str] = field(default_factory=dict)  # table name -> file
    curves: dict[str, str] = field(default_factory=dict)  # ISO day -> 96-point curves file
    # Set before a topology write and cleared by the sync after it: a crash in between leaves
    # it set, and the next writer syncs again.
    topology_stale: bool = False
    # The topology store's version the copy mirrors (None: written before versions were kept).
    # A copy whose version is not the store's is behind: a write it missed, or a crash.
    graph_version: int | None = None

    def files(self) -> set[str]:
        return (
            set(self.readings.values())
            | set(self.balances.values())
            | set(self.corrections)
            | set(self.topology.values())
            | set(self.curves.values())
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "generation": self.generation,
                "readings": self.readings,
                "balances": self.balances,
                "corrections": list(self.corrections),
                "topology": self.topology,
                "curves": self.curves,
                "topology_stale": self.topology_stale,
                "graph_version": self.graph_version,
            },
            indent=1,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        raw = json.loads(text)
        return cls(
            generation=int(raw["generation"]),
            readings=dict(raw["readings"]),
            balances=dict(raw["balances"]),
            corrections=tuple(raw["corrections"]),
            topology=dict(raw["topology"]),
            curves=dict(raw.get("curves", {})),
            topology_stale=bool(raw.get("topology_stale", False)),
            graph_version=raw.get("graph_version"),
        )


class SeriesFolder:
    """Reads and replaces the manifest; hands out new file names; cleans unreferenced files."""

    def __init__(self, root: Path, assumptions: Assumptions | None = None) -> None:
        self.root = Path(root)
        # What the technical loss of the balances written here assumes (settings).
        self.assumptions = assumptions or Assumptions()
        self._token = secrets.token_hex(3)
        for sub in ("readings", "balances", "corrections", "topology", "curves"):
            try:
                (self.root / sub).mkdir(parents=True, exist_ok=True)
            except PermissionError:  # a read-only home: read what is there
                break

    def path(self, name: str) -> str:
        return str(self.root / name)

    def stamp(self) -> tuple[int, int]:
        """Changes whenever the manifest is replaced (cheap to call per request)."""
        try:
            st = os.stat(self.root / MANIFEST)
        except FileNotFoundError:
            return (0, 0)
        return (st.st_mtime_ns, st.st_ino)

    def read(self) -> Manifest:
        try:
            return Manifest.from_json((self.root / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Manifest()

    def new_name(self, generation: int, kind: str, key: str) -> str:
        """A name no earlier write used: a write that died before publishing may have left
        files of the same generation behind."""
        return f"{kind}/{key}.g{generation}-{self._token}.parquet"

    def publish(self, current: Manifest, nxt: Manifest) -> None:
        """Make `nxt` current with one atomic rename, then drop files no manifest names."""
        tmp = self.root / f"{MANIFEST}.tmp"
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(nxt.to_json())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.root / MANIFEST)
        self._clean(current.files() | nxt.files())

    def _clean(self, keep: set[str]) -> None:
        for sub in ("readings", "balances", "corrections", "topology", "curves"):
            for path in (self.root / sub).glob("*.parquet"):
                if f"{sub}/{path.name}" not in keep:
                    path.unlink(missing_ok=True)

    @contextmanager
    def writing(self) -> Iterator[Manifest]:
        """Hold the writer lock (one writer at a time, readers never wait) and yield the
        manifest as it is under the lock."""
        with (self.root / LOCK).open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            self._token = secrets.token_hex(3)
            try:
                yield self.read()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def next_generation(manifest: Manifest, **changes: object) -> Manifest:
    return replace(manifest, generation=manifest.generation + 1, **changes)  # type: ignore[arg-type]
