"""One project's datasets audited as the portfolio run audits them, for the audit's tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from flows.config import LoadedProject, Project
from flows.evidence import Context
from flows.evidence.data_audit import collect_datasets


def audited(
    folder: Path, datasets: list[dict[str, Any]], as_of: datetime
) -> dict[str, pd.DataFrame]:
    """The evidence tables of a project ``p`` holding ``datasets`` (sources relative to ``folder``)."""
    data = {"id": "p", "name": "P", "evidence": {"datasets": datasets}}
    project = LoadedProject(path=folder / "project.yml", project=Project.model_validate(data))
    context = Context("r", "p", as_of, "salt")
    return collect_datasets(context, project).frames(context)
