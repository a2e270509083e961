"""The hostile-input corpus: every input kind, built wrong on purpose, refused in plain words.

Each case is read as a portfolio run reads it (see :mod:`tests.hostile.harness`): no traceback,
no hang (a time limit per case), no class name, no echo of the file, and the message it states.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows import safe_yaml
from tests.hostile.harness import CANARY, KINDS, Case, Workspace, laughs, messages, run_cases

# --- building blocks --------------------------------------------------------------------------


def deep(levels: int = 5000) -> str:
    """A value nested far deeper than any configuration needs (flow style)."""
    return "x: " + "[" * levels + f"'{CANARY}'" + "]" * levels + "\n"


def huge(ws: Workspace, relative: str, megabytes: int = 50) -> None:
    """A file of that size without writing it (sparse): it must be refused without reading."""
    path = ws.write(relative, f"# {CANARY}\n")
    with path.open("r+b") as handle:
        handle.truncate(megabytes << 20)


FIELD_MAP: dict[str, Any] = {
    "fields": {"id": {"type": "integer"}, "name": {"type": "string"}},
    "key": ["id"],
}


def dataset(source: str, fmt: str) -> dict[str, Any]:
    return {
        "datasets": [{"name": "orders", "source": source, "format": fmt, "field_map": FIELD_MAP}]
    }


def survey(path: str, fmt: str = "long_csv", **options: Any) -> dict[str, Any]:
    return {"survey": {"path": path, "format": fmt, **options}}


def locust(path: str, history: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"path": path, "users": 10}
    if history:
        spec["history_path"] = history
    return {"load_tests": [spec]}


def with_file(
    relative: str, content: str | bytes | Callable[[Workspace, str], None], evidence: dict[str, Any]
) -> Callable[[Workspace], Path]:
    """A case that writes one hostile file and one project that names it."""

    def build(ws: Workspace) -> Path:
        if callable(content):
            content(ws, relative)
        else:
            ws.write(relative, content)
        return ws.portfolio(evidence=evidence)

    return build


def project_file(
    content: str | bytes | Callable[[Workspace, str], None],
) -> Callable[[Workspace], Path]:
    """A portfolio of a good project and a hostile one: the good one must still be read."""

    def build(ws: Workspace) -> Path:
        good = ws.project("good_project")
        if callable(content):
            content(ws, "bad_project.yml")
        else:
            ws.write("bad_project.yml", content)
        return ws.portfolio(projects=[good, "bad_project.yml"])

    return build


def portfolio_text(content: str | Callable[[Workspace, str], None]) -> Callable[[Workspace], Path]:
    def build(ws: Workspace) -> Path:
        if callable(content):
            content(ws, "portfolio.yml")
            return ws.root / "portfolio.yml"
        return ws.write("portfolio.yml", content)

    return build


def named_file(key: str, relative: str, content: str) -> Callable[[Workspace], Path]:
    """A portfolio whose rubric or question bank is the hostile file."""

    def build(ws: Workspace) -> Path:
        ws.write(relative, content)
        if key == "rubric":
            return ws.portfolio(rubric=relative)
        return ws.portfolio(question_bank=relative)

    return build


def xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def corrupt_sheet(rows: list[list[Any]]) -> bytes:
    """A valid .xlsx archive whose first sheet's XML is cut off mid-element."""
    source = zipfile.ZipFile(io.BytesIO(xlsx(rows)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 2] + f"<c r='A9'><v>{CANARY}".encode()
            target.writestr(item, data)
    return out.getvalue()


def parquet(ws: Workspace, relative: str, truncate: bool = False) -> None:
    path = ws.root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    duckdb.sql(
        f"copy (select range::integer as id, '{CANARY}' as name from range(1000)) "
        f"to '{path}' (format parquet)"
    )
    if truncate:
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])


