"""Generate the configuration reference and JSON Schemas from the configuration models.

``docs/configuration.md`` lists every key of every file a person writes (portfolio, project,
rubric, question bank, cost assumptions, evaluation plan): its type, default, meaning and an
example. ``docs/schemas/<file>.schema.json`` are the same models as JSON Schema, which editors
use to flag a wrong key while typing (``# yaml-language-server: $schema=...``). Both are
generated here from :mod:`flows.config`, so they cannot drift from the code; CI checks that the
committed files are current, as it does for ``docs/rubric.md``.

The meaning of a key is the ``#:`` comment above its field in :mod:`flows.config` (or the
field's description); the example is the first value the example portfolio uses for that key.
"""

from __future__ import annotations

import ast
import inspect
import json
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from core.settings import REPO_ROOT
from flows import config, safe_yaml
from flows.waivers import WaiverFile

DOCS = REPO_ROOT / "docs"
CONFIG_DOC = DOCS / "configuration.md"
SCHEMA_DIR = DOCS / "schemas"
EXAMPLES = REPO_ROOT / "examples"


@dataclass(frozen=True)
class FileKind:
    """One kind of configuration file a person writes."""

    name: str  # schema file stem, e.g. ``project``
    title: str
    model: type[BaseModel]
    examples: tuple[str, ...]  # globs under examples/ (or rubric/) whose files are of this kind
    where: str


FILES: tuple[FileKind, ...] = (
    FileKind(
        "portfolio",
        "Portfolio",
        config.Portfolio,
        ("examples/portfolio.yml",),
        "one per portfolio, e.g. `examples/portfolio.yml`; `readiness run PORTFOLIO` reads it",
    ),
    FileKind(
        "project",
        "Project",
        config.Project,
        ("examples/projects/*/project.yml",),
        "one per assessed project, listed by the portfolio's `projects:`",
    ),
    FileKind(
        "rubric",
        "Rubric",
        config.Rubric,
        ("rubric/rubric.yml",),
        "`rubric/rubric.yml` by default, or the portfolio's `rubric:`",
    ),
    FileKind(
        "question_bank",
        "Question bank",
        config.QuestionBank,
        ("examples/question_bank.yml",),
        "the portfolio's `question_bank:` (or a survey's own `question_bank:`)",
    ),
    FileKind(
        "costs",
        "Cost assumptions",
        config.CostAssumptions,
        ("examples/projects/*/costs.yml",),
        "a project's `evidence.costs:`",
    ),
    FileKind(
        "evaluation",
        "Evaluation plan",
        config.EvaluationPlan,
        ("examples/projects/*/evaluation.yml",),
        "a project's `evidence.evaluation:`",
    ),
    FileKind(
        "waivers",
        "Waivers",
        WaiverFile,
        ("docs/examples/waivers.yml",),
        "the portfolio's `waivers:` (default `waivers.yml` beside it); `readiness waive` writes it "
        "(see [programme.md](programme.md))",
    ),
)


# --- meanings from the source -----------------------------------------------------------------


