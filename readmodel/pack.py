"""The Sprint Zero pack: the assessment's four deliverables for one project, as HTML or PDF.

1. The stakeholder alignment report: the groups (small ones merged, as dbt reports them), agreement
   and disagreement per question as a heatmap, the blockers with their reasons.
2. The technical feasibility assessment: the data-quality audit per dataset and field, the
   integration matrix, the load tests and the cost model with its sensitivity table.
3. The prioritised roadmap on calendar dates, with owners and costs, drawn as a timeline.
4. The recommendation: its stage, its waivers and what it relies on.

The content is written once, as a list of blocks (headings, paragraphs, tables, charts), and laid
out by two writers: HTML (self-contained, inline SVG, every text escaped) and PDF (fpdf2 in the
report's Unicode fonts, each deliverable from a new page). Every figure comes from a mart
(readmodel.pack_data); this module only words and formats them.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from fpdf.fonts import FontFace

from flows.privacy import redact
from readmodel import pack_charts
from readmodel.pack_data import Pack, read_pack
from readmodel.render import (
    _CSS,
    HEADING_FILL,
    _Pdf,
    _pdf_gap_chart,
    _rgb,
    blocker_text,
    cost_sentence,
    evidence_notes,
    gap_chart_svg,
    headline,
    pdf_verdict,
    roadmap_sentence,
    verdict_text,
)
from readmodel.vocabulary import day, days, gap_label, minute, money, number, percent, rate

PACK_FORMATS = ("html", "pdf")
DELIVERABLES = (
    "1. Stakeholder alignment report",
    "2. Technical feasibility assessment",
    "3. Prioritised roadmap",
    "4. Recommendation",
)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2  # 1: a deliverable (a new PDF page), 2: a section


@dataclass(frozen=True)
class Para:
    text: str
    small: bool = False


@dataclass(frozen=True)
class Table:
    caption: str
    heads: Sequence[str]
    rows: Sequence[Sequence[str]]
    #: Relative column widths (the PDF's); numbers right-aligned in the HTML where marked.
    widths: Sequence[float]
    numeric: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Chart:
    drawing: pack_charts.Drawing


@dataclass(frozen=True)
class GapChart:
    """The one-pager's gap scores chart (render.py draws it in both formats)."""


Block = Heading | Para | Table | Chart | GapChart


def _yes(value: Any) -> str:
    return "-" if value is None else ("yes" if value else "no")


def _file(source: Any) -> str:
    """A load test's file by its name (the mart keeps the path the run read)."""
    return PurePath(str(source)).name if source else "-"


def _change(value: float) -> str:
    return "as assumed" if value == 0 else f"{value * 100:+.0f}%"


# --- the four deliverables, as blocks ----------------------------------------------------------


def alignment(p: Pack) -> Iterator[Block]:
    yield Heading(DELIVERABLES[0], 1)
    groups = [g.stakeholder_group for g in p.groups]
    groups += sorted({q.stakeholder_group for q in p.questions} - set(groups))
    required = (
        f"{p.required_groups} stakeholder groups are required"
        if p.required_groups is not None
        else "No stakeholder groups are required"
    )
    silent = f"; silent: {p.silent_groups}" if p.silent_groups else "; every one answered"
    yield Para(f"{required}{silent}.")
    if p.small_groups:
        yield Para(f"Groups too small to show on their own were {p.small_groups}.", small=True)
    yield Heading("Groups")
    yield Table(
        "Stakeholder groups",
        ("Group", "Respondents", "Agreement", "Result", "Disagreement", "Result"),
        [
            (
                g.stakeholder_group,
                number(g.respondents),
                percent(g.agreement),
                g.agreement_result or "-",
                pack_charts.spread_text(g.disagreement),
                g.disagreement_result or "-",
            )
            for g in p.groups
        ],
        (40, 20, 20, 20, 25, 20),
        frozenset({1, 2, 4}),
    )
    yield Heading("Agreement and disagreement per question")
    if p.questions:
        yield Chart(pack_charts.heatmap(p.questions, groups))
    else:
        yield Para("No survey answers were assessed.")
    yield Heading("Blockers and their reasons")
    blockers = [b for b in p.summary.blockers if b.gap == "stakeholder_alignment"]
    if not blockers:
        yield Para("No stakeholder alignment check is blocking.")
    for b in blockers:
        head, todo = blocker_text(b)
        yield Para(head)
        yield Para(todo, small=True)


