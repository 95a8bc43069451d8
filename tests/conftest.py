"""Shared fixtures: test data paths and an isolated catalog cache."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test session caches the parsed catalog in its own folder; no user env leaks in."""
    monkeypatch.setenv("CHIPWATCH_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.delenv("CHIPWATCH_CATALOG", raising=False)


@pytest.fixture
def data_dir() -> Path:
    return DATA
