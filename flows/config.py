"""Configuration as code: the portfolio, its projects, their evidence and field maps, and the rubric.

Every file is validated on load. A mistake raises :class:`~core.errors.ConfigError` listing every
problem with the file, the key (as a dotted path) and what was expected.
"""

from __future__ import annotations

import hashlib
import math
import re
import types
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args
from urllib.parse import urlsplit

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from core.errors import ConfigError, Problem
from core.gaps import GAP_IDS, GapId
from flows import safe_yaml
from flows.operations_config import OperationsEvidence
from flows.paths import local_paths
from flows.sources import mask_urls, url_secrets


def _guard() -> types.ModuleType:
    """The SQL guard (sqlglot), imported when a validator first needs it.

    Commands that load no configuration (``--help``, ``status``) do not pay for sqlglot.
    """
    from flows import sql_guard

    return sql_guard


Severity = Literal["critical", "major", "minor"]
FieldType = Literal["string", "integer", "number", "boolean", "date", "timestamp"]
SystemRole = Literal[
    "auth",
    "crm",
    "erp",
    "logging",
    "monitoring",
    "alerting",
    "deployment",
    "data_store",
    "feature_store",
    "model_serving",
    "llm_provider",
    "vector_store",
    "ticketing",
    "api_gateway",
    "identity",
    "other",
]
SYSTEM_ROLES: tuple[str, ...] = get_args(SystemRole)
StakeholderGroup = Literal[
    "legal",
    "compliance",
    "it_security",
    "operations",
    "business_sponsor",
    "affected_team",
    "data_science",
]

STAKEHOLDER_GROUPS: tuple[str, ...] = get_args(StakeholderGroup)

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_ID = r"^[a-z][a-z0-9_]*$"


def parse_duration(text: str) -> timedelta:
    """Parse ``"36h"``, ``"7d"``, ``"90m"``, ``"2w"`` or ``"30s"`` into a timedelta."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"expected a duration such as '36h', '7d' or '2w', got {text!r}")
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- field maps -------------------------------------------------------------------------------


class FieldSpec(_Strict):
    """What the model needs of one field of a dataset."""

    #: The type the model needs; a value that is not of it is a validity failure.
    type: FieldType = "string"
    #: Whether the model needs a value in every row (completeness is judged on required fields).
    required: bool = True
    #: The only values the field may hold.
    allowed: list[str | int | float | bool] | None = None
    #: The smallest value allowed (a finite number).
    min: Annotated[float, Field(allow_inf_nan=False)] | None = None
    #: The largest value allowed (a finite number).
    max: Annotated[float, Field(allow_inf_nan=False)] | None = None
    #: A regular expression every value must match whole.
    pattern: str | None = None
    #: Other names under which the field may appear (so a rename is detected as drift, not a loss).
    aliases: list[str] = Field(default_factory=list)
    #: Whether the field holds personal values (emails, names, phone numbers, IP addresses):
    #: true counts it only and masks its examples; false opts a wrongly detected field out;
    #: unset (the default) detects it from its name and values (docs/evidence.md).
    personal: bool | None = None

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            _guard().check_pattern(value)  # in Python and in DuckDB's engine alike
        return value

    @field_validator("allowed")
    @classmethod
    def _allowed_values(cls, value: list[Any] | None) -> list[Any] | None:
        for item in value or []:
            if isinstance(item, float) and not math.isfinite(item):
                raise ValueError(f"allowed values must be finite numbers, got {item}")
            if isinstance(item, str) and "\x00" in item:
                raise ValueError("an allowed value holds a NUL character")
        return value

    @field_validator("aliases")
    @classmethod
    def _alias_names(cls, value: list[str]) -> list[str]:
        for alias in value:
            _guard().check_name(alias, "alias")
        return value

    @model_validator(mode="after")
    def _range_ordered(self) -> FieldSpec:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is greater than max ({self.max:g})")
        return self


class CrossFieldRule(_Strict):
    """A condition every row must meet, as a SQL boolean expression over the dataset's fields."""

    #: The rule's id (lower case, digits, _), as the check names it.
    name: Annotated[str, Field(pattern=_ID)]
    #: One condition over the dataset's columns: operators, literals, casts and the scalar
    #: functions of docs/evidence.md; no statement, subquery, table function or comment.
    expression: str
    #: What the rule means, in words.
    description: str = ""

    @model_validator(mode="after")
    def _one_condition(self) -> CrossFieldRule:
        try:
            _guard().check_condition(self.expression)
        except _guard().RefusedSQL as exc:
            raise ValueError(f"rule {self.name}: {exc}") from None
        return self


class Relationship(_Strict):
    """Every value of ``field`` must exist in ``to_field`` of another dataset of the same project."""

    #: The field of this dataset that points to another dataset.
    field: str
    #: The other dataset of the same project.
    dataset: str
    #: The field of the other dataset that must hold every value.
    to_field: str

    @field_validator("field", "to_field")
    @classmethod
    def _names(cls, value: str) -> str:
        return _guard().check_name(value, "field name")


class FieldMap(_Strict):
    """What the model depends on in one dataset: fields, keys, freshness, rules, relationships."""

    #: Each field the model needs, by name, with its rules.
    fields: dict[str, FieldSpec]
    #: The field(s) whose values must be unique.
    key: list[str] = Field(default_factory=list)
    #: The field holding each record's time (freshness is measured on it).
    timestamp: str | None = None
    #: How old the newest record may be at as-of, e.g. 36h, 7d, 2w.
    max_age: str | None = None
    #: Conditions every row must meet.
    rules: list[CrossFieldRule] = Field(default_factory=list)
    #: Values that must exist in another dataset of the project.
    relationships: list[Relationship] = Field(default_factory=list)

    @field_validator("max_age")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value

    @field_validator("fields")
    @classmethod
    def _field_names(cls, value: dict[str, FieldSpec]) -> dict[str, FieldSpec]:
        for name in value:
            _guard().check_name(name, "field name")
        return value

    @model_validator(mode="after")
    def _refer_to_declared_fields(self) -> FieldMap:
        for column in [*self.key, *([self.timestamp] if self.timestamp else [])]:
            if column not in self.fields:
                raise ValueError(
                    f"{column!r} is used as key or timestamp but not declared in fields"
                )
        if self.max_age and not self.timestamp:
            raise ValueError("max_age needs a timestamp field")
        return self

    @property
    def max_age_seconds(self) -> float | None:
        """The declared maximum age, in seconds."""
        return parse_duration(self.max_age).total_seconds() if self.max_age else None


