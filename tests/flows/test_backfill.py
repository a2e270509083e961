"""A portfolio's declared history (flows.backfill): validated against its projects when loaded,
and each earlier week's projects read with that week's files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.errors import ConfigError
from core.settings import DEFAULT_RUBRIC
from flows import backfill
from flows.config import load_portfolio
from flows.paths import local_paths
from tests.conftest import copy_examples


@pytest.fixture
def portfolio(tmp_path: Path) -> Path:
    return copy_examples(tmp_path / "examples")


def with_history(path: Path, history: Any) -> Path:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["history"] = history
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def problems(path: Path) -> str:
    with pytest.raises(ConfigError) as raised:
        load_portfolio(path, DEFAULT_RUBRIC)
    return str(raised.value)


def test_the_example_weeks_replace_only_support_copilots_named_files(portfolio: Path) -> None:
    loaded = load_portfolio(portfolio, DEFAULT_RUBRIC)
    weeks = loaded.portfolio.history
    assert [w.as_of for w in weeks] == [
        datetime(2026, 10, 30, 9, tzinfo=UTC),
        datetime(2026, 11, 6, 9, tzinfo=UTC),
        datetime(2026, 11, 13, 9, tzinfo=UTC),
    ]
    then = backfill.as_then(loaded, weeks[0])
    before = dict(local_paths(loaded.project("support_copilot").project.evidence))
    after = dict(local_paths(then.project("support_copilot").project.evidence))
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert changed == {
        "evidence.datasets.0.source": ("data/tickets.csv", "history/2026-10-30/tickets.csv"),
        "evidence.inventory.path": ("inventory/systems.yml", "history/2026-10-30/systems.yml"),
        "evidence.load_tests.0.path": (
            "load/copilot_stats.csv",
            "history/2026-10-30/copilot_stats.csv",
        ),
        "evidence.load_tests.0.history_path": (
            "load/copilot_stats_history.csv",
            "history/2026-10-30/copilot_stats_history.csv",
        ),
        "evidence.evaluation": ("evaluation.yml", "history/2026-10-30/evaluation.yml"),
    }
    for key, (_, new) in changed.items():
        assert then.project("support_copilot").resolve(new).is_file(), key
    # Every other project, and the portfolio as loaded, are untouched.
    for project in loaded.projects[1:]:
        assert then.project(project.project.id) is project
    assert loaded.project("support_copilot").project.evidence.evaluation == "evaluation.yml"
    # A warehouse that does not exist yet lacks every week.
    assert backfill.pending(portfolio.parent / "none.duckdb", loaded) == weeks


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        (
            [{"as_of": "2026-11-13T09:00:00Z"}, {"as_of": "2026-11-06T09:00:00Z"}],
            "history must list its as_of instants oldest first, each once",
        ),
        (
            [{"as_of": "2026-11-27T09:00:00Z"}],
            "every history as_of must lie before the portfolio's own as_of",
        ),
        (
            [{"as_of": "2026-11-13T09:00:00Z", "evidence": {"nope": {"costs.yml": "x.yml"}}}],
            "column 'history.0.evidence.nope'",
        ),
        (
            [{"as_of": "2026-11-13T09:00:00Z", "evidence": {"support_copilot": {"c.yml": "x"}}}],
            "'c.yml' is no evidence path of project 'support_copilot'",
        ),
        (
            [
                {
                    "as_of": "2026-11-13T09:00:00Z",
                    "evidence": {"support_copilot": {"costs.yml": "../../../../etc/passwd"}},
                }
            ],
            "leads outside the portfolio's folder",
        ),
        ([{"evidence": {}}], "history.0.as_of"),
    ],
)
def test_a_wrong_history_names_the_file_and_key(
    portfolio: Path, history: Any, expected: str
) -> None:
    message = problems(with_history(portfolio, history))
    assert str(portfolio) in message
    assert expected in message


def test_every_week_reads_its_own_files_without_an_unreadable_input(portfolio: Path) -> None:
    from flows.evidence import Context
    from flows.measurements import collect_project

    loaded = load_portfolio(portfolio, DEFAULT_RUBRIC)
    weeks = backfill.past_projects(loaded)
    assert [(past.as_of.day, p.project.id) for past, p in weeks] == [
        (30, "support_copilot"),
        (6, "support_copilot"),
        (13, "support_copilot"),
    ]
    for past, project in weeks:
        context = Context("test", project.project.id, backfill.utc(past.as_of), "key")
        frames = collect_project(context, loaded, project).frames(context)
        inputs = frames["raw_evidence_inputs"]
        assert set(inputs["status"]) == {"ok"}, inputs[["source", "error"]]
        assert inputs["source"].str.contains(f"history/{past.as_of:%Y-%m-%d}/").sum() >= 4


def test_weeks_kept_by_a_repair_are_not_assessed_again(portfolio: Path, tmp_path: Path) -> None:
    """After `readiness repair` the raw runs are empty and the earlier runs live in history_runs."""
    from flows import warehouse

    loaded = load_portfolio(portfolio, DEFAULT_RUBRIC)
    weeks = loaded.portfolio.history
    working = tmp_path / "repaired.duckdb"
    with warehouse.connect(working) as con:
        warehouse.ensure_raw_tables(con)
        con.execute(
            "create table history_runs (run_id varchar, portfolio_id varchar, status varchar, "
            "as_of timestamptz)"
        )
        for i, week in enumerate(weeks[:2]):
            con.execute(
                "insert into history_runs values (?, ?, 'succeeded', ?)",
                [f"r{i}", loaded.portfolio.id, week.as_of],
            )
        con.execute(
            "insert into history_runs values ('other', 'another_portfolio', 'succeeded', ?)",
            [weeks[2].as_of],
        )
    assert backfill.pending(working, loaded) == weeks[2:]
