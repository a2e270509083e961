"""End to end: Legal writes "Yes - <reason>" in a Google Forms export, and every surface says why.

The example support copilot (go on its own evidence) gets a second survey export, as Google Forms
writes it, where Legal answers the bank's legal blocker question with its reason. The real flow
(Prefect, dbt, publish) assesses it; the project page, the HTML and PDF reports and
``readiness status --json`` must each name the blocker with Legal's words.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pypdf
import pytest
import yaml
from typer.testing import CliRunner

from flows.cli import app
from readmodel.render import render_project
from readmodel.summary import project_summary
from tests.conftest import Assessed, assess, copy_examples, kept_environment
from tests.dashboard.conftest import reset_caches
from tests.dashboard.helpers import page, text_of

PROJECT = "support_copilot"
REASON = "the data protection impact assessment is not done"
BLOCKER = f"Legal: {REASON}"
QUESTION = "Is there an unresolved legal or compliance issue that must be solved before production?"
#: A Google Forms export as the tool writes it: its own timestamp format, the e-mail column, the
#: team question that names the group, the blocker answer as people type it.
GOOGLE_FORMS = (
    f'"Timestamp","Email Address","Which team are you in?","{QUESTION}"\n'
    f'"2026/11/18 10:15:22 AM GMT+1","anna.schmidt@example.com","Legal","Yes - {REASON}"\n'
    '"2026/11/18 11:02:09 AM GMT+1","dan.meier@example.com","IT & Security","No"\n'
)


@pytest.fixture(scope="module")
def blocked(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> Assessed:
    """The support copilot assessed with Legal's Google Forms answer beside its own survey."""
    base = tmp_path_factory.mktemp("blocked")
    portfolio = copy_examples(base / "examples")
    folder = portfolio.parent / "projects" / PROJECT
    (folder / "survey" / "legal_google_forms.csv").write_text(GOOGLE_FORMS, encoding="utf-8")
    config_file = folder / "project.yml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["evidence"]["survey"] = [
        config["evidence"]["survey"],
        {
            "path": "survey/legal_google_forms.csv",
            "format": "google_forms",
            "group_question": "Which team are you in?",
            "group_labels": {"Legal": "legal", "IT & Security": "it_security"},
        },
    ]
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    with kept_environment():
        return assess(portfolio, base / "home", [PROJECT])


@pytest.fixture
def snapshot(blocked: Assessed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "published" / "readiness.duckdb"
    path.parent.mkdir(parents=True)
    shutil.copyfile(blocked.snapshot, path)
    monkeypatch.setenv("READINESS_SNAPSHOT_PATH", str(path))
    reset_caches()
    return path


def test_the_blocker_and_its_reason_reach_every_surface(snapshot: Path) -> None:
    at = page("project", project=PROJECT)
    banner = at.error[0].value
    assert banner.startswith("## ⛔ NOT YET") and BLOCKER in banner  # dbt's reason names it
    assert "Stakeholder alignment is blocked" in banner
    blockers = next(m.value for m in at.markdown if "top blockers" in m.value)
    assert f"**{BLOCKER}**" in blockers  # beside the blocker
    assert "`sa_legal_blockers`" not in text_of(at)
    roadmap = next(m.value for m in at.markdown if "<table>" in m.value and "Priority" in m.value)
    assert BLOCKER in roadmap  # the roadmap's action carries it

    summary = project_summary(snapshot, PROJECT)
    assert BLOCKER in render_project(summary, "html").decode()
    pdf = pypdf.PdfReader(io.BytesIO(render_project(summary, "pdf")))
    assert BLOCKER in " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)

    result = CliRunner().invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    [row] = [r for r in json.loads(result.stdout) if r["project"] == PROJECT]
    assert row["recommendation"] == "not_yet" and BLOCKER in row["reason"]
    assert {"check": "sa_legal_blockers", "reasons": BLOCKER}.items() <= next(
        b for b in row["blockers"] if b["check"] == "sa_legal_blockers"
    ).items()


def test_the_reason_is_on_the_project_page_in_a_real_browser(snapshot: Path) -> None:
    """The same run's snapshot served by ``readiness dashboard`` and read in headless Chromium."""
    from playwright.sync_api import sync_playwright

    from tests.browser.pages import TIMEOUT_MS, settled
    from tests.browser.served import served_dashboard
    from tests.services import CHROMIUM_ARGS, chromium_path, free_port

    executable = chromium_path()  # skips (or fails in CI) without Chromium, like the browser tests
    with served_dashboard(snapshot, free_port()) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{url}/project?project={PROJECT}")
            page.get_by_text("Report (PDF)").first.wait_for()  # the page's last element
            settled(page)
            body = page.inner_text("body")
        finally:
            browser.close()
    assert "NOT YET" in body
    assert body.count(BLOCKER) >= 2, body  # in the verdict's reason and beside the blocker
    assert "sa_legal_blockers" not in body  # a title, never the check's id