def feasibility(p: Pack) -> Iterator[Block]:
    yield Heading(DELIVERABLES[1], 1)
    yield Heading("Data quality per dataset and field")
    if not p.fields:
        yield Para("No dataset was audited.")
    else:
        yield Table(
            "Measured on the rows read (rates of the dataset's rows)",
            ("Dataset", "Field", "Type", "Required", "Present", "Rows", "Null rate", "Invalid"),
            [
                (
                    f.dataset,
                    f.field,
                    f.declared_type or "-",
                    _yes(f.required),
                    _yes(f.present),
                    number(f.row_count),
                    rate(f.null_rate),
                    rate(f.invalid_rate),
                )
                for f in p.fields
            ],
            (30, 34, 18, 16, 16, 18, 18, 18),
            frozenset({5, 6, 7}),
        )
    if p.rules:
        yield Table(
            "Cross-field rules and relationships",
            ("Dataset", "Rule", "Kind", "Rows checked", "Violations", "Rate"),
            [
                (
                    r.dataset,
                    r.rule,
                    r.kind,
                    number(r.rows_checked),
                    number(r.violations),
                    rate(r.violation_rate),
                )
                for r in p.rules
            ],
            (30, 60, 24, 22, 22, 18),
            frozenset({3, 4, 5}),
        )
    yield Heading("Integration matrix")
    if not p.systems:
        yield Para("No system inventory was assessed.")
    else:
        yield Table(
            "Systems and capabilities",
            (
                "System",
                "Role",
                "Status",
                "Auth",
                "Rate limit",
                "Errors",
                "Observ.",
                "Rollback",
                "Versions",
                "Tests",
                "Owner",
            ),
            [
                (
                    s.system,
                    s.role,
                    s.status or "-",
                    _yes(s.authentication),
                    "-" if s.rate_limit_rps is None else f"{number(s.rate_limit_rps)}/s",
                    _yes(s.error_handling),
                    _yes(s.observability),
                    _yes(s.rollback),
                    _yes(s.versioning),
                    _yes(s.integration_tests),
                    redact(s.owner) or "-",
                )
                for s in p.systems
            ],
            (30, 22, 20, 10, 14, 11, 12, 13, 13, 10, 25),
        )
    yield Heading("Load tests")
    if not p.load_tests:
        yield Para("No load test was assessed.")
    else:
        yield Table(
            "Load tests (whole test, every endpoint)",
            ("File", "Tool", "Users (target)", "Requests", "Error rate (budget)", "p95 (SLO)"),
            [
                (
                    _file(t.source),
                    t.tool or "-",
                    f"{number(t.users)} ({number(t.target_concurrency)})",
                    number(t.request_count),
                    f"{rate(t.error_rate)} ({rate(t.error_budget)})",
                    f"{number(t.p95_ms)} ms ({number(t.p95_latency_slo_ms)} ms)",
                )
                for t in p.load_tests
            ],
            (46, 16, 24, 20, 30, 34),
            frozenset({2, 3, 4, 5}),
        )
    for t in p.target_points:
        yield Para(
            f"At target concurrency ({number(t.user_count)} users, {_file(t.source)}): "
            f"p95 {number(t.p95_ms)} ms, {percent(t.p95_vs_slo)} of the "
            f"{number(t.p95_latency_slo_ms)} ms SLO.",
            small=True,
        )
    yield Heading("Cost model")
    yield Para(cost_sentence(p.summary.cost))
    c = p.cost
    if c:
        cur = c.currency
        yield Table(
            "Cost at the proof of concept and at target volume",
            ("", "Proof of concept", "Target"),
            [
                (
                    "Requests a month",
                    number(c.requests_per_month_poc),
                    number(c.requests_per_month_target),
                ),
                (
                    "Monthly cost",
                    money(c.monthly_cost_poc, cur),
                    money(c.monthly_cost_target, cur),
                ),
                # To three significant figures: EUR 0.045 is not EUR 0.04.
                ("Cost per request", "", f"{cur} {number(c.cost_per_request)}"),
                ("Fixed monthly cost", "", money(c.fixed_monthly_cost, cur)),
                ("Monthly budget", "", money(c.monthly_budget, cur)),
                ("Budget use", "", percent(c.budget_use)),
                (
                    "Cost / value per outcome",
                    "",
                    f"{money(c.cost_per_outcome, cur)} / {money(c.value_per_outcome, cur)}",
                ),
            ],
            (50, 40, 50),
            frozenset({1, 2}),
        )
    if p.sensitivity:
        prices = sorted({s.price_change for s in p.sensitivity})
        volumes = sorted({s.volume_change for s in p.sensitivity})
        cells = {(s.volume_change, s.price_change): s for s in p.sensitivity}
        yield Heading("Sensitivity: monthly cost at target (budget use)")
        yield Table(
            "Monthly cost when volume (rows) and price (columns) change",
            ("Volume \\ price", *[_change(x) for x in prices]),
            [
                (
                    _change(v),
                    *[
                        f"{money(cells[(v, x)].monthly_cost, cells[(v, x)].currency)} "
                        f"({percent(cells[(v, x)].budget_use)})"
                        + (" *" if cells[(v, x)].is_baseline else "")
                        for x in prices
                    ],
                )
                for v in volumes
            ],
            (22, *([28] * len(prices))),
            frozenset(range(1, len(prices) + 1)),
        )
        yield Para("* as assumed. Over 100% is over budget.", small=True)


