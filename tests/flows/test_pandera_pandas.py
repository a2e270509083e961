"""Validating a raw table's frame does not import Dask's dataframe (flows/pandera_pandas.py).

Each case runs in a fresh interpreter: whether a module was imported is a property of a process.
"""

from __future__ import annotations

import subprocess
import sys

from core.settings import REPO_ROOT

VALIDATE = """
import sys

import pandas as pd

from flows.schemas import RubricStages, validate

row = {"run_id": "r", "stage_id": "pilot", "stage_order": 1, "stage_title": "Pilot",
       "requirement_kind": "gap", "requirement": "data"}
print(dict(validate(RubricStages, pd.DataFrame([row])).dtypes.astype(str)))
schema = RubricStages.to_schema()
print({n: (str(c.dtype), [str(k) for k in c.checks]) for n, c in schema.columns.items()})
print("dask.dataframe" in sys.modules)
"""


def run(code: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def test_a_frame_is_validated_without_importing_dask_dataframe() -> None:
    dtypes, _, imported = run(VALIDATE)
    assert imported == "False"
    assert "'stage_order': 'Int64'" in dtypes


def test_a_process_that_imported_dask_dataframe_keeps_pandera_s_own_typing() -> None:
    # A Dask worker may hold Dask's dataframe already: pandera's module is used, as it is.
    *schema, imported = run("import dask.dataframe\n" + VALIDATE)
    assert imported == "True"
    assert run(VALIDATE)[:2] == schema  # the same schema and frame either way


def test_geopandas_not_installed_is_known_at_once() -> None:
    # Pandera looks for GeoPandas on every validation; absent, the import fails without a search.
    code = (
        "import importlib.util, sys\n"
        "absent = importlib.util.find_spec('geopandas') is None\n"
        + VALIDATE
        + "print(absent, absent == (sys.modules.get('geopandas', 0) is None))\n"
        "from pandera.engines.pandas_engine import is_geopandas_dtype\n"
        "print(is_geopandas_dtype('geometry') is (not absent))\n"
    )
    *_, marked, answer = run(code)
    assert marked.split()[1] == "True"
    assert answer == "True"
