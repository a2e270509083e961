"""What a project names of its operations artifacts: alerting, on-call, incidents, runbooks, retraining.

Kept apart from :mod:`flows.config` (which uses it for ``evidence.operations``) so that the
maintenance evidence has one module of configuration. Every file is a mapping with a ``path``, so
:mod:`flows.paths` confines it to the portfolio's folder and the measurement cache keys on it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from flows.alert_matchers import parse_matchers


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OperationsFile(_Strict):
    """One operations file of the project."""

    #: The file, relative to the project file.
    path: str


class OnCallFile(_Strict):
    """An on-call file: a PagerDuty API answer (JSON) or our plain CSV."""

    #: The file, relative to the project file.
    path: str
    #: ``pagerduty_schedule`` (GET /schedules/{id}), ``pagerduty_oncalls`` (GET /oncalls) or
    #: ``csv`` (columns ``start``, ``end``, ``person``).
    format: Literal["pagerduty_schedule", "pagerduty_oncalls", "csv"]


class RetrainingFile(_Strict):
    """A file that may hold the model's retraining schedule."""

    #: The file, relative to the project file.
    path: str
    #: ``prefect`` (a prefect.yaml), ``cron`` (a crontab) or ``airflow`` (a DAG file, read with
    #: ``ast``, never imported).
    format: Literal["prefect", "cron", "airflow"]


class Runbook(_Strict):
    """A runbook: a file of the portfolio, or a URL (only its form is checked, never fetched)."""

    #: The runbook file, relative to the project file.
    path: str | None = None
    #: The runbook's address (http or https).
    url: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Runbook:
        if (self.path is None) == (self.url is None):
            raise ValueError("a runbook is either a path or a url, exactly one of them")
        return self


class OperationsEvidence(_Strict):
    """The operations artifacts of the project (the maintenance gap)."""

    #: The project's services and how their alerts are labelled: service name -> matchers in
    #: Alertmanager's syntax (``job="churn-api"``, ``team=~"ml|data"``).
    services: dict[str, Annotated[list[str], Field(min_length=1)]] = Field(default_factory=dict)
    #: Prometheus alerting-rule files (``groups:`` / ``rules:``).
    alert_rules: list[OperationsFile] = Field(default_factory=list)
    #: Alertmanager's configuration file (route tree and receivers).
    alertmanager: OperationsFile | None = None
    #: On-call schedules and entries.
    on_call: list[OnCallFile] = Field(default_factory=list)
    #: PagerDuty incident exports (CSV).
    incidents: list[OperationsFile] = Field(default_factory=list)
    #: The incident runbooks.
    runbooks: list[Runbook] = Field(default_factory=list)
    #: Where the retraining schedule may be found.
    retraining: list[RetrainingFile] = Field(default_factory=list)
    #: The model whose retraining schedule is looked for (a deployment, DAG or cron line naming it).
    model: str | None = None

    @field_validator("services")
    @classmethod
    def _matchers(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, matchers in value.items():
            for matcher in matchers:
                try:
                    parse_matchers(matcher)
                except ValueError as exc:
                    raise ValueError(
                        f'service {name!r}: {exc}; expected label="value", label!="value", '
                        'label=~"regex" or label!~"regex"'
                    ) from exc
        return value
