"""Where configuration may point: every local path a project names stays inside its portfolio.

A project file names its evidence by path. Resolved against the file's folder (symbolic links
followed), each path must lie inside the portfolio's folder or inside a folder that the setting
``READINESS_EVIDENCE_ROOTS`` allows, so ``../../etc/shadow`` or ``/root/.ssh/id_rsa`` is refused
when the configuration is loaded, never read. S3 and PostgreSQL sources are not local paths.

:func:`local_paths` walks a project's evidence model and finds every path it names, whatever the
evidence kind: a new kind whose fields are called like the others' (``path``, ``source``...) is
covered without being listed. The measurement cache key uses the same walk.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel

from core.errors import Problem

#: Field names that hold a local path (or a URL, for dataset sources) in evidence models.
PATH_FIELDS = frozenset(
    {"path", "source", "poc_sample", "history_path", "costs", "evaluation", "question_bank"}
)
#: Dataset sources that are not local paths. Nothing else is: any other text (``http://x/..``,
#: ``file://``) is checked as the path it resolves to, so it cannot lead out of the folder.
_NOT_LOCAL = ("s3://", "postgresql://", "postgres://")
_DATASET_SOURCES = frozenset({"source", "poc_sample"})


def _walk(value: object, key: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            child = getattr(value, name)
            where = f"{key}.{name}" if key else name
            if name in PATH_FIELDS and isinstance(child, str):
                # Only a dataset's source (or POC sample) may live in S3 or PostgreSQL; any other
                # file (costs: postgresql://x/../../etc/passwd) is read as the path it resolves to.
                if not (name in _DATASET_SOURCES and child.startswith(_NOT_LOCAL)):
                    yield where, child
            else:
                yield from _walk(child, where)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, f"{key}.{index}")


def local_paths(evidence: BaseModel, prefix: str = "evidence") -> list[tuple[str, str]]:
    """Every local path an evidence model names: ``(key path, path as written)``."""
    return list(_walk(evidence, prefix))


def _fixed_part(written: str) -> str:
    """The part of a path before its first glob character (a glob's folder)."""
    for index, char in enumerate(written):
        if char in "*?[":
            return written[:index].rsplit("/", 1)[0] if "/" in written[:index] else "."
    return written


def inside(path: Path, roots: Sequence[Path]) -> bool:
    """True when ``path`` (resolved, links followed) lies inside one of ``roots``."""
    return _within(path, [root.resolve() for root in roots], {})


def _resolved(path: Path, folders: dict[str, str]) -> str:
    """``path.resolve()``, each folder's real path found once in ``folders`` (folder -> real).

    Resolving stats every part of a path; a project's paths share their folders. The real path
    of a path whose last part is not a link is its folder's real path and that part.
    """
    name = path.name
    if name in ("", ".", ".."):
        return os.path.realpath(path)
    parent = str(path.parent)
    real_parent = folders.get(parent)
    if real_parent is None:
        real_parent = folders[parent] = os.path.realpath(parent)
    joined = os.path.join(real_parent, name)
    return os.path.realpath(joined) if os.path.islink(joined) else joined


def _within(path: Path, resolved_roots: Sequence[Path], folders: dict[str, str]) -> bool:
    """:func:`inside`, the roots resolved already (``folders``: see :func:`_resolved`)."""
    resolved = Path(_resolved(path, folders))
    return any(resolved.is_relative_to(root) for root in resolved_roots)


def _leaving_file(
    base: Path, text: str, roots: Sequence[Path], folders: dict[str, str]
) -> Path | None:
    """A file of a folder or glob source that resolves outside ``roots`` (resolved already)."""
    from flows.sources.files import source_files

    written = Path(text).expanduser()
    for found in source_files(written if written.is_absolute() else base / written):
        if not _within(found, roots, folders):
            return found
    return None


def outside_problems(
    source: Path, base: Path, written: Sequence[tuple[str, str]], roots: Sequence[Path]
) -> list[Problem]:
    """A problem for each path of ``written`` (relative to ``base``) that leaves ``roots``.

    The message names the file and the key, never the file's content.
    """
    problems = []
    allowed = ", ".join(str(r) for r in roots)
    roots = [root.resolve() for root in roots]  # once, not once per path (each resolve stats)
    folders: dict[str, str] = {}  # the real path of each folder met (links followed)
    for key, text in written:
        candidate = Path(_fixed_part(text)).expanduser()
        path = candidate if candidate.is_absolute() else base / candidate
        if (
            not _within(path, roots, folders)
            or _leaving_file(base, text, roots, folders) is not None
        ):
            problems.append(
                Problem(
                    str(source),
                    f"the path {text!r} leads outside the portfolio's folder ({allowed}); "
                    "evidence must live inside it, or in a folder READINESS_EVIDENCE_ROOTS allows",
                    column=key,
                )
            )
    return problems