MS_FORMS_HEADER = ["ID", "Start time", "Completion time", "Email", "Name", "sa_legal_basis"]
LOCUST_HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,"
    "80%,90%,95%,98%,99%,99.9%,99.99%,100%\n"
)
HISTORY_HEADER = (
    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,"
    "99.9%,99.99%,100%,Total Request Count,Total Failure Count\n"
)
INVENTORY_HEADER = (
    "system,role,status,authentication,error_handling,observability,rollback,versioning,"
    "integration_tests\n"
)
LONG_HEADER = "respondent,group,question,answer,comment\n"
LONG_FIELD = "x" * 200_000  # over the csv module's field limit (131,072 characters)
BINARY = bytes(range(256)) * 64 + CANARY.encode()

GOOD = ("good_project",)

# --- the cases --------------------------------------------------------------------------------

CONFIG = [
    Case("portfolio-billion-laughs", "portfolio", portfolio_text(laughs()), "aliases expand"),
    Case("portfolio-too-large", "portfolio", portfolio_text(huge), "MB is not read"),
    Case("portfolio-deep", "portfolio", portfolio_text(deep()), "nested more than"),
    Case(
        "portfolio-duplicate-key",
        "portfolio",
        portfolio_text(f"id: a\nname: b\n# {CANARY}\nprojects: []\nid: c\n"),
        "the key 'id' is written twice (line 1 and line 5)",
    ),
    Case(
        "portfolio-python-tag",
        "portfolio",
        portfolio_text(f"id: !!python/object/apply:os.system ['echo {CANARY}']\n"),
        "a tag that is not allowed",
    ),
    Case(
        "portfolio-recursive-alias",
        "portfolio",
        portfolio_text("id: x\nprojects: &p [*p]\n"),
        "refers to the value that contains it",
    ),
    Case(
        "portfolio-unclosed",
        "portfolio",
        portfolio_text(f"id: x\nprojects: ['{CANARY}'\nname: y\n"),
        "not valid YAML (line",
    ),
    Case(
        "portfolio-not-utf8",
        "portfolio",
        portfolio_text(lambda ws, rel: ws.write(rel, b"id: \xff\xfe" + CANARY.encode())),
        "not UTF-8",
    ),
    Case(
        "portfolio-control-character",
        "portfolio",
        portfolio_text(f"id: x\x00{CANARY}\n"),
        "not valid YAML text",
    ),
    Case(
        "portfolio-top-level-list",
        "portfolio",
        portfolio_text(f"- {CANARY}\n"),
        "expected a mapping",
    ),
    Case(
        "portfolio-unhashable-key",
        "portfolio",
        portfolio_text("? [a, b]\n: c\n"),
        "a key that is a list or a mapping",
    ),
    Case(
        "portfolio-tag-that-does-not-fit",
        "portfolio",
        portfolio_text(f"id: !!int {CANARY}\nprojects: []\n"),
        "a value that is not what its tag !!int says",
    ),
    Case(
        "project-undefined-alias",
        "project",
        project_file(f"id: bad_project\nname: *{CANARY}\n"),
        "an alias (*name) that no anchor (&name) before it defines",
        also_read=GOOD,
    ),
    Case(
        "project-anchor-twice",
        "project",
        project_file(f"id: &{CANARY} a\nname: &{CANARY} b\n"),
        "an anchor (&name) defined twice",
        also_read=GOOD,
    ),
    Case(
        "project-billion-laughs",
        "project",
        project_file(laughs()),
        "aliases expand",
        also_read=GOOD,
    ),
    Case("project-too-large", "project", project_file(huge), "MB is not read", also_read=GOOD),
    Case("project-deep", "project", project_file(deep()), "nested more than", also_read=GOOD),
    Case(
        "project-deep-block-style",
        "project",
        project_file("".join("  " * i + f"k{i}:\n" for i in range(200))),
        "nested more than",
        also_read=GOOD,
    ),
    Case(
        "project-duplicate-key",
        "project",
        project_file(
            f"id: bad_project\nname: x  # {CANARY}\nbusiness_unit: u\nowner: o\nname: y\n"
        ),
        "the key 'name' is written twice (line 2 and line 5)",
        also_read=GOOD,
    ),
    Case(
        "project-wrong-types",
        "project",
        project_file(f"id: bad_project\n# {CANARY}\nname: x\nevidence: {{datasets: 5}}\n"),
        "expected a list",
        also_read=GOOD,
    ),
    Case(
        "project-scalar-file",
        "project",
        project_file(f"just text {CANARY}\n"),
        "expected a mapping",
        also_read=GOOD,
    ),
    Case(
        "project-missing-file",
        "project",
        lambda ws: ws.portfolio(projects=[ws.project("good_project"), "nowhere/project.yml"]),
        "project file 'nowhere/project.yml' not found",
        also_read=GOOD,
    ),
    Case(
        "rubric-billion-laughs", "rubric", named_file("rubric", "rubric.yml", laughs()), "aliases"
    ),
    Case(
        "rubric-duplicate-key",
        "rubric",
        named_file("rubric", "rubric.yml", f"version: '1'\n# {CANARY}\nchecks: []\nversion: '2'\n"),
        "written twice (line 1 and line 4)",
    ),
    Case(
        "rubric-empty",
        "rubric",
        named_file("rubric", "rubric.yml", f"# only a comment {CANARY}\n"),
        "expected a mapping",
    ),
    Case(
        "question-bank-billion-laughs",
        "question_bank",
        named_file("question_bank", "bank.yml", laughs()),
        "aliases expand",
    ),
    Case(
        "question-bank-duplicate-key",
        "question_bank",
        named_file("question_bank", "bank.yml", f"questions: []\n# {CANARY}\nquestions: []\n"),
        "written twice (line 1 and line 3)",
    ),
    Case(
        "question-bank-deep",
        "question_bank",
        named_file("question_bank", "bank.yml", deep()),
        "nested more than",
    ),
    Case(
        "question-bank-of-a-project-billion-laughs",
        "question_bank",
        lambda ws: (
            ws.write("bank.yml", laughs()),
            ws.write("survey.csv", LONG_HEADER),
            ws.portfolio(
                projects=[
                    ws.project("good_project"),
                    ws.project("bad_project", survey("survey.csv", question_bank="bank.yml")),
                ]
            ),
        )[-1],
        "aliases expand",
        also_read=GOOD,
    ),
    Case(
        "costs-billion-laughs",
        "costs",
        with_file("costs.yml", laughs(), {"costs": "costs.yml"}),
        "aliases expand",
    ),
    Case(
        "costs-duplicate-key",
        "costs",
        with_file(
            "costs.yml", f"currency: EUR\n# {CANARY}\ncurrency: USD\n", {"costs": "costs.yml"}
        ),
        "the key 'currency' is written twice (line 1 and line 3)",
    ),
    Case(
        "costs-a-list",
        "costs",
        with_file("costs.yml", f"- {CANARY}\n", {"costs": "costs.yml"}),
        "expected a mapping",
    ),
    Case(
        "costs-too-large",
        "costs",
        with_file("costs.yml", huge, {"costs": "costs.yml"}),
        "MB is not read",
    ),
    Case(
        "evaluation-billion-laughs",
        "evaluation",
        with_file("evaluation.yml", laughs(), {"evaluation": "evaluation.yml"}),
        "aliases expand",
    ),
    Case(
        "evaluation-deep",
        "evaluation",
        with_file("evaluation.yml", deep(), {"evaluation": "evaluation.yml"}),
        "nested more than",
    ),
    Case(
        "evaluation-kpis-not-a-list",
        "evaluation",
        with_file(
            "evaluation.yml", f"# {CANARY}\nkpis: 3\nowner: x\n", {"evaluation": "evaluation.yml"}
        ),
        "expected a list",
    ),
    Case(
        "evaluation-not-utf8",
        "evaluation",
        with_file("evaluation.yml", b"owner: \xe9\xff", {"evaluation": "evaluation.yml"}),
        "not UTF-8",
    ),
]

