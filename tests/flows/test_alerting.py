"""Alerting rules and Alertmanager routes read as promtool and amtool read them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from core.errors import ConfigError
from flows.config import load_model
from flows.evidence import Evidence
from flows.evidence.alerting import (
    AlertmanagerConfig,
    LoadedRule,
    RuleFile,
    alert_labels,
    measure_alerting,
    parse_matchers,
    route_receivers,
)
from tests.services import missing

FIXTURES = Path(__file__).parents[1] / "fixtures" / "operations"
SIGNALS = {
    "latency": ["latency", "duration"],
    "errors": ["error", r'code=~"5'],
    "saturation": ["saturat", "cpu", "memory"],
    "quality": ["drift", "psi"],
}


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        missing(
            name, f"{name} is not installed (Debian package prometheus / prometheus-alertmanager)"
        )
    assert found
    return found


def _rules() -> list[LoadedRule]:
    parsed = load_model(RuleFile, FIXTURES / "alert_rules.yml")
    return [
        LoadedRule(FIXTURES / "alert_rules.yml", g.name, None, r)
        for g in parsed.groups
        for r in g.rules
        if r.alert
    ]


def test_rule_files_accepted_and_refused_like_promtool() -> None:
    promtool = _tool("promtool")
    good = FIXTURES / "alert_rules.yml"
    assert (
        subprocess.run([promtool, "check", "rules", str(good)], capture_output=True).returncode == 0
    )
    assert len(load_model(RuleFile, good).groups) == 2
    for bad in sorted((FIXTURES / "bad").glob("*.yml")):
        checked = subprocess.run([promtool, "check", "rules", str(bad)], capture_output=True)
        assert checked.returncode != 0, bad.name
        with pytest.raises(ConfigError) as refused:
            load_model(RuleFile, bad)
        problem = refused.value.problems[0]
        assert problem.source == str(bad)
        assert problem.column and problem.column.startswith("groups"), (bad.name, problem)


def test_alertmanager_configs_accepted_and_refused_like_amtool() -> None:
    amtool = _tool("amtool")
    good = FIXTURES / "alertmanager.yml"
    assert subprocess.run([amtool, "check-config", str(good)], capture_output=True).returncode == 0
    config = load_model(AlertmanagerConfig, good)
    assert not config.receiver("default-null").delivers
    assert config.receiver("ml-pager").delivers
    for bad in sorted((FIXTURES / "bad_alertmanager").glob("*.yml")):
        assert subprocess.run([amtool, "check-config", str(bad)], capture_output=True).returncode
        with pytest.raises(ConfigError) as refused:
            load_model(AlertmanagerConfig, bad)
        assert refused.value.problems[0].source == str(bad)
    with pytest.raises(ConfigError, match="undefined receiver 'ml-pagr'"):
        load_model(AlertmanagerConfig, FIXTURES / "bad_alertmanager" / "unknown_receiver.yml")


@pytest.mark.parametrize(
    "labels",
    [
        {"job": "churn-api", "severity": "page", "alertname": "X"},
        {"job": "churn-api", "severity": "ticket"},
        {"job": "churn-batch", "severity": "ticket", "signal": "quality"},
        {"job": "billing", "severity": "page"},
        {"job": "billing"},
        {"job": "other"},
        {"job": "churn-", "severity": "ticket"},
        {"job": "xchurn-api", "severity": "ticket"},
    ],
)
def test_routing_agrees_with_amtool(labels: dict[str, str]) -> None:
    amtool = _tool("amtool")
    config = load_model(AlertmanagerConfig, FIXTURES / "alertmanager.yml")
    args = [f"{k}={v}" for k, v in labels.items()]
    tested = subprocess.run(
        [
            amtool,
            "config",
            "routes",
            "test",
            f"--config.file={FIXTURES / 'alertmanager.yml'}",
            *args,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert route_receivers(config.route, labels) == tested.stdout.strip().split(",")


EXAMPLE = Path(__file__).parents[2] / "examples" / "projects" / "churn_predictor" / "ops"


@pytest.mark.parametrize("folder", [FIXTURES, EXAMPLE], ids=["fixture", "example"])
def test_every_rule_routes_as_amtool_says(folder: Path) -> None:
    promtool, amtool = _tool("promtool"), _tool("amtool")
    rules, routes = folder / "alert_rules.yml", folder / "alertmanager.yml"
    assert (
        subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True).returncode
        == 0
    )
    assert (
        subprocess.run([amtool, "check-config", str(routes)], capture_output=True).returncode == 0
    )
    config = load_model(AlertmanagerConfig, routes)
    parsed = load_model(RuleFile, rules)
    for rule in (r for g in parsed.groups for r in g.rules if r.alert):
        labels = alert_labels(rule)
        tested = subprocess.run(
            [
                amtool,
                "config",
                "routes",
                "test",
                f"--config.file={routes}",
                *[f"{k}={v}" for k, v in labels.items()],
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert route_receivers(config.route, labels) == tested.stdout.strip().split(","), labels


def test_matchers_parse_like_alertmanager() -> None:
    matchers = parse_matchers('{job=~"churn-.*", severity!="ticket", team=ml}')
    assert [(m.name, m.op, m.value) for m in matchers] == [
        ("job", "=~", "churn-.*"),
        ("severity", "!=", "ticket"),
        ("team", "=", "ml"),
    ]
    assert matchers[0].matches({"job": "churn-api"})
    assert not matchers[0].matches({"job": "xchurn-api"})  # anchored
    assert matchers[1].matches({})  # a missing label is the empty value
    with pytest.raises(ValueError):
        parse_matchers("job")


def test_coverage_per_service_and_signal() -> None:
    config = load_model(AlertmanagerConfig, FIXTURES / "alertmanager.yml")
    evidence = Evidence()
    services = {"churn-api": ['job="churn-api"'], "churn-batch": ['job="churn-batch"']}
    measure_alerting(evidence, services, _rules(), config, SIGNALS)
    cells = {
        (r["service"], r["signal"]): (r["alerts"], r["delivering_alerts"])
        for r in evidence.tables["raw_alert_coverage"]
    }
    assert cells[("churn-api", "latency")] == (1, 1)
    assert cells[("churn-api", "errors")] == (1, 1)
    assert cells[("churn-api", "saturation")] == (1, 1)
    assert cells[("churn-api", "quality")] == (0, 0)
    assert cells[("churn-batch", "quality")] == (1, 1)
    assert cells[("churn-batch", "latency")] == (0, 0)
    rules = {r["alert"]: r for r in evidence.tables["raw_alert_rules"]}
    assert "OtherServiceDown" not in rules
    assert rules["ChurnApiHighLatency"]["receivers"] == "ml-pager"
    # Without Alertmanager nothing is shown to deliver.
    alone = Evidence()
    measure_alerting(alone, services, _rules(), None, SIGNALS)
    assert all(r["delivering_alerts"] == 0 for r in alone.tables["raw_alert_coverage"])


def test_a_dead_end_receiver_does_not_deliver(tmp_path: Path) -> None:
    config_path = tmp_path / "am.yml"
    config_path.write_text(
        (FIXTURES / "alertmanager.yml")
        .read_text()
        .replace("receiver: ml-tickets", "receiver: default-null")
    )
    config = load_model(AlertmanagerConfig, config_path)
    evidence = Evidence()
    measure_alerting(evidence, {"churn-batch": ['job="churn-batch"']}, _rules(), config, SIGNALS)
    quality = [r for r in evidence.tables["raw_alert_coverage"] if r["signal"] == "quality"]
    assert quality == [
        {"service": "churn-batch", "signal": "quality", "alerts": 1, "delivering_alerts": 0}
    ]
