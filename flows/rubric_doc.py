"""Generate ``docs/rubric.md`` from the rubric file, so the documentation never drifts from the checks."""

from __future__ import annotations

from pathlib import Path

from core.gaps import GAP_IDS
from core.settings import DEFAULT_RUBRIC, REPO_ROOT
from flows.config import Rubric, load_model
from readmodel.vocabulary import GAP_LABELS

RUBRIC_DOC = REPO_ROOT / "docs" / "rubric.md"


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
        "",
        "Rules that keep the verdict honest on thin evidence:",
        "",
        f"- **Enough evidence per gap.** A gap whose checks with evidence carry less than"
        f" {t.min_gap_evidence:.0%} of its weight (`min_gap_evidence`), or one of whose critical"
        " checks has no evidence, is *insufficient evidence*, whatever its score (a failed"
        " critical check still blocks it); the verdict is then"
        ' "not yet: insufficient evidence (<gaps>)" and the reason names the evidence that is'
        " missing.",
        "- **A failed major check** "
        + (
            "caps its gap at *at risk* (`major_fail_caps_gap`)."
            if t.major_fail_caps_gap
            else "does not cap its gap (`major_fail_caps_gap: false`): the score alone decides."
        ),
        f"- **Refused answers.** When survey answers that could change a critical check were"
        f" refused (a blocker answer that could not be read, from legal, compliance or an unknown"
        f" group), that check cannot pass: it is `{t.refused_critical}` (`refused_critical`), and"
        " its evidence names the refused rows (file, row, column).",
        f"- **Unread inputs.** A critical check is never judged on part of its inputs: when a"
        f" production dataset it depends on could not be read, it is `{t.refused_critical}` too,"
        " and its evidence names the unread input. Silence is not evidence either: *no open"
        " blocker* holds only when legal or compliance answered a blocker question (yes or no);"
        " when neither did, the blocker check has no evidence.",
        f"- **Claims against evidence.** A survey claim (a question's topic: kpis,"
        " evaluation_suite, on_call, retraining, drift_detection, monitoring, load_tested,"
        " integration_tested) that the evaluation plan, the inventory, the load tests or the costs"
        f" contradict lowers the confidence by {t.claim_penalty:.0%} each (`claim_penalty`), and is"
        " named in the verdict's reason. Evidence that is absent contradicts nothing, except that a"
        " claim of a load test needs a load test. The cost assumptions' tokens per request are a"
        " claim too: more than 25% away from what LLM call logs or a usage export measured, they"
        " are contradicted (on `sc_cost_budget`).",
        f"- **Small stakeholder groups.** A group with fewer than {t.min_group_respondents}"
        " respondents (`min_group_respondents`) is merged into *other groups* for the agreement"
        " and spread checks and the survey heatmap, or not shown when the small groups together"
        " are still too few, so that no agreement is one person's answer; the checks' evidence"
        " says what was merged (`small_groups`).",
        f"- **Waivers.** A failing check may be accepted until a date (docs/programme.md);"
        " critical checks only when `waive_critical` is true"
        f" ({'it is' if t.waive_critical else 'it is not'}); a waiver expiring within"
        f" {t.waiver_notice_days} days raises a notice (`waiver_notice_days`).",
    ]
    if rubric.alert_signals:
        lines += [
            "- **Alert signals.** An alerting rule covers the signal its own `signal` label names,"
            " else each signal one of whose patterns (regular expressions, case-insensitive) is"
            " found in its alert name, expression or label values (`alert_signals`):",
            "",
            *(
                f"  - `{signal}`: {', '.join(f'`{p}`' for p in patterns)}"
                for signal, patterns in rubric.alert_signals.items()
            ),
        ]
    if rubric.stages:
        lines += [
            "",
            "## Launch stages",
            "",
            "A stage is reached when what it requires is ready (each gap named *ready*, each check"
            " passed or waived) and every earlier stage is reached; the recommendation names the"
            " highest stage reached and what stands between the project and the next.",
            "",
            "| stage | requires |",
            "| --- | --- |",
        ]
        for stage in rubric.stages:
            needs = [GAP_LABELS[g] for g in stage.gaps] + [f"`{c}`" for c in stage.checks]
            lines.append(f"| `{stage.id}`: {stage.title} | {', '.join(needs)} |")
    for gap in GAP_IDS:
        checks = [c for c in rubric.checks if c.gap == gap]
        lines += [
            "",
            f"## {GAP_LABELS[gap]} (`{gap}`)",
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
