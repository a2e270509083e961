"""System inventory: our own CSV and YAML, and Backstage catalog entities -> ``raw_inventory_systems``.

The path may be one file or a folder of files (a Backstage catalog is usually many
``catalog-info.yaml`` files); every file is one recorded input. Each system becomes one row with
its role, integration status and the capabilities it has solved. A row with an unknown role or
status, or a capability that is not yes/no, is refused with the file, the line, the column and the
allowed values; Backstage entities that are not systems (User, Group...) are reported as skipped.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.errors import EvidenceError, reading_failure
from flows import safe_yaml
from flows.config import SYSTEM_ROLES, InventoryEvidence, LoadedProject
from flows.evidence import Context, Evidence, MissingColumns, keep_valid_rows, read_text

KIND = "inventory"
TABLE = "raw_inventory_systems"
STATUSES: tuple[str, ...] = ("not_started", "in_progress", "tested", "in_production")
CAPABILITIES: tuple[str, ...] = (
    "authentication",
    "error_handling",
    "observability",
    "rollback",
    "versioning",
    "integration_tests",
)
CSV_REQUIRED: tuple[str, ...] = ("system", "role", "status", *CAPABILITIES)
_TRUE = frozenset({"yes", "y", "true", "1"})
# An empty capability cell means "not shown to be solved": readiness needs the claim made.
_FALSE = frozenset({"no", "n", "false", "0", ""})
_BOOL_TEXT = "yes/no, true/false, y/n or 1/0"
_SUFFIXES = frozenset({".csv", ".yml", ".yaml"})
# Keys of a system in our YAML besides the capabilities (a typo must not lose a claim silently).
_YAML_KEYS = frozenset(
    {"system", "role", "status", "owner", "capabilities", "description", "notes"}
)

# --- Backstage --------------------------------------------------------------------------------
BACKSTAGE_SYSTEM_KINDS = frozenset({"component", "api", "resource", "system"})
ANNOTATION_ROLE = "readiness.dev/role"
ANNOTATION_STATUS = "readiness.dev/status"
ANNOTATION_CAPABILITIES = "readiness.dev/capabilities"
ANNOTATION_RATE_LIMIT = "readiness.dev/rate-limit-rps"
#: ``spec.type`` values (and tags) that name a role in other words.
ROLE_ALIASES: dict[str, str] = {
    "database": "data_store",
    "db": "data_store",
    "postgres": "data_store",
    "postgresql": "data_store",
    "mysql": "data_store",
    "s3_bucket": "data_store",
    "bucket": "data_store",
    "storage": "data_store",
    "data_warehouse": "data_store",
    "warehouse": "data_store",
    "vector_database": "vector_store",
    "vector_db": "vector_store",
    "identity_provider": "identity",
    "idp": "identity",
    "gateway": "api_gateway",
    "ml_model": "model_serving",
    "model": "model_serving",
    "llm": "llm_provider",
    "ci_cd": "deployment",
    "cicd": "deployment",
}
#: Backstage ``spec.lifecycle`` -> integration status. A deprecated system still runs in production.
LIFECYCLE_STATUS: dict[str, str] = {
    "experimental": "in_progress",
    "development": "in_progress",
    "alpha": "in_progress",
    "beta": "tested",
    "production": "in_production",
    "deprecated": "in_production",
}


@dataclass
class Problem:
    """One thing wrong with one system: the column (or key), the value and what was expected."""

    column: str
    value: Any
    reason: str


@dataclass
class Candidate:
    """A parsed system before names are checked across files."""

    row: dict[str, Any]
    line: int
    kind: str | None = None  # the Backstage kind, when it came from Backstage
    namespace_name: str = ""


@dataclass
class FileResult:
    """What one inventory file yielded."""

    path: Path
    batch: Evidence = field(default_factory=Evidence)
    candidates: list[Candidate] = field(default_factory=list)
    rows_read: int = 0
    error: str | None = None


def collect_inventory(context: Context, project: LoadedProject) -> Evidence:
    """Read the project's system inventory (file or folder) into ``raw_inventory_systems``."""
    evidence = Evidence()
    spec = project.project.evidence.inventory
    if spec is None:
        return evidence
    path = project.resolve(spec.path)
    files = inventory_files(path)
    if not files:
        reason = "folder holds no .csv, .yml or .yaml file" if path.is_dir() else "file not found"
        return evidence.record_unreadable(KIND, spec.path, path, reason)
    results = [read_file(file, spec) for file in files]
    name_systems(results)
    for result in results:
        evidence.extend(finish(result, spec.path if len(files) == 1 else result.path.name))
    return evidence


