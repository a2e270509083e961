"""Configuration as code: the portfolio, its projects, their evidence and field maps, and the rubric.

Every file is validated on load. A mistake raises :class:`~flows.errors.ConfigError` listing every
problem with the file, the key (as a dotted path) and what was expected.
"""

from __future__ import annotations

import hashlib
import re
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from flows.errors import ConfigError, Problem

GapId = Literal[
    "data_quality", "integration", "stakeholder_alignment", "evaluation", "scale", "maintenance"
]
GAP_IDS: tuple[str, ...] = get_args(GapId)
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
_URL_PASSWORD = re.compile(r"(://[^:/@\s'\"]+:)[^@\s'\"]+@")


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

    type: FieldType = "string"
    required: bool = True
    allowed: list[str | int | float | bool] | None = None
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    #: Other names under which the field may appear (so a rename is detected as drift, not a loss).
    aliases: list[str] = Field(default_factory=list)

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value


class CrossFieldRule(_Strict):
    """A condition every row must meet, as a SQL boolean expression over the dataset's fields."""

    name: Annotated[str, Field(pattern=_ID)]
    expression: str
    description: str = ""


class Relationship(_Strict):
    """Every value of ``field`` must exist in ``to_field`` of another dataset of the same project."""

    field: str
    dataset: str
    to_field: str


class FieldMap(_Strict):
    """What the model depends on in one dataset: fields, keys, freshness, rules, relationships."""

    fields: dict[str, FieldSpec]
    key: list[str] = Field(default_factory=list)
    timestamp: str | None = None
    max_age: str | None = None
    rules: list[CrossFieldRule] = Field(default_factory=list)
    relationships: list[Relationship] = Field(default_factory=list)

    @field_validator("max_age")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
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

    name: Annotated[str, Field(pattern=_ID)]
    source: str
    table: str | None = None
    query: str | None = None
    format: Literal["csv", "parquet", "json", "ndjson", "excel"] | None = None
    delimiter: Annotated[str, Field(min_length=1, max_length=1)] | None = None
    quote: Annotated[str, Field(min_length=1, max_length=1)] | None = None
    header: bool | None = None
    encoding: Literal["utf-8", "utf-16", "latin-1"] | None = None
    poc_sample: str | None = None
    field_map: FieldMap

    @model_validator(mode="after")
    def _table_or_query(self) -> DatasetEvidence:
        postgres = self.source.startswith(("postgresql://", "postgres://"))
        if postgres and bool(self.table) == bool(self.query):
            raise ValueError("a postgresql:// source needs exactly one of table or query")
        if not postgres and (self.table or self.query):
            raise ValueError("table and query apply only to a postgresql:// source")
        return self


# --- other evidence ---------------------------------------------------------------------------


class InventoryEvidence(_Strict):
    """The systems the AI must live inside."""

    path: str
    format: Literal["csv", "yaml", "backstage"] | None = None


class SurveyEvidence(_Strict):
    """Stakeholder survey answers and the question bank that gives them meaning."""

    path: str
    format: Literal["long_csv", "qualtrics", "google_forms", "ms_forms"] = "long_csv"
    question_bank: str | None = None
    #: In tool exports: the question (id or text) whose answer names the respondent's group.
    group_question: str | None = None
    #: In tool exports: answer label -> stakeholder group (case-insensitive), for that question.
    group_labels: dict[str, StakeholderGroup] = Field(default_factory=dict)
    #: The group of every respondent, when the whole export comes from one group.
    group: StakeholderGroup | None = None
    #: The Likert scale of the survey; when absent it is inferred from the answers (7 if any
    #: answer is a 6, a 7 or a 7-point-only label, else 5).
    scale_points: Literal[5, 7] | None = None


class LoadTestEvidence(_Strict):
    """A load test result (Locust's ``*_stats.csv``) and the concurrency it ran at."""

    path: str
    format: Literal["locust"] = "locust"
    users: Annotated[int, Field(gt=0)]
    history_path: str | None = None


class Evidence(_Strict):
    """Every piece of evidence of one project; each kind is optional, missing means no evidence."""

    datasets: list[DatasetEvidence] = Field(default_factory=list)
    inventory: InventoryEvidence | None = None
    survey: SurveyEvidence | None = None
    load_tests: list[LoadTestEvidence] = Field(default_factory=list)
    costs: str | None = None
    evaluation: str | None = None

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

    p95_latency_ms: Annotated[float, Field(gt=0)]
    max_error_rate: Annotated[float, Field(ge=0, le=1)]
    target_concurrency: Annotated[int, Field(gt=0)]


