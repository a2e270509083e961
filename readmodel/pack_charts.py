"""The Sprint Zero pack's charts, drawn once and written as inline SVG (HTML) or on a PDF page.

A chart is a :class:`Drawing`: rectangles, lines and texts in pixels. :func:`to_svg` writes it
for the HTML pack (no chart library to load, like the one-pager's gap chart); :func:`to_pdf`
draws the same shapes with fpdf2, whose text falls back glyph by glyph on the report's Unicode
fonts (fpdf2's own SVG import sets text in one font only, so a team named in Chinese would lose
its letters). Status and figures are always written beside their colour.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from fpdf import FPDF

from readmodel.fonts import FAMILY
from readmodel.pack_data import QuestionCell, ScheduledAction
from readmodel.render import _rgb
from readmodel.vocabulary import gap_label, money


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    #: Shown on hover in the HTML (the full text a label had to shorten).
    tip: str | None = None


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = "#212121"
    dashed: bool = False


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    size: float = 12
    anchor: str = "start"  # start, middle or end, as SVG's text-anchor


@dataclass
class Drawing:
    """A chart in pixels: its size, what it is (title, description for screen readers), shapes."""

    chart: str
    title: str
    description: str
    width: float
    height: float
    items: list[Rect | Line | Text] = field(default_factory=list)


def to_svg(d: Drawing) -> str:
    """The drawing as inline SVG (every text escaped)."""
    e = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{d.width:.0f}" '
        f'height="{d.height:.0f}" viewBox="0 0 {d.width:.0f} {d.height:.0f}" '
        f'style="max-width:100%;height:auto" data-chart="{e(d.chart)}" '
        f'aria-label="{e(d.title)}"><title>{e(d.title)}</title><desc>{e(d.description)}</desc>'
    ]
    for item in d.items:
        if isinstance(item, Rect):
            tip = f"<title>{e(item.tip)}</title>" if item.tip else ""
            parts.append(
                f'<rect x="{item.x:.1f}" y="{item.y:.1f}" width="{item.w:.1f}" '
                f'height="{item.h:.1f}" fill="{e(item.fill)}">{tip}</rect>'
            )
        elif isinstance(item, Line):
            dash = ' stroke-dasharray="4 4"' if item.dashed else ""
            parts.append(
                f'<line x1="{item.x1:.1f}" y1="{item.y1:.1f}" x2="{item.x2:.1f}" '
                f'y2="{item.y2:.1f}" stroke="{e(item.stroke)}"{dash}/>'
            )
        else:
            parts.append(
                f'<text x="{item.x:.1f}" y="{item.y:.1f}" font-size="{item.size:g}" '
                f'text-anchor="{item.anchor}">{e(item.text)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def to_pdf(pdf: FPDF, d: Drawing, width_mm: float | None = None) -> None:
    """Draw the drawing at the left margin below the current position (a new page if needed)."""
    width_mm = width_mm or pdf.epw
    scale = width_mm / d.width
    if pdf.get_y() + d.height * scale > pdf.page_break_trigger:
        pdf.add_page()
    x0, y0 = pdf.l_margin, pdf.get_y()
    margin = pdf.c_margin
    pdf.c_margin = 0
    for item in d.items:
        if isinstance(item, Rect):
            pdf.set_fill_color(*_rgb(item.fill))
            pdf.rect(x0 + item.x * scale, y0 + item.y * scale, item.w * scale, item.h * scale, "F")
        elif isinstance(item, Line):
            pdf.set_draw_color(*_rgb(item.stroke))
            if item.dashed:
                pdf.set_dash_pattern(dash=1, gap=1)
            pdf.line(
                x0 + item.x1 * scale,
                y0 + item.y1 * scale,
                x0 + item.x2 * scale,
                y0 + item.y2 * scale,
            )
            pdf.set_dash_pattern()
        else:
            size_mm = item.size * scale
            pdf.set_font(FAMILY, "", size_mm * 72 / 25.4)
            width = pdf.get_string_width(item.text)
            shift = {"start": 0.0, "middle": width / 2, "end": width}[item.anchor]
            # SVG places text by its baseline; a cell by its top (the baseline sits ~0.8 down).
            pdf.set_xy(x0 + item.x * scale - shift, y0 + item.y * scale - size_mm * 0.8)
            pdf.cell(width + 0.2, size_mm, item.text)
    pdf.c_margin = margin
    pdf.set_xy(pdf.l_margin, y0 + d.height * scale + 2)


def short(text: str, length: int) -> str:
    """A label cut to ``length`` characters (with an ellipsis); the tables carry the full text."""
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


# --- the stakeholder heatmap ---------------------------------------------------------------------

#: Agreement from 0 (red) through 0.5 (amber) to 1 (green): light fills, dark text stays readable.
_LOW, _MID, _HIGH = (229, 115, 115), (255, 213, 79), (129, 199, 132)


def agreement_colour(agreement: float | None) -> str:
    if agreement is None:
        return "#e0e0e0"
    a = max(0.0, min(1.0, float(agreement)))
    low, high, t = (_LOW, _MID, a * 2) if a < 0.5 else (_MID, _HIGH, (a - 0.5) * 2)
    r, g, b = (round(lo + (hi - lo) * t) for lo, hi in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def spread_text(disagreement: float | None) -> str:
    """'±12': the spread of answers (dbt's standard deviation of agreement), in points of 100."""
    return "-" if disagreement is None else f"±{float(disagreement) * 100:.0f}"


def cell_text(agreement: float | None, disagreement: float | None) -> str:
    """'33% ±12': the mean agreement and the spread of answers (both in points of 100)."""
    if agreement is None:
        return "-"
    spread = "" if disagreement is None else f" {spread_text(disagreement)}"
    return f"{float(agreement) * 100:.0f}%{spread}"


def heatmap(questions: Sequence[QuestionCell], groups: Sequence[str]) -> Drawing:
    """Agreement (colour and %) and disagreement (±) per question (rows) and group (columns)."""
    order: dict[str, str] = {}
    for q in questions:
        order.setdefault(q.question_id, q.question_text or q.question_id)
    cells = {(q.question_id, q.stakeholder_group): q for q in questions}
    left, cell_w, cell_h, top = 330.0, 105.0, 22.0, 60.0
    width = left + cell_w * max(1, len(groups)) + 10
    height = top + cell_h * len(order) + 70
    described = "; ".join(
        f"{text} - {g}: {cell_text(c.agreement, c.disagreement)}"
        for qid, text in order.items()
        for g in groups
        if (c := cells.get((qid, g)))
    )
    d = Drawing(
        "stakeholder-heatmap",
        "Agreement and disagreement per question and stakeholder group",
        described,
        width,
        height,
    )
    d.items.append(
        Text(0, 18, "Agreement per question and group (colour, %), spread of answers (±)", 14)
    )
    for j, group in enumerate(groups):
        d.items.append(
            Text(left + cell_w * j + cell_w / 2, top - 8, short(group, 16), 12, "middle")
        )
    for i, (qid, text) in enumerate(order.items()):
        y = top + cell_h * i
        d.items.append(Text(left - 8, y + 15, short(text, 50), 11, "end"))
        for j, group in enumerate(groups):
            c = cells.get((qid, group))
            x = left + cell_w * j
            if c is None:
                d.items.append(Rect(x + 1, y + 1, cell_w - 2, cell_h - 2, "#f5f5f5"))
                d.items.append(Text(x + cell_w / 2, y + 15, "not asked", 10, "middle"))
                continue
            tip = f"{text} - {group}: {c.respondents} respondents"
            d.items.append(
                Rect(x + 1, y + 1, cell_w - 2, cell_h - 2, agreement_colour(c.agreement), tip)
            )
            d.items.append(
                Text(
                    x + cell_w / 2,
                    y + 15,
                    cell_text(c.agreement, c.disagreement),
                    11,
                    "middle",
                )
            )
    legend_y = top + cell_h * len(order) + 20
    for k, (value, words) in enumerate(((0.0, "0% disagree"), (0.5, "50%"), (1.0, "100% agree"))):
        x = 110.0 * k
        d.items.append(Rect(x, legend_y, 18, 14, agreement_colour(value)))
        d.items.append(Text(x + 24, legend_y + 12, words, 11))
    d.items.append(Text(0, legend_y + 34, "± the spread of answers, in points of 100", 11))
    return d


# --- the roadmap timeline ------------------------------------------------------------------------

#: One fill per gap, so that a row's gap shows at a glance (its name is in the legend and table).
GAP_FILLS = {
    "data_quality": "#64b5f6",
    "integration": "#9575cd",
    "stakeholder_alignment": "#f06292",
    "evaluation": "#4db6ac",
    "scale": "#ffb74d",
    "maintenance": "#a1887f",
}
#: Actions per chart: a longer roadmap is drawn on several charts (pages).
TIMELINE_ROWS = 30


def _ticks(start: date, end: date) -> list[date]:
    """Mondays when the span is under ten weeks, else the first day of each month."""
    if (end - start).days <= 70:
        first = start + timedelta(days=(7 - start.weekday()) % 7)
        return [first + timedelta(weeks=k) for k in range((end - first).days // 7 + 1)]
    months, current = [], date(start.year, start.month, 1)
    while current <= end:
        if current >= start:
            months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def timeline(
    actions: Sequence[ScheduledAction],
    as_of: date,
    currency: str | None,
    target_launch: date | None = None,
    part: str = "",
) -> Drawing:
    """The roadmap's actions on the calendar: one bar per action from its start to its end date.

    Beside each bar its owner (the name, or the role) and its cost; the as-of and the target
    launch (when set) as dashed lines. Dates and costs are the ``roadmap_schedule`` mart's.
    """
    ends = [a.end_date for a in actions if a.end_date]
    last = max([as_of, *ends, *([target_launch] if target_launch else [])])
    span = max(1, (last - as_of).days + 1)
    left, area, top, row_h = 300.0, 430.0, 76.0, 20.0
    width = left + area + 230
    height = top + row_h * len(actions) + 40
    described = "; ".join(
        f"{a.priority}. {a.title}: {a.start_date} to {a.end_date}, "
        f"{a.owner or a.owner_role}, {money(a.cost, currency)}"
        for a in actions
    )
    d = Drawing("roadmap-timeline", f"Roadmap on the calendar{part}", described, width, height)
    d.items.append(Text(0, 18, f"Roadmap on the calendar{part}", 14))

    def x_of(day: date) -> float:
        return left + area * max(0, (day - as_of).days) / span

    axis_y = top + row_h * len(actions)
    for tick in _ticks(as_of, last):
        x = x_of(tick)
        d.items.append(Line(x, top - 4, x, axis_y, "#e0e0e0"))
        d.items.append(Text(x, top - 8, f"{tick:%d %b}", 10, "middle"))
    for i, a in enumerate(actions):
        y = top + row_h * i
        start = a.start_date or as_of
        end = a.end_date or start
        x1, x2 = x_of(start), x_of(end + timedelta(days=1))
        label = f"{a.priority}. {a.title}"
        d.items.append(Text(left - 8, y + 14, short(label, 46), 11, "end"))
        d.items.append(
            Rect(x1, y + 3, max(2.0, x2 - x1), row_h - 6, GAP_FILLS.get(a.gap, "#90a4ae"), label)
        )
        owner = a.owner or a.owner_role or "-"
        d.items.append(
            Text(left + area + 8, y + 14, short(f"{owner} · {money(a.cost, currency)}", 36), 11)
        )
    d.items.append(Line(left, axis_y, left + area, axis_y))
    d.items.append(Line(x_of(as_of), top - 4, x_of(as_of), axis_y, dashed=True))
    d.items.append(Text(x_of(as_of), axis_y + 14, f"as of {as_of:%Y-%m-%d}", 10))
    if target_launch:
        x = x_of(target_launch)
        d.items.append(Line(x, top - 4, x, axis_y, "#c62828", dashed=True))
        d.items.append(Text(x, axis_y + 28, f"target launch {target_launch:%Y-%m-%d}", 10, "end"))
    gaps = sorted({a.gap for a in actions if a.gap}, key=list(GAP_FILLS).index)
    legend_x = 0.0
    for gap in gaps:
        d.items.append(Rect(legend_x, 30, 12, 12, GAP_FILLS[gap]))
        d.items.append(Text(legend_x + 16, 40, gap_label(gap), 11))
        legend_x += 28 + 7 * len(gap_label(gap))
    return d
