"""Alertmanager's label matchers: ``a="b"``, ``a!="b"``, ``a=~"b"``, ``a!~"b"``, or several in braces.

Read by the operations configuration (a service's matchers are checked when the project file is
loaded, :mod:`flows.operations_config`) and by the alerting evidence (routes and rules matched,
:mod:`flows.evidence.alerting`): one parser for both, below both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MATCHER = re.compile(r"^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$", re.S)


@dataclass(frozen=True)
class Matcher:
    """One label matcher (``=``, ``!=``, ``=~``, ``!~``); regexes are anchored, as Alertmanager's."""

    name: str
    op: str
    value: str

    def matches(self, labels: dict[str, str]) -> bool:
        """Whether a label set satisfies the matcher (a missing label is the empty value)."""
        actual = labels.get(self.name, "")
        if self.op in ("=", "!="):
            return (actual == self.value) == (self.op == "=")
        found = re.fullmatch(self.value, actual) is not None
        return found == (self.op == "=~")


def unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        inner = text[1:-1]
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), inner)
    return text


def _split(text: str) -> list[str]:
    parts, current, quoted, escaped = [], "", False, False
    for char in text:
        if escaped:
            current, escaped = current + char, False
            continue
        if char == "\\":
            current, escaped = current + char, True
            continue
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    return [p for p in parts if p.strip()]


def parse_matchers(text: str) -> list[Matcher]:
    """Matchers in Alertmanager's syntax: ``a="b"``, or several in ``{a="b", c=~"d"}``."""
    body = text.strip()
    if body.startswith("{") and body.endswith("}"):
        body = body[1:-1]
    matchers = []
    for part in _split(body):
        match = _MATCHER.match(part)
        if not match:
            raise ValueError(f'{part.strip()!r} is not a matcher such as label="value"')
        name, op, raw = match.groups()
        value = unquote(raw)
        if op in ("=~", "!~"):
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"{name}: not a regular expression ({exc})") from exc
        matchers.append(Matcher(name, op, value))
    return matchers
