"""The raw tables' text columns checked as one dtype test, not one result per element.

A ``Series[str]`` column is pandas' string dtype (``pandera.engines.pandas_engine.STRING``).
After coercion its dtype check passes whenever the column has that dtype, but pandera's check
answers with one ``True`` per element: pandera then takes the elements that failed (none), shapes
them into a table of failure cases and formats that empty table into a message, for every text
column of every validated frame. That was about half of all validation time in a portfolio run
(a profile of 100 projects: validation 28 % of the run, half of it this).

:class:`Text` is the same dtype with the same coercion and the same answer, given as one boolean
when the column already has the string dtype. Anything else (an object column holding other
values, which coercion did not convert) is checked element by element as pandera does, so a
rejection still names each failing row. :class:`TextModel` is the base of the raw tables' models
(``flows/schemas.py``): every text column of its schemas uses :class:`Text`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandera.pandas as pa
from pandera import dtypes
from pandera.api.pandas.container import DataFrameSchema
from pandera.engines import pandas_engine


@dtypes.immutable(init=True)
class Text(pandas_engine.STRING):
    """pandas' string dtype, whose check of a string-typed column is one boolean."""

    def check(
        self, pandera_dtype: dtypes.DataType, data_container: Any | None = None
    ) -> bool | Iterable[bool]:
        """True for a column of this string dtype; otherwise pandera's own (element-wise) check."""
        if data_container is not None:
            try:
                resolved = pandas_engine.Engine.dtype(pandera_dtype)
            except TypeError:
                return False
            if resolved.type == self.type:
                return True
        return super().check(pandera_dtype, data_container)


def text_columns(schema: DataFrameSchema) -> DataFrameSchema:
    """The schema with every column of pandas' string dtype checked as :class:`Text`."""
    for column in schema.columns.values():
        if type(column.dtype) is pandas_engine.STRING:
            column.dtype = Text(storage=column.dtype.storage)  # type: ignore[call-arg]
    return schema


class TextModel(pa.DataFrameModel):
    """A Pandera model whose text columns are checked as :class:`Text` (see the module)."""

    @classmethod
    def build_schema_(cls, **kwargs: Any) -> DataFrameSchema:
        """Pandera's schema of the model (built once per thread), its text columns as Text."""
        return text_columns(super().build_schema_(**kwargs))
