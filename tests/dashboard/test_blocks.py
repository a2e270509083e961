"""The executive view's static blocks: what they write, and that data in them stays text."""

from __future__ import annotations

import pandas as pd

from dashboard import blocks
from readmodel.vocabulary import money


def test_figures_and_tables_escape_what_they_show() -> None:
    planted = '<img src=x onerror="alert(1)">'
    shown = blocks.figures([(planted, planted)]) + blocks.paragraph(planted)
    shown += blocks.table(pd.DataFrame({planted: [planted]}), {})
    assert "<img" not in shown and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in shown


def test_a_table_writes_each_column_by_its_format_and_missing_values_as_a_dash() -> None:
    frame = pd.DataFrame({"Action": ["Fix it", None], "Cost": [3600.0, float("nan")]})
    assert blocks.table(frame, {"Cost": money}) == (
        "<table><thead><tr><th>Action</th><th>Cost</th></tr></thead><tbody>"
        "<tr><td>Fix it</td><td>3,600</td></tr><tr><td>–</td><td>–</td></tr></tbody></table>"
    )


def test_html_parts_hold_no_blank_line() -> None:
    # A blank line would end the HTML block and let Markdown read the rest as text.
    parts = [
        blocks.figures([("Total effort", "40 days")]),
        blocks.table(pd.DataFrame({"a": ["x\n\ny"]}), {}),
        blocks.paragraph("one\n\ntwo"),
    ]
    assert all("\n\n" not in part for part in parts)
