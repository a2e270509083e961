"""Runs recorded before personal fields were counted only: their stored values are redacted once,
at the start of the next run (flows.privacy_ops.scrub_audited_values)."""

from __future__ import annotations

import json
from pathlib import Path

from flows import privacy_ops, warehouse
from flows.privacy import contains_personal

OLD_RULE_ROWS = json.dumps(
    [{"id": "4", "customer_name": "Ann Lee", "reach": "ann@x.com", "note": "call 555-123-4567"}]
)


def test_older_runs_values_are_redacted_once(tmp_path: Path) -> None:
    with warehouse.connect(tmp_path / "w.duckdb") as con:
        warehouse.ensure_raw_tables(con)
        profiles = (
            "insert into raw_field_profiles (run_id, project_id, dataset, field, found_as, "
            "min_value, max_value, top_values, examples, personal, personal_reason) values "
        )
        con.execute(
            profiles + "('old', 'p', 'd', 'contact_email', 'contact_email', 'a@x.com', 'z@y.org', "
            '\'[{"value": "a@x.com", "count": 2}]\', \'{"pattern_failures": ["bob@x"]}\', '
            "null, null), "
            "('old', 'p', 'd', 'label', 'label', 'alpha', 'mail zed@x.com', null, null, null, null), "
            "('old', 'p', 'd', 'status', 'status', 'new', 'paid', "
            '\'[{"value": "new", "count": 3}]\', null, null, null), '
            "('new', 'p', 'd', 'status', 'status', 'new', 'paid', null, null, false, null)"
        )
        con.execute(
            "insert into raw_dataset_rules (run_id, project_id, dataset, rule, kind, "
            "rows_checked, violations, examples) values "
            "('old', 'p', 'd', 'small_ids', 'rule', 4, 1, ?)",
            [OLD_RULE_ROWS],
        )
        con.execute(
            "insert into raw_dataset_profiles (run_id, project_id, dataset, source, readable, "
            "examples) values ('old', 'p', 'd', 'd.csv', true, ?)",
            [json.dumps({"duplicate_keys": [{"key": {"contact_email": "a@x.com"}, "rows": 2}]})],
        )
        con.execute(
            "insert into raw_rejected_rows (run_id, project_id, evidence_kind, source, "
            "row_number, value, reason) values "
            "('old', 'p', 'dataset', 'd.csv', 3, '3,ok,bob@x.com', 'too many columns'), "
            "('old', 'p', 'survey', 's.csv', 3, 'kept as the survey reader left it', 'x')"
        )

        changed = privacy_ops.scrub_audited_values(con)
        assert changed == {
            "raw_field_profiles": 5,
            "raw_dataset_rules": 1,
            "raw_dataset_profiles": 1,
            "raw_rejected_rows": 1,
        }
        rows = {
            (r[0], r[1]): r[2:]
            for r in con.execute(
                "select run_id, field, min_value, max_value, top_values, examples, personal, "
                "personal_reason from raw_field_profiles"
            ).fetchall()
        }
        # A field named as personal: counts only, examples masked.
        assert rows[("old", "contact_email")] == (
            None, None, None, '{"pattern_failures": ["b***"]}', True,
            "detected: email (column name)",
        )  # fmt: skip
        # Another field: its personal values redacted; a field without any is left as it was.
        assert rows[("old", "label")][:2] == ("alpha", "mail [email]")
        assert rows[("old", "status")][:3] == ("new", "paid", '[{"value": "new", "count": 3}]')
        assert rows[("old", "status")][4] is False
        assert rows[("new", "status")][4:] == (False, None)
        (rule,) = con.execute("select examples from raw_dataset_rules").fetchone() or ()
        assert json.loads(rule) == [
            {"id": "4", "customer_name": "A***", "reach": "[email]", "note": "call [phone]"}
        ]
        (dupes,) = con.execute("select examples from raw_dataset_profiles").fetchone() or ()
        assert json.loads(dupes) == {
            "duplicate_keys": [{"key": {"contact_email": "a***@x***.com"}, "rows": 2}]
        }
        values = dict(con.execute("select evidence_kind, value from raw_rejected_rows").fetchall())
        assert values == {"dataset": "3,ok,[email]", "survey": "kept as the survey reader left it"}
        for table in ("raw_field_profiles", "raw_dataset_rules", "raw_dataset_profiles"):
            for row in con.execute(f"select * from {table}").fetchall():
                assert not [v for v in row if isinstance(v, str) and contains_personal(v)], table
        # Once: the older runs are marked, nothing is read again.
        assert privacy_ops.scrub_audited_values(con) == {}