class DatasetEvidence(_Strict):
    """One production dataset the model depends on, with its field map and optional POC sample.

    ``source`` is a path, folder or glob, ``s3://bucket/key-or-prefix``, or a ``postgresql://``
    URL with ``table`` or ``query``. CSV options left out are detected.
    """

    #: The dataset's id in this project (lower case, digits, _).
    name: Annotated[str, Field(pattern=_ID)]
    #: Where the data lives: a file, folder or glob (inside the portfolio),
    #: s3://bucket/key-or-prefix, or a postgresql:// URL.
    source: str
    #: For a postgresql:// source: the table ([schema.]name) to audit.
    table: str | None = None
    #: For a postgresql:// source: one read-only SELECT to audit instead of a table.
    query: str | None = None
    #: The file format; left out, it is taken from the file name.
    format: Literal["csv", "parquet", "json", "ndjson", "excel"] | None = None
    #: CSV: the field separator (left out: detected).
    delimiter: Annotated[str, Field(min_length=1, max_length=1)] | None = None
    #: CSV: the quote character (left out: detected).
    quote: Annotated[str, Field(min_length=1, max_length=1)] | None = None
    #: CSV: whether the first line names the columns (left out: detected).
    header: bool | None = None
    #: CSV: the text encoding (left out: detected).
    encoding: Literal["utf-8", "utf-16", "latin-1"] | None = None
    #: The same dataset as the POC saw it, to measure how far production has moved from it.
    poc_sample: str | None = None
    #: What the model needs of the dataset.
    field_map: FieldMap

    @model_validator(mode="after")
    def _table_or_query(self) -> DatasetEvidence:
        postgres = self.source.startswith(("postgresql://", "postgres://"))
        if postgres and bool(self.table) == bool(self.query):
            raise ValueError("a postgresql:// source needs exactly one of table or query")
        if not postgres and (self.table or self.query):
            raise ValueError("table and query apply only to a postgresql:// source")
        return self

    @field_validator("table")
    @classmethod
    def _table_name(cls, value: str | None) -> str | None:
        return None if value is None else _guard().check_table(value)

    @field_validator("query")
    @classmethod
    def _one_select(cls, value: str | None) -> str | None:
        if value is not None:
            _guard().check_query(value)  # exactly one SELECT that only reads
        return value


# --- other evidence ---------------------------------------------------------------------------


class InventoryEvidence(_Strict):
    """The systems the AI must live inside."""

    #: The inventory file: our CSV or YAML, or a Backstage catalog-info.yaml.
    path: str
    #: The inventory's format; left out, it is taken from the file.
    format: Literal["csv", "yaml", "backstage"] | None = None


class SurveyEvidence(_Strict):
    """Stakeholder survey answers and the question bank that gives them meaning."""

    #: The survey export file, as the tool wrote it.
    path: str
    #: The tool that wrote the export.
    format: Literal["long_csv", "qualtrics", "google_forms", "ms_forms"] = "long_csv"
    #: This export's own question bank (default: the portfolio's).
    question_bank: str | None = None
    #: In tool exports: the question (id or text) whose answer names the respondent's group.
    group_question: str | None = None
    #: In tool exports: answer label -> stakeholder group (case-insensitive), for that question.
    group_labels: dict[str, StakeholderGroup] = Field(default_factory=dict)
    #: The group of every respondent, when the whole export comes from one group.
    group: StakeholderGroup | None = None
    #: The Likert scale of this export (5 or 7 points); when absent, the question bank's
    #: ``scale_points``. Never inferred from the answers: an answer off the scale is refused.
    scale_points: Literal[5, 7] | None = None


#: What ``evidence.survey`` must be, in the words a person reads.
SURVEY_EXPECTED = (
    "expected a mapping such as {path: survey.csv, format: google_forms} or a list of them"
)


class LoadTestEvidence(_Strict):
    """A load test result (Locust, k6 or JMeter) and the concurrency it ran at."""

    #: The load test's results file (Locust's *_stats.csv, k6's --summary-export JSON, JMeter's
    #: JTL CSV).
    path: str
    #: The load test tool that wrote the file.
    format: Literal["locust", "k6", "jmeter"] = "locust"
    #: The concurrent users the test ran with; k6 and JMeter files say it themselves (the most
    #: virtual users or threads active), Locust's stats file does not, so Locust needs it.
    users: Annotated[int, Field(gt=0)] | None = None
    #: Locust's *_stats_history.csv of the same run (the window at the target concurrency is
    #: judged).
    history_path: str | None = None

    @model_validator(mode="after")
    def _users_known(self) -> LoadTestEvidence:
        if self.format == "locust" and self.users is None:
            raise ValueError("a Locust stats file needs users: the concurrency the test ran at")
        if self.history_path and self.format != "locust":
            raise ValueError(
                "history_path is Locust's *_stats_history.csv; only format locust has one"
            )
        return self


class LlmUsageEvidence(_Strict):
    """LLM call logs or a provider's usage export: the tokens requests really use."""

    #: The file: JSON lines with OpenAI's ``usage`` per call, or OpenAI's usage export (CSV).
    path: str
    #: ``call_log``: one JSON object per line holding OpenAI's ``usage`` (a chat completion or
    #: Responses API object, or a line of a Batch API output file); ``openai_usage_csv``: the
    #: completions usage buckets of OpenAI's Usage API as CSV.
    format: Literal["call_log", "openai_usage_csv"] = "call_log"


#: A secret named, never written: ``${NAME}`` or ``${secret:BLOCK}`` (flows/secrets.py).
_SECRET_NAME = re.compile(r"\$\{(secret:[a-z0-9][a-z0-9-]*|[A-Za-z_][A-Za-z0-9_]*)\}")