INVENTORY = [
    Case(
        "inventory-yaml-billion-laughs",
        "inventory_yaml",
        with_file("systems.yml", laughs(), {"inventory": {"path": "systems.yml"}}),
        "aliases expand",
    ),
    Case(
        "inventory-yaml-too-large",
        "inventory_yaml",
        with_file("systems.yml", huge, {"inventory": {"path": "systems.yml"}}),
        "MB is not read",
    ),
    Case(
        "inventory-yaml-deep",
        "inventory_yaml",
        with_file("systems.yml", deep(), {"inventory": {"path": "systems.yml"}}),
        "nested more than",
    ),
    Case(
        "inventory-yaml-duplicate-key",
        "inventory_yaml",
        with_file(
            "systems.yml",
            f"systems:\n- system: a\n  role: crm\n  # {CANARY}\n  role: auth\n",
            {"inventory": {"path": "systems.yml"}},
        ),
        "the key 'role' is written twice (line 3 and line 5)",
    ),
    Case(
        "inventory-yaml-mixed-key-types",
        "inventory_yaml",
        with_file(
            "systems.yml",
            f"systems:\n- system: a\n  role: crm\n  status: tested\n  1: {CANARY}\n  true: x\n",
            {"inventory": {"path": "systems.yml"}},
        ),
        "unknown key",
    ),
    Case(
        "inventory-yaml-systems-not-a-list",
        "inventory_yaml",
        with_file("systems.yml", f"systems: {CANARY}\n", {"inventory": {"path": "systems.yml"}}),
        "expected a 'systems' list",
    ),
    Case(
        "inventory-yaml-capabilities-a-list",
        "inventory_yaml",
        with_file(
            "systems.yml",
            f"systems:\n- system: a\n  role: crm\n  status: tested\n  capabilities: [{CANARY}]\n",
            {"inventory": {"path": "systems.yml"}},
        ),
        "expected a mapping",
    ),
    Case(
        "inventory-yaml-timestamp-tag",
        "inventory_yaml",
        with_file(
            "systems.yml",
            f"systems:\n- system: a\n  role: crm\n  status: !!timestamp {CANARY}\n",
            {"inventory": {"path": "systems.yml"}},
        ),
        "a value that is not what its tag !!timestamp says",
    ),
    Case(
        "inventory-yaml-not-utf8",
        "inventory_yaml",
        with_file("systems.yml", BINARY, {"inventory": {"path": "systems.yml"}}),
        "cannot read the file",
    ),
    Case(
        "backstage-billion-laughs",
        "backstage",
        with_file(
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\n" + laughs(),
            {"inventory": {"path": "catalog-info.yaml", "format": "backstage"}},
        ),
        "aliases expand",
    ),
    Case(
        "backstage-tags-an-integer",
        "backstage",
        with_file(
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
            f"metadata: {{name: svc, tags: 7, description: {CANARY}}}\nspec: {{lifecycle: beta}}\n",
            {"inventory": {"path": "catalog-info.yaml", "format": "backstage"}},
        ),
        "expected a list of tags",
    ),
    Case(
        "backstage-metadata-a-list",
        "backstage",
        with_file(
            "catalog-info.yaml",
            f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: [{CANARY}]\n",
            {"inventory": {"path": "catalog-info.yaml", "format": "backstage"}},
        ),
        "expected the name of the system",
    ),
    Case(
        "backstage-spec-a-number",
        "backstage",
        with_file(
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: api\n"
            f"  annotations: 5\nspec: 12\n---\n{CANARY}\n",
            {"inventory": {"path": "catalog-info.yaml", "format": "backstage"}},
        ),
        "expected a Backstage entity",
    ),
    Case(
        "backstage-duplicate-key",
        "backstage",
        with_file(
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n"
            f"  # {CANARY}\n  name: b\n",
            {"inventory": {"path": "catalog-info.yaml", "format": "backstage"}},
        ),
        "written twice (line 4 and line 6)",
    ),
    Case(
        "inventory-csv-binary",
        "inventory_csv",
        with_file("systems.csv", BINARY, {"inventory": {"path": "systems.csv"}}),
        "cannot read the file",
    ),
    Case(
        "inventory-csv-long-field",
        "inventory_csv",
        with_file(
            "systems.csv",
            INVENTORY_HEADER + f'"{LONG_FIELD}{CANARY}",crm,tested,y,y,y,y,y,y\n',
            {"inventory": {"path": "systems.csv"}},
        ),
        # The record is refused alone, with its line; the rest of the inventory is read.
        "row 2: the record cannot be read as CSV: field larger than field limit",
    ),
    Case(
        "inventory-csv-missing-columns",
        "inventory_csv",
        with_file(
            "systems.csv", f"system,role\n{CANARY},crm\n", {"inventory": {"path": "systems.csv"}}
        ),
        "missing columns",
    ),
    Case(
        "inventory-csv-bad-values",
        "inventory_csv",
        with_file(
            "systems.csv",
            INVENTORY_HEADER + f"a,{CANARY},tested,{CANARY},y,y,y,y,y\n",
            {"inventory": {"path": "systems.csv"}},
        ),
        "expected one of auth",
    ),
    Case(
        "inventory-folder-empty",
        "inventory_csv",
        lambda ws: (
            (ws.root / "inv").mkdir() or ws.portfolio(evidence={"inventory": {"path": "inv"}})
        ),
        "folder holds no .csv, .yml or .yaml file",
    ),
]

