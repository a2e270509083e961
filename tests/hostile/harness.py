"""The hostile-input corpus's harness: a case builds a bad input, the runner reads it as a run would.

A :class:`Case` names the kind of input, builds a small portfolio holding the hostile file (with
:class:`Workspace`), and states a fragment of the message a person must read. :func:`messages`
loads that portfolio as a portfolio run does (a project whose own file is wrong is kept apart)
and collects every message it produces: configuration problems, unreadable inputs and the reasons
of refused rows. :func:`check` then asserts that the expected fragment is there and that no
message shows a Python traceback, an internal class name or pydantic's wording, or echoes the
file's content: hostile files carry :data:`CANARY` where a reader could quote them. The log
written while a case is read holds neither a traceback nor the canary.

Other helpers add cases in their own module under ``tests/hostile/`` (``test_<area>.py``)::

    from tests.hostile.harness import CANARY, Case, Workspace, run_cases

    def _my_case(ws: Workspace) -> Path:
        ws.write("inventory.yml", f"systems: 1  # {CANARY}")
        return ws.portfolio(evidence={"inventory": {"path": "inventory.yml"}})

    CASES = [Case("my-case", "inventory_yaml", _my_case, "expected a 'systems' list")]
    test_my_cases = run_cases(CASES)

Each case runs directly on the readers (no Prefect, no dbt): the corpus stays cheap. The whole
flow's isolation of a hostile project file is shown in ``tests/e2e/test_faults.py`` (on a run the
fault tests pay for anyway).
"""

from __future__ import annotations

import logging
import math
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.errors import ConfigError, Problem
from core.settings import DEFAULT_RUBRIC, REPO_ROOT
from flows.config import load_portfolio
from flows.evidence import Context
from flows.measurements import collect_project  # (imports Prefect, which sets up logging first)

#: Written into hostile files wherever a reader might quote them: no message may show it.
CANARY = "CANARY7f3a"
#: What a message must never contain: a traceback, a Python class, pydantic's own wording.
FORBIDDEN = re.compile(
    r"Traceback|<class |\b[A-Z][A-Za-z]*(?:Error|Exception)\b|\bError:|Input should be|"
    r"pydantic|NoneType|object has no attribute|not subscriptable|not iterable|"
    r"unhashable type|'(?:str|int|float|dict|list)' object|File \"",
)
AS_OF = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
#: Inputs per kind a case may name (the corpus reports its coverage by these).
KINDS = (
    "portfolio",
    "project",
    "rubric",
    "question_bank",
    "costs",
    "evaluation",
    "csv",
    "parquet",
    "json",
    "ndjson",
    "excel",
    "inventory_csv",
    "inventory_yaml",
    "backstage",
    "long_csv",
    "qualtrics",
    "google_forms",
    "ms_forms",
    "locust",
    "locust_history",
    "eval_results",
    "kpi_data",
)


def laughs(key: str = "lol") -> str:
    """A billion-laughs document: nine levels of nine aliases, 9^9 values when expanded."""
    text = f"# {CANARY}\n{key}0: &a0 ['{CANARY}', '{CANARY}', '{CANARY}']\n"
    for level in range(1, 10):
        text += f"{key}{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]\n"
    return text


class Workspace:
    """A folder holding one small portfolio: write hostile files, then the portfolio and projects."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def write(self, relative: str, content: str | bytes) -> Path:
        """Write a file of the portfolio (text as UTF-8, bytes as they are)."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def copy_example(self, example: str, relative: str) -> Path:
        """Copy a file of the bundled examples (``projects/support_copilot/costs.yml``)."""
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO_ROOT / "examples" / example, target)
        return target

    def project(
        self, project_id: str = "hostile", evidence: dict[str, Any] | None = None, **fields: Any
    ) -> str:
        """Write ``<id>.yml`` beside the portfolio (a valid project around ``evidence``); its name.

        Evidence paths are relative to the portfolio's folder, as the project file sits there.
        """
        data = {
            "id": project_id,
            "name": f"Project {project_id}",
            "business_unit": "Testing",
            "owner": "Test owner",
            **fields,
            "evidence": evidence or {},
        }
        relative = f"{project_id}.yml"
        self.write(relative, yaml.safe_dump(data, sort_keys=False))
        return relative

    def portfolio(
        self,
        evidence: dict[str, Any] | None = None,
        projects: list[str] | None = None,
        question_bank: str | None = "question_bank.yml",
        **fields: Any,
    ) -> Path:
        """Write ``portfolio.yml`` (with the examples' question bank unless told otherwise).

        Without ``projects``, one project ``hostile`` holds ``evidence``.
        """
        if projects is None:
            projects = [self.project(evidence=evidence)]
        data: dict[str, Any] = {
            "id": "hostile",
            "name": "Hostile inputs",
            "as_of": AS_OF.isoformat(),
            **fields,
            "projects": projects,
        }
        if question_bank:
            if question_bank == "question_bank.yml" and not (self.root / question_bank).exists():
                self.copy_example("question_bank.yml", question_bank)
            data["question_bank"] = question_bank
        return self.write("portfolio.yml", yaml.safe_dump(data, sort_keys=False))