def check_server_fields(entry: EvalResultsEvidence) -> None:
    """A results file (path) or an MLflow tracking server (tracking_uri, experiment), not both."""
    if entry.tracking_uri is None:
        if entry.path is None:
            raise ValueError("give path (the results file or store) or, for mlflow, tracking_uri")
        if entry.experiment or entry.token:
            raise ValueError("experiment and token apply to an MLflow tracking_uri")
        return
    if entry.format != "mlflow":
        raise ValueError("tracking_uri applies to format mlflow only")
    if entry.path is not None:
        raise ValueError("give path or tracking_uri, not both")
    parts = urlsplit(entry.tracking_uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("tracking_uri: expected the tracking server's http:// or https:// URL")
    if parts.password or url_secrets(entry.tracking_uri):
        raise ValueError("tracking_uri must not hold a secret: name the server's token in token")
    if not entry.experiment:
        raise ValueError("tracking_uri needs experiment: the name of the experiment to read")
    if entry.token is not None and not _SECRET_NAME.fullmatch(entry.token):
        raise ValueError("token: name the secret (${NAME} or ${secret:BLOCK}), never write it")


def check_owner_urls(owner_urls: Any, check_urls: Callable[[Any], Any]) -> dict[str, Any]:
    """``alerts.owner_urls`` validated: owner names (never contact details) -> Apprise URLs.

    ``check_urls`` is the portfolio's check of a list of Apprise URLs (it expands secrets). Errors
    are of type "secret", so that a refused URL is never echoed.
    """
    from flows.privacy import personal_kind

    if not isinstance(owner_urls, dict):
        raise PydanticCustomError("secret", "must be a mapping: owner name -> list of Apprise URLs")
    checked_urls: dict[str, Any] = {}
    for name, urls in owner_urls.items():
        if not isinstance(name, str) or not name.strip():
            raise PydanticCustomError("secret", "an owner name must be a non-empty text")
        if personal_kind(name.strip()):
            raise PydanticCustomError(
                "secret", "an owner name must be a name or a team handle, not contact details"
            )
        try:
            checked_urls[name.strip()] = check_urls(urls)
        except PydanticCustomError as exc:
            raise PydanticCustomError("secret", f"{name.strip()}: {exc.message()}") from None
    return checked_urls


class EvalResultsEvidence(_Strict):
    """What an evaluation tool wrote: promptfoo results, an Inspect log, an MLflow store, graded examples."""

    #: The results file (promptfoo JSON or JSONL, Inspect JSON log, graded examples CSV or JSONL) or
    #: the MLflow store folder (``mlruns/``) or its SQLite file. Give it, or ``tracking_uri``.
    path: str | None = None
    #: The tool that wrote it.
    format: Literal["promptfoo", "inspect", "mlflow", "graded_examples"]
    #: Graded examples with a score but no pass column pass at this score or above.
    pass_score: Annotated[float, Field(ge=0, le=1)] = 0.5
    #: format mlflow: the tracking server's URL (http:// or https://), read with the mlflow client.
    tracking_uri: str | None = None
    #: With tracking_uri: the name of the experiment whose runs are read.
    experiment: str | None = None
    #: With tracking_uri: the server's token, named, never written: ${NAME} or ${secret:BLOCK}
    #: (a name READINESS_SOURCE_SECRETS lists).
    token: str | None = None

    @model_validator(mode="after")
    def _file_or_server(self) -> EvalResultsEvidence:
        check_server_fields(self)
        return self


class KpiColumns(_Strict):
    """Which of a KPI source's columns holds the date, the KPI's name and its value."""

    #: The column holding each point's date.
    date: str = "date"
    #: The column holding the KPI's name.
    kpi: str = "kpi"
    #: The column holding the measured value.
    value: str = "value"

    @field_validator("date", "kpi", "value")
    @classmethod
    def _column_name(cls, value: str) -> str:
        return _guard().check_name(value, "column name")


class KpiDataEvidence(_Strict):
    """The business KPIs as measured: a KPI export (CSV: date, kpi, value) or any dataset source.

    Give ``path`` (the CSV export) or ``source``: a file, folder or glob, s3://bucket/key-or-prefix
    or a postgresql:// URL with ``table`` or ``query``, as the datasets write them.
    """

    #: The KPI export (CSV: date, kpi, value).
    path: str | None = None
    #: Or the KPIs as a dataset source: a file, folder or glob (inside the portfolio),
    #: s3://bucket/key-or-prefix, or a postgresql:// URL.
    source: str | None = None
    #: For a postgresql:// source: the table ([schema.]name) holding the KPIs.
    table: str | None = None
    #: For a postgresql:// source: one read-only SELECT instead of a table.
    query: str | None = None
    #: For a source: the file format; left out, it is taken from the file name.
    format: Literal["csv", "parquet", "json", "ndjson", "excel"] | None = None
    #: For a source whose columns are named otherwise: which column holds date, kpi and value.
    columns: KpiColumns = Field(default_factory=KpiColumns)
    #: How often each KPI is measured, in days (1 daily, 7 weekly, 30 monthly).
    cadence_days: Annotated[int, Field(gt=0, le=366)] = 7
    #: The day the AI went (or goes) live: points before it measure the baseline.
    launch_date: date | None = None

    @field_validator("table", "query")
    @classmethod
    def _sql(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Checked as a dataset's table and query are.
        if info.field_name == "table":
            return DatasetEvidence._table_name(value)
        return DatasetEvidence._one_select(value)

    @model_validator(mode="after")
    def _path_or_source(self) -> KpiDataEvidence:
        from flows.sources import parse_source

        if (self.path is None) == (self.source is None):
            raise ValueError("give path (a KPI export) or source (a dataset source), not both")
        if self.source is not None:
            parse_source(self.source, table=self.table, query=self.query)
        elif self.table or self.query or self.format:
            raise ValueError("table, query and format apply to a source, not to path")
        return self


class Evidence(_Strict):
    """Every piece of evidence of one project; each kind is optional, missing means no evidence."""

    #: The production datasets the model depends on.
    datasets: list[DatasetEvidence] = Field(default_factory=list)
    #: The systems the AI must live inside.
    inventory: InventoryEvidence | None = None
    #: Every survey export of the project (one mapping is read as a list of one).
    survey: list[SurveyEvidence] = Field(default_factory=list)
    #: Load test results at given concurrencies.
    load_tests: list[LoadTestEvidence] = Field(default_factory=list)
    #: The unit-economics file (cost assumptions).
    costs: str | None = None
    #: LLM call logs and usage exports (measured tokens per request replace the assumptions).
    llm_usage: list[LlmUsageEvidence] = Field(default_factory=list)
    #: The evaluation plan file.
    evaluation: str | None = None
    #: Evaluation results as the tools wrote them (promptfoo, Inspect, MLflow, graded examples).
    eval_results: list[EvalResultsEvidence] = Field(default_factory=list)
    #: The business KPIs as measured (a KPI export, or a dataset source: file, S3, PostgreSQL).
    kpi_data: KpiDataEvidence | None = None
    #: Operations artifacts: alerting, on-call, incidents, runbooks, retraining.
    operations: OperationsEvidence | None = None

    @field_validator("survey", mode="before")
    @classmethod
    def _survey_list(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, dict | SurveyEvidence):
            return [value]
        if not isinstance(value, list | tuple):
            raise PydanticCustomError("plain", SURVEY_EXPECTED)
        return value

    @model_validator(mode="after")
    def _surveys_apart(self) -> Evidence:
        paths = [s.path for s in self.survey]
        repeated = sorted({p for p in paths if paths.count(p) > 1})
        if repeated:
            raise ValueError(f"survey entries must name different files, repeated: {repeated}")
        banks = sorted({s.question_bank for s in self.survey if s.question_bank})
        if len(banks) > 1:
            raise ValueError(
                f"every survey entry of a project uses one question bank, found: {banks}"
            )
        return self

    @model_validator(mode="after")
    def _unique_dataset_names(self) -> Evidence:
        names = [d.name for d in self.datasets]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"dataset names must be unique, repeated: {duplicates}")
        known = set(names)
        for dataset in self.datasets:
            for rel in dataset.field_map.relationships:
                if rel.dataset not in known:
                    raise ValueError(
                        f"dataset {dataset.name!r} relates to unknown dataset {rel.dataset!r}"
                    )
        return self


class ServiceLevels(_Strict):
    """What production must sustain."""

    #: The 95th percentile latency production must keep, in milliseconds, at the target
    #: concurrency.
    p95_latency_ms: Annotated[float, Field(gt=0)]
    #: The largest share of failed requests production may have (0.01 is 1 %).
    max_error_rate: Annotated[float, Field(ge=0, le=1)]
    #: The concurrent users production must carry; load tests are judged at it.
    target_concurrency: Annotated[int, Field(gt=0)]


class ProjectAlerts(_Strict):
    """Where this project's own notifications go: its owners' channels (besides the portfolio's)."""

    #: Apprise URLs of the project's owners (a team channel, a mailing list); each a secret:
    #: write ${NAME} or ${secret:BLOCK}.
    urls: list[SecretStr] = Field(default_factory=list)

    @field_validator("urls", mode="before")
    @classmethod
    def _expand_and_check(cls, urls: Any) -> Any:
        return Alerts._expand_and_check(urls)  # the portfolio's check of Apprise URLs


class Project(_Strict):
    """One AI project under assessment."""

    #: The project's id (lower case, digits, _), unique in the portfolio.
    id: Annotated[str, Field(pattern=_ID)]
    #: The project's name as executives read it.
    name: str
    #: What the AI does and for whom, in one sentence.
    description: str = ""
    #: The business unit that owns the project (portfolio rollups group by it).
    business_unit: str = ""
    #: The person accountable for the move to production.
    owner: str = ""
    #: The system roles the AI must integrate with; each must be in the inventory.
    required_roles: list[SystemRole] = Field(default_factory=list)
    #: The stakeholder groups who must answer the survey.
    required_groups: list[StakeholderGroup] = Field(default_factory=list)
    #: What production must sustain.
    service_levels: ServiceLevels | None = None
    #: Every piece of evidence of the project; each kind is optional.
    evidence: Evidence = Field(default_factory=Evidence)
    #: Where the project's notifications go besides the portfolio's alert URLs.
    alerts: ProjectAlerts = Field(default_factory=ProjectAlerts)
    #: The lowest pass rate each evaluation metric must reach (metric name -> share, 0..1).
    quality_bar: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(default_factory=dict)
    #: The model version under assessment; the newest evaluation run must have evaluated it.
    model_version: str | None = None
    #: Who owns each role's actions: role -> a person's name or a team handle (never an email).
    owners: dict[str, str] = Field(default_factory=dict)
    #: The day the project means to launch; the roadmap on working days says if it is on track.
    target_launch: date | None = None
    #: Steering-committee dates (the next one after a run is shown beside the target).
    steering_dates: list[date] = Field(default_factory=list)

    @field_validator("owners")
    @classmethod
    def _owners_are_names(cls, owners: dict[str, str]) -> dict[str, str]:
        from flows.owners import check_owner_names

        return check_owner_names(owners)


# --- portfolio --------------------------------------------------------------------------------


class Alerts(_Strict):
    """Where a regression is announced, and how far a gap must drop to count as one.

    ``urls`` are Apprise URLs (``slack://``, ``msteams://``, ``mailto://``, ``json://`` for any
    webhook...). They carry tokens, so they are secrets: write ``${NAME}`` to take one from the
    environment, or ``${secret:BLOCK}`` from a Prefect Secret block, and they are never logged or
    stored in the warehouse.
    """

    #: Apprise URLs to announce to; each a secret: write ${NAME} or ${secret:BLOCK}.
    urls: list[SecretStr] = Field(default_factory=list)
    #: A gap whose score falls by at least this many points since the project's previous run.
    gap_drop_points: Annotated[float, Field(gt=0, le=100)] = 10.0
    #: The same notice (a project's check or gap regressing, a run failing) is not sent again
    #: within this many hours, so that a flapping check does not alert every run.
    suppress_hours: Annotated[float, Field(ge=0)] = 24.0
    #: The dashboard's address as people open it; chat digests link to it.
    dashboard_url: Annotated[str, Field(pattern=r"^https?://\S+$")] | None = None
    #: Send a digest of the portfolio on this schedule (registered by readiness deploy).
    digest: Digest | None = None
    #: An owner's own channels: owner name (as the projects' owners maps write it) -> Apprise URLs,
    #: each a secret; a notice about a check that owner owns reaches them (flows/notify.py).
    owner_urls: dict[str, list[SecretStr]] = Field(default_factory=dict)

    @field_validator("urls", mode="before")
    @classmethod
    def _expand_and_check(cls, urls: Any) -> Any:
        # Errors are of type "secret" so that parse_model never echoes the URLs.
        if not isinstance(urls, list):
            raise PydanticCustomError("secret", "must be a list of Apprise URLs")
        import apprise

        from core.secrets import MissingSecretError, expand, quiet_url_loggers

        expanded = []
        for index, url in enumerate(urls):
            if not isinstance(url, str):
                raise PydanticCustomError(
                    "secret", f"urls[{index}] must be a text (an Apprise URL)"
                )
            try:
                text = expand(url)
            except MissingSecretError as exc:
                raise PydanticCustomError("secret", f"urls[{index}]: {exc}") from None
            with quiet_url_loggers():
                plugin = apprise.Apprise.instantiate(text, suppress_exceptions=True)
            if plugin is None:
                scheme = text.split("://", 1)[0] if "://" in text else "(none)"
                message = f"urls[{index}] is not a URL Apprise can send to (scheme {scheme!r})"
                raise PydanticCustomError("secret", message)
            expanded.append(text)
        return expanded

    @field_validator("owner_urls", mode="before")
    @classmethod
    def _expand_owner_urls(cls, owner_urls: Any) -> Any:
        return check_owner_urls(owner_urls, cls._expand_and_check)


class Schedule(_Strict):
    """A recurring assessment of the portfolio (a Prefect deployment with a cron schedule)."""

    #: The schedule's name (a Prefect deployment is named after it).
    name: Annotated[str, Field(pattern=_ID)]
    #: When to assess, as a cron expression (minute hour day month weekday).
    cron: str
    #: The time zone the cron expression is read in (IANA name).
    timezone: str = "UTC"
    #: Only these project ids (default: every project of the portfolio).
    projects: list[str] | None = None

    @field_validator("cron")
    @classmethod
    def _cron_is_valid(cls, cron: str) -> str:
        from prefect.client.schemas.schedules import CronSchedule

        try:
            CronSchedule(cron=cron)
        except ValidationError:
            raise ValueError(f"not a valid cron expression: {cron!r}") from None
        return cron


class PastAssessment(_Strict):
    """An earlier assessment of the portfolio, made by a run that finds none at its as_of."""

    #: The instant of this earlier assessment (before the portfolio's as_of).
    as_of: datetime
    #: Per project id, the evidence files that were different then: {the path as the project
    #: file names it: the file of that time}, both relative to the project file.
    evidence: dict[str, dict[str, str]] = Field(default_factory=dict)


class Digest(_Strict):
    """A recurring digest of the portfolio: every verdict, with the portfolio report."""

    #: When to send it, as a cron expression (for example weekly: 0 8 * * 1).
    cron: str
    #: The time zone the cron expression is read in (IANA name).
    timezone: str = "UTC"

    @field_validator("cron")
    @classmethod
    def _cron_is_valid(cls, cron: str) -> str:
        return Schedule._cron_is_valid(cron)


class Portfolio(_Strict):
    """A set of projects assessed together, with the rubric that scores them."""

    #: The portfolio's id (lower case, digits, _): names its published snapshot and its access
    #: scope.
    id: Annotated[str, Field(pattern=_ID)]
    #: The portfolio's name as people read it.
    name: str
    #: The rubric file that scores the portfolio (default: the bundled rubric/rubric.yml).
    rubric: str | None = None
    #: The question bank that interprets every project's survey (a survey may name its own).
    question_bank: str | None = None
    #: Assess "as of" this instant (freshness is measured against it); default: now.
    as_of: datetime | None = None
    #: The project files assessed together, relative to this file (inside its folder).
    projects: list[str]
    #: Where regressions are announced.
    alerts: Alerts = Field(default_factory=Alerts)
    #: Recurring assessments (registered by readiness deploy).
    schedules: list[Schedule] = Field(default_factory=list)
    #: Earlier weekly (or any) assessments, oldest first: a run of the whole portfolio makes
    #: each one the warehouse has no finished run at first, with that time's evidence files.
    history: list[PastAssessment] = Field(default_factory=list)

    @model_validator(mode="after")
    def _history_in_order(self) -> Portfolio:
        from flows.history_rules import order_problem

        problem = order_problem(self.as_of, [week.as_of for week in self.history])
        if problem:
            raise ValueError(problem)
        return self

    #: The waivers file, relative to this file (inside its folder; absent: no waivers).
    waivers: str = "waivers.yml"


# --- rubric -----------------------------------------------------------------------------------


class Check(_Strict):
    """One check of the rubric: what it measures, how it is judged and what fixing it costs."""

    #: The check's id (lower case, digits, _); ids stay in the drill-down, titles on every other
    #: surface.
    id: Annotated[str, Field(pattern=_ID)]
    #: The gap the check belongs to.
    gap: GapId
    #: What the check asks, in plain words (what executives read).
    title: str
    #: critical (a fail blocks its gap), major or minor.
    severity: Severity
    #: The check's weight in its gap's score.
    weight: Annotated[float, Field(gt=0)]
    #: Whether a higher or a lower metric is better.
    direction: Literal["higher_is_better", "lower_is_better"]
    #: The metric at which the check passes (at or above it for higher_is_better, at or below for
    #: lower_is_better).
    pass_threshold: float = Field(alias="pass")
    #: The metric at which the check is partial (half its points).
    partial_threshold: float = Field(alias="partial")
    #: What the metric is, in words.
    unit: str = ""
    #: What to do when the check fails (the roadmap's action).
    remediation: str
    #: Person-days the remediation takes (the roadmap's effort and cost).
    effort_days: Annotated[float, Field(ge=0)]
    #: The role that owns the remediation.
    owner_role: str

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> Check:
        better = self.pass_threshold >= self.partial_threshold
        if self.direction == "higher_is_better" and not better:
            raise ValueError("for higher_is_better, pass must be >= partial")
        if self.direction == "lower_is_better" and self.pass_threshold > self.partial_threshold:
            raise ValueError("for lower_is_better, pass must be <= partial")
        return self


class GapThresholds(_Strict):
    """Gap score thresholds, and the rules that keep a verdict honest on thin evidence.

    A score (0-100) at or above ``ready`` is ready, at or above ``at_risk`` at risk; thin, refused
    or contradicted evidence holds a gap or the verdict back (see docs/rubric.md).
    """

    #: A gap scoring at least this (0-100), with no failed critical check, is ready.
    ready: Annotated[float, Field(ge=0, le=100)] = 80
    #: A gap scoring at least this (0-100) is at risk; below it, blocked.
    at_risk: Annotated[float, Field(ge=0, le=100)] = 50
    #: Share of weighted checks that must have evidence for a "go".
    min_confidence: Annotated[float, Field(ge=0, le=1)] = 0.75
    #: Share of a gap's weight its checks with evidence must carry, or the gap has insufficient evidence.
    min_gap_evidence: Annotated[float, Field(ge=0, le=1)] = 0.6
    #: A failed major check caps its gap at "at risk" (never "ready").
    major_fail_caps_gap: bool = True
    #: How much each survey claim the evidence contradicts lowers the confidence.
    claim_penalty: Annotated[float, Field(ge=0, le=1)] = 0.1
    #: The result of a critical check when answers feeding it were refused.
    refused_critical: Literal["no_evidence", "fail"] = "no_evidence"
    #: A stakeholder group with fewer respondents is merged into "other groups" (or not shown).
    min_group_respondents: Annotated[int, Field(ge=1)] = 3
    #: Whether a waiver may accept a failing critical check (else only major and minor ones).
    waive_critical: bool = False
    #: A waiver expiring within this many days of a run raises a notice.
    waiver_notice_days: Annotated[int, Field(ge=0)] = 14


class Stage(_Strict):
    """A launch stage (pilot, limited launch...): the gaps and checks that must be ready for it."""

    #: The stage's id (lower case, digits, _), such as pilot or limited_launch.
    id: Annotated[str, Field(pattern=_ID)]
    #: The stage's name as people read it ("limited launch").
    title: str
    #: Gaps that must be ready (status ready) for this stage.
    gaps: list[GapId] = Field(default_factory=list)
    #: Check ids that must pass (or be waived) for this stage.
    checks: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _requires_something(self) -> Stage:
        if not self.gaps and not self.checks:
            raise ValueError("a stage needs at least one gap or check that must be ready")
        return self


class Rubric(_Strict):
    """The versioned scoring rubric: the single source of truth for checks and thresholds."""

    #: The rubric's version, recorded with every run (bump it when anything changes).
    version: str
    #: The gap and project thresholds.
    thresholds: GapThresholds = Field(default_factory=GapThresholds)
    #: Every check of the six gaps.
    checks: list[Check]
    #: Alert signals: signal -> regular expressions searched (case-insensitive) in an alerting
    #: rule's name, expression and labels; a rule's own ``signal`` label names its signal outright.
    alert_signals: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("alert_signals")
    @classmethod
    def _signal_patterns(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for signal, patterns in value.items():
            for pattern in patterns:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(
                        f"{signal}: {pattern!r} is not a regular expression ({exc})"
                    ) from exc
        return value

    #: Launch stages in order, each requiring what the one before it does and more (optional).
    stages: list[Stage] = Field(default_factory=list)

    @model_validator(mode="after")
    def _complete(self) -> Rubric:
        ids = [c.id for c in self.checks]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"check ids must be unique, repeated: {repeated}")
        missing = [g for g in GAP_IDS if not any(c.gap == g for c in self.checks)]
        if missing:
            raise ValueError(f"every gap needs at least one check, none for: {missing}")
        unknown = sorted({c for s in self.stages for c in s.checks} - set(ids))
        if unknown:
            raise ValueError(f"stages name checks the rubric does not have: {unknown}")
        stage_ids = [s.id for s in self.stages]
        if len(set(stage_ids)) != len(stage_ids):
            raise ValueError("stage ids must be unique")
        return self


# --- question bank ----------------------------------------------------------------------------


class Question(_Strict):
    """A survey question: which gap and stakeholder group it speaks for, and how it is scored."""

    #: The question's id; an export may name its column by it.
    id: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$")]
    #: The question as respondents read it; an export may name its column by it.
    text: str
    #: The gap the answer speaks for.
    gap: GapId
    #: The stakeholder group it is asked of (none: everyone).
    group: StakeholderGroup | None = None
    #: The answer's weight in its group's agreement.
    weight: Annotated[float, Field(gt=0)] = 1.0
    #: likert (agreement on a scale) or blocker (yes or no, with a reason).
    kind: Literal["likert", "blocker"] = "likert"
    #: Agreement is bad news (the answer is flipped).
    reverse: bool = False
    #: Topic of the claim the question makes. dbt checks these against the evidence that can deny
    #: them: ``kpis``, ``evaluation_suite`` (evaluation plan), ``monitoring``, ``on_call``,
    #: ``drift_detection``, ``integration_tested`` (inventory), ``load_tested`` (load tests),
    #: ``retraining`` (costs); ``drift_detection``, ``retraining`` and ``on_call`` also feed the
    #: maintenance checks. Other topics (``legal_blocker`` ...) only label the question.
    topic: str | None = None
    #: The question's own ordered answers, lowest first (``[Not started, In progress, Done]``),
    #: or each answer's score from 0 to 1 (``{Not started: 0, Planned: 0.3, Done: 1}``).
    scale: list[str] | dict[str, Annotated[float, Field(ge=0, le=1)]] | None = None
    #: The Likert scale of this question (5 or 7 points), when it differs from the bank's.
    scale_points: Literal[5, 7] | None = None
    #: A blocker question's reason: the export column (id or text) where people explain it.
    reason_column: str | None = None

    @model_validator(mode="after")
    def _scale_fits_the_kind(self) -> Question:
        if self.kind == "blocker" and (self.scale is not None or self.scale_points):
            raise ValueError("a blocker question is answered yes or no: it takes no scale")
        if self.kind != "blocker" and self.reason_column:
            raise ValueError("reason_column applies only to a blocker question")
        if self.scale is not None:
            if self.scale_points:
                raise ValueError("give either scale or scale_points, not both")
            from flows.answer_labels import normalise_label  # the one definition

            labels = [normalise_label(str(label)) for label in self.scale]
            if len(labels) < 2:
                raise ValueError("a scale needs at least two answers")
            repeated = sorted({label for label in labels if labels.count(label) > 1})
            if repeated or any(not label for label in labels):
                raise ValueError(f"scale answers must be different and not blank: {repeated}")
        return self

    def scale_scores(self) -> dict[str, float] | None:
        """The declared scale as label -> score from 0 to 1 (a list is spread evenly)."""
        if self.scale is None:
            return None
        if isinstance(self.scale, dict):
            return dict(self.scale)
        last = len(self.scale) - 1
        return {label: index / last for index, label in enumerate(self.scale)}


class QuestionBank(_Strict):
    """The questions of a survey."""

    #: The Likert scale (5 or 7 points) of every question without a scale of its own; an
    #: export's ``scale_points`` overrides it for that export.
    scale_points: Literal[5, 7] = 5
    questions: list[Question]

    @model_validator(mode="after")
    def _unique(self) -> QuestionBank:
        ids = [q.id for q in self.questions]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"question ids must be unique, repeated: {repeated}")
        return self