def _class_comments(model: type[BaseModel]) -> dict[str, str]:
    """Field name -> the ``#:`` (or plain ``#``) comment lines above it, or its inline comment."""
    try:
        lines, _ = inspect.getsourcelines(model)
    except (OSError, TypeError):
        return {}
    source = "".join(lines)
    tree = ast.parse(inspect.cleandoc("\n" + source) if source.startswith(" ") else source)
    found: dict[str, str] = {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    for node in body:
        if not isinstance(node, ast.AnnAssign) or not isinstance(node.target, ast.Name):
            continue
        above: list[str] = []
        index = node.lineno - 2  # the line before the field (0-based)
        while index >= 0 and lines[index].strip().startswith("#"):
            above.insert(0, lines[index].strip().lstrip("#:").strip())
            index -= 1
        inline = lines[node.lineno - 1].split("  # ", 1)
        text = " ".join(above) or (inline[1].strip() if len(inline) == 2 else "")
        if text:
            found[node.target.id] = text
    return found


def meaning(model: type[BaseModel], name: str, info: FieldInfo) -> str:
    """What a key means, in the words of the code."""
    if info.description:
        return info.description
    text = _class_comments(model).get(name, "")
    if not text:
        nested = list(_models_in(info.annotation))
        if nested:
            text = (inspect.getdoc(nested[0]) or "").split("\n\n")[0].replace("\n", " ")
    return text


# --- types in words ---------------------------------------------------------------------------


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _container(annotation: Any) -> tuple[str, ...]:
    """The step into a list (``[]``) or a mapping (``{}``) that holds a field's models, if any."""
    origin = typing.get_origin(annotation)
    if origin is list:
        return ("[]",)
    if origin is dict:
        return ("{}",)
    for arg in typing.get_args(annotation):  # Optional[...], Annotated[...]
        found = _container(arg)
        if found:
            return found
    return ()


def type_words(annotation: Any) -> str:
    """A field's type as a person reads it: ``list of text``, ``one of: csv, yaml``..."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_words(args[0])
    if origin is typing.Literal:
        return "one of: " + ", ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        kinds = [type_words(a) for a in args if a is not type(None)]
        return " or ".join(kinds)
    if origin is list:
        return f"list of {type_words(args[0])}" if args else "list"
    if origin is dict:
        return f"mapping of {type_words(args[0])} to {type_words(args[1])}"
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return "mapping"
        return {
            str: "text",
            int: "whole number",
            float: "number",
            bool: "true/false",
            SecretStr: "text (secret)",
        }.get(annotation, annotation.__name__)
    return str(annotation)


def default_words(info: FieldInfo) -> str:
    """The default of a field, or *required*."""
    if info.is_required():
        return "**required**"
    factory = info.default_factory
    value = factory() if factory is not None else info.default  # type: ignore[call-arg]
    if value is PydanticUndefined or value is None:
        return "none"
    if isinstance(value, BaseModel):
        return "(see below)"
    if value in ([], {}):
        return "empty"
    if value == "":
        return '`""`'
    if value == "":
        return '`""`'
    return f"`{json.dumps(value) if not isinstance(value, str) else value}`"


# --- examples from the example portfolio ------------------------------------------------------


def _example_documents(kind: FileKind) -> list[Any]:
    documents = []
    for pattern in kind.examples:
        for path in sorted(REPO_ROOT.glob(pattern)):
            documents.append(safe_yaml.load_file(path))
    return documents


def _find(document: Any, path: tuple[str, ...]) -> Any:
    """The first value at ``path`` (``[]`` steps into every item of a list)."""
    if not path:
        return document
    head, rest = path[0], path[1:]
    if head == "[]":
        for item in document if isinstance(document, list) else []:
            found = _find(item, rest)
            if found is not None:
                return found
        return None
    if head == "{}":
        for item in document.values() if isinstance(document, dict) else []:
            found = _find(item, rest)
            if found is not None:
                return found
        return None
    if isinstance(document, dict) and head in document:
        return _find(document[head], rest)
    return None


def example_words(documents: list[Any], path: tuple[str, ...]) -> str:
    """A short example of the key's value from the example portfolio, or empty."""
    for document in documents:
        value = _find(document, path)
        if value is None:
            continue
        if isinstance(value, dict | list):
            text = json.dumps(value, ensure_ascii=False, default=str)
            if len(text) > 70:
                return ""  # a nested block: its own keys are listed below
        else:
            text = str(value)
        return f"`{text}`"
    return ""


# --- the reference ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One documented key."""

    dotted: str
    path: tuple[str, ...]
    type: str
    default: str
    meaning: str


def keys(
    model: type[BaseModel], prefix: tuple[str, ...] = (), seen: frozenset[type] = frozenset()
) -> Iterator[Key]:
    """Every key of a model, nested models' keys after their own key."""
    for name, info in model.model_fields.items():
        key_name = info.alias or name
        path = (*prefix, key_name)
        dotted = ".".join(p for p in path if p not in ("[]", "{}"))
        words = type_words(info.annotation)
        if (model.__name__, name) in ONE_OR_MANY:
            words += " (or one mapping)"
        yield Key(
            dotted,
            path,
            words,
            default_words(info),
            meaning(model, name, info),
        )
        annotation = info.annotation
        for nested in _models_in(annotation):
            if nested in seen:
                continue
            yield from keys(nested, (*path, *_container(annotation)), seen | {model})


def render() -> str:
    """``docs/configuration.md``."""
    lines = [
        "# Configuration reference",
        "",
        "<!-- Generated from flows/config.py by `readiness config-doc`; do not edit by hand. -->",
        "",
        "Every file a person writes, every key, its type, its default, what it means and an example",
        "from the example portfolio (`examples/`). Paths in a file are relative to that file, and",
        "must stay inside the portfolio's folder. Editors that speak the YAML language server",
        "check a file against its JSON Schema while you type when the file starts with",
        "`# yaml-language-server: $schema=<path to docs/schemas/<file>.schema.json>` (the files",
        "`readiness init` writes do).",
        "",
    ]
    for kind in FILES:
        documents = _example_documents(kind)
        lines += [
            f"## {kind.title} (`{kind.name}`)",
            "",
            f"{inspect.getdoc(kind.model)} Where: {kind.where}. Schema: "
            f"[`schemas/{kind.name}.schema.json`](schemas/{kind.name}.schema.json).",
            "",
            "| key | type | default | meaning | example |",
            "| --- | --- | --- | --- | --- |",
        ]
        for key in keys(kind.model):
            cells = [
                f"`{key.dotted}`",
                key.type,
                key.default,
                key.meaning,
                example_words(documents, key.path),
            ]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)


