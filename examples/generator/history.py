"""support_copilot's earlier weeks: the files of each week before today, derived from today's.

The portfolio's ``history:`` block names them; the first run of a fresh install assesses each week
(flows/backfill.py), so the Trends page and ``readiness diff`` show real movement.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .common import AS_OF
from .load_tests import locust_round
from .writers import Writer

#: The portfolio's earlier weekly assessments (``history:`` in portfolio.yml), made by the first
#: run of a fresh install (flows/backfill.py). Each week replaces some of support_copilot's files
#: with the files of that week, derived from today's files below: the tickets created by then, a
#: slower load test run then, and the inventory and evaluation plan as they were. Every other
#: file of the portfolio is the same in every week.
HISTORY_WEEKS: list[dict[str, Any]] = [
    # Monitoring and alerting not wired, p95 at 1.4x the SLO (3,500 ms: today's 1,700 x 2.06),
    # two KPIs without a baseline, no evaluation suite: integration, maintenance, scale and
    # evaluation block the go.
    {"as_of": AS_OF - timedelta(days=21), "latency": 2.06, "wired": False,
     "no_baseline": 2, "suite": (False, False, 0)},
    # Monitoring and alerting wired, p95 at 1.1x the SLO (2,800 ms, partial), one KPI still
    # without a baseline, still no evaluation suite: evaluation blocks.
    {"as_of": AS_OF - timedelta(days=14), "latency": 1.62, "wired": True,
     "no_baseline": 1, "suite": (False, False, 0)},
    # p95 within the SLO and every KPI baselined; grading is automated but there is no failure
    # taxonomy or regression set yet, a failed major check: evaluation still holds it back.
    {"as_of": AS_OF - timedelta(days=7), "latency": 1.0, "wired": True,
     "no_baseline": 0, "suite": (True, False, 0)},
]  # fmt: skip
#: Locust's response-time columns (``*_stats.csv`` and ``*_stats_history.csv``).
LATENCY_COLUMNS = {
    "Median Response Time", "Average Response Time", "Min Response Time", "Max Response Time",
    "50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%",
    "Total Median Response Time", "Total Average Response Time", "Total Min Response Time",
    "Total Max Response Time",
}  # fmt: skip


def week_folder(as_of: datetime) -> str:
    """The folder of one week's files, relative to support_copilot's project file."""
    return f"history/{as_of:%Y-%m-%d}"


def read_csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """A CSV file's header and rows, as text."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def tickets_then(path: Path, as_of: datetime) -> tuple[list[str], list[list[str]]]:
    """The tickets created by ``as_of``; one resolved later was still pending then."""
    header, rows = read_csv_rows(path)
    col = {name: i for i, name in enumerate(header)}
    cutoff = f"{as_of:%Y-%m-%d %H:%M:%S}"
    kept = []
    for row in rows:
        if row[col["created_at"]] > cutoff:
            continue
        if row[col["resolved_at"]] > cutoff:
            row = list(row)
            row[col["resolved_at"]] = row[col["csat"]] = ""
            row[col["status"]] = "pending"
        kept.append(row)
    return header, kept


def _scaled(text: str, factor: float) -> str:
    if text in ("", "N/A") or factor == 1.0:
        return text
    value = float(text) * factor
    if "." in text:
        return f"{value:.{len(text.split('.')[1])}f}"
    return str(int(locust_round(np.array([value]))[0]))


def load_test_then(
    path: Path, factor: float, shift: timedelta
) -> tuple[list[str], list[list[str]]]:
    """A Locust CSV run ``shift`` earlier, with response times ``factor`` times today's."""
    header, rows = read_csv_rows(path)
    out = []
    for row in rows:
        cells = [
            _scaled(v, factor) if h in LATENCY_COLUMNS else v
            for h, v in zip(header, row, strict=True)
        ]
        if header[0] == "Timestamp":
            cells[0] = str(int(cells[0]) - int(shift.total_seconds()))
        out.append(cells)
    return header, out


def week_files(week: dict[str, Any]) -> dict[str, str]:
    """The files of support_copilot that differ in one week: {path as project.yml names it: file}."""
    folder = week_folder(week["as_of"])
    files = {
        "data/tickets.csv": f"{folder}/tickets.csv",
        "load/copilot_stats.csv": f"{folder}/copilot_stats.csv",
        "load/copilot_stats_history.csv": f"{folder}/copilot_stats_history.csv",
        "evaluation.yml": f"{folder}/evaluation.yml",
    }
    if not week["wired"]:
        files["inventory/systems.yml"] = f"{folder}/systems.yml"
    return files


def history_yaml() -> str:
    """portfolio.yml's ``history:`` block: each week's as-of and support_copilot's files."""
    block = "history:\n"
    for week in HISTORY_WEEKS:
        block += f"  - as_of: {week['as_of']:%Y-%m-%dT%H:%M:%SZ}\n    evidence:\n"
        block += "      support_copilot:\n"
        block += "".join(f"        {old}: {new}\n" for old, new in week_files(week).items())
    return block


def support_copilot_history(w: Writer) -> None:
    """Write support_copilot's earlier weeks, derived from its files of today (written first)."""
    base = "projects/support_copilot"
    root = w.root / base
    inventory = yaml.safe_load((root / "inventory/systems.yml").read_text(encoding="utf-8"))
    plan = yaml.safe_load((root / "evaluation.yml").read_text(encoding="utf-8"))
    for week in HISTORY_WEEKS:
        as_of: datetime = week["as_of"]
        files = {old: f"{base}/{new}" for old, new in week_files(week).items()}
        w.csv(files["data/tickets.csv"], *tickets_then(root / "data/tickets.csv", as_of))
        for name in ("copilot_stats.csv", "copilot_stats_history.csv"):
            header, rows = load_test_then(root / "load" / name, week["latency"], AS_OF - as_of)
            w.csv(files[f"load/{name}"], header, rows)
        if "inventory/systems.yml" in files:
            unwired = [
                s for s in inventory["systems"] if s["role"] not in ("monitoring", "alerting")
            ]
            w.yaml(
                files["inventory/systems.yml"],
                {**inventory, "systems": unwired},
                f"The support copilot's systems on {as_of:%Y-%m-%d}: no monitoring or alerting yet.",
            )
        grading, taxonomy, regression_set = week["suite"]
        kpis = [dict(k) for k in plan["kpis"]]
        for kpi in kpis[len(kpis) - week["no_baseline"] :]:
            kpi["baseline"] = None
            kpi["instrumented"] = False
        w.yaml(
            files["evaluation.yml"],
            {
                **plan,
                "automated_grading": grading,
                "failure_taxonomy": taxonomy,
                "regression_set_size": regression_set,
                "kpis": kpis,
            },
            f"The support copilot's evaluation plan on {as_of:%Y-%m-%d}.",
        )
