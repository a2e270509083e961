"""No personal value is stored, shown or logged: the examples, assessed once by the real flow, and
everything the run left behind scanned for emails, phone numbers and IP addresses.

Scanned: every table and every column that can hold text of every DuckDB file under
READINESS_HOME (the warehouse, the published snapshots), every other file there (logs, dbt's
logs and artifacts, the measurement cache, unpickled), Prefect's artifacts and logs of the
session's runs, and the reports (md, html, and the text of the pdf) of every project and of the
portfolio; and what every case of the hostile-input corpus (``tests/hostile/``) would store and
say. The detector is the product's own (:func:`flows.privacy.contains_personal`); nothing
is excluded. A finding is shown by where it is and its kind, with the value redacted.
"""

from __future__ import annotations

import base64
import json
import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from core.settings import DEFAULT_RUBRIC, REPO_ROOT, get_settings
from flows.cli import app
from flows.privacy import contains_personal, redact
from tests.conftest import Assessed, kept_environment, use_home

runner = CliRunner()
#: Column types that cannot hold text (everything else is cast to text and scanned).
NOT_TEXT = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
            "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "BOOLEAN", "DATE",
            "TIME", "TIMESTAMP", "INTERVAL", "UUID")  # fmt: skip


def findings(where: str, texts: Iterator[str] | list[str]) -> list[str]:
    """Each text holding a personal value, as "where: kind: the text redacted"."""
    out = []
    for text in texts:
        kind = contains_personal(text)
        if kind:
            out.append(f"{where}: {kind}: {str(redact(text))[:160]}")
    return out


def duckdb_findings(path: Path, scratch: Path) -> list[str]:
    """Every text value of every table of a DuckDB file (read from a copy: never the file in use)."""
    copy = scratch / f"{len(list(scratch.iterdir()))}-{path.name}"
    shutil.copy(path, copy)
    wal = path.with_name(path.name + ".wal")
    if wal.exists():
        shutil.copy(wal, copy.with_name(copy.name + ".wal"))
    out: list[str] = []
    con = duckdb.connect(str(copy), read_only=True)
    try:
        columns = con.execute(
            "select c.table_schema, c.table_name, c.column_name, c.data_type "
            "from information_schema.columns as c join information_schema.tables as t "
            "using (table_catalog, table_schema, table_name) "
            "where t.table_type = 'BASE TABLE' and c.table_catalog = current_database()"
        ).fetchall()
        assert columns, f"{path}: no table to scan"
        for schema, table, column, kind in columns:
            if kind.upper().split("(")[0].startswith(NOT_TEXT):
                continue
            rows = con.execute(
                f'select distinct cast("{column}" as varchar) from "{schema}"."{table}" '
                f'where "{column}" is not null'
            ).fetchall()
            out += findings(f"{path.name} {table}.{column}", (r[0] for r in rows))
    finally:
        con.close()
    return out


def strings_of(value: Any) -> Iterator[str]:
    """Every string inside an object: containers, data frames and plain objects' attributes."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, pd.DataFrame):
        for column in value.columns:
            yield str(column)
            yield from (v for v in value[column].tolist() if isinstance(v, str))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings_of(k)
            yield from strings_of(v)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            yield from strings_of(v)
    elif hasattr(value, "__dict__"):
        yield from strings_of(vars(value))


def file_findings(path: Path, home: Path) -> list[str]:
    """A file under the home: its lines, or, for a cached measurement, every value it holds."""
    where = str(path.relative_to(home))
    data = path.read_bytes()
    try:
        document = json.loads(data)
    except ValueError:
        document = None
    if isinstance(document, dict) and "result" in document and "metadata" in document:
        # Prefect's stored result (the measurement cache): the pickled measurements themselves.
        result = pickle.loads(base64.b64decode(document["result"]))
        return findings(where, strings_of(result))
    return findings(where, data.decode("utf-8", errors="replace").splitlines())


def prefect_findings() -> list[str]:
    """Prefect's artifacts and logs of every run of the session's server."""
    from prefect.client.orchestration import get_client

    out: list[str] = []
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts()
        logs = client.read_logs()
    assert artifacts, "the run left no Prefect artifact to scan"
    for artifact in artifacts:
        data = artifact.data if isinstance(artifact.data, str) else json.dumps(artifact.data)
        texts = [data, artifact.description or ""]
        out += findings(f"prefect artifact {artifact.key}", texts)
    out += findings("prefect log", [log.message for log in logs])
    return out


def report_findings(home: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The reports of every project and of the portfolio, in md, html and pdf (its text)."""
    from pypdf import PdfReader

    monkeypatch.setenv("READINESS_HOME", str(home))
    get_settings.cache_clear()
    try:
        status = runner.invoke(app, ["status", "--json"])
        assert status.exit_code == 0, status.output
        projects = sorted({row["project"] for row in json.loads(status.stdout)})
        assert projects
        out: list[str] = []
        for target in [["--project", p] for p in projects] + [["--portfolio"]]:
            for fmt in ("md", "html", "pdf"):
                path = folder / f"{'-'.join(target).strip('-')}.{fmt}"
                result = runner.invoke(
                    app, ["report", *target, "--format", fmt, "--output", str(path)]
                )
                assert result.exit_code == 0, result.output
                if fmt == "pdf":
                    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
                else:
                    text = path.read_text(encoding="utf-8")
                assert text.strip(), path.name
                out += findings(f"report {path.name}", text.splitlines())
    finally:
        get_settings.cache_clear()
    return out