SURVEY = [
    Case(
        "long-csv-binary",
        "long_csv",
        with_file("survey.csv", BINARY, survey("survey.csv")),
        "cannot read the file",
    ),
    Case(
        "long-csv-long-field",
        "long_csv",
        with_file(
            "survey.csv",
            LONG_HEADER + f'a@b.c,legal,sa_legal_basis,5,"{LONG_FIELD}{CANARY}"\n',
            survey("survey.csv"),
        ),
        # The record is refused alone, with its line; the rest of the export is read.
        "row 2: the record cannot be read as CSV: field larger than field limit",
    ),
    Case(
        "long-csv-missing-columns",
        "long_csv",
        with_file("survey.csv", f"who,what\n{CANARY},1\n", survey("survey.csv")),
        "missing",
    ),
    Case(
        "long-csv-off-scale",
        "long_csv",
        with_file(
            "survey.csv",
            LONG_HEADER + f"{CANARY}@example.com,legal,sa_legal_basis,{CANARY},\n",
            survey("survey.csv"),
        ),
        "sa_legal_basis",
    ),
    Case(
        "long-csv-empty",
        "long_csv",
        with_file("survey.csv", "", survey("survey.csv")),
        "empty",
    ),
    Case(
        "long-csv-missing-file",
        "long_csv",
        lambda ws: ws.portfolio(evidence=survey("nowhere.csv")),
        "file not found",
    ),
    Case(
        "qualtrics-header-only",
        "qualtrics",
        with_file(
            "q.csv", f"ResponseId,Q1\n{CANARY},x\n", survey("q.csv", "qualtrics", group="legal")
        ),
        "matches no question of the bank",
    ),
    Case(
        "qualtrics-binary",
        "qualtrics",
        with_file("q.csv", BINARY, survey("q.csv", "qualtrics")),
        "cannot read the file",
    ),
    Case(
        "google-forms-empty",
        "google_forms",
        with_file("g.csv", "", survey("g.csv", "google_forms")),
        "empty",
    ),
    Case(
        "google-forms-long-field",
        "google_forms",
        with_file(
            "g.csv",
            f'Timestamp,Email Address,sa_legal_basis\n2026-01-01,"{LONG_FIELD}{CANARY}",5\n',
            survey("g.csv", "google_forms", group="legal"),
        ),
        "row 2: the record cannot be read as CSV: field larger than field limit",
    ),
    Case(
        "ms-forms-not-a-workbook",
        "ms_forms",
        with_file("f.xlsx", f"ID,Email\n1,{CANARY}\n", survey("f.xlsx", "ms_forms")),
        "not a readable Excel",
    ),
    Case(
        "ms-forms-corrupt-sheet",
        "ms_forms",
        with_file(
            "f.xlsx",
            corrupt_sheet([MS_FORMS_HEADER, [1, "2026-01-01", "2026-01-01", "a@b.c", "A", 5]]),
            survey("f.xlsx", "ms_forms", group="legal"),
        ),
        "damaged",
    ),
    Case(
        "ms-forms-truncated",
        "ms_forms",
        with_file(
            "f.xlsx",
            xlsx([MS_FORMS_HEADER, [1, "x", "y", CANARY, "A", 5]])[:900],
            survey("f.xlsx", "ms_forms", group="legal"),
        ),
        "not a readable Excel",
    ),
    Case(
        "ms-forms-empty-sheet",
        "ms_forms",
        with_file("f.xlsx", xlsx([]), survey("f.xlsx", "ms_forms", group="legal")),
        "empty",
    ),
]

