"""The Unicode fonts of the PDF reports, from the Python packages that ship them.

PDF's core fonts (Helvetica, ...) are Latin-1 only: a project named in Greek, Chinese or Arabic
came out as ``?``. The reports set text in Noto Sans (Latin, Greek, Cyrillic; the
``manimgx-fonts`` package) and fall back, glyph by glyph, on Noto Sans for the other scripts
(Arabic, Hebrew, Devanagari, Thai, symbols: the same package) and on Noto Sans SC for Chinese
(``pylopdf-fonts-zh-cn``). Arabic and the Indic scripts need their letters joined and ordered:
fpdf2 shapes text with HarfBuzz (``uharfbuzz``). Every font is installed from PyPI with the
project, so a report looks the same on every machine.

The variable fonts are embedded at their default instance (regular weight): setting another
weight makes fpdf2 compute a static instance of the font, which costs seconds per font and per
report; so there is one weight, and headings are set apart by size and fill.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fpdf import FPDF

#: The family every text of a report is set in.
FAMILY = "NotoSans"
#: Fonts tried, in order, for a character the main font lacks: family, file (None: Noto Sans
#: SC) and the Unicode blocks it is needed for. Only the fonts a report's text needs are added:
#: fpdf2 reads and subsets every font added to a document, a quarter of a second each.
_FALLBACKS: tuple[tuple[str, str | None, tuple[tuple[int, int], ...]], ...] = (
    (
        "NotoSansArabic",
        "NotoSansArabic[wght].ttf",
        ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    ),
    ("NotoSansHebrew", "NotoSansHebrew[wght].ttf", ((0x0590, 0x05FF), (0xFB1D, 0xFB4F))),
    ("NotoSansDevanagari", "NotoSansDevanagari[wght].ttf", ((0x0900, 0x097F), (0xA8E0, 0xA8FF))),
    ("NotoSansThai", "NotoSansThai[wght].ttf", ((0x0E00, 0x0E7F),)),
    (
        "NotoSansSymbols",
        "NotoSansSymbols[wght].ttf",
        ((0x2190, 0x21FF), (0x2300, 0x23FF), (0x2460, 0x24FF), (0x2600, 0x27BF)),
    ),
    (
        "NotoSansSC",
        None,
        (
            (0x2E80, 0x2FDF),
            (0x3000, 0x31FF),
            (0x3400, 0x4DBF),
            (0x4E00, 0x9FFF),
            (0xF900, 0xFAFF),
            (0xFE30, 0xFE4F),
            (0xFF00, 0xFFEF),
        ),
    ),
)


def _noto(name: str) -> Path:
    return Path(str(files("manimgx_fonts") / name))


def _chinese() -> Path:
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path())


def _needs(text: str, blocks: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= ord(c) <= high for c in set(text) for low, high in blocks)


def use_unicode_fonts(pdf: FPDF, text: str) -> None:
    """Register the report font on ``pdf``, the fallbacks ``text`` needs and text shaping.

    ``text`` holds every word the report will write.
    """
    pdf.add_font(FAMILY, "", _noto("NotoSans[wght].ttf"))
    fallbacks = []
    for family, name, blocks in _FALLBACKS:
        if _needs(text, blocks):
            pdf.add_font(family, "", _chinese() if name is None else _noto(name))
            fallbacks.append(family)
    pdf.set_fallback_fonts(fallbacks)
    pdf.set_text_shaping(True)
    pdf.set_font(FAMILY, "", 10)
