"""Fixtures of the dashboard tests: the published snapshot the app reads, and clean caches.

``snapshot_path`` is a private copy of the snapshot the real flow published for the example
portfolio (Prefect, dbt, publish: see ``tests/conftest.py``); the tests in ``test_pages.py`` read
their expected values from it. ``handmade_snapshot`` is a small snapshot written by
``handmade.py`` whose exact values ``test_handmade_snapshot.py`` knows.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

from core.settings import get_settings
from tests.conftest import Assessed
from tests.dashboard.handmade import build_snapshot


def reset_caches() -> None:
    """Forget settings and cached query results (each test sees its own snapshot)."""
    get_settings.cache_clear()
    st.cache_data.clear()


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    reset_caches()
    yield
    reset_caches()


@pytest.fixture
def snapshot_path(
    assessed_examples: Assessed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A private copy of the snapshot the real flow published for the example portfolio."""
    path = tmp_path / "published" / "readiness.duckdb"
    path.parent.mkdir(parents=True)
    shutil.copyfile(assessed_examples.snapshot, path)
    monkeypatch.setenv("READINESS_SNAPSHOT_PATH", str(path))
    reset_caches()
    return path


@pytest.fixture
def handmade_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The handmade snapshot of ``handmade.py``, whose exact values the tests know."""
    path = tmp_path / "handmade" / "readiness.duckdb"
    build_snapshot(path)
    monkeypatch.setenv("READINESS_SNAPSHOT_PATH", str(path))
    reset_caches()
    return path


@pytest.fixture
def missing_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A snapshot path where nothing has been published yet."""
    path = tmp_path / "published" / "readiness.duckdb"
    monkeypatch.setenv("READINESS_SNAPSHOT_PATH", str(path))
    reset_caches()
    return path