@dataclass(frozen=True)
class Case:
    """One hostile input: its id, the kind of input, how to build it, and what a person must read."""

    id: str
    kind: str
    build: Callable[[Workspace], Path]
    expect: str
    #: Every message must stay free of the canary (False only where a file is echoed by design).
    canary: bool = True
    #: Projects that must still be read beside the hostile one (one bad file stops no other).
    also_read: tuple[str, ...] = ()


@dataclass
class Outcome:
    """What reading a portfolio gave: every message, and the projects it could assess."""

    messages: list[str]
    assessed: list[str]
    failed: list[str]


def messages(portfolio: Path) -> Outcome:
    """Read a portfolio as a portfolio run does (no scoring) and collect every message."""
    try:
        loaded = load_portfolio(portfolio, DEFAULT_RUBRIC, keep_going=True)
    except ConfigError as exc:
        return Outcome([str(p) for p in exc.problems], [], [])
    found = [str(p) for failed in loaded.failed for p in failed.problems]
    for project in loaded.projects:
        context = Context("hostile", project.project.id, AS_OF, "hostile-test-key")
        frames = collect_project(context, loaded, project).frames(context)
        inputs = frames.get("raw_evidence_inputs")
        for row in [] if inputs is None else inputs.to_dict("records"):
            if row["status"] != "ok":
                found.append(str(Problem(str(row["source"]), str(row["error"]))))
        rejected = frames.get("raw_rejected_rows")
        for row in [] if rejected is None else rejected.to_dict("records"):
            line = row.get("row_number")
            number = int(line) if isinstance(line, int | float) and not math.isnan(line) else None
            column = row.get("column_name")
            found.append(
                str(
                    Problem(
                        str(row["source"]),
                        str(row["reason"]),
                        row=number,
                        column=column if isinstance(column, str) else None,
                    )
                )
            )
        refused = frames.get("raw_survey_refused")
        for row in [] if refused is None else refused.to_dict("records"):
            found.append(f"{row['source']}: {row['reason']}")
    return Outcome(found, [p.project.id for p in loaded.projects], [f.id for f in loaded.failed])


class _Collect(logging.Handler):
    """Every log record while a case is read, formatted with its exception if it has one."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def check(case: Case, root: Path) -> Outcome:
    """Build a case, read it, and assert what a person reads is right and safe."""
    portfolio = case.build(Workspace(root))
    logged = _Collect()
    logging.getLogger().addHandler(logged)
    try:
        outcome = messages(portfolio)
    finally:
        logging.getLogger().removeHandler(logged)
    for record in logged.lines:  # what the run's log would hold: no file content, no traceback
        assert "Traceback" not in record, f"{case.id}: the log holds a traceback: {record}"
        if case.canary:
            assert CANARY.casefold() not in record.casefold(), (
                f"{case.id}: the log echoes the file's content: {record}"
            )
    shown = "\n".join(outcome.messages)
    assert case.expect.casefold() in shown.casefold(), (
        f"{case.id}: expected a message with {case.expect!r}, got:\n{shown or '(no message)'}"
    )
    for message in outcome.messages:
        bad = FORBIDDEN.search(message)
        assert bad is None, f"{case.id}: a message shows {bad.group(0)!r}: {message}"
        if case.canary:
            assert CANARY.casefold() not in message.casefold(), (
                f"{case.id}: a message echoes the file's content: {message}"
            )
    missing = sorted(set(case.also_read) - set(outcome.assessed))
    assert not missing, f"{case.id}: the hostile input stopped {missing} from being read"
    return outcome


def run_cases(cases: list[Case], timeout: float = 20) -> Callable[..., None]:
    """A parametrised test running every case (each under its own time limit, in its own folder)."""
    ids = [c.id for c in cases]
    assert len(set(ids)) == len(ids), "case ids must be unique"
    unknown = sorted({c.kind for c in cases} - set(KINDS))
    assert not unknown, f"unknown input kinds {unknown}; add them to KINDS"

    @pytest.mark.timeout(timeout)
    @pytest.mark.parametrize("case", cases, ids=ids)
    def test_case(case: Case, tmp_path: Path, hostile_home: None) -> None:
        check(case, tmp_path / "portfolio")

    return test_case