class Project(_Strict):
    """One AI project under assessment."""

    id: Annotated[str, Field(pattern=_ID)]
    name: str
    description: str = ""
    business_unit: str = ""
    owner: str = ""
    required_roles: list[SystemRole] = Field(default_factory=list)
    required_groups: list[StakeholderGroup] = Field(default_factory=list)
    service_levels: ServiceLevels | None = None
    evidence: Evidence = Field(default_factory=Evidence)


# --- portfolio --------------------------------------------------------------------------------


class Alerts(_Strict):
    """Where a regression is announced, and how far a gap must drop to count as one.

    ``urls`` are Apprise URLs (``slack://``, ``msteams://``, ``mailto://``, ``json://`` for any
    webhook...). They carry tokens, so they are secrets: write ``${NAME}`` to take one from the
    environment, or ``${secret:BLOCK}`` from a Prefect Secret block, and they are never logged or
    stored in the warehouse.
    """

    urls: list[SecretStr] = Field(default_factory=list)
    #: A gap whose score falls by at least this many points since the project's previous run.
    gap_drop_points: Annotated[float, Field(gt=0, le=100)] = 10.0

    @field_validator("urls", mode="before")
    @classmethod
    def _expand_and_check(cls, urls: Any) -> Any:
        # Errors are of type "secret" so that parse_model never echoes the URLs.
        if not isinstance(urls, list):
            raise PydanticCustomError("secret", "must be a list of Apprise URLs")
        import apprise

        from flows.secrets import MissingSecretError, expand, quiet_url_loggers

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


class Schedule(_Strict):
    """A recurring assessment of the portfolio (a Prefect deployment with a cron schedule)."""

    name: Annotated[str, Field(pattern=_ID)]
    cron: str
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


class Portfolio(_Strict):
    """A set of projects assessed together, with the rubric that scores them."""

    id: Annotated[str, Field(pattern=_ID)]
    name: str
    rubric: str | None = None
    question_bank: str | None = None
    #: Assess "as of" this instant (freshness is measured against it); default: now.
    as_of: datetime | None = None
    projects: list[str]
    alerts: Alerts = Field(default_factory=Alerts)
    schedules: list[Schedule] = Field(default_factory=list)


# --- rubric -----------------------------------------------------------------------------------


class Check(_Strict):
    """One check of the rubric: what it measures, how it is judged and what fixing it costs."""

    id: Annotated[str, Field(pattern=_ID)]
    gap: GapId
    title: str
    severity: Severity
    weight: Annotated[float, Field(gt=0)]
    direction: Literal["higher_is_better", "lower_is_better"]
    pass_threshold: float = Field(alias="pass")
    partial_threshold: float = Field(alias="partial")
    unit: str = ""
    remediation: str
    effort_days: Annotated[float, Field(ge=0)]
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
    """Gap score thresholds (0-100): at or above ``ready`` is ready, at or above ``at_risk`` at risk."""

    ready: Annotated[float, Field(ge=0, le=100)] = 80
    at_risk: Annotated[float, Field(ge=0, le=100)] = 50
    #: Share of weighted checks that must have evidence for a "go".
    min_confidence: Annotated[float, Field(ge=0, le=1)] = 0.75


class Rubric(_Strict):
    """The versioned scoring rubric: the single source of truth for checks and thresholds."""

    version: str
    thresholds: GapThresholds = Field(default_factory=GapThresholds)
    checks: list[Check]

    @model_validator(mode="after")
    def _complete(self) -> Rubric:
        ids = [c.id for c in self.checks]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"check ids must be unique, repeated: {repeated}")
        missing = [g for g in GAP_IDS if not any(c.gap == g for c in self.checks)]
        if missing:
            raise ValueError(f"every gap needs at least one check, none for: {missing}")
        return self


# --- question bank ----------------------------------------------------------------------------


