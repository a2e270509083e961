"""Alerting: Prometheus alerting-rule files and Alertmanager's route tree, for the project's services.

Read as the tools read them: a rule file is ``groups:`` of ``rules:`` (unknown keys, a rule without
``expr``, both ``alert`` and ``record``, a bad duration or label name, a repeated group name are
refused, as ``promtool check rules`` refuses them); Alertmanager's file needs a root ``route`` with
a receiver and no matchers, and every receiver a route names must be defined (as ``amtool
check-config`` says). The expression itself (PromQL) is not parsed: only its selectors' equality
matchers are read, as the labels the alert carries.

Measured per service the project declares (a name and Alertmanager matchers):
- which alerting rules cover it: the rule's labels, with the equality matchers of its expression's
  selectors (``job="churn-api"``), satisfy every matcher of the service;
- which signals each covers (latency, errors, saturation, quality...): the rule's own ``signal``
  label, else the rubric's ``alert_signals`` patterns searched in its name, expression and labels;
- where each routes: the receivers Alertmanager's route tree gives its labels (matchers, ``match``
  and ``match_re``, ``continue``, the default route; as ``amtool config routes test``), and whether
  one of them delivers somewhere (a receiver without any ``*_configs`` is a dead end).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from flows.alert_matchers import Matcher, parse_matchers, unquote
from flows.evidence import Evidence

KIND_RULES = "alert_rules"
KIND_ALERTMANAGER = "alertmanager"

_DURATION = re.compile(r"^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$")
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_SELECTOR = re.compile(r"\{([^{}]*)\}")
_EQUALITY = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"')


def _duration(value: str | None) -> str | None:
    if value is not None and (value == "" or not _DURATION.match(value)):
        raise ValueError(f"{value!r} is not a duration; expected such as 5m, 1h30m or 30s")
    return value


# --- Prometheus rule files ----------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PrometheusRule(_Strict):
    """One rule of a group: an alerting rule (``alert``) or a recording rule (``record``)."""

    alert: str | None = None
    record: str | None = None
    expr: str
    for_: str | None = Field(default=None, alias="for")
    keep_firing_for: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)

    _durations = field_validator("for_", "keep_firing_for")(_duration)

    @model_validator(mode="after")
    def _valid(self) -> PrometheusRule:
        if (self.alert is None) == (self.record is None):
            raise ValueError("a rule has either 'alert' or 'record', exactly one of them")
        if not self.expr.strip():
            raise ValueError("'expr' must not be empty")
        if self.record is not None:
            if not _METRIC_NAME.match(self.record):
                raise ValueError(f"invalid recording rule name {self.record!r}")
            if self.for_ or self.annotations:
                raise ValueError("a recording rule has no 'for' nor 'annotations'")
        elif not self.alert:
            raise ValueError("'alert' must not be empty")
        for name in [*self.labels, *self.annotations]:
            if not _LABEL_NAME.match(name) or name == "__name__":
                raise ValueError(f"invalid label or annotation name {name!r}")
        return self


class RuleGroup(_Strict):
    """A group of rules evaluated together."""

    name: str
    interval: str | None = None
    limit: int | None = None
    rules: list[PrometheusRule] = Field(default_factory=list)

    _durations = field_validator("interval")(_duration)

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a group needs a name")
        return value


class RuleFile(_Strict):
    """A Prometheus rule file."""

    groups: list[RuleGroup]

    @field_validator("groups")
    @classmethod
    def _unique(cls, groups: list[RuleGroup]) -> list[RuleGroup]:
        names = [g.name for g in groups]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"groups need different names, repeated: {repeated}")
        return groups


# --- Alertmanager -------------------------------------------------------------------------------


class Route(_Strict):
    """A node of Alertmanager's route tree."""

    receiver: str | None = None
    group_by: list[str] | None = None
    group_wait: str | None = None
    group_interval: str | None = None
    repeat_interval: str | None = None
    match: dict[str, str] = Field(default_factory=dict)
    match_re: dict[str, str] = Field(default_factory=dict)
    matchers: list[str] = Field(default_factory=list)
    continue_: bool = Field(default=False, alias="continue")
    routes: list[Route] = Field(default_factory=list)
    mute_time_intervals: list[str] = Field(default_factory=list)
    active_time_intervals: list[str] = Field(default_factory=list)

    @field_validator("matchers")
    @classmethod
    def _parsable(cls, value: list[str]) -> list[str]:
        for text in value:
            parse_matchers(text)
        return value

    @field_validator("match_re")
    @classmethod
    def _regexes(cls, value: dict[str, str]) -> dict[str, str]:
        for name, pattern in value.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"match_re {name}: not a regular expression ({exc})") from exc
        return value


