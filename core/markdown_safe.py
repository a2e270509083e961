"""Text from evidence made inert in Markdown: shown as written, never as an image, a link or HTML.

A CSV header, a cost key, a project name or a respondent's words reach Markdown (the Markdown
report, the dashboard's titles, captions and messages, Prefect's artifacts). Written as they are,
``![x](https://attacker/p.png)`` loads the attacker's URL in the reader's browser, ``[x](...)``
is a link, and ``<script>`` or ``<img src=...>`` is HTML. The characters that
make those (and ``|``, which splits a table cell, and ``$``, Streamlit's math) are escaped with a
backslash (CommonMark's escape of ASCII punctuation), which the reader of the rendered text never
sees.
"""

from __future__ import annotations

import re
from typing import Any

#: What makes Markdown load or link something, or HTML (``<``), or split a table cell (``|``), or
#: start Streamlit's math (``$``). Emphasis characters are left as they are: ``support_copilot``
#: stays readable in the raw Markdown, and emphasis runs nothing.
_SPECIAL = re.compile(r"([\\\[\]<>!|$])")


def md(value: Any) -> str:
    """A value as literal Markdown text, on one line (a line break would end a table row)."""
    text = " ".join(str(value).splitlines())
    return _SPECIAL.sub(r"\\\1", text)
