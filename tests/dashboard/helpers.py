"""Helpers of the dashboard tests: running a page with AppTest and reading what it shows."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from core.settings import REPO_ROOT

APP = REPO_ROOT / "dashboard" / "streamlit_app.py"
PAGES = REPO_ROOT / "dashboard" / "app_pages"
GAP_WORDS = [
    "Data quality",
    "Integration",
    "Stakeholder alignment",
    "Evaluation",
    "Scale",
    "Maintenance",
]


def read(snapshot: Path, sql: str, *params: Any) -> pd.DataFrame:
    """Query the snapshot directly (read-only, closed at once) to know what the page should show."""
    with duckdb.connect(str(snapshot), read_only=True) as con:
        return con.execute(sql, list(params)).df()


def latest(snapshot: Path) -> pd.DataFrame:
    return read(
        snapshot,
        "select * from recommendations where is_latest order by project_id",
    )


def page(name: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def text_of(at: AppTest) -> str:
    parts: list[Any] = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [s.value for s in at.success]
    parts += [w.value for w in at.warning] + [m.value for m in at.metric]
    return "\n".join(str(p) for p in parts)


def figures(at: AppTest) -> dict[str, str]:
    """The labelled figures a page shows: ``st.metric`` and the figure blocks (dashboard.blocks)."""
    shown = {m.label: m.value for m in at.metric}
    for block in at.markdown:
        for label, value in re.findall(r"<dt[^>]*>(.*?)</dt><dd[^>]*>(.*?)</dd>", block.value):
            shown[html.unescape(label)] = html.unescape(value)
    return shown


def html_tables(at: AppTest) -> list[list[list[str]]]:
    """The static HTML tables of a page (dashboard.blocks): rows of cells, the header first."""
    return [
        [
            [html.unescape(cell) for cell in re.findall(r"<t[hd]>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table)
        ]
        for block in at.markdown
        for table in re.findall(r"<table>(.*?)</table>", block.value)
    ]


def gap_chart(at: AppTest) -> pd.DataFrame:
    """The project page's gap chart (the report's SVG): per gap, its words and its bar's label."""
    rows = [
        {"gap": gap, "gap_text": html.unescape(words), "label": html.unescape(label)}
        for block in at.markdown
        if 'data-chart="gap-scores"' in block.value
        for gap, words, label in re.findall(
            r'<g data-gap="([^"]*)"><text[^>]*>(.*?)</text><rect[^>]*/><text[^>]*>(.*?)</text></g>',
            block.value,
        )
    ]
    return pd.DataFrame(rows, columns=["gap", "gap_text", "label"])


def chart_data(at: AppTest, index: int = 0) -> pd.DataFrame:
    """The data behind the n-th Altair chart of a page."""
    proto = at.get("vega_lite_chart")[index].proto
    return convert_arrow_bytes_to_pandas_df(proto.datasets[0].data.data)


def chart_title(at: AppTest, index: int = 0) -> str:
    return str(json.loads(at.get("vega_lite_chart")[index].proto.spec)["title"])
