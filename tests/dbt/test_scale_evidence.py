"""k6, JMeter and LLM usage in a real assessment: each moves only the scale gap, measured tokens
replace the assumed ones (a range from mean to p95), an assumption far from them is a contradicted
claim, and files of the wrong shape are named without stopping the project.

One real assessment (Prefect flow, Pandera, DuckDB, ``dbt build``) of copies of the example
project that gets a "go", its Locust results replaced by a JMeter JTL (the real run of
``tests/fixtures/jmeter``, at the project's target concurrency) and a k6 summary, with LLM call logs
near its cost assumptions; then one copy each where the JTL is slower, the k6 run fails more, the
calls use 3.6 times the tokens, and where every one of these files is of the wrong shape.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Assessed, assess, copy_examples, kept_environment
from tests.dbt.test_gap_evidence import run_rows

BASE = "support_copilot"
TOOLS = "copilot_tools"
FIXTURES = Path(__file__).parents[1] / "fixtures"
GAPS = (
    "data_quality",
    "integration",
    "stakeholder_alignment",
    "evaluation",
    "scale",
    "maintenance",
)
#: The go project's target concurrency; the JMeter run had 8 threads.
THREADS_FACTOR = 15


def jtl(elapsed_factor: int = 1) -> str:
    """The real JTL, its threads scaled to the target concurrency (and its latency, if asked)."""
    with (FIXTURES / "jmeter" / "results.jtl").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        row["grpThreads"] = str(int(row["grpThreads"]) * THREADS_FACTOR)
        row["allThreads"] = str(int(row["allThreads"]) * THREADS_FACTOR)
        row["elapsed"] = str(int(row["elapsed"]) * elapsed_factor)
        writer.writerow(row)
    return out.getvalue()


def k6(failure_factor: int = 1) -> str:
    """The k6 summary at the target concurrency (and with more failed requests, if asked)."""
    summary = json.loads((FIXTURES / "k6" / "summary.json").read_text())
    metrics = summary["metrics"]
    metrics["vus"]["max"] = metrics["vus_max"]["value"] = metrics["vus_max"]["max"] = 120
    failed = metrics["http_req_failed"]
    count = metrics["http_reqs"]["count"]
    failed["passes"] *= failure_factor
    failed["fails"] = count - failed["passes"]
    failed["value"] = failed["passes"] / count
    return json.dumps(summary, indent=4)


def calls(token_factor: float = 1) -> str:
    """210 chat completions around the go project's assumed 1,400 tokens in and 250 out."""
    lines = []
    for i in range(210):
        usage = {
            "prompt_tokens": round((1400 + (i % 21 - 10) * 20) * token_factor),
            "completion_tokens": round((250 + (i % 11 - 5) * 10) * token_factor),
        }
        lines.append(
            json.dumps(
                {
                    "id": f"chatcmpl-{i}",
                    "object": "chat.completion",
                    "model": "gpt-4o-mini-2024-07-18",
                    "choices": [{"message": {"role": "assistant", "content": "An answer."}}],
                    "usage": usage,
                }
            )
        )
    return "\n".join(lines) + "\n"


EVIDENCE = """  load_tests:
  - path: load/a_k6_summary.json
    format: k6
  - path: load/b_results.jtl
    format: jmeter
  llm_usage:
  - path: usage/calls.jsonl
"""


def with_tools(project: Path, jtl_text: str, k6_text: str, calls_text: str) -> None:
    """The go project with k6, JMeter and call logs in place of its Locust results."""
    path = project / "project.yml"
    text = path.read_text()
    start = text.index("  load_tests:\n")
    end = text.index("  costs: costs.yml\n")
    path.write_text(text[:start] + EVIDENCE + text[end:])
    (project / "load" / "a_k6_summary.json").write_text(k6_text)
    (project / "load" / "b_results.jtl").write_text(jtl_text)
    (project / "usage").mkdir()
    (project / "usage" / "calls.jsonl").write_text(calls_text)


VARIANTS: dict[str, Callable[[Path], None]] = {
    TOOLS: lambda p: with_tools(p, jtl(), k6(), calls()),
    "copilot_slow_jmeter": lambda p: with_tools(p, jtl(elapsed_factor=30), k6(), calls()),
    "copilot_failing_k6": lambda p: with_tools(p, jtl(), k6(failure_factor=5), calls()),
    # 3.6 times the tokens: over budget, but not so far that the operating budget (judged against
    # 20% of the projected run cost, mt_operating_budget) stops covering it: only scale moves.
    "copilot_heavy_calls": lambda p: with_tools(p, jtl(), k6(), calls(token_factor=3.6)),
    "copilot_wrong_shapes": lambda p: with_tools(
        p,
        jtl().replace(",success,", ",passed,", 1),
        '{"metrics": {"http_req_duration": {"med": 1, "avg": 1, "p(95)": 2}, "vus": {"max": 9}}}',
        '{"id": "chatcmpl-1", "model": "gpt-4o-mini", "choices": []}\n',
    ),
}
#: The check each worse variant worsens.
WORSENS = {
    "copilot_slow_jmeter": "sc_latency",
    "copilot_failing_k6": "sc_error_rate",
    "copilot_heavy_calls": "sc_cost_budget",
}