def roadmap(p: Pack) -> Iterator[Block]:
    yield Heading(DELIVERABLES[2], 1)
    yield Para(roadmap_sentence(p.summary))
    if p.target and p.target.target_text:
        yield Para(str(p.target.target_text))
    if p.unnamed_owner_roles:
        yield Para(
            f"{p.unnamed_owner_roles} owner role(s) have no name in the project's owners map: "
            "their actions show the role.",
            small=True,
        )
    if not p.schedule:
        return
    cur = p.summary.roadmap_currency
    as_of = p.as_of.date() if hasattr(p.as_of, "date") else p.as_of
    target = p.target.target_launch if p.target else None
    # Charts of at most TIMELINE_ROWS actions each, of even length (never a chart of two rows).
    count = -(-len(p.schedule) // pack_charts.TIMELINE_ROWS)
    rows = -(-len(p.schedule) // count)
    parts = [p.schedule[i : i + rows] for i in range(0, len(p.schedule), rows)]
    for k, part in enumerate(parts):
        suffix = f" ({k + 1} of {len(parts)})" if len(parts) > 1 else ""
        yield Chart(pack_charts.timeline(part, as_of, cur, target, suffix))
    yield Table(
        "Actions in priority order",
        ("#", "Action", "Gap", "Owner", "Effort", "Cost", "Start", "End"),
        [
            (
                str(a.priority),
                f"{a.title}: {a.action}",
                gap_label(a.gap),
                str(a.owner) if a.owner_named else f"{a.owner_role} (role)",
                days(a.effort_days),
                money(a.cost, cur),
                day(a.start_date),
                day(a.end_date),
            )
            for a in p.schedule
        ],
        (7, 70, 22, 26, 14, 20, 18, 18),
        frozenset({0, 4, 5, 6, 7}),
    )


def recommendation(p: Pack) -> Iterator[Block]:
    s = p.summary
    yield Heading(DELIVERABLES[3], 1)
    yield Para(headline(s))
    if s.stage_text:
        yield Para(f"Launch stage: {s.stage_text}.")
    if p.stages:
        yield Table(
            "Launch stages",
            ("Stage", "Reached", "Requirements met", "What stands before it"),
            [
                (
                    st.stage_title,
                    _yes(st.reached),
                    f"{number(st.requirements_met)} of {number(st.requirements)}",
                    st.missing or "-",
                )
                for st in p.stages
            ],
            (25, 15, 22, 128),
        )
    yield GapChart()
    yield Heading("Waivers")
    if not p.waivers:
        yield Para("The verdict relies on no waiver.")
    else:
        yield Para(f"The verdict relies on {s.waivers_relied_on} waiver(s).")
        yield Table(
            "Waivers of this run",
            ("Check", "Severity", "Waiver", "Status"),
            [(w.title, w.severity, w.waiver_text or "-", w.status_text or "-") for w in p.waivers],
            (50, 18, 80, 42),
        )
    yield Heading("What the verdict relies on")
    yield Para(
        f"Confidence {percent(s.confidence)} (the share of weighted checks with evidence); rubric "
        f"{s.rubric_version}; assessed {minute(s.assessed_at)} UTC, run {s.run_id}; newest "
        f"evidence {day(s.newest_evidence)}."
    )
    if p.evidence:
        yield Table(
            "Evidence read",
            ("Kind", "Evidence", "Status", "Rows read", "Rejected", "Newest record"),
            [
                (
                    e.evidence_kind,
                    e.name,
                    e.status,
                    number(e.rows_read),
                    number(e.rows_rejected),
                    day(e.newest_record_at),
                )
                for e in p.evidence
            ],
            (24, 62, 16, 20, 20, 26),
            frozenset({3, 4}),
        )


def blocks(p: Pack) -> list[Block]:
    """The whole pack, in order."""
    return [*alignment(p), *feasibility(p), *roadmap(p), *recommendation(p)]


# --- HTML ---------------------------------------------------------------------------------------

_PACK_CSS = """
section.deliverable{break-before:page;margin-top:2em}small,.small{color:#555;font-size:.9em}
table{margin:.5em 0 1em;font-size:.9em}caption{text-align:left;font-weight:bold;padding:4px 0}
nav ol{padding-left:1.2em}th.n{text-align:right}td.n{white-space:nowrap}body{max-width:1100px}
"""


def pack_html(p: Pack) -> str:
    e = html.escape
    s = p.summary
    out = [
        f"<h1>Sprint Zero pack: {e(s.project_name)}</h1>",
        f"<p class='meta'>{e(s.business_unit or '-')} · owner {e(s.owner or '-')} · assessed "
        f"{e(minute(s.assessed_at))} UTC · run {e(s.run_id)} · rubric {e(str(s.rubric_version))}"
        "</p>",
        f"<p class='verdict {e(s.recommendation)}'><b>"
        f"{e(verdict_text(s.recommendation, s.waivers_relied_on))}</b> · confidence "
        f"{e(percent(s.confidence))}</p>",
        "<nav><ol>"
        + "".join(
            f"<li><a href='#d{i + 1}'>{e(d[3:])}</a></li>" for i, d in enumerate(DELIVERABLES)
        )
        + "</ol></nav>",
    ]
    open_section = False
    for block in blocks(p):
        if isinstance(block, Heading) and block.level == 1:
            if open_section:
                out.append("</section>")
            number_ = DELIVERABLES.index(block.text) + 1
            out.append(f"<section class='deliverable' id='d{number_}'><h2>{e(block.text)}</h2>")
            open_section = True
        elif isinstance(block, Heading):
            out.append(f"<h3>{e(block.text)}</h3>")
        elif isinstance(block, Para):
            out.append(
                f"<p class='small'>{e(block.text)}</p>"
                if block.small
                else f"<p>{e(block.text)}</p>"
            )
        elif isinstance(block, Table):
            head = "".join(
                f"<th class='n'>{e(h)}</th>" if j in block.numeric else f"<th>{e(h)}</th>"
                for j, h in enumerate(block.heads)
            )
            rows = "".join(
                "<tr>"
                + "".join(
                    f"<td class='n'>{e(c)}</td>" if j in block.numeric else f"<td>{e(c)}</td>"
                    for j, c in enumerate(row)
                )
                + "</tr>"
                for row in block.rows
            )
            out.append(f"<table><caption>{e(block.caption)}</caption><tr>{head}</tr>{rows}</table>")
        elif isinstance(block, Chart):
            out.append(f"<figure>{pack_charts.to_svg(block.drawing)}</figure>")
        else:
            notes = "".join(f"<li>{e(note)}</li>" for note in evidence_notes(s.gaps))
            out.append(f"<figure>{gap_chart_svg(s.gaps, s.ready_threshold)}</figure>")
            out.append(f"<ul class='missing'>{notes}</ul>" if notes else "")
    if open_section:
        out.append("</section>")
    title = f"Sprint Zero pack: {s.project_name}"
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f"<style>{_CSS}{_PACK_CSS}</style></head><body>{''.join(out)}</body></html>\n"
    )


# --- PDF ----------------------------------------------------------------------------------------


class _PackPdf(_Pdf):
    """The report's pages, with the project and the page number at the foot of each."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-9)
        self.set_font("NotoSans", "", 7)
        self.cell(0, 4, f"{self.footer_text} · page {self.page_no()}", align="C")


def _pdf_table(pdf: _PackPdf, t: Table) -> None:
    pdf.write_line(t.caption, 9)
    # A chart's last fill would otherwise colour every row (fpdf2 fills with the current colour).
    pdf.set_fill_color(255, 255, 255)
    pdf.set_font("NotoSans", "", 7.5)
    pdf.set_draw_color(189, 189, 189)
    with pdf.table(
        col_widths=tuple(t.widths),
        headings_style=FontFace(fill_color=_rgb(HEADING_FILL)),
        line_height=4,
        padding=0.8,
        borders_layout="HORIZONTAL_LINES",
        text_align=tuple("RIGHT" if j in t.numeric else "LEFT" for j in range(len(t.heads))),
        width=pdf.epw,
    ) as table:
        header = table.row()
        for head in t.heads:
            header.cell(head)
        for row in t.rows:
            cells = table.row()
            for cell in row:
                cells.cell(str(cell))
    pdf.ln(3)


def pack_pdf(p: Pack) -> bytes:
    s = p.summary
    everything = blocks(p)
    # Every word the pack writes, so that the fonts its scripts need are added (fonts.py).
    words = repr(p) + "".join(
        repr(b.drawing.items) if isinstance(b, Chart) else repr(b) for b in everything
    )
    pdf = _PackPdf(words, format="A4")
    pdf.footer_text = f"Sprint Zero pack: {s.project_name}"
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.set_title(f"Sprint Zero pack: {s.project_name}")
    pdf.add_page()
    pdf.write_line(f"Sprint Zero pack: {s.project_name}", 18, 9)
    pdf.write_line(
        f"{s.business_unit or '-'} · owner {s.owner or '-'} · assessed {minute(s.assessed_at)} "
        f"UTC · run {s.run_id} · rubric {s.rubric_version}",
        8,
    )
    pdf.ln(2)
    pdf_verdict(pdf, s.recommendation, s.waivers_relied_on, s.confidence)
    pdf.ln(2)
    pdf.write_line("Contents", 12, 7)
    for d in DELIVERABLES:
        pdf.write_line(d, 10)
    for block in everything:
        if isinstance(block, Heading) and block.level == 1:
            pdf.add_page()
            pdf.write_line(block.text, 16, 8)
            pdf.ln(1)
        elif isinstance(block, Heading):
            if pdf.get_y() > pdf.page_break_trigger - 30:
                pdf.add_page()  # a section heading is never the last line of a page
            pdf.heading(block.text, 11)
        elif isinstance(block, Para):
            pdf.write_line(block.text, 8 if block.small else 9, 4 if block.small else 5)
            pdf.ln(1)
        elif isinstance(block, Table):
            _pdf_table(pdf, block)
        elif isinstance(block, Chart):
            pack_charts.to_pdf(pdf, block.drawing)
        else:
            _pdf_gap_chart(pdf, s)
            pdf.ln(2)
    return bytes(pdf.output())


def render_pack(pack: Pack, fmt: str) -> bytes:
    """The pack in ``fmt`` (html or pdf), as bytes ready to write."""
    return pack_html(pack).encode("utf-8") if fmt == "html" else pack_pdf(pack)


def project_pack(
    snapshot: Path, project_id: str, fmt: str, portfolios: tuple[str, ...] | None = None
) -> bytes:
    """A project's Sprint Zero pack (its latest run) in ``fmt``, read from the snapshot."""
    return render_pack(read_pack(snapshot, project_id, portfolios), fmt)