#: List fields that also take one item written on its own (a validator wraps it in a list).
ONE_OR_MANY = frozenset({("Evidence", "survey")})


def _describe(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Put the ``#:`` comments into the schema's property descriptions (editors show them)."""
    properties = schema.get("properties", {})
    for name, info in model.model_fields.items():
        prop = properties.get(info.alias or name)
        text = meaning(model, name, info)
        if prop is not None and text and "description" not in prop:
            prop["description"] = text
        if prop is not None and (model.__name__, name) in ONE_OR_MANY and "items" in prop:
            one = dict(prop["items"])
            properties[info.alias or name] = {
                "anyOf": [one, {"type": "array", "items": prop["items"]}],
                **{k: v for k, v in prop.items() if k not in ("items", "type")},
            }


def schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema of one file's model, with descriptions and a title."""
    result = model.model_json_schema(by_alias=True, mode="validation")
    _describe(result, model)
    definitions = result.get("$defs", {})
    for nested in _all_models(model):
        if nested.__name__ in definitions:
            _describe(definitions[nested.__name__], nested)
    result["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return result


def _all_models(model: type[BaseModel], seen: set[type] | None = None) -> Iterator[type[BaseModel]]:
    seen = seen if seen is not None else set()
    for info in model.model_fields.values():
        for nested in _models_in(info.annotation):
            if nested not in seen:
                seen.add(nested)
                yield nested
                yield from _all_models(nested, seen)


def outputs() -> dict[Path, str]:
    """Every generated file and its content."""
    files = {CONFIG_DOC: render()}
    for kind in FILES:
        text = json.dumps(schema(kind.model), indent=2, ensure_ascii=False, sort_keys=True)
        files[SCHEMA_DIR / f"{kind.name}.schema.json"] = text + "\n"
    return files


def stale() -> list[Path]:
    """The generated files whose committed content differs from what the code generates."""
    return [
        path
        for path, text in outputs().items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def write() -> list[Path]:
    """Write every generated file; the paths written."""
    written = []
    for path, text in outputs().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