# --- cost assumptions and evaluation plan -----------------------------------------------------


class CostAssumptions(_Strict):
    """Unit economics inputs of one project (monthly figures, one currency).

    Besides negative values, the bounds refuse what no real project has, which is nearly always a
    unit mistake: a price per token written as a price per 1k tokens times 1000, a yearly figure
    as a monthly one, seconds as milliseconds. The bounds are generous on purpose.
    """

    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "EUR"  # ISO 4217: EUR, USD...
    #: Requests the POC served in a month.
    requests_per_month_poc: Annotated[float, Field(ge=0, le=1e12)]
    #: Requests a month at the target volume.
    requests_per_month_target: Annotated[float, Field(gt=0, le=1e12)]
    #: The peak hour's traffic as a multiple of the average hour's.
    peak_to_average: Annotated[float, Field(ge=1, le=100)] = 3.0
    # No model has a context of ten million tokens.
    tokens_in_per_request: Annotated[float, Field(ge=0, le=1e7)] = 0
    #: LLM tokens received per request.
    tokens_out_per_request: Annotated[float, Field(ge=0, le=1e7)] = 0
    # The dearest models cost cents per 1k tokens; 100 per 1k tokens is a unit mistake.
    price_per_1k_tokens_in: Annotated[float, Field(ge=0, le=100)] = 0
    #: Price of 1,000 output tokens.
    price_per_1k_tokens_out: Annotated[float, Field(ge=0, le=100)] = 0
    #: Compute seconds one request takes (non-LLM models).
    compute_seconds_per_request: Annotated[float, Field(ge=0, le=86400)] = 0
    #: Price of one compute second.
    price_per_compute_second: Annotated[float, Field(ge=0, le=100)] = 0
    #: Fixed monthly costs (hosting, licences).
    fixed_monthly_cost: Annotated[float, Field(ge=0, le=1e10)] = 0
    #: What the business will pay per month at the target volume.
    monthly_budget: Annotated[float, Field(gt=0, le=1e10)]
    #: The monthly operating budget (people, on-call, retraining).
    maintenance_budget_monthly: Annotated[float, Field(ge=0, le=1e10)] = 0
    #: Users at the target volume (for the cost per user).
    users_target: Annotated[float, Field(gt=0, le=1e10)] | None = None
    #: Business outcomes one request produces.
    outcomes_per_request: Annotated[float, Field(ge=0, le=1000)] = 1.0
    #: What one outcome is worth to the business.
    value_per_outcome: Annotated[float, Field(ge=0, le=1e9)]


