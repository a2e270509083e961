"""YAML read with limits: the one way this package parses a YAML file a person supplies.

PyYAML's ``safe_load`` runs no code, but it still lets a small file exhaust the machine: aliases
that refer to aliases ("billion laughs") expand to billions of values once anything walks the
result, deep nesting exhausts the stack, a huge file is parsed to no purpose, and a key written
twice silently keeps the last value. Here a file is refused, with its line, when it is larger than
:data:`MAX_BYTES` (before it is read), nests deeper than :data:`MAX_DEPTH`, expands more than
:data:`MAX_ALIAS_VALUES` values through aliases, or repeats a key (both lines are named).

Messages never quote the file: PyYAML's own messages carry a snippet of the offending line,
which may hold anything the file holds (see :func:`describe`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

#: A YAML file larger than this is refused before it is read (configuration and inventory files
#: are kilobytes; parsing YAML costs seconds per megabyte).
MAX_BYTES = 4 << 20
#: Deepest nesting of mappings and sequences (aliases count as the nesting they stand for).
MAX_DEPTH = 64
#: Values an alias may stand for, counted over the whole document (each use counts again).
MAX_ALIAS_VALUES = 100_000

_MERGE = "tag:yaml.org,2002:merge"
_CONSTRUCTED_KEY_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("bool", "int", "float", "null", "timestamp")
)

try:  # libyaml's scanner and parser when installed (several times faster), our composer always
    from yaml._yaml import CParser as _Parser

    _FAST = True
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml.parser import Parser as _Parser  # type: ignore[assignment]

    _FAST = False


class YamlRefused(yaml.MarkedYAMLError):
    """A YAML file refused for a limit (size, depth, aliases) or a repeated key."""

    def __init__(self, problem: str, mark: Any = None) -> None:
        super().__init__(problem=problem, problem_mark=mark)


class LimitedLoader(Composer, _Parser, SafeConstructor, Resolver):
    """PyYAML's safe loader with the composer checking depth, alias expansion and repeated keys."""

    def __init__(self, text: str) -> None:
        if _FAST:
            _Parser.__init__(self, text)
        else:  # pragma: no cover
            from yaml.reader import Reader
            from yaml.scanner import Scanner

            Reader.__init__(self, text)  # type: ignore[arg-type]
            Scanner.__init__(self)  # type: ignore[arg-type]
            _Parser.__init__(self)  # type: ignore[call-arg]
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._depth = 0
        self._aliased = 0
        self._open_anchors: list[str] = []
        # Per node: (values it stands for, levels of nesting), so an alias is measured once.
        self._measured: dict[int, tuple[int, int]] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Any:
        event: Any = self.peek_event()
        if self.check_event(yaml.AliasEvent):
            if event.anchor in self._open_anchors:
                raise YamlRefused(
                    f"the alias *{_short(event.anchor)} refers to the value that contains it",
                    event.start_mark,
                )
            node: Any = super().compose_node(parent, index)
            values, depth = self._measure(node)
            self._aliased += values
            if self._aliased > MAX_ALIAS_VALUES:
                raise YamlRefused(
                    f"aliases expand to more than {MAX_ALIAS_VALUES:,} values "
                    "(a file that refers to itself over and over is not read)",
                    event.start_mark,
                )
            if self._depth + depth > MAX_DEPTH:
                raise YamlRefused(_too_deep(), event.start_mark)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlRefused(_too_deep(), event.start_mark)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open_anchors.append(anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open_anchors.pop()
        return node

    def compose_mapping_node(self, anchor: Any) -> Any:
        node: MappingNode = super().compose_mapping_node(anchor)
        first: dict[tuple[str, Any], int] = {}
        for key, _ in node.value:
            if not isinstance(key, ScalarNode) or key.tag == _MERGE:
                continue
            ident = (key.tag, self._key_value(key))
            line = key.start_mark.line + 1
            if ident in first:
                raise YamlRefused(
                    f"the key {_short(key.value)!r} is written twice (line {first[ident]} "
                    f"and line {line}); write it once",
                    key.start_mark,
                )
            first[ident] = line
        return node

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            # PyYAML's constructors raise these for a value its explicit tag does not fit
            # (``!!int abc``, ``!!timestamp abc``); their text would quote the value.
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            raise YamlRefused(
                f"a value that is not what its tag {_short(tag)} says", node.start_mark
            ) from exc

    def _key_value(self, key: ScalarNode) -> Any:
        """A key as the file means it: ``yes`` and ``true`` are one key, ``1`` and ``01`` too."""
        if key.tag in _CONSTRUCTED_KEY_TAGS:
            try:
                return self.yaml_constructors[key.tag](self, key)
            except (yaml.YAMLError, ValueError):
                pass
        return key.value

    def _measure(self, node: Node) -> tuple[int, int]:
        """How many values a node stands for, and how deep it nests (memoised per node)."""
        known = self._measured.get(id(node))
        if known is not None:
            return known
        values, depth = 1, 0
        if isinstance(node, SequenceNode):
            children: list[Node] = list(node.value)
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = []
        for child in children:
            child_values, child_depth = self._measure(child)
            values += child_values
            depth = max(depth, child_depth)
            if values > MAX_ALIAS_VALUES:
                break
        if children:
            depth += 1
        self._measured[id(node)] = (values, depth)
        return values, depth


def _too_deep() -> str:
    return f"nested more than {MAX_DEPTH} levels deep"


def _short(text: Any, limit: int = 60) -> str:
    value = str(text)
    return value if len(value) <= limit else value[: limit - 3] + "..."


def read_text(path: Path) -> str:
    """A YAML file's text, refused unread when it is larger than :data:`MAX_BYTES`.

    Raises OSError or UnicodeDecodeError as reading does, YamlRefused for the size.
    """
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise YamlRefused(
            f"the file is {size / (1 << 20):.1f} MB; a YAML file over "
            f"{MAX_BYTES / (1 << 20):.0f} MB is not read"
        )
    return path.read_text(encoding="utf-8-sig")


def _check_length(text: str) -> None:
    if len(text) > MAX_BYTES:
        raise YamlRefused(f"the text is over {MAX_BYTES / (1 << 20):.0f} MB; it is not read")


def compose_all(text: str) -> list[Node]:
    """Every non-empty document of a YAML text as nodes (with line numbers), within the limits."""
    _check_length(text)
    loader = LimitedLoader(text)
    try:
        documents = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                documents.append(node)
        return documents
    finally:
        loader.dispose()


def compose(text: str) -> Node | None:
    """The one document of a YAML text as a node (None when empty), within the limits."""
    _check_length(text)
    loader = LimitedLoader(text)
    try:
        node: Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


def construct(node: Node) -> Any:
    """The Python value of a composed node (plain YAML types only)."""
    loader = LimitedLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load(text: str) -> Any:
    """The one document of a YAML text as Python values, within the limits (as ``safe_load``)."""
    node = compose(text)
    return None if node is None else construct(node)


def load_file(path: Path) -> Any:
    """A YAML file as Python values, within the limits (size checked before reading)."""
    return load(read_text(path))


def key_lines(node: Node | None) -> dict[str, int]:
    """The line (1-based) of every key and list item of a document, by dotted path.

    ``{"service_levels.p95_latency_ms": 12, "evidence.datasets.0": 20, ...}``; the top level is
    ``""``. Configuration problems name the line of the key they are about.
    """
    lines: dict[str, int] = {}
    stack: list[tuple[Node, str]] = [(node, "")] if node is not None else []
    seen: set[int] = set()
    while stack:
        current, path = stack.pop()
        lines.setdefault(path, current.start_mark.line + 1)
        if id(current) in seen:  # an alias: its keys were listed where it was defined
            continue
        seen.add(id(current))
        if isinstance(current, MappingNode):
            for key, value in current.value:
                if isinstance(key, ScalarNode):
                    child = f"{path}.{key.value}" if path else str(key.value)
                    lines.setdefault(child, key.start_mark.line + 1)
                    stack.append((value, child))
        elif isinstance(current, SequenceNode):
            for index, item in enumerate(current.value):
                stack.append((item, f"{path}.{index}" if path else str(index)))
    return lines


def load_file_with_lines(path: Path) -> tuple[Any, dict[str, int]]:
    """A YAML file as Python values, and the line of each key (see :func:`key_lines`)."""
    node = compose(read_text(path))
    return (None if node is None else construct(node)), key_lines(node)


def describe(exc: yaml.YAMLError) -> str:
    """Where and what, in words, without the snippet of the file PyYAML's message quotes."""
    if isinstance(exc, yaml.reader.ReaderError):
        return f"not valid YAML text (character {exc.position + 1}): {exc.reason}"
    mark = getattr(exc, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
    problem = str(getattr(exc, "problem", None) or "the file cannot be parsed")
    context = getattr(exc, "context", None)
    if context and problem.startswith("but "):
        problem = f"{context}, {problem}"
    if isinstance(exc, YamlRefused):
        return f"refused{where}: {problem}"
    if "nesting depth" in problem:  # libyaml's own limit (1000 levels), met before ours
        return f"refused{where}: {_too_deep()}"
    if problem.startswith("found undefined alias"):
        problem = "an alias (*name) that no anchor (&name) before it defines"
    elif problem == "second occurrence" and "duplicate anchor" in str(context):
        problem = "an anchor (&name) defined twice"
    elif problem.startswith("could not determine a constructor for the tag"):
        problem = "a tag that is not allowed (only plain YAML values are read)"
    elif problem.startswith("found unhashable key"):
        problem = "a key that is a list or a mapping (a key must be a plain value)"
    return f"not valid YAML{where}: {problem}"