LOAD_TESTS = [
    Case(
        "locust-missing-columns",
        "locust",
        with_file("stats.csv", f"Name,Count\n{CANARY},1\n", locust("stats.csv")),
        "missing columns of a Locust stats file",
    ),
    Case(
        "locust-binary",
        "locust",
        with_file("stats.csv", BINARY, locust("stats.csv")),
        "cannot read the file",
    ),
    Case(
        "locust-bad-numbers",
        "locust",
        with_file(
            "stats.csv",
            LOCUST_HEADER + f",Aggregated,{CANARY},0,{CANARY},1,1,1,1,1,0,1,1,1,1,1,1,1,1,1,1,1\n",
            locust("stats.csv"),
        ),
        "expected a whole number of requests",
    ),
    Case(
        "locust-too-large",
        "locust",
        with_file("stats.csv", lambda ws, rel: huge(ws, rel, 300), locust("stats.csv")),
        "MB is not read",
    ),
    Case(
        "inventory-csv-too-large",
        "inventory_csv",
        with_file(
            "systems.csv",
            lambda ws, rel: huge(ws, rel, 300),
            {"inventory": {"path": "systems.csv"}},
        ),
        "MB is not read",
    ),
    Case(
        "locust-empty",
        "locust",
        with_file("stats.csv", "", locust("stats.csv")),
        "the file is empty",
    ),
    Case(
        "locust-long-field",
        "locust",
        with_file("stats.csv", LOCUST_HEADER + f',"{LONG_FIELD}{CANARY}",1\n', locust("stats.csv")),
        "not a valid CSV file",
    ),
    Case(
        "locust-history-bad-timestamp",
        "locust_history",
        lambda ws: (
            ws.copy_example("projects/support_copilot/load/copilot_stats.csv", "stats.csv"),
            ws.write(
                "history.csv",
                HISTORY_HEADER + f"{CANARY},3,,Aggregated,1,0,1,1,1,1,1,1,1,1,1,1,1,4,0\n",
            ),
            ws.portfolio(evidence=locust("stats.csv", "history.csv")),
        )[-1],
        "expected a Unix timestamp",
    ),
    Case(
        "locust-history-is-stats",
        "locust_history",
        lambda ws: (
            ws.copy_example("projects/support_copilot/load/copilot_stats.csv", "stats.csv"),
            ws.portfolio(evidence=locust("stats.csv", "stats.csv")),
        )[-1],
        "this looks like *_stats.csv",
    ),
]

