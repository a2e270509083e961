"""Errors a person can act on: each names the file, and where they apply the row, the column or the key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what was expected."""

    source: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}"


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type's name when it has none)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class ReadinessError(Exception):
    """Base class of the errors this package raises on purpose."""


class ConfigError(ReadinessError):
    """A configuration file (portfolio, project, field map, rubric, question bank) is wrong."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def one(cls, source: str | Path, message: str, column: str | None = None) -> ConfigError:
        """A single problem."""
        return cls([Problem(str(source), message, column=column)])


class EvidenceError(ReadinessError):
    """An evidence file or source cannot be read at all (as opposed to rows rejected within it)."""

    def __init__(self, source: str | Path, message: str) -> None:
        self.source = str(source)
        self.reason = message
        super().__init__(f"{source}: {message}")
