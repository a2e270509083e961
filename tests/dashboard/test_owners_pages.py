"""Named owners on the project page (AppTest): blockers and roadmap show the owner's name where
the project's owners map gives one, the role otherwise, and the roles without a name are counted."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.dashboard.handmade import NOT_YET, R2
from tests.dashboard.helpers import html_tables, page, text_of


def test_blockers_and_roadmap_show_the_owners_name(handmade_snapshot: Path) -> None:
    with duckdb.connect(str(handmade_snapshot)) as con:
        con.execute(
            "update check_results set owner = 'team-ml-platform', owner_named = true "
            "where run_id = ? and project_id = ? and check_id = 'sc_cost_budget'",
            [R2, NOT_YET],
        )
        con.execute("alter table roadmap add column owner varchar")
        con.execute("alter table roadmap add column owner_named boolean")
        con.execute(
            "update roadmap set owner = case check_id when 'sc_cost_budget' "
            "then 'team-ml-platform' else owner_role end"
        )
        con.execute(
            "update recommendations set unnamed_owner_roles = 3 where run_id = ? and project_id = ?",
            [R2, NOT_YET],
        )
    at = page("project", project=NOT_YET)
    assert not at.exception
    text = text_of(at)
    assert "*Owner: team-ml-platform · effort" in text
    assert (
        "3 owner role(s) without a name in the owners map of the project: shown as the role."
        in text
    )
    (roadmap,) = html_tables(at)
    owner = roadmap[0].index("Owner")
    owners = {row[owner] for row in roadmap[1:]}
    assert "team-ml-platform" in owners and "ml_engineering" not in owners
    assert "data_engineering" in owners  # an unnamed role is shown as the role
