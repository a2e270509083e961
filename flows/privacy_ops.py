"""Erasing survey respondents and keeping survey answers no longer than the retention period.

``readiness forget --respondent EMAIL`` erases one person's answers from every run: the working
warehouse (raw answers and every table derived from them), then dbt rebuilds the marts without
them and the snapshots are published again, so history and the published files no longer hold
them either. The measurement cache, which may hold the answers of unchanged survey exports, is
emptied. The person is found by their pseudonym, computed with the same keyed function the survey
reader uses (flows.evidence.survey.pseudonym): the email itself is never stored or printed.

Retention: at the start of each run, survey rows (answers, refused answers, rejected survey rows)
read by runs that started more than READINESS_SURVEY_RETENTION_DAYS days ago are deleted
(:func:`apply_retention`). dbt then judges those older runs again without them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from core.errors import ReadinessError
from core.settings import Settings
from flows import incremental

if TYPE_CHECKING:  # DuckDB and the warehouse (pandas) load when a command runs
    import duckdb

#: Survey rows that retention deletes; the survey's rejected rows are those of kind 'survey'.
SURVEY_TABLES: tuple[str, ...] = ("raw_survey_answers", "raw_survey_refused")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class PrivacyOperationError(ReadinessError):
    """An erasure or retention step that cannot be done here."""


def respondent_keys(settings: Settings) -> list[str]:
    """Every key a stored pseudonym may have been made with, without creating a new one.

    The key in READINESS_SURVEY_KEY (or READINESS_HOME/survey.key), and the bundled example's
    fixed key (its respondents are made up, but erasing under it costs nothing).
    """
    from core import settings as settings_module

    keys: list[str] = [settings_module.EXAMPLE_SURVEY_KEY]
    configured = settings.survey_key is not None
    if configured or (settings.home / settings_module.SURVEY_KEY_FILE).is_file():
        keys.append(settings.respondent_key(None))
    return list(dict.fromkeys(keys))


def pseudonyms(email: str, settings: Settings) -> list[str]:
    """The person's pseudonyms under every key in use (the survey reader's own function)."""
    from flows.evidence.survey import pseudonym

    return sorted({pseudonym(key, email) for key in respondent_keys(settings)})


def _respondent_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every table of the working warehouse with a respondent column (raw and dbt-built)."""
    rows = con.execute(
        "select c.table_name from information_schema.columns as c "
        "join information_schema.tables as t "
        "on t.table_name = c.table_name and t.table_schema = c.table_schema "
        "where c.column_name = 'respondent' and t.table_type = 'BASE TABLE' "
        "order by c.table_name"
    ).fetchall()
    return [r[0] for r in rows]


@dataclass
class Erased:
    """What ``forget`` erased: answers per run, and what else it cleared."""

    answers_per_run: dict[str, int] = field(default_factory=dict)
    derived_rows: int = 0
    cache_entries: int = 0
    snapshots: list[Path] = field(default_factory=list)

    @property
    def answers(self) -> int:
        return sum(self.answers_per_run.values())


def erase_respondent(
    con: duckdb.DuckDBPyConnection, names: list[str]
) -> tuple[dict[str, int], int]:
    """Delete the rows of these pseudonyms: raw answers counted per run, derived rows in total."""
    per_run: dict[str, int] = {}
    derived = 0
    for table in _respondent_tables(con):
        deleted = con.execute(
            f"delete from {table} where list_contains(?::varchar[], respondent) returning run_id",
            [names],
        ).fetchall()
        if table == "raw_survey_answers":
            per_run = dict(sorted(Counter(r[0] for r in deleted).items()))
        else:
            derived += len(deleted)
    return per_run, derived


def clear_measurement_cache(settings: Settings) -> int:
    folder = settings.measurement_cache_path
    if not folder.is_dir():
        return 0
    removed = 0
    for entry in folder.iterdir():
        if entry.is_file():
            entry.unlink(missing_ok=True)
            removed += 1
    return removed


def forget(settings: Settings, email: str) -> Erased:
    """Erase one respondent's answers from every run, rebuild the marts and republish."""
    from flows import warehouse

    if settings.dbt_target == "postgres":
        raise PrivacyOperationError(
            "erasing a respondent from the shared PostgreSQL warehouse is not supported yet: "
            "delete their rows from raw_survey_answers there, then run `readiness run`"
        )
    if not email.strip():
        raise PrivacyOperationError("--respondent needs the person's email address or id")
    if not settings.warehouse.is_file():
        return Erased()
    names = pseudonyms(email, settings)
    with warehouse.run_lock(settings.warehouse):
        with warehouse.connect(settings.warehouse) as con:
            per_run, derived = erase_respondent(con, names)
            if per_run or derived:  # earlier runs' rows changed: their marts are rebuilt whole
                incremental.invalidate(con)
            con.execute("checkpoint")
        erased = Erased(per_run, derived, clear_measurement_cache(settings))
        if erased.answers or erased.derived_rows:
            from flows import dbt

            dbt.build(settings)
            erased.snapshots = warehouse.publish(settings.warehouse, settings.snapshot)
    return erased


