"""The CLI's progress: plain lines off a terminal, a live display on one, nothing when quiet."""

from __future__ import annotations

import io

from taiqu.progress import StepPrinter


def test_plain_lines_off_a_terminal_and_nothing_when_quiet() -> None:
    out = io.StringIO()
    with StepPrinter(stream=out) as printer:  # a StringIO is no terminal
        printer("read meters.csv: 7 rows")
        printer("checked")
    assert out.getvalue() == "[taiqu] read meters.csv: 7 rows\n[taiqu] checked\n"
    quiet = io.StringIO()
    with StepPrinter(quiet=True, stream=quiet) as printer:
        printer("read meters.csv: 7 rows")
    assert quiet.getvalue() == ""


def test_a_counted_step_is_one_bar_that_moves() -> None:
    out = io.StringIO()
    printer = StepPrinter(stream=out, live=True)
    printer("writing 100 changes")
    printer("written 10 of 100 changes")
    bars = printer._bars
    assert bars is not None
    counted = bars.tasks[-1]
    printer("written 60 of 100 changes")  # the same step: its bar moves, no new line
    assert len(bars.tasks) == 2 and (counted.completed, counted.total) == (60, 100)
    printer("building search indexes")
    assert len(bars.tasks) == 3 and bars.tasks[1].finished  # the counted step ended
    printer.close()
    shown = out.getvalue()
    assert "writing 100 changes" in shown and "building search indexes" in shown
