"""Problems found in an input: where (file, line, column) and what."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from graph.domain.errors import LoadRejected

if TYPE_CHECKING:
    from loaders.exchange import Row

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int  # 1-based; the header is line 1
    column: int | None  # 1-based field position, None when the column is missing altogether
    column_name: str | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        if self.column is not None:
            where += f":{self.column}"
        if self.column_name:
            where += f" ({self.column_name})"
        return f"{where}: {self.severity}: {self.message}"


def row_problem(
    file: str, row: Row, column: str, message: str, severity: Severity = "error"
) -> Problem:
    """A problem at `column` of `row` (its position in the file's header)."""
    return Problem(file, row.line, row.positions.get(column), column, message, severity)


def warnings_unless_errors(problems: list[Problem]) -> list[Problem]:
    """The warnings among `problems`, sorted; LoadRejected with every error when any is one."""
    errors = sorted(p for p in problems if p.severity == "error")
    if errors:
        raise LoadRejected(errors)
    return sorted(p for p in problems if p.severity == "warning")