class Kpi(_Strict):
    """A business KPI the project must move."""

    #: The KPI's name.
    name: str
    #: Its value before the AI.
    baseline: float | None = None
    #: The value the project must reach.
    target: float | None = None
    #: The plan says the KPI is measured in production.
    instrumented: bool = False
    #: Where the KPI is measured.
    source: str = ""


class EvaluationPlan(_Strict):
    """How the project's value and quality are measured."""

    #: Who owns the evaluation.
    owner: str = ""
    #: The business KPIs the project must move.
    kpis: list[Kpi] = Field(default_factory=list)
    #: The plan says outputs are graded automatically.
    automated_grading: bool = False
    #: The plan says failures are sorted into a taxonomy.
    failure_taxonomy: bool = False
    #: The plan's stated size of the regression set (examples).
    regression_set_size: Annotated[int, Field(ge=0)] = 0


# --- loading ----------------------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)
#: The names of this module's models, which pydantic may put in an error's location.
_MODEL_NAMES = frozenset(
    name
    for name, value in globals().items()
    if isinstance(value, type) and issubclass(value, BaseModel)
)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file (with :mod:`flows.safe_yaml`'s limits); every failure is a ConfigError."""
    return read_yaml_lines(path)[0]


def read_yaml_lines(path: Path) -> tuple[Any, dict[str, int]]:
    """A YAML file's values and the line of each key; every failure is a ConfigError."""
    if not path.is_file():
        raise ConfigError.one(path, "file not found")
    try:
        return safe_yaml.load_file_with_lines(path)
    except yaml.YAMLError as exc:
        raise ConfigError.one(path, safe_yaml.describe(exc)) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError.one(path, f"not UTF-8 text (byte {exc.start + 1}): {exc.reason}") from exc
    except OSError as exc:
        raise ConfigError.one(path, f"cannot read the file: {exc.strerror or exc}") from exc


#: What a mapping of each kind looks like, for messages that say a mapping was expected.
_EXAMPLES: dict[str, str] = {
    "FieldSpec": "{type: integer, required: true}",
    "CrossFieldRule": "{name: amount_positive, expression: amount > 0}",
    "Relationship": "{field: customer_id, dataset: customers, to_field: id}",
    "FieldMap": "{fields: {order_id: {type: integer}}, key: [order_id]}",
    "DatasetEvidence": "{name: orders, source: data/orders.csv, field_map: {fields: ...}}",
    "InventoryEvidence": "{path: inventory.yml, format: yaml}",
    "SurveyEvidence": "{path: survey.csv, format: google_forms}",
    "LoadTestEvidence": "{path: load/locust_stats.csv, users: 50}",
    "LlmUsageEvidence": "{path: usage/calls.jsonl, format: call_log}",
    "Evidence": "{datasets: [...], survey: {path: survey.csv}}",
    "ServiceLevels": "{p95_latency_ms: 800, max_error_rate: 0.01, target_concurrency: 50}",
    "owners": "{data_engineering: team-data-platform}",
    "Alerts": "{urls: ['${SLACK_WEBHOOK}']}",
    "Schedule": "{name: nightly, cron: '0 2 * * *'}",
    "Check": "{id: dq_completeness, gap: data_quality, title: ..., severity: major, ...}",
    "GapThresholds": "{ready: 80, at_risk: 50}",
    "Stage": "{id: pilot, title: pilot, gaps: [data_quality], checks: [sa_legal_blockers]}",
    "Question": "{id: legal_blocker, text: Do you see a legal blocker?, gap: "
    "stakeholder_alignment, kind: blocker}",
    "Kpi": "{name: handling time, baseline: 12, target: 8}",
    "PastAssessment": "{as_of: 2026-11-13T09:00:00Z, evidence: {my_project: {costs.yml: "
    "history/costs.yml}}}",
}
_PATTERNS: dict[str, str] = {
    _ID: "an id of lower-case letters, digits and _, starting with a letter (such as my_project)",
    r"^[A-Z]{3}$": "a three-letter currency code in capitals (such as EUR or USD)",
    r"^[A-Za-z][A-Za-z0-9_.-]*$": "an id of letters, digits, _, . and -, starting with a letter",
}
_PLAIN: dict[str, str] = {
    "string_type": "expected a text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "dict_type": "expected a mapping (key: value lines)",
    "list_type": "expected a list, such as [a, b] or lines starting with '- '",
    "datetime_type": "expected a date and time such as 2026-03-01T09:00:00Z",
    "datetime_parsing": "expected a date and time such as 2026-03-01T09:00:00Z",
    "datetime_from_date_parsing": "expected a date and time such as 2026-03-01T09:00:00Z",
    "date_type": "expected a date such as 2026-03-01",
    "date_parsing": "expected a date such as 2026-03-01",
    "none_required": "expected nothing here",
    "missing": "required key is missing",
    "extra_forbidden": "unknown key",
    "greater_than": "expected a number greater than {gt}",
    "greater_than_equal": "expected a number of at least {ge}",
    "less_than": "expected a number less than {lt}",
    "less_than_equal": "expected a number of at most {le}",
    "literal_error": "expected one of {expected}",
    "string_too_short": "expected at least {min_length} character(s)",
    "string_too_long": "expected at most {max_length} characters",
    "too_short": "expected at least {min_length} item(s)",
    "too_long": "expected at most {max_length} item(s)",
}
#: Pydantic names a member of a union (``str | int``) by its type in an error's location.
_UNION_TAGS = frozenset({"str", "int", "float", "bool", "none", "list", "dict"})


def _kind_of(value: Any) -> str:
    """What a YAML value is, in words (never a Python type's name)."""
    if value is None:
        return "nothing (an empty file or key)"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list | tuple):
        return "a list"
    return "a value of another kind"


