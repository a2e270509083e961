"""Static blocks of the executive view: a section drawn as one Markdown element of plain HTML.

The browser draws each Streamlit element as its own React tree (``st.metric``, ``st.columns``,
``st.subheader``, ``st.dataframe``'s data grid, a Vega chart): on the project page that drawing,
not Python, was most of a full page load. A section here is one element: its heading, figures
(label and value, like ``st.metric``), tables and the gap chart (the HTML report's inline SVG).
Every value is escaped: the HTML is trusted, the data in it is not.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from readmodel.vocabulary import missing

FIGURE_STYLE = "display:flex;flex-wrap:wrap;gap:0.5rem 1rem;margin:0 0 1rem 0"
LABEL_STYLE = "font-size:0.875rem;margin:0"
VALUE_STYLE = "font-size:2.25rem;line-height:1.25;margin:0"


def escaped(value: str) -> str:
    """Text made safe inside HTML, on one line: a blank line would end the HTML block."""
    return html.escape(" ".join(value.splitlines()))


def figures(items: Iterable[tuple[str, str]]) -> str:
    """Labelled figures side by side, as a definition list (what ``st.metric`` shows)."""
    cells = "".join(
        f'<div style="flex:1 1 0;min-width:10rem"><dt style="{LABEL_STYLE}">'
        f"{escaped(label)}</dt>"
        f'<dd style="{VALUE_STYLE}">{escaped(value)}</dd></div>'
        for label, value in items
    )
    return f'<dl class="figures" style="{FIGURE_STYLE}">{cells}</dl>'


def text(value: Any) -> str:
    """A value as it is written in a table: '–' when the snapshot does not have it."""
    return "–" if missing(value) else str(value)


def table(frame: pd.DataFrame, formats: Mapping[str, Callable[[Any], str]]) -> str:
    """A frame as a static HTML table, each column written by its format (:func:`text` else)."""
    head = "".join(f"<th>{escaped(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{escaped(formats.get(str(c), text)(v))}</td>"
            for c, v in zip(frame.columns, row, strict=True)
        )
        + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def paragraph(words: str, small: bool = False) -> str:
    """Plain text as an HTML paragraph (escaped; small like ``st.caption`` when asked)."""
    style = ' style="font-size:0.875rem;opacity:0.75"' if small else ""
    return f"<p{style}>{escaped(words)}</p>"


def chart(svg: str) -> str:
    """An inline SVG drawing as a block of its own (a bare ``<svg>`` would be read as text)."""
    return f"<div>{svg}</div>"


def block(*parts: str, allow_html: bool = True) -> None:
    """One element of several parts: HTML from this module, or Markdown.

    A blank line ends an HTML block in Markdown, so the HTML parts here never contain one. Parts
    that carry the snapshot's text as Markdown (not escaped) pass ``allow_html=False``, so that
    HTML in that text is not drawn.
    """
    st.markdown("\n\n".join(parts), unsafe_allow_html=allow_html)


def section(heading: str, *parts: str, allow_html: bool = True) -> None:
    """One element: a heading (as ``st.subheader`` writes it) and the section's parts."""
    block(f"### {heading}", *parts, allow_html=allow_html)
