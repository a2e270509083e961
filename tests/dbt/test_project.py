"""The dbt project stays in step with the raw-table contract and the rubric."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from core.gaps import GAP_IDS
from core.settings import DBT_PROJECT_DIR, DEFAULT_RUBRIC
from flows.config import Rubric, load_model
from flows.schemas import RAW_TABLES


def test_sources_declare_exactly_the_raw_tables_and_their_columns() -> None:
    sources = yaml.safe_load((DBT_PROJECT_DIR / "models/staging/_raw__sources.yml").read_text())
    tables = {t["name"]: [c["name"] for c in t["columns"]] for t in sources["sources"][0]["tables"]}
    expected = {name: list(model.to_schema().columns) for name, model in RAW_TABLES.items()}
    assert tables == expected


def test_every_raw_table_has_one_staging_view_selecting_every_column() -> None:
    for table, model in RAW_TABLES.items():
        sql = (
            DBT_PROJECT_DIR / f"models/staging/stg_raw__{table.removeprefix('raw_')}.sql"
        ).read_text()
        assert f"source('raw', '{table}')" in sql
        for column in model.to_schema().columns:
            assert re.search(rf"\b{column}\b", sql), (table, column)


def test_every_rubric_check_is_measured_by_a_gap_model() -> None:
    rubric = load_model(Rubric, DEFAULT_RUBRIC)
    intermediate = DBT_PROJECT_DIR / "models/intermediate"
    for gap in GAP_IDS:
        # The gap's model and the models it unions in (int_check_items_<gap>_<source>.sql).
        sql = "".join(p.read_text() for p in intermediate.glob(f"int_check_items_{gap}*.sql"))
        for check in (c for c in rubric.checks if c.gap == gap):
            assert f"'{check.id}'" in sql, f"{check.id} is not measured in int_check_items_{gap}"


def test_sources_file_is_the_one_generated_from_the_schemas(tmp_path: Path) -> None:
    from flows import dbt_sources

    assert dbt_sources.current(), "run `readiness dbt-sources`"
    edited = tmp_path / "_raw__sources.yml"
    edited.write_text(dbt_sources.render().replace("- name: as_of\n", ""), encoding="utf-8")
    assert not dbt_sources.current(edited)
    assert dbt_sources.write(edited).read_text(encoding="utf-8") == dbt_sources.render()