DATA = [
    Case(
        "csv-binary",
        "csv",
        with_file("orders.csv", BINARY, dataset("orders.csv", "csv")),
        "cannot be read as CSV",
    ),
    Case(
        "csv-empty",
        "csv",
        with_file("orders.csv", "", dataset("orders.csv", "csv")),
        "the file is empty",
    ),
    Case(
        "csv-gzip-without-data",
        "csv",
        with_file("orders.csv.gz", gzip.compress(b""), dataset("orders.csv.gz", "csv")),
        "the gzip file holds no data",
    ),
    Case(
        "csv-missing-file",
        "csv",
        lambda ws: ws.portfolio(evidence=dataset("nowhere.csv", "csv")),
        "nowhere.csv",
    ),
    Case(
        "parquet-not-parquet",
        "parquet",
        with_file("orders.parquet", f"id,name\n1,{CANARY}\n", dataset("orders.parquet", "parquet")),
        "cannot be read as parquet",
    ),
    Case(
        "parquet-truncated",
        "parquet",
        with_file(
            "orders.parquet",
            lambda ws, rel: parquet(ws, rel, truncate=True),
            dataset("orders.parquet", "parquet"),
        ),
        "cannot be read as parquet",
    ),
    Case(
        "json-invalid",
        "json",
        with_file("orders.json", f'[{{"id": 1, "name": "{CANARY}"', dataset("orders.json", "json")),
        "cannot be read as json",
    ),
    Case(
        "ndjson-bad-line",
        "ndjson",
        with_file(
            "orders.ndjson",
            '{"id": 1, "name": "a"}\n{"id": 2, "name": ' + CANARY + "\n",
            dataset("orders.ndjson", "ndjson"),
        ),
        # The bad line is refused alone with its number (never its content); line 1 is read.
        "row 2: not a JSON value at character 19",
    ),
    Case(
        "excel-not-a-workbook",
        "excel",
        with_file("orders.xlsx", f"id,name\n1,{CANARY}\n", dataset("orders.xlsx", "excel")),
        "cannot be read as an Excel workbook",
    ),
    Case(
        "excel-corrupt-sheet",
        "excel",
        with_file(
            "orders.xlsx",
            corrupt_sheet([["id", "name"], [1, "a"], [2, "b"]]),
            dataset("orders.xlsx", "excel"),
        ),
        "the workbook is damaged",
    ),
]

