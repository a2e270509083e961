"""The example portfolio: it validates, the generator reproduces it byte for byte, and each project
holds the properties that give its intended outcome.

The scoring lives in dbt; here every rubric check that decides an example's outcome is recomputed
from the evidence, following the ``unit`` the rubric gives for it (DuckDB for the datasets, the
real evidence readers for inventories and surveys), then judged with the rubric's thresholds. This
guards the examples themselves: a change to the generator that would flip an outcome fails here.
"""

from __future__ import annotations

import hashlib
import math
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
import yaml

from flows.config import (
    CostAssumptions,
    DatasetEvidence,
    EvaluationPlan,
    LoadedPortfolio,
    LoadedProject,
    load_model,
    load_portfolio,
)
from flows.evidence import Context
from flows.evidence.inventory import collect_inventory
from flows.evidence.survey import collect_survey

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
RUBRIC = REPO / "rubric" / "rubric.yml"
AS_OF = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
SECONDS_PER_MONTH = 30 * 86400
#: Hand-written files of examples/ (everything else is generated), and the generator's package.
NOT_GENERATED = {"generate.py", "README.md", "__init__.py"}
GENERATOR_PACKAGE = "generator"

# What each example project is built to show (examples/README.md).
EXPECTED = {
    "support_copilot": ("go", set()),
    "churn_predictor": ("not_yet", {"data_quality"}),
    "contract_review": ("not_yet", {"stakeholder_alignment"}),
    "sales_forecast_assistant": ("not_yet", {"scale"}),
    "invoice_extraction": ("not_yet", {"integration", "maintenance", "evaluation"}),
}


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def portfolio() -> LoadedPortfolio:
    return load_portfolio(EXAMPLES / "portfolio.yml", RUBRIC)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("regenerated")
    subprocess.run(
        [sys.executable, str(EXAMPLES / "generate.py"), "--out", str(out)],
        check=True,
        cwd=REPO,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    connection.execute("set TimeZone = 'UTC'")
    yield connection
    connection.close()


def files_under(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every generated file under ``root``."""
    out = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(root).as_posix()
        if relative not in NOT_GENERATED and path.relative_to(root).parts[0] != GENERATOR_PACKAGE:
            out[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


# --- configuration and reproducibility --------------------------------------------------------


def test_the_portfolio_validates(portfolio: LoadedPortfolio) -> None:
    assert portfolio.portfolio.id == "example"
    assert portfolio.portfolio.as_of == AS_OF
    assert [p.project.id for p in portfolio.projects] == list(EXPECTED)
    assert portfolio.question_bank is not None
    assert len(portfolio.question_bank.questions) >= 18
    for loaded in portfolio.projects:
        project = loaded.project
        assert project.required_roles and project.required_groups and project.service_levels
        evidence = project.evidence
        assert evidence.datasets and evidence.inventory and evidence.survey
        assert evidence.costs and evidence.evaluation
        assert {t.users for t in evidence.load_tests} == {project.service_levels.target_concurrency}
        for relative in [
            *(d.source for d in evidence.datasets),
            *(d.poc_sample for d in evidence.datasets if d.poc_sample),
            evidence.inventory.path,
            *(survey.path for survey in evidence.survey),
            *(t.path for t in evidence.load_tests),
            *(t.history_path for t in evidence.load_tests if t.history_path),
            *(u.path for u in evidence.llm_usage),
            evidence.costs,
            evidence.evaluation,
        ]:
            assert loaded.resolve(relative).is_file(), (project.id, relative)
        load_model(CostAssumptions, loaded.resolve(evidence.costs))
        load_model(EvaluationPlan, loaded.resolve(evidence.evaluation))


def test_the_portfolio_uses_every_format(portfolio: LoadedPortfolio) -> None:
    sources = [d.source for p in portfolio.projects for d in p.project.evidence.datasets]
    for suffix in (".csv", ".parquet", ".ndjson", ".xlsx", ".csv.gz"):
        assert any(s.endswith(suffix) for s in sources), suffix
    inventories = {p.project.evidence.inventory.format for p in portfolio.projects}  # type: ignore[union-attr]
    assert inventories == {"csv", "yaml", "backstage"}
    surveys = {s.format for p in portfolio.projects for s in p.project.evidence.survey}
    assert surveys == {"long_csv", "qualtrics", "google_forms", "ms_forms"}
    assert any(t.history_path for p in portfolio.projects for t in p.project.evidence.load_tests)
    maps = [d.field_map for p in portfolio.projects for d in p.project.evidence.datasets]
    assert any(m.rules for m in maps) and any(m.relationships for m in maps)
    assert any(f.pattern for m in maps for f in m.fields.values())
    assert any(f.aliases for m in maps for f in m.fields.values())


def test_the_generator_reproduces_the_committed_files_byte_for_byte(regenerated: Path) -> None:
    # Every format is written deterministically: CSV/NDJSON/YAML as text, gzip with mtime=0,
    # Parquet with fixed options (same pyarrow version), the .xlsx with fixed document
    # properties and zip entry dates. So hashes are compared for every file.
    committed = files_under(EXAMPLES)
    fresh = files_under(regenerated)
    assert fresh, "the generator wrote nothing"
    missing, extra = sorted(set(committed) - set(fresh)), sorted(set(fresh) - set(committed))
    assert not missing and not extra, f"not generated: {missing}; generated, not committed: {extra}"
    changed = sorted(f for f in fresh if fresh[f] != committed[f])
    assert not changed, f"regenerate the examples (python examples/generate.py): {changed}"


def test_the_generator_package_runs_as_a_module_too() -> None:
    # The fixture above runs the documented command (examples/generate.py, which starts the
    # package); examples/README.md also documents ``python -m examples.generator --out DIR``.
    done = subprocess.run(
        [sys.executable, "-m", "examples.generator", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "--out" in done.stdout


def test_the_examples_stay_small() -> None:
    # 4 MiB: five projects' datasets, three earlier weeks of support_copilot's evidence (the
    # history) and the evaluation and operations artifacts, and the generator's source (not its
    # bytecode: a clone has none); a clone stays quick.
    total = sum(
        p.stat().st_size
        for p in EXAMPLES.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )
    assert total < 4 * 1024 * 1024


# --- measuring, as the rubric's units describe ------------------------------------------------


def relation(con: duckdb.DuckDBPyConnection, path: Path, fmt: str | None) -> str:
    """A DuckDB view over one dataset file; returns its name."""
    name = "v_" + hashlib.sha1(str(path).encode()).hexdigest()[:10]
    if fmt == "excel" or path.suffix == ".xlsx":
        frame = pd.read_excel(path, engine="openpyxl")
        con.register(name, frame)
        return name
    quoted = str(path).replace("'", "''")
    if fmt == "parquet" or path.suffix == ".parquet":
        source = f"read_parquet('{quoted}')"
    elif fmt in ("json", "ndjson") or path.suffix in (".ndjson", ".json"):
        source = f"read_json_auto('{quoted}', format='newline_delimited')"
    else:
        source = f"read_csv('{quoted}', header=true)"
    con.execute(f"create or replace view {name} as select * from {source}")
    return name


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


SQL_TYPES = {
    "integer": "bigint",
    "number": "double",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}


def psi(expected: pd.Series, actual: pd.Series, bins: list[Any] | None = None) -> float:
    """Population stability index of ``actual`` against ``expected`` (categories or numeric bins)."""
    expected, actual = expected.dropna(), actual.dropna()
    if bins is None:
        cuts = sorted(set(expected.quantile([i / 10 for i in range(1, 10)]).tolist()))
        e = pd.cut(expected, [-math.inf, *cuts, math.inf]).value_counts(normalize=True)
        a = pd.cut(actual, [-math.inf, *cuts, math.inf]).value_counts(normalize=True)
    else:
        e = expected.astype(str).value_counts(normalize=True).reindex(bins, fill_value=0)
        a = actual.astype(str).value_counts(normalize=True).reindex(bins, fill_value=0)
    eps = 1e-4
    return float(
        sum((ai - ei) * math.log((ai + eps) / (ei + eps)) for ei, ai in zip(e, a, strict=True))
    )


def poc_psi(
    con: duckdb.DuckDBPyConnection, loaded: LoadedProject, dataset: DatasetEvidence
) -> dict[str, float]:
    """PSI per field with allowed values (categories) or a numeric type (POC deciles)."""
    if not dataset.poc_sample:
        return {}
    prod_view = relation(con, loaded.resolve(dataset.source), dataset.format)
    poc_view = relation(con, loaded.resolve(dataset.poc_sample), dataset.format)
    prod, poc = (
        con.execute(f"select * from {prod_view}").df(),
        con.execute(f"select * from {poc_view}").df(),
    )
    out = {}
    for name, spec in dataset.field_map.fields.items():
        prod_col = name if name in prod else next((a for a in spec.aliases if a in prod), None)
        poc_col = name if name in poc else next((a for a in spec.aliases if a in poc), None)
        if prod_col is None or poc_col is None:
            continue
        if spec.allowed is not None:
            categories = sorted(
                {str(v) for v in spec.allowed} | set(prod[prod_col].dropna().astype(str))
            )
            out[name] = psi(poc[poc_col], prod[prod_col], categories)
        elif spec.type in ("number", "integer"):
            out[name] = psi(
                pd.to_numeric(poc[poc_col], errors="coerce"),
                pd.to_numeric(prod[prod_col], errors="coerce"),
            )
    return out


def agreement(row: pd.Series, reverse: bool) -> float:
    value = (row["answer_value"] - 1) / (row["scale_points"] - 1)
    return 1 - value if reverse else value


def survey_frame(portfolio: LoadedPortfolio, loaded: LoadedProject) -> pd.DataFrame:
    context = Context("test", loaded.project.id, AS_OF, "salt")
    evidence = collect_survey(context, loaded, portfolio.question_bank_for(loaded))
    answers = pd.DataFrame(evidence.tables["raw_survey_answers"])
    questions = pd.DataFrame(evidence.tables["raw_survey_questions"])
    frame = answers.merge(questions, on="question_id", suffixes=("", "_question"))
    likert = frame["kind"] == "likert"
    frame.loc[likert, "agreement"] = frame[likert].apply(
        lambda r: agreement(r, bool(r["reverse"])), axis=1
    )
    return frame


def inventory_frame(loaded: LoadedProject) -> pd.DataFrame:
    context = Context("test", loaded.project.id, AS_OF, "salt")
    return pd.DataFrame(collect_inventory(context, loaded).tables["raw_inventory_systems"])


def costs_of(loaded: LoadedProject) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        loaded.resolve(loaded.project.evidence.costs or "").read_text()
    )
    return data


# --- the intended outcomes --------------------------------------------------------------------


def test_support_copilot_tickets_completeness_with_duckdb(
    portfolio: LoadedPortfolio, con: duckdb.DuckDBPyConnection
) -> None:
    loaded = portfolio.project("support_copilot")
    tickets = next(d for d in loaded.project.evidence.datasets if d.name == "tickets")
    path = str(loaded.resolve(tickets.source))
    required = [n for n, s in tickets.field_map.fields.items() if s.required]
    filled = ", ".join(
        f'avg(case when "{n}" is not null and trim(cast("{n}" as varchar)) <> \'\' then 1 else 0 end)'
        for n in required
    )
    shares = con.execute(f"select {filled} from read_csv('{path}', header=true)").fetchone()
    assert shares is not None and min(shares) >= 0.98
    assert min(shares) < 1.0, "real data is never perfect: a few nulls are expected"


def test_churn_events_are_stale_renamed_duplicated_and_shifted(
    portfolio: LoadedPortfolio, con: duckdb.DuckDBPyConnection
) -> None:
    loaded = portfolio.project("churn_predictor")
    events = next(d for d in loaded.project.evidence.datasets if d.name == "events")
    prod, poc = str(loaded.resolve(events.source)), str(loaded.resolve(events.poc_sample or ""))
    newest = scalar(con, f"select max(cast(event_ts as timestamptz)) from read_json_auto('{prod}')")
    age_hours = (AS_OF - newest).total_seconds() / 3600
    assert age_hours > 36 * 2, "older than twice max_age: freshness fails, not partial"
    assert 4.5 * 24 < age_hours < 5.5 * 24
    prod_columns = [r[0] for r in con.execute(f"describe select * from read_json_auto('{prod}')").fetchall()]  # fmt: skip
    poc_columns = [r[0] for r in con.execute(f"describe select * from read_json_auto('{poc}')").fetchall()]  # fmt: skip
    plan_tier = events.field_map.fields["plan_tier"]
    assert plan_tier.required and "plan_tier" in poc_columns and "plan_tier" not in prod_columns
    assert plan_tier.aliases == ["subscription_plan"] and "subscription_plan" in prod_columns
    rows, distinct = con.execute(
        f"select count(*), count(distinct event_id) from read_json_auto('{prod}')"
    ).fetchone() or (0, 0)
    assert 0.02 <= (rows - distinct) / rows <= 0.04
    shift = poc_psi(con, loaded, events)
    assert shift["event_type"] > 0.25


def test_contract_review_legal_blocks_compliance_is_silent_and_the_team_disagrees(
    portfolio: LoadedPortfolio,
) -> None:
    loaded = portfolio.project("contract_review")
    answers = survey_frame(portfolio, loaded)
    legal = answers[(answers["stakeholder_group"] == "legal") & (answers["kind"] == "blocker")]
    assert (legal["answer_value"] == 1).sum() >= 1
    assert "compliance" in loaded.project.required_groups
    assert "compliance" not in set(answers["stakeholder_group"])
    team = answers[
        (answers["stakeholder_group"] == "affected_team")
        & (answers["gap"] == "stakeholder_alignment")
        & (answers["kind"] == "likert")
    ]
    assert team["agreement"].mean() < 0.45


def test_sales_forecast_assistant_economics_do_not_scale(portfolio: LoadedPortfolio) -> None:
    loaded = portfolio.project("sales_forecast_assistant")
    c = costs_of(loaded)
    per_request = (
        c["tokens_in_per_request"] / 1000 * c["price_per_1k_tokens_in"]
        + c["tokens_out_per_request"] / 1000 * c["price_per_1k_tokens_out"]
        + c["compute_seconds_per_request"] * c["price_per_compute_second"]
    )
    monthly = c["requests_per_month_target"] * per_request + c["fixed_monthly_cost"]
    assert 2.3 < monthly / c["monthly_budget"] < 2.7
    assert per_request / c["outcomes_per_request"] > c["value_per_outcome"]
    llm = inventory_frame(loaded).query("role == 'llm_provider'")
    peak = c["requests_per_month_target"] / SECONDS_PER_MONTH * c["peak_to_average"]
    assert float(llm["rate_limit_rps"].iloc[0]) < peak


def test_invoice_extraction_lacks_integration_monitoring_owners_and_baselines(
    portfolio: LoadedPortfolio,
) -> None:
    loaded = portfolio.project("invoice_extraction")
    systems = inventory_frame(loaded)
    assert not set(systems["role"]) & {"monitoring", "alerting"}
    assert {"monitoring", "alerting"} <= set(loaded.project.required_roles)
    assert (systems["status"] == "not_started").sum() >= 2
    assert systems["owner"].isna().mean() > 0.5
    kpis = yaml.safe_load(loaded.resolve(loaded.project.evidence.evaluation or "").read_text())[
        "kpis"
    ]
    assert sum(k.get("baseline") is None for k in kpis) >= 2


def test_the_deliberately_bad_rows_are_there(portfolio: LoadedPortfolio) -> None:
    """Every survey holds a few answers the product must refuse (and show as rejected rows)."""
    for loaded in portfolio.projects:
        context = Context("test", loaded.project.id, AS_OF, "salt")
        evidence = collect_survey(context, loaded, portfolio.question_bank_for(loaded))
        rejected = [r for r in evidence.tables.get("raw_rejected_rows", []) if not r["reason"].startswith("skipped:")]  # fmt: skip
        assert 1 <= len(rejected) <= 5, (loaded.project.id, rejected)
