"""The command line's progress: on a terminal, each step with a spinner and its elapsed time,
and a bar with the rate and the time left where the step reports counts ("written 40,000 of
89,261 changes"); elsewhere (a pipe, a log, CI) one plain line per step; nothing with
`--quiet`. Built on rich, a maintained terminal library."""

from __future__ import annotations

import re
import sys
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Column
from rich.text import Text

# "40,000 of 89,261": the steps that count say so in their message (graph/stores/*).
_COUNTS = re.compile(r"(\d[\d,]*) of (\d[\d,]*)")


class RateColumn(ProgressColumn):
    """Items per second, once the step has counted some."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f}/s", style="progress.data.speed")


class StepPrinter:
    """The progress callback of the CLI (graph/stores/contract.py's Progress)."""

    def __init__(
        self, quiet: bool = False, stream: TextIO | None = None, live: bool | None = None
    ) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.live = (not quiet and self.stream.isatty()) if live is None else live
        self._bars: Progress | None = None
        self._task: TaskID | None = None
        self._counting: str | None = None  # the counted step's message without its counts

    def __call__(self, message: str) -> None:
        if self.quiet:
            return
        if not self.live:
            print(f"[taiqu] {message}", file=self.stream, flush=True)
            return
        bars = self._ensure_bars()
        counts = _COUNTS.search(message)
        what = _COUNTS.sub("…", message) if counts else message
        if counts and self._task is not None and what == self._counting:
            done, total = (int(g.replace(",", "")) for g in counts.groups())
            bars.update(self._task, completed=done, total=total, description=message)
            return
        self._finish_step()
        if counts:
            done, total = (int(g.replace(",", "")) for g in counts.groups())
            self._task = bars.add_task(message, total=total, completed=done)
        else:
            self._task = bars.add_task(message, total=None)
        self._counting = what if counts else None

    def _ensure_bars(self) -> Progress:
        if self._bars is None:
            self._bars = Progress(
                SpinnerColumn(finished_text="✓"),
                # Long messages are cut so that the bar, the rate and the times stay in view.
                TextColumn(
                    "{task.description}",
                    table_column=Column(max_width=44, no_wrap=True, overflow="ellipsis"),
                ),
                BarColumn(bar_width=16),
                RateColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
            )
            self._bars.start()
        return self._bars

    def _finish_step(self) -> None:
        if self._bars is not None and self._task is not None:
            task = self._bars.tasks[-1]
            self._bars.update(self._task, total=task.total or 1, completed=task.total or 1)
            self._bars.stop_task(self._task)
        self._task = None

    def close(self) -> None:
        self._finish_step()
        if self._bars is not None:
            self._bars.stop()
            self._bars = None

    def __enter__(self) -> StepPrinter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
