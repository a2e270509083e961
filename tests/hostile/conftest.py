"""The hostile corpus runs in a temporary home, so that no case touches a real one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import kept_environment, use_home


@pytest.fixture
def hostile_home(tmp_path: Path) -> Iterator[None]:
    """READINESS_HOME in the test's folder, the environment put back afterwards."""
    with kept_environment():
        use_home(tmp_path / "home")
        yield