#: The integrations a receiver may have: any non-empty one delivers somewhere.
RECEIVER_CONFIGS = (
    "discord_configs",
    "email_configs",
    "jira_configs",
    "msteams_configs",
    "msteamsv2_configs",
    "opsgenie_configs",
    "pagerduty_configs",
    "pushover_configs",
    "rocketchat_configs",
    "slack_configs",
    "sns_configs",
    "telegram_configs",
    "victorops_configs",
    "webex_configs",
    "webhook_configs",
    "wechat_configs",
)


class Receiver(BaseModel):
    """A receiver: its name and its integrations."""

    model_config = ConfigDict(extra="forbid")

    name: str
    discord_configs: list[dict[str, Any]] | None = None
    email_configs: list[dict[str, Any]] | None = None
    jira_configs: list[dict[str, Any]] | None = None
    msteams_configs: list[dict[str, Any]] | None = None
    msteamsv2_configs: list[dict[str, Any]] | None = None
    opsgenie_configs: list[dict[str, Any]] | None = None
    pagerduty_configs: list[dict[str, Any]] | None = None
    pushover_configs: list[dict[str, Any]] | None = None
    rocketchat_configs: list[dict[str, Any]] | None = None
    slack_configs: list[dict[str, Any]] | None = None
    sns_configs: list[dict[str, Any]] | None = None
    telegram_configs: list[dict[str, Any]] | None = None
    victorops_configs: list[dict[str, Any]] | None = None
    webex_configs: list[dict[str, Any]] | None = None
    webhook_configs: list[dict[str, Any]] | None = None
    wechat_configs: list[dict[str, Any]] | None = None

    @property
    def delivers(self) -> bool:
        """True when the receiver has at least one integration."""
        return any(getattr(self, name) for name in RECEIVER_CONFIGS)


class AlertmanagerConfig(_Strict):
    """Alertmanager's configuration file."""

    global_: dict[str, Any] | None = Field(default=None, alias="global")
    route: Route
    receivers: list[Receiver] = Field(default_factory=list)
    inhibit_rules: list[dict[str, Any]] = Field(default_factory=list)
    templates: list[str] = Field(default_factory=list)
    mute_time_intervals: list[dict[str, Any]] = Field(default_factory=list)
    time_intervals: list[dict[str, Any]] = Field(default_factory=list)
    tracing: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> AlertmanagerConfig:
        names = [r.name for r in self.receivers]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"receivers need different names, repeated: {repeated}")
        if not self.route.receiver:
            raise ValueError("the root route must name a receiver")
        if self.route.match or self.route.match_re or self.route.matchers:
            raise ValueError("the root route must not have any matchers")
        if self.route.continue_:
            raise ValueError("the root route cannot have 'continue'")
        for path, route in walk_routes(self.route, "route"):
            if route.receiver and route.receiver not in names:
                raise ValueError(f"undefined receiver {route.receiver!r} used in {path}")
        return self

    def receiver(self, name: str) -> Receiver:
        """The receiver of this name (the configuration guarantees it exists)."""
        return next(r for r in self.receivers if r.name == name)


def walk_routes(route: Route, path: str) -> list[tuple[str, Route]]:
    """Every route of the tree with its key path (``route.routes.0.routes.1``)."""
    found = [(path, route)]
    for index, child in enumerate(route.routes):
        found.extend(walk_routes(child, f"{path}.routes.{index}"))
    return found