def _echo(value: Any) -> str:
    """What was found instead, beside a message: a number or true/false as written.

    A text is shown only as "a text": an error message never echoes what a file holds.
    """
    if isinstance(value, bool):
        return " (got true)" if value else " (got false)"
    if isinstance(value, int | float):
        return f" (got {value!r})"
    if isinstance(value, str):
        return " (got an empty text)" if not value.strip() else " (got a text)"
    return ""


def plain_message(err: Any) -> str:
    """One pydantic error in plain words: what was expected, with an example; no class names."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "model_type":
        example = _EXAMPLES.get(str(ctx.get("class_name")))
        message = f"expected a mapping such as {example}" if example else _PLAIN["dict_type"]
        return f"{message}, got {_kind_of(err.get('input'))}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        wanted = _PATTERNS.get(pattern, f"a text matching the pattern {pattern}")
        return f"expected {wanted}{_echo(err.get('input'))}"
    if kind in ("value_error", "assertion_error"):
        error = ctx.get("error")
        return str(error) if error is not None else str(err["msg"])
    if kind in _PLAIN:
        shown = {
            k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in ctx.items()
        }
        message = _PLAIN[kind].format(**shown)
        if kind in ("missing", "extra_forbidden", "dict_type", "list_type"):
            return message
        return message + _echo(err.get("input"))
    if kind in ("secret", "plain"):  # written for people already (and never echoing a secret)
        return str(err["msg"])
    message = str(err["msg"]).replace("Input should be", "expected")
    return message + _echo(err.get("input"))


def _plain_key(loc: tuple[Any, ...]) -> str:
    """An error's location as a dotted key, without the names pydantic gives union members."""
    parts = [str(p) for p in loc if not (isinstance(p, str) and _is_union_tag(p))]
    return ".".join(parts) or "(top level)"