@pytest.fixture(scope="module")
def assessed(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> Assessed:
    base = tmp_path_factory.mktemp("scale_evidence")
    portfolio = copy_examples(base / "examples")
    projects = portfolio.parent / "projects"
    listed = []
    for name, make in VARIANTS.items():
        shutil.copytree(projects / BASE, projects / name)
        project_file = projects / name / "project.yml"
        project_file.write_text(project_file.read_text().replace(f"id: {BASE}\n", f"id: {name}\n"))
        make(projects / name)
        listed.append(f"projects/{name}/project.yml")
    config = yaml.safe_load(portfolio.read_text())
    config["projects"] = listed
    config.pop(
        "history", None
    )  # the example's earlier weeks are support_copilot's, not listed here
    portfolio.write_text(yaml.safe_dump(config, sort_keys=False))
    with kept_environment():
        return assess(portfolio, base / "home")


@pytest.fixture(scope="module")
def checks(assessed: Assessed) -> dict[str, dict[str, tuple[str, float | None, Any]]]:
    rows = run_rows(
        assessed,
        "select project_id, check_id, result, metric, evidence from check_results where run_id = ?",
    )
    out: dict[str, dict[str, tuple[str, float | None, Any]]] = {}
    for project, check, result, metric, evidence in rows:
        out.setdefault(project, {})[check] = (result, metric, json.loads(evidence or "null"))
    return out


@pytest.mark.parametrize("variant", list(WORSENS))
def test_worse_tool_evidence_lowers_only_the_scale_gap(
    assessed: Assessed, checks: dict[str, dict[str, tuple[str, float | None, Any]]], variant: str
) -> None:
    scores = {
        (p, g): s
        for p, g, s in run_rows(
            assessed, "select project_id, gap, score from gap_scores where run_id = ?"
        )
    }
    assert scores[(variant, "scale")] < scores[(TOOLS, "scale")]
    for gap in set(GAPS) - {"scale"}:
        assert scores[(variant, gap)] == scores[(TOOLS, gap)], (variant, gap)
    check = WORSENS[variant]
    (_, before, _), (result, after, _) = checks[TOOLS][check], checks[variant][check]
    assert before is not None and after is not None and after > before
    assert checks[TOOLS][check][0] == "pass" and result in ("partial", "fail"), (check, after)


def test_each_tool_feeds_its_check(
    assessed: Assessed, checks: dict[str, dict[str, tuple[str, float | None, Any]]]
) -> None:
    latency = checks[TOOLS]["sc_latency"][2]["detail"]
    assert latency["measured_from"] == "history at target concurrency"
    assert latency["user_count"] == 120 and latency["overall_tool"] in ("k6", "jmeter")
    errors = checks[TOOLS]["sc_error_rate"][2]["detail"]
    assert (errors["tool"], errors["failures"], errors["requests"]) == ("k6", 87, 13776)
    tools = run_rows(
        assessed,
        "select distinct tool from load_test_results where run_id = ? and project_id = 'copilot_tools'",
    )
    assert sorted(t for (t,) in tools) == ["jmeter", "k6"]


def test_measured_tokens_make_a_cost_range_and_contradict_far_assumptions(
    assessed: Assessed, checks: dict[str, dict[str, tuple[str, float | None, Any]]]
) -> None:
    costs = {
        row[0]: row[1:]
        for row in run_rows(
            assessed,
            "select project_id, tokens_source, tokens_in_per_request, tokens_in_p95, "
            "monthly_cost_target, monthly_cost_target_p95 from cost_projections where run_id = ?",
        )
    }
    source, tokens_in, tokens_in_p95, mean, high = costs[TOOLS]
    assert source == "measured" and tokens_in == pytest.approx(1400, abs=1)
    assert tokens_in_p95 > tokens_in and high > mean
    assert costs["copilot_wrong_shapes"][0] == "assumed"  # nothing measured: the assumption
    heavy = checks["copilot_heavy_calls"]["sc_cost_budget"][2]
    assert heavy["contradicted_claim"]["topic"] == "cost_assumptions"
    assert "LLM usage measured 5040 tokens in" in heavy["contradicted_claim"]["evidence_says"]
    assert "contradicted_claim" not in checks[TOOLS]["sc_cost_budget"][2]  # within 25 %
    confidence = dict(
        run_rows(assessed, "select project_id, confidence from recommendations where run_id = ?")
    )
    assert confidence["copilot_heavy_calls"] == pytest.approx(confidence[TOOLS] - 0.1)


def test_files_of_the_wrong_shape_are_named_and_the_project_still_assessed(
    assessed: Assessed, checks: dict[str, dict[str, tuple[str, float | None, Any]]]
) -> None:
    inputs = {
        Path(source).name: (status, error)
        for source, status, error in run_rows(
            assessed,
            "select source, status, error from evidence_inputs "
            "where run_id = ? and project_id = 'copilot_wrong_shapes' "
            "and evidence_kind in ('load_test', 'llm_usage')",
        )
    }
    assert inputs["b_results.jtl"][0] == "unreadable"
    assert "missing columns of a JMeter JTL results file: success" in inputs["b_results.jtl"][1]
    assert inputs["a_k6_summary.json"] == (
        "unreadable",
        "metrics.http_reqs: expected an object of k6 statistics, found nothing",
    )
    assert inputs["calls.jsonl"][0] == "unreadable"
    refused = run_rows(
        assessed,
        "select source, row_number, column_name, reason from rejected_rows "
        "where run_id = ? and project_id = 'copilot_wrong_shapes' "
        "and evidence_kind in ('load_test', 'llm_usage')",
    )
    where = {(Path(s).name, r, c) for s, r, c, _ in refused}
    assert ("b_results.jtl", 1, "success") in where
    assert ("calls.jsonl", 1, "usage") in where
    # The rest of the project is judged: no load test evidence for scale, every other gap scored.
    wrong = checks["copilot_wrong_shapes"]
    assert wrong["sc_latency"][0] == "no_evidence" and wrong["dq_completeness"][0] == "pass"
