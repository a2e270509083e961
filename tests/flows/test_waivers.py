"""Waivers file and `readiness waive`: every waiver complete, dated, for a known project and check.

What a waiver does to the verdict is dbt's (unit tests in
dbt_project/models/marts/_waivers__unit_tests.yml; end to end in tests/e2e/test_waivers.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from core.settings import DEFAULT_RUBRIC
from flows.cli import app
from flows.config import LoadedPortfolio, load_portfolio
from flows.waivers import load_waivers, record_rows, waivers_path
from tests.conftest import copy_examples

runner = CliRunner()


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_examples(tmp_path_factory.mktemp("waivers") / "examples")


@pytest.fixture(scope="module")
def loaded(portfolio: Path) -> LoadedPortfolio:
    return load_portfolio(portfolio, DEFAULT_RUBRIC)


def write(portfolio: Path, text: str) -> Path:
    path = portfolio.parent / "waivers.yml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
waivers:
  - project: sales_forecast_assistant
    check: sc_rate_limits
    reason: the vendor raises the limit before launch
    approver: team-platform
    given: 2026-11-01
    until: 2027-01-31
"""


def test_a_valid_file_is_read_with_each_waivers_line(
    portfolio: Path, loaded: LoadedPortfolio
) -> None:
    write(portfolio, "# accepted risks\n" + GOOD)
    found, refused = load_waivers(loaded)
    assert refused == []
    assert [(w.waiver.project, w.waiver.check, w.line) for w in found] == [
        ("sales_forecast_assistant", "sc_rate_limits", 3)
    ]
    rows, rejected = record_rows(loaded, "run1", ["sales_forecast_assistant", "support_copilot"])
    assert rejected == []
    assert rows[0]["approver"] == "team-platform" and rows[0]["line"] == 3
    assert str(rows[0]["expires_on"].date()) == "2027-01-31"
    # A run of other projects records no waiver of this one.
    assert record_rows(loaded, "run1", ["support_copilot"]) == ([], [])


def test_unknown_projects_checks_and_incomplete_waivers_are_refused_with_file_and_line(
    portfolio: Path, loaded: LoadedPortfolio
) -> None:
    path = write(
        portfolio,
        GOOD
        + """\
  - project: no_such_project
    check: sc_rate_limits
    reason: typo in the id
    approver: team-platform
    given: 2026-11-01
    until: 2026-12-01
  - project: support_copilot
    check: sc_no_such_check
    reason: typo in the check
    approver: team-platform
    given: 2026-11-01
    until: 2026-12-01
  - project: support_copilot
    check: sc_latency
    approver: someone@example.com
    given: 2026-11-01
    until: 2027-11-01
  - project: sales_forecast_assistant
    check: sc_rate_limits
    reason: twice
    approver: team-platform
    given: 2026-11-01
    until: 2026-12-01
  - project: support_copilot
    check: int_owners
    reason: too long
    approver: team-platform
    given: 2026-11-01
    until: 2027-11-01
""",
    )
    found, refused = load_waivers(loaded)
    assert len(found) == 1
    shown = [str(r.problem) for r in refused]
    assert any(
        s.startswith(
            f"{path}, line 8, column 'waivers.1.project': unknown project 'no_such_project'"
        )
        for s in shown
    ), shown
    assert any(
        s.startswith(f"{path}, line 15, column 'waivers.2.check': unknown check 'sc_no_such_check'")
        for s in shown
    ), shown
    assert any("waivers.3.reason" in s and "required key is missing" in s for s in shown), shown
    assert any("waivers.3.approver" in s and "not an email address" in s for s in shown), shown
    assert any(
        "waivers.5.until" in s and "at most 180 days" in s and ", line 36," in s for s in shown
    ), shown
    assert any("a second waiver of this project and check" in s for s in shown), shown
    # No message echoes what the file holds.
    assert not any("someone@example.com" in s for s in shown)
    # In a run, refusals are rejected rows of the project they name (the unknown one's: the first).
    _, rejected = record_rows(loaded, "run1", ["support_copilot", "sales_forecast_assistant"])
    assert {(r["project_id"], r["row_number"]) for r in rejected} >= {
        ("support_copilot", 8),
        ("support_copilot", 15),
        ("sales_forecast_assistant", 26),
    }
    assert all(r["evidence_kind"] == "waivers" and r["value"] is None for r in rejected)


def test_readiness_waive_writes_a_validated_waiver_and_renews_it(portfolio: Path) -> None:
    path = write(portfolio, GOOD)
    until = (date.today() + timedelta(days=30)).isoformat()
    args = ["waive", "support_copilot", "dq_stale_records", "--portfolio", str(portfolio)]
    result = runner.invoke(
        app,
        [*args, "--reason", "archive rows age out", "--approver", "Data Council", "--until", until],
    )
    assert result.exit_code == 0, result.output
    assert f"waived until {until} (approved by Data Council: archive rows age out)" in result.output
    written = yaml.safe_load(path.read_text())["waivers"]
    assert [(w["project"], w["check"]) for w in written] == [
        ("sales_forecast_assistant", "sc_rate_limits"),
        ("support_copilot", "dq_stale_records"),
    ]
    assert written[1]["given"] == date.today().isoformat()
    later = (date.today() + timedelta(days=60)).isoformat()
    result = runner.invoke(
        app, [*args, "--reason", "renewed", "--approver", "Data Council", "--until", later]
    )
    assert result.exit_code == 0, result.output
    written = yaml.safe_load(path.read_text())["waivers"]
    assert len(written) == 2 and written[1]["until"] == later and written[1]["reason"] == "renewed"


@pytest.mark.parametrize(
    ("project", "check", "approver", "days", "expected"),
    [
        ("nobody", "dq_stale_records", "Data Council", 10, "unknown project 'nobody'"),
        ("support_copilot", "dq_nothing", "Data Council", 10, "unknown check 'dq_nothing'"),
        ("support_copilot", "dq_stale_records", "a@example.org", 10, "not an email address"),
        ("support_copilot", "dq_stale_records", "Data Council", 181, "at most 180 days"),
        ("support_copilot", "dq_stale_records", "Data Council", -1, "on or after the day"),
    ],
)
def test_readiness_waive_refuses_what_a_run_would_refuse(
    portfolio: Path, project: str, check: str, approver: str, days: int, expected: str
) -> None:
    path = write(portfolio, GOOD)
    until = (date.today() + timedelta(days=days)).isoformat()
    result = runner.invoke(
        app,
        [
            *("waive", project, check, "--portfolio", str(portfolio), "--reason", "why not"),
            *("--approver", approver, "--until", until),
        ],
    )
    assert result.exit_code == 2
    assert expected in result.output and "Waiver refused" in result.output
    assert "a@example.org" not in result.output
    assert path.read_text() == GOOD  # nothing written


def test_the_waivers_file_stays_inside_the_portfolio(portfolio: Path) -> None:
    config = yaml.safe_load(portfolio.read_text())
    moved = portfolio.parent / "moved.yml"
    moved.write_text(yaml.safe_dump({**config, "waivers": "../../elsewhere/waivers.yml"}))
    loaded = load_portfolio(moved, DEFAULT_RUBRIC)
    assert waivers_path(loaded).name == "waivers.yml"
    found, refused = load_waivers(loaded)
    assert found == [] and "outside the portfolio's folder" in str(refused[0].problem)