def inventory_files(path: Path) -> list[Path]:
    """The files an inventory path stands for: itself, or the inventory files of a folder."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES)
    return [path] if path.is_file() else []


def read_file(path: Path, spec: InventoryEvidence) -> FileResult:
    """Parse one file in its format; an unreadable file keeps the reason and nothing else."""
    result = FileResult(path)
    missing: list[str] = []
    try:
        named = spec.format or ("csv" if path.suffix.lower() == ".csv" else None)
        csv_file = named == "csv"
        text = read_text(path) if csv_file else safe_yaml.read_text(path)
        fmt = named or detect_format(path, text)
        if fmt == "csv":
            read_csv(result, text)
        elif fmt == "backstage":
            read_backstage(result, text)
        else:
            read_own_yaml(result, text)
    except (OSError, UnicodeDecodeError) as exc:
        result.error = f"cannot read the file: {exc}"
    except csv.Error as exc:
        result.error = f"not a valid CSV file: {exc}"
    except yaml.YAMLError as exc:
        result.error = safe_yaml.describe(exc)  # never the file's snippet
    except MissingColumns as exc:
        result.error, missing = exc.reason, exc.missing
    except EvidenceError as exc:
        result.error = exc.reason
    except Exception as exc:  # a file no reader foresaw must not stop the project (see the log)
        result.error = reading_failure(exc, path)
    if result.error:
        result.batch, result.candidates = Evidence(), []
        # Each missing column is also a rejected row (the header, line 1), so that the refusal
        # shows where every refused row shows.
        for column in missing:
            result.batch.reject(
                KIND, path, f"missing column {column!r}: {result.error}", row=1, column=column
            )
    return result


def detect_format(path: Path, text: str) -> str:
    """``csv`` by extension; a YAML whose entities have ``apiVersion: backstage.io/*`` is Backstage."""
    if path.suffix.lower() == ".csv":
        return "csv"
    if re.search(r"^apiVersion:\s*['\"]?backstage\.io/", text, flags=re.MULTILINE):
        return "backstage"
    return "yaml"


# --- values -----------------------------------------------------------------------------------


def choice(value: Any, column: str, allowed: tuple[str, ...], problems: list[Problem]) -> str:
    """A role or status as an id (``"In production"`` -> ``in_production``), if it is allowed."""
    text = re.sub(r"[^a-z0-9]+", "_", str(value or "").casefold()).strip("_")
    if text not in allowed:
        problems.append(Problem(column, value, f"expected one of {', '.join(allowed)}"))
    return text


def boolean(value: Any, column: str, problems: list[Problem]) -> bool:
    """A capability flag written as yes/no, true/false, y/n or 1/0 (empty is no)."""
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text not in _FALSE:
        problems.append(Problem(column, value, f"expected {_BOOL_TEXT}"))
    return False


def rate_limit(value: Any, column: str, problems: list[Problem]) -> float | None:
    """Requests per second; empty means unknown or no limit. Negative values fail validation."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        problems.append(
            Problem(column, value, "expected a number of requests per second, or empty")
        )
        return None


def system_row(
    system: Any,
    role: Any,
    status: Any,
    flags: dict[str, Any],
    rate: Any,
    owner: Any,
    problems: list[Problem],
    rate_column: str = "rate_limit_rps",
) -> dict[str, Any]:
    """One ``raw_inventory_systems`` row from loosely typed values; problems are collected."""
    name = str(system or "").strip()
    if not name:
        problems.append(Problem("system", system, "expected the name of the system"))
    row: dict[str, Any] = {
        "system": name,
        "role": choice(role, "role", SYSTEM_ROLES, problems),
        "status": choice(status, "status", STATUSES, problems),
    }
    for capability in CAPABILITIES:
        row[capability] = boolean(flags.get(capability), capability, problems)
    row["rate_limit_rps"] = rate_limit(rate, rate_column, problems)
    owner_text = str(owner).strip() if owner is not None else ""
    row["owner"] = owner_text or None
    return row


def accept(result: FileResult, row: dict[str, Any], line: int, problems: list[Problem]) -> None:
    """Keep a parsed system, or refuse it with one rejected row per problem."""
    if problems:
        for problem in problems:
            result.batch.reject(
                KIND,
                result.path,
                problem.reason,
                row=line,
                column=problem.column,
                value=problem.value,
            )
        return
    row["source"] = str(result.path)
    row["source_row"] = line
    result.candidates.append(Candidate(row, line))


# --- our CSV ----------------------------------------------------------------------------------


def read_csv(result: FileResult, text: str) -> None:
    """Our CSV: one system per line; row numbers are line numbers (the header is line 1)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise EvidenceError(result.path, "the file is empty")
    columns = [re.sub(r"\s+", "_", h.strip().casefold()) for h in header]
    missing = [c for c in CSV_REQUIRED if c not in columns]
    if missing:
        raise MissingColumns(result.path, f"missing columns: {', '.join(missing)}", missing)
    line = reader.line_num
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # one unreadable record (a cell over 128 KB): refused alone
            line = reader.line_num
            result.rows_read += 1
            result.batch.reject(
                KIND, result.path, f"the record cannot be read as CSV: {exc}", start
            )
            continue
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # a blank line is not a system
        result.rows_read += 1
        values = dict(zip(columns, (c.strip() for c in cells), strict=False))
        problems: list[Problem] = []
        row = system_row(
            values.get("system"),
            values.get("role"),
            values.get("status"),
            values,
            values.get("rate_limit_rps"),
            values.get("owner"),
            problems,
        )
        accept(result, row, start, problems)


# --- our YAML ---------------------------------------------------------------------------------


def yaml_documents(text: str) -> list[tuple[yaml.Node, Any]]:
    """Every non-empty document of a YAML text as (node, data); nodes carry line numbers."""
    return [(node, safe_yaml.construct(node)) for node in safe_yaml.compose_all(text)]


def line_of(node: yaml.Node) -> int:
    """The 1-based line where a YAML node starts."""
    return int(node.start_mark.line) + 1


def read_own_yaml(result: FileResult, text: str) -> None:
    """Our YAML: ``systems: [...]``; row numbers are the lines where each system starts."""
    documents = yaml_documents(text)
    if len(documents) != 1 or not isinstance(documents[0][1], dict):
        raise EvidenceError(result.path, "expected one YAML mapping with a 'systems' list")
    node, data = documents[0]
    systems = data.get("systems")
    if not isinstance(systems, list):
        raise EvidenceError(result.path, "expected a 'systems' list at the top level")
    item_nodes = next(value.value for key, value in node.value if key.value == "systems")
    for item_node, item in zip(item_nodes, systems, strict=True):
        line = line_of(item_node)
        result.rows_read += 1
        problems: list[Problem] = []
        if not isinstance(item, dict):
            problems.append(Problem("systems", item, "expected a mapping with system, role..."))
            accept(result, {}, line, problems)
            continue
        for key in sorted(set(item) - _YAML_KEYS, key=str):
            problems.append(Problem(str(key), None, f"unknown key; expected {sorted(_YAML_KEYS)}"))
        capabilities = item.get("capabilities") or {}
        if not isinstance(capabilities, dict):
            problems.append(Problem("capabilities", capabilities, "expected a mapping"))
            capabilities = {}
        allowed = {*CAPABILITIES, "rate_limit_rps"}
        for key in sorted(set(capabilities) - allowed, key=str):
            problems.append(
                Problem(
                    f"capabilities.{key}", None, f"unknown capability; expected {sorted(allowed)}"
                )
            )
        row = system_row(
            item.get("system"),
            item.get("role"),
            item.get("status"),
            capabilities,
            capabilities.get("rate_limit_rps"),
            item.get("owner"),
            problems,
        )
        accept(result, row, line, problems)


# --- Backstage --------------------------------------------------------------------------------


def entity_ref_name(ref: Any) -> str | None:
    """``team-a``, ``user:guest``, ``group:default/team-a`` -> the name (``namespace/name`` if not default)."""
    if ref is None or not str(ref).strip():
        return None
    text = str(ref).strip()
    text = text.split(":", 1)[1] if ":" in text else text
    namespace, _, name = text.rpartition("/")
    return name if namespace in ("", "default") else f"{namespace}/{name}"


def backstage_role(kind: str, spec: dict[str, Any], tags: list[str]) -> str:
    """The role of an entity without the role annotation: from spec.type, then tags, else other."""
    for word in [spec.get("type"), *tags]:
        key = re.sub(r"[^a-z0-9]+", "_", str(word or "").casefold()).strip("_")
        if key in SYSTEM_ROLES and key != "other":
            return key
        if key in ROLE_ALIASES:
            return ROLE_ALIASES[key]
    return "other"


def backstage_status(spec: dict[str, Any], problems: list[Problem]) -> str:
    """Integration status from spec.lifecycle; none (Resource, System) means not started."""
    lifecycle = spec.get("lifecycle")
    if lifecycle is None or not str(lifecycle).strip():
        return "not_started"
    status = LIFECYCLE_STATUS.get(str(lifecycle).strip().casefold())
    if status is None:
        problems.append(
            Problem(
                "spec.lifecycle",
                lifecycle,
                f"expected one of {', '.join(LIFECYCLE_STATUS)}, "
                f"or the annotation {ANNOTATION_STATUS} with one of {', '.join(STATUSES)}",
            )
        )
        return "not_started"
    return status


def backstage_capabilities(
    annotations: dict[str, Any], tags: list[str], problems: list[Problem]
) -> dict[str, bool]:
    """Capabilities listed in the capabilities annotation (comma list) or as tags of the same name."""
    flags = dict.fromkeys(CAPABILITIES, False)
    for tag in tags:
        key = tag.replace("-", "_")
        if key in flags:
            flags[key] = True
    listed = annotations.get(ANNOTATION_CAPABILITIES)
    for word in str(listed or "").split(","):
        key = re.sub(r"[^a-z0-9]+", "_", word.strip().casefold()).strip("_")
        if not key:
            continue
        if key not in flags:
            problems.append(
                Problem(
                    f"metadata.annotations.{ANNOTATION_CAPABILITIES}",
                    word.strip(),
                    f"expected a comma list of {', '.join(CAPABILITIES)}",
                )
            )
            continue
        flags[key] = True
    return flags


def mapping(value: Any) -> dict[str, Any]:
    """A YAML mapping, or an empty one when the value is missing or not a mapping."""
    return value if isinstance(value, dict) else {}


def backstage_entity(result: FileResult, data: Any, line: int) -> None:
    """One Backstage entity: a system (Component, API, Resource, System), or skipped."""
    result.rows_read += 1
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        result.batch.reject(
            KIND, result.path, "expected a Backstage entity with apiVersion and kind", row=line
        )
        return
    kind = data["kind"]
    if kind.casefold() not in BACKSTAGE_SYSTEM_KINDS:
        # Not an error: a catalog holds people and teams too. The value is the kind only, never
        # the entity's name, because User entities name people.
        result.batch.reject(
            KIND,
            result.path,
            f"skipped: Backstage kind {kind} is not a system (not an error)",
            row=line,
            column="kind",
            value=kind,
        )
        return
    metadata = mapping(data.get("metadata"))
    spec = mapping(data.get("spec"))
    annotations = mapping(metadata.get("annotations"))
    problems: list[Problem] = []
    listed_tags = metadata.get("tags") or []
    if not isinstance(listed_tags, list):
        problems.append(Problem("metadata.tags", None, "expected a list of tags"))
        listed_tags = []
    tags = [str(t) for t in listed_tags if t is not None]
    name = str(metadata.get("name") or "").strip()
    namespace = str(metadata.get("namespace") or "default").strip()
    if name and namespace != "default":
        name = f"{namespace}/{name}"
    role: Any = annotations.get(ANNOTATION_ROLE) or backstage_role(kind, spec, tags)
    status: Any = annotations.get(ANNOTATION_STATUS) or backstage_status(spec, problems)
    flags = backstage_capabilities(annotations, tags, problems)
    row = system_row(
        name,
        role,
        status,
        flags,
        annotations.get(ANNOTATION_RATE_LIMIT),
        entity_ref_name(spec.get("owner")),
        problems,
        rate_column=f"metadata.annotations.{ANNOTATION_RATE_LIMIT}",
    )
    for problem in problems:
        # Name the Backstage field, so a person knows what to edit.
        if problem.column == "system":
            problem.column = "metadata.name"
        elif problem.column in ("role", "status"):
            # Derived roles and statuses are always valid: a bad one came from an annotation.
            problem.column = f"metadata.annotations.readiness.dev/{problem.column}"
    before = len(result.candidates)
    accept(result, row, line, problems)
    if len(result.candidates) > before:
        result.candidates[-1].kind = kind.casefold()


def read_backstage(result: FileResult, text: str) -> None:
    """A multi-document catalog file; row numbers are the lines where each entity starts."""
    for node, data in yaml_documents(text):
        backstage_entity(result, data, line_of(node))


# --- across files -----------------------------------------------------------------------------


def name_systems(results: list[FileResult]) -> None:
    """Make system names unique across the inventory; a system listed twice is refused.

    Backstage lets entities of different kinds share a name (an API and the Component that
    provides it); those keep Backstage's own reference form, ``api:wayback-archive``.
    """
    kinds_by_name: dict[str, set[str | None]] = {}
    for result in results:
        for candidate in result.candidates:
            kinds_by_name.setdefault(candidate.row["system"], set()).add(candidate.kind)
    for result in results:
        for candidate in result.candidates:
            if candidate.kind and len(kinds_by_name[candidate.row["system"]]) > 1:
                candidate.row["system"] = f"{candidate.kind}:{candidate.row['system']}"
    first: dict[str, Candidate] = {}
    for result in results:
        kept = []
        for candidate in result.candidates:
            name = candidate.row["system"]
            if name in first:
                earlier = first[name]
                result.batch.reject(
                    KIND,
                    result.path,
                    f"system {name!r} is listed twice; the first "
                    f"({earlier.row['source']}, row {earlier.line}) counts",
                    row=candidate.line,
                    column="system",
                    value=name,
                )
                continue
            first[name] = candidate
            kept.append(candidate)
        result.candidates = kept


def finish(result: FileResult, name: str) -> Evidence:
    """The file's rows (validated by the raw table's model) and its input record."""
    batch = result.batch
    if result.error:
        return batch.record_unreadable(KIND, name, result.path, result.error)
    rows = [c.row for c in result.candidates]
    valid = keep_valid_rows(
        batch,
        TABLE,
        rows,
        kind=KIND,
        source=result.path,
        row_numbers=[c.line for c in result.candidates],
    )
    if valid:
        batch.add(TABLE, valid)
    batch.record_read(KIND, name, result.path, result.rows_read)
    return batch
