"""One-page executive summaries as Markdown, HTML and PDF.

HTML is self-contained (inline SVG chart); the PDF is laid out by fpdf2 (its own tables, so a
long header wraps inside its column instead of running over the next) in Unicode fonts that ship
with the project (readmodel.fonts). Status is always written in words beside its colour;
checks and gaps are named by their titles, never by their ids (those stay in the drill-down), and
every money figure carries its currency.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from core.markdown_safe import md
from readmodel.drilldowns import CostAtTarget
from readmodel.fonts import FAMILY, use_unicode_fonts
from readmodel.queries import RecurringBlocker
from readmodel.summary import Blocker, GapLine, PortfolioSummary, ProjectSummary
from readmodel.vocabulary import (
    STATUS_COLOURS,
    STATUS_WORDS,
    cost_range,
    day,
    days,
    gap_label,
    gap_list,
    minute,
    missing,
    money,
    name_list,
    number,
    percent,
)

FORMATS = ("md", "html", "pdf")
#: Rows of the portfolio table that fit the PDF's one page with the recurring blockers below.
PDF_PROJECTS = 12
PDF_RECURRING = 6


def verdict_text(recommendation: str, waivers: int = 0) -> str:
    """GO or NOT YET, with the number of waivers the verdict relies on (dbt's count)."""
    text = "GO" if recommendation == "go" else "NOT YET"
    return text + (f", with {waivers} waiver{'s' if waivers > 1 else ''}" if waivers else "")


def status_text(status: str | None) -> str:
    return STATUS_WORDS.get(status or "", "-")


def score_text(score: float | None) -> str:
    return "-" if score is None else f"{score:.0f}"


def cost_sentence(cost: CostAtTarget | None) -> str:
    """The cost at target against the budget, in one sentence."""
    if cost is None:
        return "No cost assumptions were provided."
    text = f"At {number(cost.requests_per_month_target)} requests a month: {cost_range(cost)}"
    if missing(cost.monthly_budget):
        return text + " (no budget given)."
    use = cost.budget_use
    where = "over" if use is not None and float(use) > 1 else "within"
    return (
        f"{text}, {percent(use)} of the {money(cost.monthly_budget, cost.currency)} monthly "
        f"budget ({where} budget)."
    )


def roadmap_sentence(p: ProjectSummary) -> str:
    if not p.roadmap_actions:
        return "Nothing left to do: every check passes."
    return (
        f"{p.roadmap_actions} actions, {days(p.roadmap_effort_days)} of effort, "
        f"{money(p.roadmap_cost, p.roadmap_currency)} at the day rate, done in "
        f"{days(p.roadmap_timeline_days)}."
    )


def claims_sentence(count: int) -> str:
    """'3 claims contradicted by evidence' (dbt's count of survey claims the evidence denies)."""
    return f"{count} claim{'' if count == 1 else 's'} contradicted by evidence"


def gap_status_text(g: GapLine) -> str:
    """A gap's status in words, with what evidence is missing when the gap lacks some."""
    words = status_text(g.status)
    if g.missing_evidence and g.status in ("insufficient_evidence", "no_evidence"):
        return f"{words} (missing: {g.missing_evidence})"
    return words


def evidence_notes(gaps: Sequence[GapLine]) -> list[str]:
    """'Evaluation: Insufficient evidence (missing: ...)' for each gap that lacks evidence."""
    return [
        f"{gap_label(g.gap)}: {gap_status_text(g)}"
        for g in gaps
        if g.missing_evidence and g.status in ("insufficient_evidence", "no_evidence")
    ]


def blocker_text(b: Blocker) -> tuple[str, str]:
    """A blocker's heading (gap and check title, with the blockers' reasons) and what to do."""
    head = f"{gap_label(b.gap)}: {b.title}"
    if b.reasons:
        head += f" ({b.reasons})"
    return (
        f"{head}, {b.severity}",
        f"{b.remediation or 'No remediation recorded.'} Owner: {b.owner_role or '-'}, "
        f"effort {days(b.effort_days)}.",
    )


def recurring_text(r: RecurringBlocker) -> str:
    return (
        f"{r.title} ({gap_label(r.gap)}, {r.severity}): {r.projects} projects "
        f"({name_list(r.project_names, 5)})"
    )


def reason_text(p: ProjectSummary) -> str:
    """The reason dbt wrote, without its leading verdict ("Not yet: ..."): the headline has it."""
    reason = p.reason or "every gap is ready"
    for prefix in ("not yet:", "go:"):
        if reason.lower().startswith(prefix):
            reason = reason[len(prefix) :].strip()
    return reason[:1].upper() + reason[1:]


def headline(p: ProjectSummary) -> str:
    return f"{verdict_text(p.recommendation, p.waivers_relied_on)} (confidence {percent(p.confidence)}): {reason_text(p)}"


# --- Markdown -----------------------------------------------------------------------------------


def project_markdown(p: ProjectSummary) -> str:
    lines = [
        f"# {md(p.project_name)}: {verdict_text(p.recommendation, p.waivers_relied_on)}",
        "",
        f"{md(p.business_unit or '-')} · owner {md(p.owner or '-')} · assessed "
        f"{minute(p.assessed_at)} UTC · run {md(p.run_id)} · rubric {md(p.rubric_version)} · "
        "newest evidence "
        f"{day(p.newest_evidence)}",
        "",
        f"**Recommendation:** {md(headline(p))}",
        "",
        *([f"**Launch stage:** {md(p.stage_text)}.", ""] if p.stage_text else []),
        *[line for note in p.programme_notes for line in (note, "")],
        *([f"**{claims_sentence(p.claims_contradicted)}.**", ""] if p.claims_contradicted else []),
        *([p.pass_rate_line, ""] if p.pass_rate_line else []),
        "## Readiness by gap",
        "",
        "| Gap | Score | Status |",
        "| --- | ---: | --- |",
        *[
            f"| {gap_label(g.gap)} | {score_text(g.score)} | {md(gap_status_text(g))} |"
            for g in p.gaps
        ],
        "",
        "## Top blockers",
        "",
    ]
    if not p.blockers:
        lines.append("No critical or major check is failing.")
    for b in p.blockers:
        head, todo = blocker_text(b)
        lines.append(f"- **{md(head)}.** {md(todo)}")
    lines += [
        "",
        "## Cost at scale",
        "",
        md(cost_sentence(p.cost)),
        "",
        "## Roadmap",
        "",
        md(roadmap_sentence(p)),
        "",
    ]
    return "\n".join(lines)


def portfolio_markdown(s: PortfolioSummary) -> str:
    head = "| Project | Recommendation | Confidence | " + " | ".join(
        gap_label(g.gap) for g in (s.projects[0].gaps if s.projects else [])
    )
    lines = [
        "# Portfolio readiness",
        "",
        f"{len(s.projects)} projects: {s.go} go, {len(s.projects) - s.go} not yet · "
        f"{claims_sentence(s.claims_contradicted)} · runs {md(', '.join(s.run_ids))} · rubric "
        f"{md(', '.join(s.rubric_versions))}",
        "",
        head + " | Roadmap |",
        "| --- | --- | ---: |"
        + " ---: |" * len(s.projects[0].gaps if s.projects else [])
        + " --- |",
    ]
    for p in s.projects:
        scores = " | ".join(f"{score_text(g.score)} {status_text(g.status)}" for g in p.gaps)
        lines.append(
            f"| {md(p.project_name)} | {verdict_text(p.recommendation, p.waivers_relied_on)} | {percent(p.confidence)} | "
            f"{scores} | {days(p.roadmap_timeline_days)} |"
        )
    lines += ["", "## Blockers that recur across projects", ""]
    if not s.recurring:
        lines.append("No failing check recurs across projects.")
    for r in s.recurring:
        lines.append(f"- {md(recurring_text(r))}")
    lines += ["", "## Not yet: what blocks", ""]
    for p in s.projects:
        if p.recommendation != "go":
            lines.append(
                f"- **{md(p.project_name)}**: "
                f"{md(gap_list(','.join(p.blocking_gaps)) or p.reason)}; {md(roadmap_sentence(p))}"
            )
    return "\n".join(lines) + "\n"


# --- HTML ---------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:900px;margin:2em auto;
color:#212121;line-height:1.4}h1{margin-bottom:.2em}.meta{color:#555}
.verdict{padding:.8em 1em;border-radius:6px;font-size:1.1em}.go{background:#e8f5e9}
.not_yet{background:#ffebee}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left}td.n{text-align:right}
"""


def gap_chart_svg(gaps: Sequence[GapLine], ready_threshold: float | None) -> str:
    """Horizontal bars, one per gap, score and status written; the x axis is labelled.

    One drawing for the HTML report and the dashboard's project page (inline SVG: no chart
    library to load). It scales down to narrow screens, and its description says every score and
    status in words for screen readers.
    """
    left, width, bar, gap_h = 170, 420, 20, 28
    total_w = left + width + 140
    height = 40 + gap_h * len(gaps) + 40
    described = "; ".join(
        f"{gap_label(g.gap)}: {score_text(g.score)}, {status_text(g.status)}" for g in gaps
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{total_w}" height="{height}" '
        f'viewBox="0 0 {total_w} {height}" style="max-width:100%;height:auto" '
        'data-chart="gap-scores" aria-labelledby="gap-chart-title" aria-describedby="gap-chart-desc">'
        '<title id="gap-chart-title">Readiness by gap</title>'
        f'<desc id="gap-chart-desc">{html.escape(described)}</desc>',
        '<text x="0" y="18" font-weight="bold" font-size="15">Readiness by gap (score 0-100)'
        "</text>",
    ]
    for i, g in enumerate(gaps):
        y = 34 + i * gap_h
        w = 0 if g.score is None else width * max(0.0, min(100.0, g.score)) / 100
        colour = STATUS_COLOURS.get(g.status or "", "#e0e0e0")
        label = f"{score_text(g.score)} · {status_text(g.status)}"
        parts += [
            f'<g data-gap="{html.escape(g.gap)}"><text x="{left - 8}" y="{y + 15}" '
            f'text-anchor="end" font-size="13">{html.escape(gap_label(g.gap))}</text>',
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar}" fill="{colour}"/>',
            f'<text x="{left + w + 5:.1f}" y="{y + 15}" font-size="13">{html.escape(label)}</text>'
            "</g>",
        ]
    axis_y = 34 + gap_h * len(gaps)
    parts.append(
        f'<line x1="{left}" y1="{axis_y}" x2="{left + width}" y2="{axis_y}" stroke="#212121"/>'
    )
    for tick in (0, 25, 50, 75, 100):
        x = left + width * tick / 100
        parts.append(
            f'<text x="{x:.0f}" y="{axis_y + 14}" font-size="11" text-anchor="middle">{tick}</text>'
        )
    if ready_threshold is not None:
        x = left + width * ready_threshold / 100
        parts.append(
            f'<line x1="{x:.0f}" y1="28" x2="{x:.0f}" y2="{axis_y}" stroke="#212121" '
            f'stroke-dasharray="4 4"/><text x="{x + 3:.0f}" y="30" font-size="11">ready at '
            f"{ready_threshold:g}</text>"
        )
    parts.append(
        f'<text x="{left + width / 2:.0f}" y="{axis_y + 30}" font-size="12" '
        'text-anchor="middle">Score (0-100)</text></svg>'
    )
    return "".join(parts)


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}'
        f"</title><style>{_CSS}</style></head><body>{body}</body></html>\n"
    )


def project_html(p: ProjectSummary) -> str:
    e = html.escape
    blockers = "".join(
        f"<li><b>{e(head)}.</b> {e(todo)}</li>"
        for head, todo in (blocker_text(b) for b in p.blockers)
    )
    claims = (
        f"<p><b>{e(claims_sentence(p.claims_contradicted))}.</b></p>"
        if p.claims_contradicted
        else ""
    )
    notes = "".join(f"<li>{e(note)}</li>" for note in evidence_notes(p.gaps))
    body = (
        f"<h1>{e(p.project_name)}</h1><p class='meta'>{e(p.business_unit or '-')} · owner "
        f"{e(p.owner or '-')} · assessed {e(minute(p.assessed_at))} UTC · run {e(p.run_id)} · "
        f"rubric {e(str(p.rubric_version))} · newest evidence {e(day(p.newest_evidence))}</p>"
        f"<p class='verdict {e(p.recommendation)}'><b>{verdict_text(p.recommendation, p.waivers_relied_on)}</b> · confidence {e(percent(p.confidence))}<br>"
        f"{e(reason_text(p))}</p>"
        + (f"<p><b>Launch stage:</b> {e(p.stage_text)}.</p>" if p.stage_text else "")
        + "".join(f"<p>{e(note)}</p>" for note in p.programme_notes)
        + claims
        + (f"<p>{e(p.pass_rate_line)}</p>" if p.pass_rate_line else "")
        + f"{gap_chart_svg(p.gaps, p.ready_threshold)}"
        + (f"<ul class='missing'>{notes}</ul>" if notes else "")
        + "<h2>Top blockers</h2>"
        + (f"<ul>{blockers}</ul>" if blockers else "<p>No critical or major check is failing.</p>")
        + f"<h2>Cost at scale</h2><p>{e(cost_sentence(p.cost))}</p>"
        f"<h2>Roadmap</h2><p>{e(roadmap_sentence(p))}</p>"
    )
    return _page(f"{p.project_name}: {verdict_text(p.recommendation, p.waivers_relied_on)}", body)


def portfolio_html(s: PortfolioSummary) -> str:
    e = html.escape
    gaps = s.projects[0].gaps if s.projects else []
    head = "".join(f"<th>{e(gap_label(g.gap))}</th>" for g in gaps)
    rows = "".join(
        f"<tr><td>{e(p.project_name)}</td><td>{verdict_text(p.recommendation, p.waivers_relied_on)}</td>"
        f"<td class='n'>{e(percent(p.confidence))}</td>"
        + "".join(
            f"<td class='n' style='background:{STATUS_COLOURS.get(g.status or '', '#fff')}'>"
            f"{score_text(g.score)} {e(status_text(g.status))}</td>"
            for g in p.gaps
        )
        + f"<td>{e(days(p.roadmap_timeline_days))}</td></tr>"
        for p in s.projects
    )
    recurring = "".join(f"<li>{e(recurring_text(r))}</li>" for r in s.recurring)
    body = (
        "<h1>Portfolio readiness</h1><p class='meta'>"
        f"{len(s.projects)} projects: <b>{s.go} go</b>, <b>{len(s.projects) - s.go} not yet</b>"
        f" · <b>{e(claims_sentence(s.claims_contradicted))}</b> · runs {e(', '.join(s.run_ids))} · rubric {e(', '.join(s.rubric_versions))}</p>"
        f"<table><caption>Gap scores and status per project</caption><tr><th>Project</th>"
        f"<th>Recommendation</th><th>Confidence</th>{head}<th>Roadmap</th></tr>{rows}</table>"
        "<h2>Blockers that recur across projects</h2>"
        + (f"<ul>{recurring}</ul>" if recurring else "<p>No failing check recurs.</p>")
    )
    return _page("Portfolio readiness", body)


# --- PDF ----------------------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


HEADING_FILL = "#eeeeee"


class _Pdf(FPDF):
    """A page in the report fonts (Unicode, with the fallbacks ``words`` need for other scripts)."""

    def __init__(self, words: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        use_unicode_fonts(self, words)

    def write_line(self, text: str, size: float = 10, height: float = 5) -> None:
        self.set_font(FAMILY, "", size)
        self.multi_cell(0, height, str(text), new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str, size: float = 12) -> None:
        """A section heading: larger, on a light fill (the fonts have one weight, see fonts.py)."""
        self.set_fill_color(*_rgb(HEADING_FILL))
        self.set_font(FAMILY, "", size)
        self.multi_cell(0, size * 0.6, text, fill=True, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)


def pdf_verdict(pdf: _Pdf, recommendation: str, waivers: int, confidence: float | None) -> None:
    """The verdict's banner on a PDF page (green for go, red for not yet) with the confidence."""
    pdf.set_fill_color(*_rgb("#e8f5e9" if recommendation == "go" else "#ffebee"))
    pdf.set_font(FAMILY, "", 14)
    pdf.cell(
        0,
        9,
        f"{verdict_text(recommendation, waivers)} · confidence {percent(confidence)}",
        fill=True,
        new_x="LMARGIN",
        new_y="NEXT",
    )


def _pdf_gap_chart(pdf: _Pdf, p: ProjectSummary) -> None:
    """The gap bars drawn with rectangles and lines; score and status written beside each bar."""
    pdf.heading("Readiness by gap (score 0-100)")
    left, width, bar, step = pdf.l_margin + 45, 95.0, 5.0, 7.0
    top = pdf.get_y() + 4
    pdf.set_font(FAMILY, "", 9)
    for i, g in enumerate(p.gaps):
        y = top + i * step
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(43, bar, gap_label(g.gap), align="R")
        w = 0.0 if g.score is None else width * max(0.0, min(100.0, g.score)) / 100
        pdf.set_fill_color(*_rgb(STATUS_COLOURS.get(g.status or "", "#e0e0e0")))
        if w > 0:
            pdf.rect(left, y, w, bar, style="F")
        pdf.set_xy(left + w + 1.5, y)
        pdf.cell(0, bar, f"{score_text(g.score)} · {status_text(g.status)}")
    axis = top + step * len(p.gaps)
    pdf.set_draw_color(33, 33, 33)
    pdf.line(left, axis, left + width, axis)
    pdf.set_font(FAMILY, "", 7)
    for tick in (0, 25, 50, 75, 100):
        x = left + width * tick / 100
        pdf.line(x, axis, x, axis + 1)
        pdf.set_xy(x - 5, axis + 1)
        pdf.cell(10, 3, str(tick), align="C")
    if p.ready_threshold is not None:
        x = left + width * p.ready_threshold / 100
        pdf.set_dash_pattern(dash=1, gap=1)
        pdf.line(x, top - 1, x, axis)
        pdf.set_dash_pattern()
        pdf.set_xy(x + 1, top - 4)
        pdf.cell(20, 3, f"ready at {p.ready_threshold:g}")
    pdf.set_xy(left, axis + 4)
    pdf.set_font(FAMILY, "", 8)
    pdf.cell(width, 4, "Score (0-100)", align="C")
    pdf.set_y(axis + 10)
    for note in evidence_notes(p.gaps):
        pdf.write_line(note, 8, height=4)


def project_pdf(p: ProjectSummary) -> bytes:
    pdf = _Pdf(repr(p), format="A4")  # the summary's repr holds every word the page writes
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_title(f"{p.project_name}: {verdict_text(p.recommendation, p.waivers_relied_on)}")
    pdf.add_page()
    pdf.write_line(p.project_name, 18, 9)
    pdf.write_line(
        f"{p.business_unit or '-'} · owner {p.owner or '-'} · assessed {minute(p.assessed_at)} "
        f"UTC · rubric {p.rubric_version} · newest evidence {day(p.newest_evidence)}",
        8,
    )
    pdf.ln(2)
    pdf_verdict(pdf, p.recommendation, p.waivers_relied_on, p.confidence)
    # The reason names every blocking gap, missing evidence and contradicted claim: in the
    # smaller size, so that the page stays one page with the chart, blockers, cost and roadmap.
    pdf.write_line(reason_text(p), 8, height=4)
    if p.pass_rate_line:
        pdf.write_line(p.pass_rate_line, 8, height=4)
    if p.stage_text:
        pdf.write_line(f"Launch stage: {p.stage_text}.", 8, height=4)
    for note in p.programme_notes:
        pdf.write_line(note, 8, height=4)
    if p.claims_contradicted:
        pdf.write_line(f"{claims_sentence(p.claims_contradicted)}.", 8, height=4)
    pdf.ln(2)
    _pdf_gap_chart(pdf, p)
    pdf.ln(1)
    pdf.heading("Top blockers")
    if not p.blockers:
        pdf.write_line("No critical or major check is failing.", 9)
    for b in p.blockers:
        head, todo = blocker_text(b)
        pdf.write_line(head, 9)
        pdf.write_line(todo, 8, height=4)
    pdf.ln(2)
    pdf.heading("Cost at scale")
    pdf.write_line(cost_sentence(p.cost), 9)
    pdf.ln(2)
    pdf.heading("Roadmap")
    pdf.write_line(roadmap_sentence(p), 9)
    return bytes(pdf.output())


def _pdf_portfolio_table(pdf: _Pdf, s: PortfolioSummary) -> None:
    """Projects by verdict, confidence, gaps and timeline, as a table fpdf2 lays out.

    A header or a name wraps inside its own column; each gap cell is filled with its status colour.
    """
    gaps = [g.gap for g in s.projects[0].gaps] if s.projects else []
    heads = ["Project", "Verdict", "Confidence", *[gap_label(g) for g in gaps], "Timeline"]
    pdf.set_font(FAMILY, "", 8)
    pdf.set_draw_color(189, 189, 189)
    with pdf.table(
        col_widths=(40, 16, 16, *([22] * len(gaps)), 16),
        headings_style=FontFace(fill_color=_rgb(HEADING_FILL)),
        line_height=4.5,
        padding=1,
        borders_layout="HORIZONTAL_LINES",
        text_align="LEFT",
    ) as table:
        header = table.row()
        for head in heads:
            header.cell(head)
        for p in s.projects[:PDF_PROJECTS]:
            row = table.row()
            row.cell(p.project_name)
            row.cell(verdict_text(p.recommendation, p.waivers_relied_on))
            row.cell(percent(p.confidence))
            for g in p.gaps:
                colour = _rgb(STATUS_COLOURS.get(g.status or "", "#ffffff"))
                row.cell(
                    f"{score_text(g.score)} {status_text(g.status)}",
                    style=FontFace(fill_color=colour),
                )
            row.cell(days(p.roadmap_timeline_days))


def portfolio_pdf(s: PortfolioSummary) -> bytes:
    pdf = _Pdf(repr(s), format="A4", orientation="L")
    pdf.set_auto_page_break(auto=True, margin=10)
    pdf.set_title("Portfolio readiness")
    pdf.add_page()
    pdf.write_line("Portfolio readiness", 18, 9)
    pdf.write_line(
        f"{len(s.projects)} projects: {s.go} go, {len(s.projects) - s.go} not yet · "
        f"{claims_sentence(s.claims_contradicted)} · runs {', '.join(s.run_ids)} · rubric "
        f"{', '.join(s.rubric_versions)}",
        9,
    )
    pdf.ln(2)
    _pdf_portfolio_table(pdf, s)
    if len(s.projects) > PDF_PROJECTS:
        pdf.write_line(
            f"... and {len(s.projects) - PDF_PROJECTS} more projects (not yet first): the HTML "
            "and Markdown reports list them all.",
            8,
        )
    pdf.ln(3)
    pdf.heading("Blockers that recur across projects")
    if not s.recurring:
        pdf.write_line("No failing check recurs across projects.", 9)
    for r in s.recurring[:PDF_RECURRING]:
        pdf.write_line(recurring_text(r), 9)
    return bytes(pdf.output())


RENDERERS: dict[str, tuple[Callable[[Any], str | bytes], Callable[[Any], str | bytes]]] = {
    "md": (project_markdown, portfolio_markdown),
    "html": (project_html, portfolio_html),
    "pdf": (project_pdf, portfolio_pdf),
}


def render_project(summary: ProjectSummary, fmt: str) -> bytes:
    """A project's one-pager in ``fmt`` (md, html, pdf), as bytes ready to write."""
    out = RENDERERS[fmt][0](summary)
    return out.encode("utf-8") if isinstance(out, str) else out


def render_portfolio(summary: PortfolioSummary, fmt: str) -> bytes:
    """The portfolio one-pager in ``fmt`` (md, html, pdf), as bytes ready to write."""
    out = RENDERERS[fmt][1](summary)
    return out.encode("utf-8") if isinstance(out, str) else out
