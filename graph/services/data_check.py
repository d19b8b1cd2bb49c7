"""Is the data under TAIQU_HOME whole, and do its parts agree? Checked at start-up (deeply:
every SQLite page, every Parquet footer) and by each /readyz (cheaply: a ping, the files the
series manifest names are there).

A problem makes the server not ready; a *fatal* one stops it from starting, because answering
would mislead: a corrupt topology, or an empty one under a loss copy that mirrors a network (a
0-byte or replaced topology.sqlite3 would otherwise serve an empty network beside old loss).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.series.check import read_manifest, series_problems
from graph.series.files import SeriesFolder
from graph.stores.contract import Store


@dataclass(frozen=True)
class DataCheck:
    problems: list[str] = field(default_factory=list)  # not ready while any
    fatal: list[str] = field(default_factory=list)  # do not start

    @property
    def whole(self) -> bool:
        return not self.problems and not self.fatal


def check_data(store: Store, folder: SeriesFolder, deep: bool = False) -> DataCheck:
    fatal = store.check(deep)
    manifest, problems = read_manifest(folder)
    if manifest is not None:
        problems += series_problems(folder, manifest, deep)
        mirrored = manifest.graph_version or 0
        if mirrored > 0 and store.version() == 0:
            fatal.append(
                f"the topology store holds no network (graph version 0) while the loss copy "
                f"in {folder.root} mirrors version {mirrored}: the store was emptied or "
                "replaced; restore it, or load the network again into an empty TAIQU_HOME"
            )
    return DataCheck(problems=problems, fatal=fatal)
