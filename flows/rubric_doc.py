"""Generate ``docs/rubric.md`` from the rubric file, so the documentation never drifts from the checks."""

from __future__ import annotations

from pathlib import Path

from flows.config import GAP_IDS, Rubric, load_model
from flows.settings import DEFAULT_RUBRIC, REPO_ROOT

RUBRIC_DOC = REPO_ROOT / "docs" / "rubric.md"
GAP_TITLES = {
    "data_quality": "Data quality",
    "integration": "Integration",
    "stakeholder_alignment": "Stakeholder alignment",
    "evaluation": "Evaluation",
    "scale": "Scale",
    "maintenance": "Maintenance",
}


def _number(value: float) -> str:
    return f"{value:g}"


def render(rubric: Rubric, source: str) -> str:
    """The rubric as Markdown: thresholds, then one table of checks per gap."""
    t = rubric.thresholds
    lines = [
        "# The rubric",
        "",
        f"<!-- Generated from {source} by `readiness rubric-doc`; do not edit by hand. -->",
        "",
        f"Version **{rubric.version}**. A gap is *ready* at a score of {_number(t.ready)} or more with"
        f" no failed critical check, *at risk* from {_number(t.at_risk)}, *blocked* below that or"
        " when a critical check fails. A project is a **go** only when every gap is ready and at"
        f" least {t.min_confidence:.0%} of the weighted checks had evidence.",
        "",
        "Each check measures one number (its metric) and judges it: *higher is better* passes at"
        " or above the pass threshold and is partial at or above the partial threshold; *lower is"
        " better* mirrors that. A check with no evidence is `no_evidence`: it never counts as a"
        " fail, but it lowers the confidence.",
    ]
    for gap in GAP_IDS:
        checks = [c for c in rubric.checks if c.gap == gap]
        lines += [
            "",
            f"## {GAP_TITLES[gap]} (`{gap}`)",
            "",
            "| check | severity | weight | metric | pass | partial | effort (days) | owner | remediation |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for c in checks:
            sign = ">=" if c.direction == "higher_is_better" else "<="
            lines.append(
                f"| `{c.id}`: {c.title} | {c.severity} | {_number(c.weight)} | {c.unit} |"
                f" {sign} {_number(c.pass_threshold)} | {sign} {_number(c.partial_threshold)} |"
                f" {_number(c.effort_days)} | {c.owner_role} | {c.remediation} |"
            )
    return "\n".join(lines) + "\n"


def write(rubric_path: Path = DEFAULT_RUBRIC, target: Path = RUBRIC_DOC) -> Path:
    """Regenerate the rubric documentation."""
    rubric = load_model(Rubric, rubric_path)
    target.write_text(
        render(rubric, rubric_path.relative_to(REPO_ROOT).as_posix()), encoding="utf-8"
    )
    return target
