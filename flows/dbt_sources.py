"""Generate dbt's raw sources (``_raw__sources.yml``) from the raw-table contract.

``flows/schemas.py`` is the one place a raw table is declared: its Pandera model names the
columns and its docstring says what a row is. dbt's source declaration is written from it by
``readiness dbt-sources`` (and ``--check`` fails in CI when the committed file differs), so a new
raw table or column is declared to dbt by running the command, never by hand.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from core.settings import DBT_PROJECT_DIR
from flows.schemas import RAW_TABLES

SOURCES_FILE = DBT_PROJECT_DIR / "models" / "staging" / "_raw__sources.yml"
HEADER = (
    "# Generated from flows/schemas.py (RAW_TABLES) by `readiness dbt-sources`; do not edit.\n"
    "# scripts/check.py fails when it differs from the schemas (`readiness dbt-sources --check`).\n"
)


def _description(doc: str | None) -> str:
    """A model's docstring as one line (its first paragraph)."""
    first = (doc or "").strip().split("\n\n", 1)[0]
    return " ".join(first.split())


def render() -> str:
    """The sources file for the raw tables of :data:`flows.schemas.RAW_TABLES`, in their order."""
    tables = [
        {
            "name": name,
            "description": _description(model.__doc__),
            "columns": [{"name": column} for column in model.to_schema().columns],
        }
        for name, model in RAW_TABLES.items()
    ]
    document = {
        "version": 2,
        "sources": [
            {
                "name": "raw",
                "description": "Raw tables written by the Prefect flow (flows/schemas.py is the "
                "contract).",
                "schema": "{{ target.schema }}",
                "tables": tables,
            }
        ],
    }
    return HEADER + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def write(target: Path = SOURCES_FILE) -> Path:
    """Write the sources file; returns its path."""
    target.write_text(render(), encoding="utf-8")
    return target


def current(target: Path = SOURCES_FILE) -> bool:
    """Whether the committed sources file is what the schemas give."""
    return target.exists() and target.read_text(encoding="utf-8") == render()