def _is_union_tag(part: str) -> bool:
    return part in _UNION_TAGS or "[" in part or part in _EXAMPLES or part in _MODEL_NAMES


def parse_model(
    model: type[M], data: Any, source: Path | str, lines: dict[str, int] | None = None
) -> M:
    """Validate ``data`` as ``model``; every problem names the file, the dotted key and its line.

    Messages are plain words (what was expected, with an example) and never name a class.
    ``lines`` (from :func:`read_yaml_lines`) gives each key's line: a missing key is placed on
    the line of the mapping it is missing from.
    """
    if not isinstance(data, dict):
        raise ConfigError.one(
            source, f"expected a mapping (key: value lines) at the top level, got {_kind_of(data)}"
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        found: dict[str, list[str]] = {}
        for err in exc.errors():
            # A database URL in the echoed input must not show its password.
            message = mask_urls(plain_message(err))
            messages = found.setdefault(_plain_key(err["loc"]), [])
            if message not in messages:
                messages.append(message)
        problems = [
            Problem(str(source), _either(messages), column=key, line=_line_of(key, lines))
            for key, messages in found.items()
        ]
        raise ConfigError(problems) from exc


def _line_of(key: str, lines: dict[str, int] | None) -> int | None:
    """The line of a dotted key, or of the nearest mapping above it that the file has."""
    if not lines:
        return None
    parts = [] if key == "(top level)" else key.split(".")
    while parts:
        found = lines.get(".".join(parts))
        if found is not None:
            return found
        parts.pop()
    return lines.get("")


def _either(messages: list[str]) -> str:
    """Several messages for one key (a union's members) as one: "expected a text or a number"."""
    if len(messages) == 1:
        return messages[0]
    if all(m.startswith("expected ") for m in messages):
        parts = [m.removeprefix("expected ") for m in messages]
        return f"expected {', '.join(parts[:-1])} or {parts[-1]}"
    return "; or ".join(messages)


def load_model(model: type[M], path: Path) -> M:
    """Read and validate one YAML configuration file."""
    data, lines = read_yaml_lines(path)
    return parse_model(model, data, path, lines)


def resolve(base: Path, relative: str) -> Path:
    """Resolve a path written in a configuration file against that file's folder."""
    candidate = Path(relative).expanduser()
    return candidate if candidate.is_absolute() else (base.parent / candidate).resolve()


#: Files at least this large have their hash remembered (smaller ones are cheaper to hash again).
MEMO_MIN_BYTES = 4 << 20


def _stat_key(path: Path) -> str:
    """What changes whenever a file's content may have changed (as git's index keys it)."""
    st = path.stat()
    return f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{st.st_ctime_ns}|{st.st_ino}"


def _memo() -> Path:
    from core.settings import get_settings

    return get_settings().home / "cache" / "fingerprints.sqlite"


def fingerprint_file(path: Path) -> str:
    """Content hash (sha256) of a file, the fingerprint recorded with every run.

    A large file's hash is remembered under its size, modification and change times and inode
    (in ``$READINESS_HOME/cache/fingerprints.sqlite``), so an unchanged 2 GB file is not read
    again on every run; any write changes its change time, and the hash is computed afresh.
    """
    if path.stat().st_size < MEMO_MIN_BYTES:
        return _sha256(path)
    import sqlite3

    memo = _memo()
    memo.parent.mkdir(parents=True, exist_ok=True)
    key = _stat_key(path)
    with closing(sqlite3.connect(memo, timeout=30)) as db, db:
        db.execute("create table if not exists memo (stat text primary key, sha256 text)")
        found = db.execute("select sha256 from memo where stat = ?", [key]).fetchone()
    if found:
        return str(found[0])
    digest = _sha256(path)
    if _stat_key(path) == key:  # unchanged while it was read
        with closing(sqlite3.connect(memo, timeout=30)) as db, db:
            db.execute("insert or replace into memo values (?, ?)", [key, digest])
    return digest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class LoadedProject(BaseModel):
    """A project with the file it came from (paths in it are relative to that file)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: Path
    project: Project

    def resolve(self, relative: str) -> Path:
        """Resolve an evidence path of this project."""
        return resolve(self.path, relative)

    def question_bank(self) -> tuple[Path, QuestionBank] | None:
        """The question bank the project's survey names (None: the portfolio's applies)."""
        named = [s.question_bank for s in self.project.evidence.survey if s.question_bank]
        if not named:
            return None
        path = self.resolve(named[0])
        return path, load_model(QuestionBank, path)


@dataclass(frozen=True)
class FailedProject:
    """A project of the portfolio whose own file cannot be used: its id as best known, and why."""

    id: str
    path: Path
    problems: list[Problem]

    @property
    def error(self) -> str:
        """Every problem on one line each, as a run records it."""
        return "\n".join(str(p) for p in self.problems)


def failed_project_id(path: Path, taken: set[str]) -> str:
    """The id a broken project file gives itself if it can be read, else one from its folder."""
    candidates: list[str] = []
    try:
        data = read_yaml(path)
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            candidates.append(data["id"])
    except ConfigError:
        pass
    name = path.parent.name if path.stem == "project" else path.stem
    candidates.append(re.sub(r"[^a-z0-9_]+", "_", name.casefold()).strip("_") or "project")
    for candidate in candidates:
        if re.match(_ID, candidate) and candidate not in taken:
            return candidate
    base, number = candidates[-1], 2
    while f"{base}_{number}" in taken:
        number += 1
    return f"{base}_{number}"


class LoadedPortfolio(BaseModel):
    """A validated portfolio: its projects, its rubric and its question bank."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: Path
    portfolio: Portfolio
    rubric_path: Path
    rubric: Rubric
    question_bank_path: Path | None
    question_bank: QuestionBank | None
    projects: list[LoadedProject]
    #: Projects whose own file is wrong, when loaded with ``keep_going`` (else they raise).
    failed: list[FailedProject] = Field(default_factory=list)

    def project(self, project_id: str) -> LoadedProject:
        """The project with this id, or a ConfigError listing the known ids."""
        for loaded in self.projects:
            if loaded.project.id == project_id:
                return loaded
        known = ", ".join(p.project.id for p in self.projects)
        raise ConfigError.one(
            self.path, f"unknown project {project_id!r}; known: {known}", "projects"
        )

    def question_bank_for(self, project: LoadedProject) -> tuple[Path, QuestionBank] | None:
        """The question bank that applies to a project's survey (its own, or the portfolio's)."""
        own = project.question_bank()
        if own:
            return own
        if self.question_bank_path and self.question_bank:
            return self.question_bank_path, self.question_bank
        return None