CASES = CONFIG + INVENTORY + SURVEY + LOAD_TESTS + DATA

test_corpus = run_cases(CASES)


def test_the_corpus_covers_every_input_kind() -> None:
    """At least 60 cases, and every input kind has one (the evaluation artifacts' cases live in
    their own module)."""
    from tests.hostile.test_evaluation_inputs import CASES as EVALUATION_CASES

    assert len(CASES) >= 60
    assert sorted({c.kind for c in CASES + EVALUATION_CASES}) == sorted(KINDS)


def test_a_bad_project_file_leaves_the_others_read(tmp_path: Path, hostile_home: None) -> None:
    """The portfolio's good project is read beside a project whose own file is refused."""
    outcome = messages(project_file(laughs())(Workspace(tmp_path / "p")))
    assert outcome.assessed == ["good_project"]
    assert outcome.failed == ["bad_project"]


@pytest.mark.timeout(10)
def test_billion_laughs_is_refused_quickly_with_little_memory(tmp_path: Path) -> None:
    """Refused in well under a second, without building the expanded value."""
    import time
    import tracemalloc

    path = tmp_path / "laughs.yml"
    path.write_text(laughs(), encoding="utf-8")
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(safe_yaml.YamlRefused):
        safe_yaml.load_file(path)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1
    assert peak < 5 << 20


def test_plain_yaml_still_loads() -> None:
    """Anchors within the limit, merge keys, several documents and BOMs still load as before."""
    text = "base: &b {a: 1, b: [1, 2]}\nother:\n  <<: *b\n  a: 2\nlist: [*b, *b]\n"
    assert safe_yaml.load(text) == {
        "base": {"a": 1, "b": [1, 2]},
        "other": {"a": 2, "b": [1, 2]},
        "list": [{"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 2]}],
    }
    assert [safe_yaml.construct(n) for n in safe_yaml.compose_all("a: 1\n---\nb: 2\n")] == [
        {"a": 1},
        {"b": 2},
    ]
    assert safe_yaml.load("") is None


def test_validate_lists_every_problem_of_every_file(tmp_path: Path, hostile_home: None) -> None:
    """``readiness validate`` names each hostile project file's problem, checks the other
    projects' evidence, and exits non-zero."""
    from typer.testing import CliRunner

    from flows.cli import app

    ws = Workspace(tmp_path / "p")
    ws.write("laughs.yml", laughs())
    ws.write("twice.yml", f"id: twice\nname: a\n# {CANARY}\nname: b\n")
    portfolio = ws.portfolio(projects=[ws.project("good_project"), "laughs.yml", "twice.yml"])
    result = CliRunner().invoke(app, ["validate", str(portfolio)])
    shown = " ".join(result.output.split())
    assert result.exit_code == 2
    assert "Configuration problems (2)" in shown
    assert "good_project" in result.stdout  # the good project's evidence is still checked
    assert "laughs.yml: refused (line 7, column 22): aliases expand" in shown
    assert "the key 'name' is written twice (line 2 and line 4)" in shown
    assert "Traceback" not in shown and CANARY not in shown
