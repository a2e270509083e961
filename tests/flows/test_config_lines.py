"""Configuration problems name the file, the key and the key's line, and never echo a text value."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ConfigError
from flows.config import Project, load_model

PROJECT = """\
id: claims
name: Claims triage
service_levels:
  p95_latency_ms: 900
  max_error_rate: lots-of-secret-text
evidence:
  datasets:
    - name: orders
      source: data/orders.csv
      field_map:
        fields:
          amount: {type: money}
    - name: customers
      field_map: {fields: {id: {}}}
"""


def test_each_problem_names_the_line_of_its_key(tmp_path: Path) -> None:
    path = tmp_path / "project.yml"
    path.write_text(PROJECT)
    with pytest.raises(ConfigError) as exc:
        load_model(Project, path)
    found = {p.column: p for p in exc.value.problems}
    assert found["service_levels.max_error_rate"].line == 5
    assert found["evidence.datasets.0.field_map.fields.amount.type"].line == 12
    # A missing key is placed on the line of the mapping it is missing from (the list item).
    assert found["evidence.datasets.1.source"].line == 13
    text = str(exc.value)
    assert f"{path}, line 5, column 'service_levels.max_error_rate'" in text
    assert "lots-of-secret-text" not in text and "money" not in text
