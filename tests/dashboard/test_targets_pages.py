"""Target dates on the dashboard (AppTest): the project page says whether the target launch is on
track (dbt's launch_targets), the trends page how the roadmap moved between runs
(roadmap_progress); both set here in the handmade snapshot."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from tests.dashboard.handmade import NOT_YET, R1, R2
from tests.dashboard.helpers import page, text_of

AT_RISK = "at risk: the roadmap ends 2026-12-18, 7 day(s) after the target launch 2026-12-11"


def test_target_launch_and_roadmap_progress_are_shown(handmade_snapshot: Path) -> None:
    with duckdb.connect(str(handmade_snapshot)) as con:
        con.execute(
            "insert into launch_targets values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'at_risk', ?)",
            [f"{R2}:{NOT_YET}", R2, NOT_YET, date(2026, 11, 20), date(2026, 12, 11),
             date(2026, 12, 1), date(2026, 12, 18), 21, -7, AT_RISK],
        )  # fmt: skip
        con.execute(
            "insert into roadmap_progress values (?, ?, ?, null, 0, 3, 0), (?, ?, ?, ?, 2, 1, 1)",
            [f"{R1}:{NOT_YET}", R1, NOT_YET, f"{R2}:{NOT_YET}", R2, NOT_YET, R1],
        )
    at = page("project", project=NOT_YET)
    assert not at.exception
    assert f"Target launch: {AT_RISK}; next steering committee 2026-12-01." in text_of(at)
    at = page("trends", project=NOT_YET)
    assert not at.exception
    text = text_of(at)
    assert "Roadmap progress across runs" in [s.value for s in at.subheader]
    assert "2026-11-20 14:30: 2 done, 1 new, 1 still open since the previous run" in text
    assert "2026-11-01 09:00: first run: 3 action(s)" in text
