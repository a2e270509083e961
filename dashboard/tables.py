"""Tables with a CSV download beside them (formula injection neutralised, see core.csv_safe)."""

from __future__ import annotations

from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from core.csv_safe import to_csv_bytes


def table(frame: pd.DataFrame, name: str, **options: Any) -> None:
    """Show a table and offer it as ``<name>.csv``."""
    st.dataframe(frame, hide_index=True, width="stretch", **options)
    csv_download(frame, name)


def csv_download(frame: pd.DataFrame, name: str) -> None:
    """Offer a table as ``<name>.csv``."""
    st.download_button(
        f"Download {name}.csv",
        # Built when clicked, not on every run of the page.
        data=partial(to_csv_bytes, frame),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"csv-{name}",
        on_click="ignore",
    )
