"""Errors a person can act on: each names the file, and where they apply the row, the column or the key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what was expected."""

    source: str
    message: str
    row: int | None = None
    column: str | None = None
    #: The line of a configuration file the problem is on (its key's line).
    line: int | None = None

    def __str__(self) -> str:
        where = self.source
        if self.row is not None:
            where += f", row {self.row}"
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}"


#: The kind of error an engine names first ("Invalid Input Error: ", "IO Error: "): its word.
_ENGINE_PREFIX = re.compile(r"^(?:[A-Z][A-Za-z]* )+Error: ")


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, without the engine's name for its kind."""
    text = str(exc).strip()
    line = text.splitlines()[0] if text else "no details given"
    return _ENGINE_PREFIX.sub("", line) or line


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


def reading_failure(exc: BaseException, source: str | Path = "") -> str:
    """Why an input could not be read, in words, for a failure its reader did not foresee.

    The exception's own text is not shown: it may quote the file (a personal value, a secret) or
    name an internal class. What failed, and where in the code, is logged for the maintainers.
    """
    import logging
    import traceback
    import zipfile

    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
    logging.getLogger("flows.evidence").warning(
        "%s could not be read: %s at %s", source or "an input", type(exc).__name__, where
    )
    if isinstance(exc, RecursionError):
        return "the file nests too deeply to be read"
    if isinstance(exc, MemoryError):
        return "the file is too large to be read in the memory available"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text (byte {exc.start + 1}): {exc.reason}"
    if isinstance(exc, zipfile.BadZipFile | EOFError):
        return "the file is damaged or not a complete archive (an .xlsx workbook is a zip archive)"
    if "xml" in type(exc).__module__.casefold() or type(exc).__name__ == "ParseError":
        return "a part of the workbook is damaged (its XML cannot be parsed)"
    if isinstance(exc, OSError):
        return f"cannot read the file: {exc.strerror or 'input/output error'}"
    return "the file's content is not what this reader expects (what failed is logged)"
