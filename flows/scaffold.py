"""``readiness init DIR``: a new portfolio with one project, ready to fill in.

It writes a portfolio, one project, a question bank, cost assumptions and an evaluation plan.
Each file is commented (what each key means, what to fill in), points editors at its JSON Schema
(``# yaml-language-server: $schema=...``) and validates as it is, so ``readiness validate`` passes
before anything is filled in and each piece of evidence can be added one at a time. With
``--from-example ID`` it copies one example project (and its evidence) instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from core.settings import REPO_ROOT

SCHEMAS = REPO_ROOT / "docs" / "schemas"
EXAMPLES = REPO_ROOT / "examples"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class ScaffoldError(ValueError):
    """A folder or an id the scaffold cannot use; the message says why."""


@dataclass(frozen=True)
class Written:
    """What ``init`` wrote, for the summary a person reads."""

    portfolio: Path
    project: Path
    files: list[Path]


def schema_line(target: Path, kind: str) -> str:
    """The editor's pointer from ``target`` to the schema of ``kind`` (relative when possible)."""
    schema = SCHEMAS / f"{kind}.schema.json"
    try:
        reference = os.path.relpath(schema, target.parent)
    except ValueError:  # another drive (Windows)
        reference = schema.as_uri()
    return f"# yaml-language-server: $schema={reference}\n"


PORTFOLIO = """\
# A portfolio: the projects assessed together. Reference of every key: docs/configuration.md.
id: {portfolio_id}
name: {portfolio_name}
# Freshness and ages are measured against this instant. Leave it out to assess "now"; set it to
# reproduce an assessment exactly.
# as_of: 2026-11-20T09:00:00Z
# The questions of your stakeholder survey (see question_bank.yml).
question_bank: question_bank.yml
projects:
  - projects/{project_id}/project.yml
# Where a regression (a verdict that flips, a gap that drops) is announced: Apprise URLs; write
# ${{NAME}} to take a secret from the environment.
# alerts:
#   urls: ["${{SLACK_WEBHOOK_URL}}"]
# Recurring assessments, registered by `readiness deploy`.
# schedules:
#   - {{name: weekly, cron: "0 6 * * 1"}}
"""

PROJECT = """\
# One AI project. Each piece of evidence is optional: what is missing counts as "no evidence"
# (it lowers the confidence, and too little evidence is itself a "not yet").
# Reference of every key: docs/configuration.md.
id: {project_id}
name: {project_name}
description: What the AI does, for whom (one sentence).
business_unit: ""
owner: ""  # the person accountable for the move to production
# The systems the AI must live inside, by role; each must appear in the inventory (evidence.inventory).
# Roles: auth, crm, erp, logging, monitoring, alerting, deployment, data_store, feature_store,
# model_serving, llm_provider, vector_store, ticketing, api_gateway, identity, other.
required_roles: [identity, data_store, model_serving, logging, monitoring, alerting, deployment]
# The stakeholder groups who must answer the survey: legal, compliance, it_security, operations,
# business_sponsor, affected_team, data_science.
required_groups: [legal, compliance, it_security, operations, business_sponsor, affected_team]
# What production must sustain: judged against the load tests.
service_levels: {{p95_latency_ms: 2000, max_error_rate: 0.01, target_concurrency: 20}}
evidence:
  # Production datasets the model depends on, each with a field map of what the model needs.
  # `readiness suggest data/orders.csv` proposes a field map from the data itself.
  datasets: []
  #  - name: orders
  #    source: data/orders.csv        # a file, folder or glob; s3://bucket/prefix; postgresql://...
  #    field_map:
  #      fields:
  #        order_id: {{type: string, pattern: '^ORD-\\d{{6}}$'}}
  #        amount: {{type: number, min: 0}}
  #        created_at: {{type: timestamp}}
  #      key: [order_id]
  #      timestamp: created_at
  #      max_age: 24h
  # The system inventory: our CSV or YAML, or a Backstage catalog-info.yaml.
  # inventory: {{path: inventory/catalog-info.yaml, format: backstage}}
  # The stakeholder survey export: long_csv, qualtrics, google_forms or ms_forms.
  # survey: {{path: survey/responses.csv, format: google_forms, group_question: Which team are you in?}}
  # Load test results (Locust's *_stats.csv) and the users they ran with.
  # load_tests:
  #   - {{path: load/run_stats.csv, users: 20}}
  costs: costs.yml
  evaluation: evaluation.yml
"""