def confined(portfolio: Path, source: Path, written: list[tuple[str, str]]) -> list[Problem]:
    """Problems for the paths ``source`` names that leave the folders of ``portfolio``.

    ``source`` is the portfolio or a project file; see :mod:`flows.paths`.
    """
    from core.settings import get_settings
    from flows.paths import outside_problems

    roots = get_settings().evidence_folders(portfolio)
    return outside_problems(source, source.parent, written, roots)


def load_portfolio(path: Path, default_rubric: Path, keep_going: bool = False) -> LoadedPortfolio:
    """Load and validate a portfolio, its rubric, question bank and every project file.

    All problems of all files are collected before raising, so that one run shows them all.
    With ``keep_going`` (a portfolio run) a project whose own file is wrong is kept in
    ``failed`` with its problems instead, so the other projects are still assessed; problems of
    the portfolio itself, its rubric or question bank still raise.
    """
    path = path.resolve()
    portfolio = load_model(Portfolio, path)
    problems: list[Problem] = []
    rubric_path = resolve(path, portfolio.rubric) if portfolio.rubric else default_rubric
    rubric: Rubric | None = None
    try:
        rubric = load_model(Rubric, rubric_path)
    except ConfigError as exc:
        problems.extend(exc.problems)
    bank_path = resolve(path, portfolio.question_bank) if portfolio.question_bank else None
    bank: QuestionBank | None = None
    outside = confined(path, path, [("question_bank", portfolio.question_bank or ".")])
    if outside:
        problems.extend(outside)
        bank_path = None
    if bank_path:
        try:
            bank = load_model(QuestionBank, bank_path)
        except ConfigError as exc:
            problems.extend(exc.problems)
    projects: list[LoadedProject] = []
    broken: list[tuple[Path, list[Problem]]] = []
    for index, relative in enumerate(portfolio.projects):
        project_path = resolve(path, relative)
        own: list[Problem] = []
        try:
            outside = confined(path, path, [(f"projects.{index}", relative)])
            if outside:
                own.extend(outside)
            else:
                loaded_project = LoadedProject(
                    path=project_path, project=load_model(Project, project_path)
                )
                evidence_paths = local_paths(loaded_project.project.evidence)
                own.extend(confined(path, project_path, evidence_paths))
                if not own:  # the project's own question bank is part of its configuration
                    loaded_project.question_bank()
                    projects.append(loaded_project)
        except ConfigError as exc:
            if not project_path.is_file():
                own.append(
                    Problem(
                        str(path),
                        f"project file {relative!r} not found",
                        column=f"projects.{index}",
                    )
                )
            else:
                own.extend(exc.problems)
        if own and keep_going:
            broken.append((project_path, own))
        else:
            problems.extend(own)
    from core.settings import get_settings
    from flows.history_rules import config_problems

    roots = get_settings().evidence_folders(path)
    history = [past.evidence for past in portfolio.history]
    known = {p.project.id: (p.path, p.project.evidence) for p in projects}
    problems.extend(config_problems(path, history, known, roots, some_failed=bool(broken)))
    ids = [p.project.id for p in projects]
    for repeated in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(
            Problem(str(path), f"project id {repeated!r} is used twice", column="projects")
        )
    if problems or rubric is None:
        raise ConfigError(problems)
    taken, failed = set(ids), []
    for project_path, own in broken:
        failed.append(FailedProject(failed_project_id(project_path, taken), project_path, own))
        taken.add(failed[-1].id)
    return LoadedPortfolio(
        path=path,
        portfolio=portfolio,
        rubric_path=rubric_path,
        rubric=rubric,
        question_bank_path=bank_path,
        question_bank=bank,
        projects=projects,
        failed=failed,
    )
