"""The inputs' archive: content-addressed, owner-only when local, on a real S3 endpoint (moto's server
on loopback) when an S3 prefix; restored byte for byte; pruned by the survey retention."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from core.settings import DEFAULT_RUBRIC, Settings, get_settings
from flows import archive
from flows.config import fingerprint_file, load_portfolio
from tests.conftest import copy_examples
from tests.services import S3Endpoint

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("READINESS_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    return copy_examples(tmp_path / "examples")


@pytest.fixture
def s3_prefix(
    s3_endpoint: S3Endpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh bucket on the real endpoint; credentials and endpoint as a user sets them."""
    for name, value in s3_endpoint.environment().items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    bucket = f"archive-{tmp_path.name.replace('_', '-').lower()[-30:]}".strip("-")
    boto3.client("s3", endpoint_url=s3_endpoint.url).create_bucket(Bucket=bucket)
    yield f"s3://{bucket}/readiness/archive"
    get_settings.cache_clear()


def archived_twice(where: str, portfolio_path: Path) -> tuple[archive.Manifest, archive.Manifest]:
    """Two runs of the same portfolio archived, one survey file changed between them."""
    portfolio = load_portfolio(portfolio_path, DEFAULT_RUBRIC)
    first = archive.keep_inputs(where, "run-1", portfolio, NOW - timedelta(days=400))
    survey = portfolio_path.parent / "projects" / "contract_review" / "survey" / "responses.csv"
    survey.write_text(survey.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    second = archive.keep_inputs(where, "run-2", portfolio, NOW)
    return first, second


def check_round_trip(where: str, portfolio_path: Path, tmp_path: Path) -> None:
    first, second = archived_twice(where, portfolio_path)
    root = portfolio_path.parent
    assert first.root == str(root) and first.portfolio == "portfolio.yml"
    assert "projects/contract_review/survey/responses.csv" in first.files
    assert "projects/support_copilot/data/tickets.csv" in first.files
    changed = [k for k in first.files if first.files[k] != second.files[k]]
    assert changed == ["projects/contract_review/survey/responses.csv"]
    store = archive.open_store(where)
    blobs = list(store.keys("blobs/"))
    assert len(blobs) == len(set(first.files.values()) | set(second.files.values()))

    read = archive.read_manifest(where, "run-1")
    assert read == first and archive.read_manifest(where, "no-such-run") is None
    restored = archive.restore(where, first, tmp_path / "restored")
    assert restored == tmp_path / "restored" / "portfolio.yml"
    for relative, sha in first.files.items():
        assert fingerprint_file(tmp_path / "restored" / relative) == sha

    # The survey retention: run-1 (400 days old) goes, with the blob only it named.
    assert archive.apply_retention(where, 365, NOW) == 1
    assert archive.read_manifest(where, "run-1") is None and archive.read_manifest(where, "run-2")
    assert first.files[changed[0]] not in {k.rsplit("/", 1)[-1] for k in store.keys("blobs/")}
    assert len(list(store.keys("blobs/"))) == len(set(second.files.values()))


def test_a_local_archive_is_content_addressed_owner_only_and_restored(
    examples: Path, tmp_path: Path
) -> None:
    where = archive.location(Settings(), requested=True)
    assert where == str(tmp_path / "home" / "archive")
    check_round_trip(where, examples, tmp_path)
    for path in [Path(where), *Path(where).rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_an_s3_archive_round_trips_on_a_real_endpoint(
    examples: Path, s3_prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READINESS_ARCHIVE", s3_prefix + "/")
    assert archive.location(Settings()) == s3_prefix
    check_round_trip(s3_prefix, examples, tmp_path)
    missing = "s3://no-such-archive-bucket/x"
    with pytest.raises(archive.ArchiveError) as refused:
        archive.keep_inputs(missing, "r", load_portfolio(examples, DEFAULT_RUBRIC), NOW)
    assert str(refused.value).startswith(f"the inputs could not be archived in {missing}: ")
    assert "Error" not in str(refused.value)  # the S3 module's words, no class name


def test_where_the_archive_goes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINESS_HOME", str(tmp_path))
    assert archive.location(Settings()) is None
    monkeypatch.setenv("READINESS_ARCHIVE", "local")
    assert archive.location(Settings()) == str(tmp_path / "archive")
    monkeypatch.setenv("READINESS_ARCHIVE", "/somewhere")
    with pytest.raises(archive.ArchiveError, match="expected `local` or s3://bucket/prefix"):
        archive.location(Settings())


def test_a_damaged_or_hostile_manifest_is_refused(examples: Path, tmp_path: Path) -> None:
    where = str(tmp_path / "archive")
    manifest = archive.keep_inputs(where, "r", load_portfolio(examples, DEFAULT_RUBRIC), NOW)
    escaping = archive.Manifest("r", NOW, manifest.root, "portfolio.yml", {"../x": "ab" * 32})
    with pytest.raises(archive.ArchiveError, match=r"names '\.\./x'"):
        archive.restore(where, escaping, tmp_path / "out")
    sha = manifest.files["portfolio.yml"]
    (Path(where) / "blobs" / sha[:2] / sha).write_text("tampered", encoding="utf-8")
    with pytest.raises(archive.ArchiveError, match=r"portfolio\.yml: its archived copy .* damaged"):
        archive.restore(where, manifest, tmp_path / "out2")
