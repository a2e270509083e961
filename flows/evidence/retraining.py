"""Runbooks and the retraining schedule of the model the project names.

Runbooks: a file must exist and hold more than blank space (its path was confined to the
portfolio's folder when the configuration was loaded); a URL must be well formed (http or https,
a host), and is never fetched.

Retraining: a schedule for the model (its name appears in the deployment's name, entrypoint, tags
or parameters; in the cron line's command; in the DAG's id or the DAG file's strings) found in
- a Prefect ``prefect.yaml``: ``deployments`` with ``schedule`` or ``schedules`` (cron, interval or
  rrule; one with ``active: false`` does not count);
- a crontab: a line of five time fields (or ``@daily`` and its kin) and a command;
- an Airflow DAG file: ``DAG(...)``, ``with DAG(...)`` or ``@dag(...)`` with ``schedule`` or
  ``schedule_interval``, read with :mod:`ast` (the file is never imported nor run).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from core.errors import EvidenceError
from flows import safe_yaml
from flows.evidence import read_text

_CRON_FIELD = re.compile(r"^[\d*/,\-A-Za-z?LW#]+$")
_CRON_MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")


def check_url(url: str) -> str | None:
    """Why a runbook URL is not well formed (None: it is)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return "expected an http or https URL"
    if not parts.hostname or " " in url.strip():
        return "expected a URL with a host, such as https://wiki.example.com/runbooks/churn"
    return None


def check_runbook_file(path: Path) -> str | None:
    """Why a runbook file does not count (None: it exists and is not empty)."""
    if not path.is_file():
        return "the runbook file does not exist"
    if not read_text(path).strip():
        return "the runbook file is empty"
    return None


def _names(model: str, *texts: Any) -> bool:
    wanted = model.casefold()
    return any(wanted in str(text).casefold() for text in texts if text is not None)


def prefect_schedules(path: Path, model: str) -> list[str]:
    """The schedules of the prefect.yaml deployments that name the model."""
    try:
        data = safe_yaml.load(safe_yaml.read_text(path))
    except yaml.YAMLError as exc:
        raise EvidenceError(path, safe_yaml.describe(exc)) from exc
    deployments = data.get("deployments") if isinstance(data, dict) else None
    if not isinstance(deployments, list):
        raise EvidenceError(path, "expected 'deployments:' with a list of deployments")
    found = []
    for deployment in deployments:
        if not isinstance(deployment, dict):
            continue
        params = deployment.get("parameters") or {}
        values = list(params.values()) if isinstance(params, dict) else []
        if not _names(
            model,
            deployment.get("name"),
            deployment.get("entrypoint"),
            *(deployment.get("tags") or []),
            *values,
        ):
            continue
        schedules = deployment.get("schedules") or []
        if isinstance(deployment.get("schedule"), dict):
            schedules = [deployment["schedule"], *schedules]
        for schedule in schedules if isinstance(schedules, list) else []:
            if not isinstance(schedule, dict) or schedule.get("active") is False:
                continue
            for kind in ("cron", "interval", "rrule"):
                if schedule.get(kind) not in (None, ""):
                    found.append(f"{kind}: {schedule[kind]}")
    return found


def cron_schedules(path: Path, model: str) -> list[str]:
    """The crontab lines whose command names the model (their time fields)."""
    found = []
    for line in read_text(path).splitlines():
        text = line.strip()
        if not text or text.startswith("#") or re.match(r"^[A-Za-z_][A-Za-z0-9_]*\s*=", text):
            continue
        parts = text.split()
        if parts[0] in _CRON_MACROS:
            when, command = parts[0], " ".join(parts[1:])
        elif len(parts) > 5 and all(_CRON_FIELD.match(p) for p in parts[:5]):
            when, command = " ".join(parts[:5]), " ".join(parts[5:])
        else:
            continue
        if command and _names(model, command):
            found.append(f"cron: {when}")
    return found


def _constant(node: ast.expr | None) -> Any:
    try:
        return ast.literal_eval(node) if node is not None else None
    except (ValueError, SyntaxError, TypeError):
        return ast.unparse(node) if node is not None else None


def airflow_schedules(path: Path, model: str) -> list[str]:
    """The schedules of the DAGs of an Airflow file that name the model (read with ast)."""
    try:
        tree = ast.parse(read_text(path), filename=path.name)
    except SyntaxError as exc:
        raise EvidenceError(path, f"not Python (line {exc.lineno}): {exc.msg}") from exc
    strings = [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]
    file_names_model = _names(model, *strings)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = (
            func.id
            if isinstance(func, ast.Name)
            else func.attr
            if isinstance(func, ast.Attribute)
            else ""
        )
        if name not in ("DAG", "dag"):
            continue
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        dag_id = _constant(keywords.get("dag_id") or (node.args[0] if node.args else None))
        schedule = None
        for key in ("schedule", "schedule_interval", "timetable"):
            if key in keywords:
                schedule = _constant(keywords[key])
                break
        if schedule in (None, "", "None", "@once") or not (
            file_names_model or _names(model, dag_id)
        ):
            continue
        found.append(f"airflow: {schedule}")
    return found


READERS = {"prefect": prefect_schedules, "cron": cron_schedules, "airflow": airflow_schedules}