def test_no_personal_value_is_stored_shown_or_logged(
    assessed_examples: Assessed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = assessed_examples.home
    scratch = tmp_path / "copies"
    scratch.mkdir()
    databases = sorted(home.rglob("*.duckdb"))
    assert assessed_examples.settings.warehouse in databases
    assert len(databases) >= 2, "no published snapshot to scan"
    found: list[str] = []
    for path in databases:
        found += duckdb_findings(path, scratch)
    others = [
        p
        for p in sorted(home.rglob("*"))
        if p.is_file() and not p.name.endswith((".duckdb", ".duckdb.wal", ".lock"))
    ]
    assert any(p.suffix == ".log" for p in others), "no log written under READINESS_HOME"
    for path in others:
        found += file_findings(path, home)
    found += prefect_findings()
    reports = tmp_path / "reports"
    reports.mkdir()
    found += report_findings(home, reports, monkeypatch)
    assert not found, f"{len(found)} personal values found:\n" + "\n".join(found[:60])


def hostile_findings(case: Any, root: Path) -> list[str]:
    """What one hostile case would store (every evidence table) and say (every problem)."""
    from core.errors import ConfigError
    from flows.config import load_portfolio
    from flows.evidence import Context
    from flows.measurements import collect_project
    from tests.hostile.harness import AS_OF, Workspace

    portfolio = case.build(Workspace(root))
    try:
        loaded = load_portfolio(portfolio, DEFAULT_RUBRIC, keep_going=True)
    except ConfigError as exc:
        return findings(f"hostile {case.id} message", [str(p) for p in exc.problems])
    said = [str(p) for failed in loaded.failed for p in failed.problems]
    out = findings(f"hostile {case.id} message", said)
    for project in loaded.projects:
        context = Context("hostile", project.project.id, AS_OF, "hostile-test-key")
        frames = collect_project(context, loaded, project).frames(context)
        for table, frame in frames.items():
            out += findings(f"hostile {case.id} {table}", strings_of(frame))
    return out


def test_no_hostile_case_stores_or_says_a_personal_value(tmp_path: Path) -> None:
    import importlib

    cases: list[Any] = []
    for path in sorted((REPO_ROOT / "tests" / "hostile").glob("test_*.py")):
        cases += getattr(importlib.import_module(f"tests.hostile.{path.stem}"), "CASES", [])
    assert len(cases) >= 60, "the hostile corpus is missing"
    found: list[str] = []
    with kept_environment():
        use_home(tmp_path / "home")
        for case in cases:
            found += hostile_findings(case, tmp_path / case.id)
    assert not found, f"{len(found)} personal values found:\n" + "\n".join(found[:60])


def test_the_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The scan itself can fail: a personal value in a table, a log line or a cached result."""
    database = tmp_path / "w.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create table t (id integer, note varchar, tags varchar[])")
        con.execute(
            "insert into t values (1, 'fine', ['a']), (2, 'ok', ['call +49 151 2345 6789'])"
        )
    scratch = tmp_path / "copies"
    scratch.mkdir()
    assert duckdb_findings(database, scratch) == ["w.duckdb t.tags: phone: [call [phone]]"]
    log = tmp_path / "run.log"
    log.write_text("started\nsent to ann@example.com\nfrom 10.1.2.3\n")
    assert file_findings(log, tmp_path) == [
        "run.log: email: sent to [email]",
        "run.log: ip_address: from [ip address]",
    ]
    cached = tmp_path / "cached"
    frame = pd.DataFrame({"value": ["x", "bob@example.org"]})
    result = base64.b64encode(pickle.dumps({"frames": {"raw": frame}})).decode()
    cached.write_text(json.dumps({"metadata": {}, "result": result}))
    assert file_findings(cached, tmp_path) == ["cached: email: [email]"]
    # A hostile case whose emails a team opted out of the personal fields: they are stored.
    from tests.hostile.harness import Case, Workspace

    def opted_out(ws: Workspace) -> Path:
        ws.write("people.csv", "id,contact_email\n1,ann@x.com\n2,bob@y.org\n")
        fields = {"id": {"type": "integer"}, "contact_email": {"personal": False}}
        dataset = {"name": "people", "source": "people.csv", "field_map": {"fields": fields}}
        return ws.portfolio(evidence={"datasets": [dataset]})

    with kept_environment():
        use_home(tmp_path / "home")
        found = hostile_findings(Case("opted-out", "csv", opted_out, ""), tmp_path / "case")
    assert "hostile opted-out raw_field_profiles: email: [email]" in found
