"""Pandera for pandas frames only: the raw tables' schemas built without importing Dask.

Pandera builds a schema from a ``DataFrameModel`` (``to_schema``, on the first validation in each
thread) by asking for the index and series types of every dataframe library it supports
(``pandera.typing.get_index_types`` and ``get_series_types``). Each library's typing module
imports the library when it is installed, and counts it out when the import fails
(``pandera.typing.dask.DASK_INSTALLED``): with Dask installed (prefect-dask's task runner
needs it) every process that validates a frame imports ``dask.dataframe``, about 1 s of CPU,
though only pandas frames are ever validated here.

:func:`pandas_only` gives pandera the answer it gives itself when Dask's dataframe cannot be
imported: its Dask typing module, registered as "Dask not installed" before pandera first asks.
Pandera's validation of pandas frames is unchanged (the same schema, the same backends: pandas
frames register only pandas' backend). A process that imported ``dask.dataframe`` already has
nothing to save and keeps pandera's own module.

GeoPandas the same way: every validation asks pandera's engine for the type of the frame-level
dtype (none), and on the way pandera tries ``from geopandas.array import GeometryDtype``
(``pandas_engine.is_geopandas_dtype``). Without GeoPandas installed that import fails each time,
after a search of every folder on ``sys.path`` under the interpreter's import lock: about 4 % of a
cold portfolio run (a profile of 100 projects; the threads waited on each other for that lock).
When GeoPandas is not installed, :func:`pandas_only` records it as not importable
(``sys.modules["geopandas"] = None``: Python's own marker), so the same import fails at once.
"""

from __future__ import annotations

import importlib.util
import sys
import types

#: Pandera's typing module for Dask frames (imported by pandera when it builds a schema).
DASK_TYPING = "pandera.typing.dask"
#: A library pandera looks for on every validation; absent here (see the module).
GEOPANDAS = "geopandas"


def pandas_only() -> None:
    """Register pandera's Dask typing as not installed, unless Dask's dataframe is loaded.

    And GeoPandas as not importable when it is not installed (see the module).
    """
    if GEOPANDAS not in sys.modules and importlib.util.find_spec(GEOPANDAS) is None:
        sys.modules[GEOPANDAS] = None  # type: ignore[assignment]  # "not importable", at once
    if DASK_TYPING in sys.modules or "dask.dataframe" in sys.modules:
        return
    stand_in = types.ModuleType(DASK_TYPING, "Dask frames are not validated here (flows.schemas).")
    stand_in.DASK_INSTALLED = False  # type: ignore[attr-defined]
    sys.modules[DASK_TYPING] = stand_in