def apply_retention(
    con: duckdb.DuckDBPyConnection, days: int, now: datetime | None = None
) -> dict[str, int]:
    """Delete survey rows of runs that started more than ``days`` ago; rows deleted per table."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    old_runs = "select run_id from raw_runs where started_at < ?"
    deleted: dict[str, int] = {}
    present = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()
    }
    if "raw_runs" not in present:
        return deleted
    for table in SURVEY_TABLES:
        if table in present:
            rows = con.execute(
                f"delete from {table} where run_id in ({old_runs}) returning run_id", [cutoff]
            ).fetchall()
            deleted[table] = len(rows)
    if "raw_rejected_rows" in present:
        rows = con.execute(
            "delete from raw_rejected_rows where evidence_kind = 'survey' "
            f"and run_id in ({old_runs}) returning run_id",
            [cutoff],
        ).fetchall()
        deleted["raw_rejected_rows"] = len(rows)
    expired = {table: n for table, n in deleted.items() if n}
    if expired:  # earlier runs' rows changed: their marts are rebuilt whole
        incremental.invalidate(con)
    return expired


#: What the data audit stores of audited values: older versions stored them whole.
AUDITED_VALUES: dict[str, tuple[str, ...]] = {
    "raw_field_profiles": ("min_value", "max_value", "top_values", "examples"),
    "raw_dataset_profiles": ("examples",),
    "raw_dataset_rules": ("examples",),
    "raw_poc_drift": ("unseen_examples",),
    "raw_rejected_rows": ("value", "reason"),
}


def _scrubbed(text: str, personal_field: bool) -> str | None:
    """An audited value as the data audit stores it now.

    A personal field's examples are masked; in example rows (and duplicated keys) a personal
    column's value is masked; emails, phone numbers and IP addresses are redacted anywhere.
    """
    import json

    from flows.privacy import mask, personal_column, redact

    def walk(value: object, key: str | None = None) -> object:
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if isinstance(value, str):
            named = key is not None and key not in ("value", "key") and personal_column(key)
            return mask(value) if personal_field or named else redact(value)
        return value

    try:
        document = json.loads(text)
    except ValueError:
        return mask(text) if personal_field else redact(text)
    if not isinstance(document, dict | list):
        return mask(text) if personal_field else redact(text)
    return json.dumps(walk(document))


def scrub_audited_values(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Redact the personal values that runs recorded before personal fields were counted only hold.

    Those runs' field profiles have no ``personal`` flag. Their fields named as personal
    (:func:`flows.privacy.personal_column`) lose their minimum, maximum and top values and keep
    masked examples; every other stored value of those runs has its emails, phone numbers and IP
    addresses redacted, and a personal column's value in an example row masked. The runs are
    then marked (``personal_reason``), so that this is done once. Rows changed per table.
    """
    from flows.privacy import personal_column

    present = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()
    }
    flagged = con.execute(
        "select count(*) from information_schema.columns "
        "where table_name = 'raw_field_profiles' and column_name = 'personal'"
    ).fetchone()
    if "raw_field_profiles" not in present or not flagged or not flagged[0]:
        return {}
    old = [
        r[0]
        for r in con.execute(
            "select distinct run_id from raw_field_profiles where personal is null"
        ).fetchall()
    ]
    if not old:
        return {}
    runs = "run_id in (select unnest(?::varchar[]))"
    named: dict[str, str] = {}
    for name, found in con.execute(
        f"select distinct field, found_as from raw_field_profiles where {runs} "
        "and personal is null",
        [old],
    ).fetchall():
        kind = personal_column(name) or personal_column(found or "")
        if kind:
            named[name] = kind
    changed: Counter[str] = Counter()
    for table, columns in AUDITED_VALUES.items():
        if table not in present:
            continue
        where = runs + (" and evidence_kind = 'dataset'" if table == "raw_rejected_rows" else "")
        profiles = table == "raw_field_profiles"
        for column in columns:
            for name, value in con.execute(
                f"select distinct {'field' if profiles else 'null'}, {column} from {table} "
                f"where {where} and {column} is not null",
                [old],
            ).fetchall():
                of_personal = name in named
                if of_personal and column != "examples":
                    scrubbed = None  # counts only: no minimum, maximum or top values
                else:
                    scrubbed = _scrubbed(str(value), of_personal)
                if scrubbed == value:
                    continue
                rows = con.execute(
                    f"update {table} set {column} = ? where {where} and {column} = ?"
                    + (" and field = ?" if profiles else "")
                    + " returning 1",
                    [scrubbed, old, value, *([name] if profiles else [])],
                ).fetchall()
                changed[table] += len(rows)
    for name, kind in named.items():
        con.execute(
            f"update raw_field_profiles set personal = true, personal_reason = ? "
            f"where {runs} and field = ? and personal is null",
            [f"detected: {kind} (column name)", old, name],
        )
    con.execute(
        "update raw_field_profiles set personal = false, personal_reason = "
        "'recorded before personal fields were counted only (values redacted)' "
        f"where {runs} and personal is null",
        [old],
    )
    incremental.invalidate(con)  # earlier runs' rows changed: their marts are rebuilt whole
    return {table: n for table, n in changed.items() if n}


# --- commands ---------------------------------------------------------------------------------