COSTS = """\
# Unit economics of the project (monthly figures, one currency). Fill in your own numbers: the
# values below are placeholders that validate, not estimates.
currency: EUR
requests_per_month_poc: 1000       # requests the POC served in a month
requests_per_month_target: 100000  # requests at the target volume
peak_to_average: 3
tokens_in_per_request: 1000        # LLM projects: measured tokens per request
tokens_out_per_request: 200
price_per_1k_tokens_in: 0.0025
price_per_1k_tokens_out: 0.01
fixed_monthly_cost: 0              # hosting, licences
monthly_budget: 10000              # what the business will pay per month at target
maintenance_budget_monthly: 0      # operating budget (people, on-call, retraining)
outcomes_per_request: 1.0          # how many business outcomes one request produces
value_per_outcome: 1.0             # what one outcome is worth
"""

EVALUATION = """\
# How the project's value and quality are measured: the team's plan (its statement of intent).
owner: ""  # who owns the evaluation
automated_grading: false
failure_taxonomy: false
regression_set_size: 0
# Business KPIs with a baseline (before the AI) and a target, and where they are measured.
kpis: []
#  - name: Average handling time (minutes)
#    baseline: 14.2
#    target: 10.0
#    instrumented: true
#    source: Zendesk Explore
"""


def _check_id(text: str, what: str) -> str:
    if not _ID.match(text):
        raise ScaffoldError(
            f"{what} {text!r} is not an id: use lower case letters, digits and _ "
            "(starting with a letter), e.g. support_copilot"
        )
    return text


def _free(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(
            f"{target} is not an empty folder: choose a new one (nothing was written)"
        )


def _write(path: Path, kind: str, text: str, written: list[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema_line(path, kind) + text, encoding="utf-8")
    written.append(path)


def init(target: Path, project_id: str = "my_project", from_example: str | None = None) -> Written:
    """Write a new portfolio in ``target`` (an empty or new folder)."""
    target = target.expanduser().resolve()
    _free(target)
    written: list[Path] = []
    bank = (EXAMPLES / "question_bank.yml").read_text(encoding="utf-8")
    if from_example is not None:
        source = EXAMPLES / "projects" / _check_id(from_example, "example")
        if not (source / "project.yml").is_file():
            known = ", ".join(
                sorted(p.name for p in (EXAMPLES / "projects").iterdir() if p.is_dir())
            )
            raise ScaffoldError(f"no example project {from_example!r}; the examples are: {known}")
        project_dir = target / "projects" / from_example
        # Without history/: the example portfolio's earlier weeks (its portfolio.yml names them).
        ignored = shutil.ignore_patterns("__pycache__", "history")
        shutil.copytree(source, project_dir, ignore=ignored)
        written.extend(sorted(p for p in project_dir.rglob("*") if p.is_file()))
        project_id = from_example
        as_of = (
            "as_of: 2026-11-20T09:00:00Z  # the example's evidence is dated against this instant\n"
        )
    else:
        _check_id(project_id, "project id")
        project_dir = target / "projects" / project_id
        name = project_id.replace("_", " ").capitalize()
        _write(
            project_dir / "project.yml",
            "project",
            PROJECT.format(project_id=_quoted(project_id), project_name=_quoted(name)),
            written,
        )
        _write(project_dir / "costs.yml", "costs", COSTS, written)
        _write(project_dir / "evaluation.yml", "evaluation", EVALUATION, written)
        as_of = ""
    portfolio = target / "portfolio.yml"
    text = PORTFOLIO.format(
        portfolio_id=_quoted(_portfolio_id(target)),
        portfolio_name=_quoted(target.name),
        project_id=project_id,
    )
    if as_of:
        text = text.replace("# as_of: 2026-11-20T09:00:00Z\n", as_of)
    _write(portfolio, "portfolio", text, written)
    _write(target / "question_bank.yml", "question_bank", bank, written)
    return Written(portfolio=portfolio, project=project_dir / "project.yml", files=written)


def _quoted(text: str) -> str:
    """A text as a YAML scalar that stays a text (``no``, ``2026``, ``#ops`` are quoted)."""
    return json.dumps(text, ensure_ascii=False)


def _portfolio_id(target: Path) -> str:
    text = re.sub(r"[^a-z0-9_]+", "_", target.name.casefold()).strip("_")
    return text if _ID.match(text) else f"portfolio_{text}" if text else "portfolio"