class Question(_Strict):
    """A survey question: which gap and stakeholder group it speaks for, and how it is scored."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$")]
    text: str
    gap: GapId
    group: StakeholderGroup | None = None
    weight: Annotated[float, Field(gt=0)] = 1.0
    kind: Literal["likert", "blocker"] = "likert"
    reverse: bool = False
    #: Topic of the claim the question makes (``monitoring``, ``load_tested``, ``on_call`` ...).
    topic: str | None = None


class QuestionBank(_Strict):
    """The questions of a survey."""

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
    requests_per_month_poc: Annotated[float, Field(ge=0, le=1e12)]
    requests_per_month_target: Annotated[float, Field(gt=0, le=1e12)]
    peak_to_average: Annotated[float, Field(ge=1, le=100)] = 3.0
    # No model has a context of ten million tokens.
    tokens_in_per_request: Annotated[float, Field(ge=0, le=1e7)] = 0
    tokens_out_per_request: Annotated[float, Field(ge=0, le=1e7)] = 0
    # The dearest models cost cents per 1k tokens; 100 per 1k tokens is a unit mistake.
    price_per_1k_tokens_in: Annotated[float, Field(ge=0, le=100)] = 0
    price_per_1k_tokens_out: Annotated[float, Field(ge=0, le=100)] = 0
    compute_seconds_per_request: Annotated[float, Field(ge=0, le=86400)] = 0
    price_per_compute_second: Annotated[float, Field(ge=0, le=100)] = 0
    fixed_monthly_cost: Annotated[float, Field(ge=0, le=1e10)] = 0
    monthly_budget: Annotated[float, Field(gt=0, le=1e10)]
    maintenance_budget_monthly: Annotated[float, Field(ge=0, le=1e10)] = 0
    users_target: Annotated[float, Field(gt=0, le=1e10)] | None = None
    outcomes_per_request: Annotated[float, Field(ge=0, le=1000)] = 1.0
    value_per_outcome: Annotated[float, Field(ge=0, le=1e9)]


class Kpi(_Strict):
    """A business KPI the project must move."""

    name: str
    baseline: float | None = None
    target: float | None = None
    instrumented: bool = False
    source: str = ""


class EvaluationPlan(_Strict):
    """How the project's value and quality are measured."""

    owner: str = ""
    kpis: list[Kpi] = Field(default_factory=list)
    automated_grading: bool = False
    failure_taxonomy: bool = False
    regression_set_size: Annotated[int, Field(ge=0)] = 0


# --- loading ----------------------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, turning every failure into a ConfigError naming the file."""
    if not path.is_file():
        raise ConfigError.one(path, "file not found")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ConfigError.one(path, f"not valid YAML{where}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError.one(path, f"not UTF-8 text: {exc}") from exc


def parse_model(model: type[M], data: Any, source: Path | str) -> M:
    """Validate ``data`` as ``model``; every problem names the file and the dotted key."""
    if not isinstance(data, dict):
        raise ConfigError.one(
            source, f"expected a mapping at the top level, got {type(data).__name__}"
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(top level)"
            message = err["msg"]
            if err["type"] == "extra_forbidden":
                message = "unknown key"
            elif err["type"] == "missing":
                message = "required key is missing"
            elif "input" in err and err["type"] not in ("model_type", "secret"):
                message += f" (got {err['input']!r})"
            # A database URL in the echoed input must not show its password.
            message = _URL_PASSWORD.sub(r"\1***@", message)
            problems.append(Problem(str(source), f"{message}", column=key))
        raise ConfigError(problems) from exc


def load_model(model: type[M], path: Path) -> M:
    """Read and validate one YAML configuration file."""
    return parse_model(model, read_yaml(path), path)


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
    from flows.settings import get_settings

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
        survey = project.project.evidence.survey
        if survey and survey.question_bank:
            path = project.resolve(survey.question_bank)
            return path, load_model(QuestionBank, path)
        if self.question_bank_path and self.question_bank:
            return self.question_bank_path, self.question_bank
        return None


def load_portfolio(path: Path, default_rubric: Path) -> LoadedPortfolio:
    """Load and validate a portfolio, its rubric, question bank and every project file.

    All problems of all files are collected before raising, so that one run shows them all.
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
    if bank_path:
        try:
            bank = load_model(QuestionBank, bank_path)
        except ConfigError as exc:
            problems.extend(exc.problems)
    projects: list[LoadedProject] = []
    for index, relative in enumerate(portfolio.projects):
        project_path = resolve(path, relative)
        try:
            projects.append(
                LoadedProject(path=project_path, project=load_model(Project, project_path))
            )
        except ConfigError as exc:
            if not project_path.is_file():
                problems.append(
                    Problem(
                        str(path),
                        f"project file {relative!r} not found",
                        column=f"projects.{index}",
                    )
                )
            else:
                problems.extend(exc.problems)
    ids = [p.project.id for p in projects]
    for repeated in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(
            Problem(str(path), f"project id {repeated!r} is used twice", column="projects")
        )
    if problems or rubric is None:
        raise ConfigError(problems)
    return LoadedPortfolio(
        path=path,
        portfolio=portfolio,
        rubric_path=rubric_path,
        rubric=rubric,
        question_bank_path=bank_path,
        question_bank=bank,
        projects=projects,
    )
