"""The portfolio selector (every page shows one portfolio, chosen in the sidebar and kept in the
URL) and the page across portfolios (the rollups mart of every snapshot the session may read)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.access import SIGN_INS, hash_password
from core.csv_safe import to_csv_bytes
from dashboard import rollups
from tests.conftest import Assessed
from tests.dashboard.conftest import reset_caches
from tests.dashboard.helpers import PAGES, text_of
from tests.dashboard.portfolios import SECOND, two_portfolios


def _app(name: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def _mart(folder: Path, portfolio: str, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(folder / f"{portfolio}.duckdb"), read_only=True) as con:
        return con.execute(sql).df()


def _names(folder: Path, portfolio: str) -> set[str]:
    latest = "select project_name from recommendations where is_latest"
    return set(_mart(folder, portfolio, latest)["project_name"])


@pytest.fixture
def published(
    assessed_examples: Assessed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Two published portfolios (the example and its renamed copy ``emea``) the app reads."""
    folder = two_portfolios(assessed_examples.snapshot, tmp_path / "published")
    monkeypatch.setenv("READINESS_SNAPSHOT_PATH", str(folder))
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    reset_caches()
    SIGN_INS._failures.clear()
    yield folder
    SIGN_INS._failures.clear()


def _first(assessed: Assessed) -> str:
    return assessed.snapshot.stem


def _ranking(at: AppTest) -> set[str]:
    return set(at.dataframe[0].value["Project"])


def test_the_selector_defaults_to_the_first_portfolio_and_switching_changes_the_page(
    published: Path, assessed_examples: Assessed
) -> None:
    example = _first(assessed_examples)
    options = sorted([example, SECOND])
    at = _app("portfolio").run()
    assert not at.exception
    selector = at.sidebar.selectbox(key="portfolio")
    assert selector.options == options and selector.value == options[0]
    assert at.query_params["portfolio"] == options[0]
    assert _ranking(at) == _names(published, options[0])

    at = selector.set_value(options[1]).run()
    assert not at.exception
    assert at.query_params["portfolio"] == options[1]
    assert _ranking(at) == _names(published, options[1])
    assert not _names(published, options[0]) & _ranking(at)


@pytest.mark.parametrize("name", ["project", "gap", "trends"])
def test_a_link_opens_the_same_portfolio_on_every_page(
    published: Path, assessed_examples: Assessed, name: str
) -> None:
    for portfolio in (_first(assessed_examples), SECOND):
        at = _app(name, portfolio=portfolio).run()
        assert not at.exception
        assert at.sidebar.selectbox(key="portfolio").value == portfolio
        offered = at.selectbox(key="project").options  # "name · verdict"
        assert {o.split(" · ")[0] for o in offered} == _names(published, portfolio)


def _sign_in(at: AppTest, user: str, password: str) -> AppTest:
    at.text_input(key="sign-in-user").input(user)
    at.text_input(key="sign-in-password").input(password)
    return at.button[0].click().run()


@pytest.fixture
def login(published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Login on: ``exec`` may see the example portfolio only, ``board`` every portfolio."""
    access = tmp_path / "access.yml"
    access.write_text("exec: [example]\nboard: '*'\n", encoding="utf-8")
    monkeypatch.setenv("READINESS_DASHBOARD_LOGIN", "true")
    monkeypatch.setenv("READINESS_DASHBOARD_ACCESS", str(access))
    reset_caches()
    return published


def _signed_in(name: str, user: str, **query: str) -> AppTest:
    at = _app(name, **query)
    at.secrets["passwords"] = {"exec": hash_password("exec-pass"), "board": hash_password("b-pass")}
    return _sign_in(at.run(), user, {"exec": "exec-pass", "board": "b-pass"}[user])


def test_a_user_allowed_one_portfolio_is_never_offered_another(
    login: Path, assessed_examples: Assessed
) -> None:
    assert _first(assessed_examples) == "example"  # the access file names it
    at = _signed_in("portfolio", "exec", portfolio=SECOND)  # a link to another portfolio
    assert not at.exception
    assert not [s for s in at.sidebar.selectbox if s.key == "portfolio"]
    assert "Portfolio: example" in [c.value for c in at.sidebar.caption]
    assert _ranking(at) == _names(login, "example")
    shown = text_of(at) + str(at.dataframe[0].value.to_dict())
    assert SECOND not in shown and "EMEA" not in shown

    at = _signed_in("portfolios", "exec")
    assert not at.exception and not at.dataframe
    assert "you may see one" in at.info[0].value

    at = _signed_in("portfolio", "board", portfolio=SECOND)
    assert at.sidebar.selectbox(key="portfolio").options == sorted(["example", SECOND])
    assert _ranking(at) == _names(login, SECOND)


ROLLUPS = (
    "select portfolio_id, grouped_by, projects, share_go, data_quality, blockers, waivers, "
    "mean_days_to_target from readiness_rollups where dimension = '{}' order by grouped_by"
)


@pytest.mark.parametrize(
    ("dimension", "label"), [("business_unit", "Business unit"), ("owner", "Owner")]
)
def test_the_page_across_portfolios_shows_the_rollups_mart_of_each_snapshot(
    published: Path, assessed_examples: Assessed, dimension: str, label: str
) -> None:
    at = _app("portfolios").run()
    assert not at.exception
    assert not [s for s in at.sidebar.selectbox if s.key == "portfolio"]  # no selector here
    shown = at.dataframe[0].value
    expected = pd.concat(
        [
            _mart(published, p, ROLLUPS.format("portfolio"))
            for p in (_first(assessed_examples), SECOND)
        ]
    )
    assert sorted(shown["Portfolio"]) == sorted(expected["portfolio_id"])
    for row in expected.to_dict("records"):
        line = shown[shown["Portfolio"] == row["portfolio_id"]].iloc[0]
        assert line["Projects"] == row["projects"] and line["Share go"] == row["share_go"]
        assert line["Blockers"] == row["blockers"] and line["Waivers"] == row["waivers"]
        assert (pd.isna(line["Data quality"]) and pd.isna(row["data_quality"])) or (
            line["Data quality"] == row["data_quality"]
        )
    assert at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")
    assert [b.label for b in at.get("download_button")] == ["Download rollups-by-portfolio.csv"]

    at = at.segmented_control(key="rollup-dimension").set_value(dimension).run()
    assert not at.exception
    shown = at.dataframe[0].value
    for portfolio in (_first(assessed_examples), SECOND):
        mine = shown[shown["Portfolio"] == portfolio]
        expected = _mart(published, portfolio, ROLLUPS.format(dimension))
        assert list(mine[label]) == list(expected["grouped_by"])
        assert list(mine["Projects"]) == list(expected["projects"])
        assert list(mine["Blockers"]) == list(expected["blockers"])
    assert [b.label for b in at.get("download_button")] == [
        f"Download rollups-by-{dimension.replace('_', '-')}.csv"
    ]


def test_the_rollups_csv_neutralises_formulas(published: Path) -> None:
    with duckdb.connect(str(published / f"{SECOND}.duckdb")) as con:
        con.execute(
            "update readiness_rollups set grouped_by = '=HYPERLINK(1)' where dimension = 'owner'"
        )
    rows = rollups.rollups("owner")
    csv = to_csv_bytes(rollups.table(rows, "owner")).decode("utf-8")
    assert "'=HYPERLINK(1)" in csv and ",=HYPERLINK" not in csv
