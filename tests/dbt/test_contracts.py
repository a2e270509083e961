"""Every mart a reader selects from is built under an enforced dbt contract.

The marts readers use are the ones the published snapshot holds (``readmodel.snapshots``:
``PUBLISHED_MARTS``, which tests/flows/test_snapshots.py keeps in step with the readers' SQL) and
the ones the exposures name; each must have ``contract: {enforced: true}`` and a declared type on
every column, so that dbt refuses to build it (on DuckDB and on PostgreSQL alike) when its SQL
yields another column or type. dbt ``parse`` only: no warehouse is needed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from flows import dbt
from readmodel.snapshots import PUBLISHED_MARTS

#: Types every contracted column may declare: each means the same on DuckDB and PostgreSQL
#: (dbt compares the declared type with the SQL's on the warehouse it builds on).
PORTABLE_TYPES = {
    "varchar",
    "varchar[]",
    "bigint",
    "integer",
    "double precision",
    "boolean",
    "date",
    "timestamp",
    "timestamp with time zone",
}
#: A decimal with its precision and scale is the same on both (cost_sensitivity's changes).
EXACT_DECIMAL = re.compile(r"numeric\(\d+,\s*\d+\)")


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("contracts")
    settings = Settings(home=home, warehouse_path=home / "warehouse.duckdb")
    dbt.invoke(settings, ["parse"])
    parsed: dict[str, Any] = json.loads(
        Path(settings.dbt_target_path / "manifest.json").read_text("utf-8")
    )
    return parsed


def _models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }


def test_every_mart_readers_use_is_contracted_with_portable_types(
    manifest: dict[str, Any],
) -> None:
    models = _models(manifest)
    exposed = {
        name
        for exposure in manifest["exposures"].values()
        for name in (models_id.split(".")[-1] for models_id in exposure["depends_on"]["nodes"])
    }
    read = set(PUBLISHED_MARTS) | exposed
    assert exposed <= set(PUBLISHED_MARTS), "an exposure names a mart the snapshot does not hold"
    problems = []
    for name in sorted(read):
        node = models[name]
        if not node["config"]["contract"]["enforced"]:
            problems.append(f"{name}: contract not enforced")
            continue
        for column, spec in node["columns"].items():
            kind = (spec.get("data_type") or "").strip().lower()
            if kind not in PORTABLE_TYPES and not EXACT_DECIMAL.fullmatch(kind):
                problems.append(f"{name}.{column}: data_type {kind or 'missing'!r}")
    assert not problems, "\n".join(problems)


def test_the_check_would_catch_a_mart_without_a_contract(manifest: dict[str, Any]) -> None:
    """The manifest says what the test reads: the contract and the columns of each mart."""
    models = _models(manifest)
    # Models nobody reads (staging, intermediate) carry no contract: the flag is really read.
    assert not models["stg_raw__runs"]["config"]["contract"]["enforced"]
    assert models["run_rubric_changes"]["columns"]["checks_added"]["data_type"] == "bigint"