# --- matchers and routing -----------------------------------------------------------------------


def route_matchers(route: Route) -> list[Matcher]:
    """Every matcher of a route: ``match``, ``match_re`` and ``matchers``."""
    found = [Matcher(k, "=", v) for k, v in route.match.items()]
    found += [Matcher(k, "=~", v) for k, v in route.match_re.items()]
    for text in route.matchers:
        found += parse_matchers(text)
    return found


def route_receivers(route: Route, labels: dict[str, str], inherited: str = "") -> list[str]:
    """The receivers an alert with these labels reaches (Alertmanager's dispatch, in tree order).

    A route matches when all its matchers do; its children are tried in order, and the first that
    matches ends the search unless it has ``continue``; a matching route none of whose children
    match takes the alert itself. A route without a receiver uses its parent's.
    """
    if not all(m.matches(labels) for m in route_matchers(route)):
        return []
    receiver = route.receiver or inherited
    found: list[str] = []
    for child in route.routes:
        reached = route_receivers(child, labels, receiver)
        found.extend(reached)
        if reached and not child.continue_:
            break
    return found or [receiver]


# --- coverage -----------------------------------------------------------------------------------


def expression_labels(expr: str) -> dict[str, str]:
    """The equality matchers of an expression's selectors: labels its series carry."""
    labels: dict[str, str] = {}
    for selector in _SELECTOR.findall(expr):
        for name, value in _EQUALITY.findall(selector):
            if name != "__name__":
                labels.setdefault(name, unquote(f'"{value}"'))
    return labels


def alert_labels(rule: PrometheusRule) -> dict[str, str]:
    """The labels an alert of this rule carries, as far as its file says.

    ``alertname``, the expression's equality matchers and the rule's labels (which win).
    """
    return {**expression_labels(rule.expr), **rule.labels, "alertname": rule.alert or ""}


def rule_signals(rule: PrometheusRule, patterns: dict[str, list[str]]) -> list[str]:
    """The signals a rule covers: its ``signal`` label, else the rubric's patterns that match."""
    own = rule.labels.get("signal", "").strip().casefold()
    if own in patterns:
        return [own]
    text = " ".join([rule.alert or "", rule.expr, *rule.labels.values()])
    return [
        signal
        for signal, regexes in patterns.items()
        if any(re.search(regex, text, re.IGNORECASE) for regex in regexes)
    ]


@dataclass(frozen=True)
class LoadedRule:
    """An alerting rule with where it was found."""

    source: Path
    group: str
    line: int | None
    rule: PrometheusRule


def measure_alerting(
    evidence: Evidence,
    services: dict[str, list[str]],
    rules: list[LoadedRule],
    alertmanager: AlertmanagerConfig | None,
    patterns: dict[str, list[str]],
) -> None:
    """Rows of ``raw_alert_rules`` (each rule covering a service) and ``raw_alert_coverage``."""
    for service, texts in services.items():
        matchers = [m for text in texts for m in parse_matchers(text)]
        counts = {signal: [0, 0] for signal in patterns}
        for loaded in rules:
            labels = alert_labels(loaded.rule)
            if not all(m.matches(labels) for m in matchers):
                continue
            receivers = route_receivers(alertmanager.route, labels) if alertmanager else []
            delivers = any(alertmanager.receiver(r).delivers for r in receivers if alertmanager)
            signals = rule_signals(loaded.rule, patterns)
            for signal in signals:
                counts[signal][0] += 1
                counts[signal][1] += int(delivers)
            evidence.add(
                "raw_alert_rules",
                {
                    "service": service,
                    "source": str(loaded.source),
                    "group_name": loaded.group,
                    "alert": loaded.rule.alert,
                    "line_number": loaded.line,
                    "signals": ", ".join(signals) or None,
                    "receivers": ", ".join(receivers) or None,
                    "delivers": delivers,
                },
            )
        evidence.add(
            "raw_alert_coverage",
            [
                {"service": service, "signal": s, "alerts": n, "delivering_alerts": d}
                for s, (n, d) in counts.items()
            ],
        )
